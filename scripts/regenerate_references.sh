#!/usr/bin/env bash
# Regenerates the Hugging Face reference traces of reference-dumps/ (all of them, or the NAMEs given):
# synthesizes each checkpoint into a temporary directory with scripts/synth.py, then records one eager
# CPU forward pass on the default prompt with scripts/dump_hf_reference.py (--threads 1).
#
#   scripts/regenerate_references.sh [--out-dir DIR] [--device cpu|cuda] [--attn eager|sdpa] [NAME ...]
#   NAME = PRESET-seedN-DTYPE. Files are NAME.json for cpu/eager, else NAME.DEVICE-ATTN.json
#   (the second opinions in reference-dumps/second-opinion/ were made with --device cuda).
#
# Python: $LAYERWISE_PYTHON, else .venv/bin/python, else python3 (needs scripts/requirements.txt).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
all=(tiny-seed1-f32 tiny-seed1-f16 tiny-seed1-bf16 small-seed1-f32 small-seed1-f16 small-seed1-bf16 tinyllama-1layer-seed1-f16)

out_dir="$root/reference-dumps"
device=cpu
attn=eager
while [ $# -gt 0 ]; do
  case "$1" in
    --out-dir|--device|--attn)
      [ $# -ge 2 ] || { echo "regenerate_references.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in --out-dir) out_dir="$2";; --device) device="$2";; --attn) attn="$2";; esac
      shift 2;;
    --*) echo "regenerate_references.sh: unknown option $1" >&2; exit 2;;
    *) break;;
  esac
done
suffix=""
[ "$device/$attn" = "cpu/eager" ] || suffix=".$device-$attn"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")

python="${LAYERWISE_PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x "$root/.venv/bin/python" ]; then python="$root/.venv/bin/python"; else python=python3; fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for name in "${names[@]}"; do
  if [[ ! "$name" =~ ^(.+)-seed([0-9]+)-(f32|f16|bf16)$ ]]; then
    echo "$name: not a reference name (expected PRESET-seedN-f32|f16|bf16)" >&2; exit 2
  fi
  preset="${BASH_REMATCH[1]}" seed="${BASH_REMATCH[2]}" dtype="${BASH_REMATCH[3]}"
  "$python" "$root/scripts/synth.py" --preset "$preset" --seed "$seed" --dtype "$dtype" --out "$work/$name" --force
  "$python" "$root/scripts/dump_hf_reference.py" "$work/$name" --out "$out_dir/$name$suffix.json" \
    --device "$device" --attn "$attn" --threads 1 --force
  rm -rf "${work:?}/$name"
  echo "$out_dir/$name$suffix.json"
done
