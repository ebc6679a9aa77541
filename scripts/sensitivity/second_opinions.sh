#!/usr/bin/env bash
# Hugging Face traces of every shape in shapes.sh, in f32, f16 and bf16, for one backend:
#
#   scripts/sensitivity/second_opinions.sh --device cpu|cuda --attn eager|sdpa|eager,sdpa [--threads N] OUT_DIR
#
# Writes OUT_DIR/SHAPE-DTYPE.DEVICE-ATTN[-tN].json for each attention implementation given. The checkpoints are synthesized (seed 1) into a
# temporary folder and removed. Python: $LAYERWISE_PYTHON, else .venv/bin/python, else python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/shapes.sh"

device=cpu attn=eager threads=1
while [ $# -gt 1 ]; do
  case "$1" in
    --device) device="$2"; shift 2;;
    --attn) attn="$2"; shift 2;;
    --threads) threads="$2"; shift 2;;
    *) echo "second_opinions.sh: unknown option $1" >&2; exit 2;;
  esac
done
[ $# -eq 1 ] || { echo "usage: second_opinions.sh --device cpu|cuda --attn eager|sdpa|eager,sdpa [--threads N] OUT_DIR" >&2; exit 2; }
out="$1"
[ -d "$out" ] || { echo "$out: not a folder" >&2; exit 2; }

python="${LAYERWISE_PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x "$root/.venv/bin/python" ]; then python="$root/.venv/bin/python"; else python=python3; fi
fi
thread_suffix=""
[ "$device" = cpu ] && [ "$threads" != 1 ] && thread_suffix="-t$threads"
IFS=, read -ra attns <<< "$attn"

[ -n "${SHAPES:-}" ] && read -ra shape_names <<< "$SHAPES"   # a subset, e.g. SHAPES=gqa4-hd32
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for shape in "${shape_names[@]}"; do
  tokens="$(shape_tokens "$shape")"
  for dtype in f32 f16 bf16; do
    model="$work/$shape-$dtype"
    # shellcheck disable=SC2046
    "$python" "$root/scripts/synth.py" $(shape_synth_args "$shape") --seed 1 --dtype "$dtype" --out "$model" --force >/dev/null
    for a in "${attns[@]}"; do
      trace="$out/$shape-$dtype.$device-$a$thread_suffix.json"
      args=(--out "$trace" --device "$device" --attn "$a" --threads "$threads" --force)
      [ -n "$tokens" ] && args+=(--tokens "$tokens")
      "$python" "$root/scripts/dump_hf_reference.py" "$model" "${args[@]}"
      echo "$trace"
    done
    rm -rf "$model"
  done
done
