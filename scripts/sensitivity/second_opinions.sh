#!/usr/bin/env bash
# Second opinions (correct computations) of every shape in shapes.sh, in f32, f16 and bf16, written as gzipped
# traces for the clean-spread measurement (reference-dumps/clean-spread/README.md):
#
#   scripts/sensitivity/second_opinions.sh [--device cpu|cuda] [--attn eager|sdpa|eager,sdpa] [--threads N]
#       [--variant SPEC] [--engine hf|java-cpu|java-oracle] [--models DIR] [--label NAME] OUT_DIR
#
# --engine hf (default): scripts/dump_hf_reference.py, OUT_DIR/SHAPE-DTYPE.DEVICE-ATTN[-tN].json.gz, or with
#   --variant SPEC (split-k:N, split-k-serial:N, f64-rounded, f32-over-storage; docs/hf-reference.md)
#   OUT_DIR/SHAPE-DTYPE.cpu-VARIANT.json.gz, e.g. gqa4-hd32-f16.cpu-split-k4.json.gz.
# --engine java-cpu|java-oracle: `scripts/layerwise run --engine cpu|oracle` on the same checkpoint and tokens,
#   OUT_DIR/SHAPE-DTYPE.java-cpu.json.gz, OUT_DIR/SHAPE-DTYPE.java-oracle.json.gz.
# --label NAME replaces the file name's backend part (one backend only), e.g. to tell apart the same computation
#   made on another machine: OUT_DIR/SHAPE-DTYPE.NAME.json.gz.
# Environment: SHAPES="gqa4-hd32 ..." and DTYPES="f16 bf16" pick a subset (default: all shapes, f32 f16 bf16).
# The checkpoints are synthesized (seed 1) into a temporary folder and removed, or with --models DIR kept in
# DIR/SHAPE-DTYPE and reused. Python: $LAYERWISE_PYTHON, else .venv/bin/python, else python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/shapes.sh"

usage="usage: second_opinions.sh [--device cpu|cuda] [--attn eager|sdpa|eager,sdpa] [--threads N] [--variant SPEC] [--engine hf|java-cpu|java-oracle] [--models DIR] [--label NAME] OUT_DIR"
device=cpu attn=eager threads=1 variant="" engine=hf models="" label=""
while [ $# -gt 1 ]; do
  case "$1" in
    --device) device="$2"; shift 2;;
    --attn) attn="$2"; shift 2;;
    --threads) threads="$2"; shift 2;;
    --variant) variant="$2"; shift 2;;
    --engine) engine="$2"; shift 2;;
    --models) models="$2"; shift 2;;
    --label) label="$2"; shift 2;;
    *) echo "second_opinions.sh: unknown option $1" >&2; echo "$usage" >&2; exit 2;;
  esac
done
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
out="$1"
[ -d "$out" ] || { echo "$out: not a folder" >&2; exit 2; }
case "$engine" in hf|java-cpu|java-oracle) ;; *) echo "--engine: expected hf, java-cpu or java-oracle, got $engine" >&2; exit 2;; esac
[ -z "$models" ] || [ -d "$models" ] || { echo "$models: not a folder (--models)" >&2; exit 2; }

python="${LAYERWISE_PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x "$root/.venv/bin/python" ]; then python="$root/.venv/bin/python"; else python=python3; fi
fi
IFS=, read -ra attns <<< "$attn"
[ -n "${SHAPES:-}" ] && read -ra shape_names <<< "$SHAPES"   # a subset, e.g. SHAPES=gqa4-hd32
dtypes=(f32 f16 bf16)
[ -n "${DTYPES:-}" ] && read -ra dtypes <<< "$DTYPES"

# The file name's backend part: DEVICE-ATTN[-tN], cpu-VARIANT (split-k:4 -> split-k4) or java-cpu / java-oracle.
labels=()
if [ "$engine" != hf ]; then
  labels=("$engine")
elif [ -n "$variant" ]; then
  labels=("$device-${variant//:/}")
else
  thread_suffix=""
  [ "$device" = cpu ] && [ "$threads" != 1 ] && thread_suffix="-t$threads"
  for a in "${attns[@]}"; do labels+=("$device-$a$thread_suffix"); done
fi
if [ -n "$label" ]; then
  [ "${#labels[@]}" -eq 1 ] || { echo "--label: only with one backend (one --attn)" >&2; exit 2; }
  [[ "$label" =~ ^[A-Za-z0-9][A-Za-z0-9_-]*$ ]] || { echo "--label: letters, digits, - and _ only, got $label" >&2; exit 2; }
  labels=("$label")
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# gzip without a name or time stamp, so the same trace gives the same bytes; the .json.gz appears whole or not at all.
publish() {
  gzip -9 -n -c "$1" > "$2.tmp"
  mv "$2.tmp" "$2"
  rm -f "$1"
  echo "$2"
}

for shape in "${shape_names[@]}"; do
  tokens="$(shape_tokens "$shape")"
  for dtype in "${dtypes[@]}"; do
    model="${models:-$work}/$shape-$dtype"
    if [ ! -d "$model" ]; then
      # shellcheck disable=SC2046
      "$python" "$root/scripts/synth.py" $(shape_synth_args "$shape") --seed 1 --dtype "$dtype" --out "$model" >/dev/null
    fi
    for i in "${!labels[@]}"; do
      trace="$work/trace.json"
      final="$out/$shape-$dtype.${labels[$i]}.json.gz"
      if [ "$engine" = hf ]; then
        args=(--out "$trace" --device "$device" --threads "$threads" --force)
        if [ -n "$variant" ]; then args+=(--variant "$variant"); else args+=(--attn "${attns[$i]}"); fi
        [ -n "$tokens" ] && args+=(--tokens "$tokens")
        "$python" "$root/scripts/dump_hf_reference.py" "$model" "${args[@]}"
      else
        args=(run --engine "${engine#java-}" --model "$model" --out "$trace" --force)
        [ -n "$tokens" ] && args+=(--tokens "$tokens")
        "${LAYERWISE:-$root/scripts/layerwise}" "${args[@]}" >&2
      fi
      publish "$trace" "$final"
    done
    [ -n "$models" ] || rm -rf "$model"
  done
done
