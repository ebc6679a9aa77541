#!/usr/bin/env bash
# Regenerates the Hugging Face reference traces of reference-dumps/ (all of them, or the NAMEs given):
# synthesizes each checkpoint into a temporary directory with scripts/synth.py, then records one eager
# CPU forward pass on the default prompt with scripts/dump_hf_reference.py (--threads 1).
#
#   scripts/regenerate_references.sh [--out-dir DIR] [NAME ...]     NAME = PRESET-seedN-DTYPE
#
# Python: $LAYERWISE_PYTHON, else .venv/bin/python, else python3 (needs scripts/requirements.txt).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
all=(tiny-seed1-f32 tiny-seed1-f16 tiny-seed1-bf16 small-seed1-f16 tinyllama-1layer-seed1-f16)

out_dir="$root/reference-dumps"
if [ "${1:-}" = "--out-dir" ]; then
  [ $# -ge 2 ] || { echo "regenerate_references.sh: --out-dir needs a directory" >&2; exit 2; }
  out_dir="$2"; shift 2
fi
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
  "$python" "$root/scripts/dump_hf_reference.py" "$work/$name" --out "$out_dir/$name.json" --threads 1 --force
  rm -rf "${work:?}/$name"
  echo "$out_dir/$name.json"
done
