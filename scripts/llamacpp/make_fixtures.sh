#!/usr/bin/env bash
# Regenerates the llama.cpp test fixtures (harness/src/test/resources/llamacpp/): the tiny synthetic
# checkpoint (seed 1) in f32 and f16, converted to GGUF, run by a clean build and by the planted-bug
# builds (no-attn-scale, silu-zero) on the same token ids, plus the Hugging Face references for those ids.
#
#   scripts/llamacpp/make_fixtures.sh OUT_DIR          (OUT_DIR: the fixture folder, or a scratch one)
#
# Needs $LAYERWISE_PYTHON with scripts/requirements.txt and scripts/llamacpp/requirements.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:?usage: make_fixtures.sh OUT_DIR}"
python="${LAYERWISE_PYTHON:-python3}"
tokens="1 17 42 99 300 7"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
clean="$("$here/build.sh")"
bug="$("$here/build.sh" --bug no-attn-scale)"
silu="$("$here/build.sh" --bug silu-zero)"
for d in f32 f16; do
  "$python" "$root/scripts/synth.py" --preset tiny --seed 1 --dtype "$d" --out "$work/tiny-$d" >/dev/null
  "$here/convert.sh" "$work/tiny-$d" "$work/tiny-$d.gguf" "$d" >/dev/null
  "$python" "$root/scripts/dump_hf_reference.py" "$work/tiny-$d" --tokens "$tokens" --attn eager \
    --out "$out/hf-tiny-$d.json" --force >/dev/null
done
run() { # NAME BINARY MODEL OPTIONS...
  local name="$1" bin="$2" model="$3"; shift 3
  "$here/run.sh" "$bin" "$work/$model.gguf" "$tokens" "$out/$name.log" "$@" >/dev/null
}
run tiny-f32-fa-off-kv-f32   "$clean" tiny-f32 -fa off -ctk f32 -ctv f32
run tiny-f32-fa-off-kv-f16   "$clean" tiny-f32 -fa off
run tiny-f32-fa-on-kv-f16    "$clean" tiny-f32 -fa on
run tiny-f32-fa-on-kv-f32    "$clean" tiny-f32 -fa on -ctk f32 -ctv f32
run tiny-f16-fa-off-kv-f16   "$clean" tiny-f16 -fa off
run tiny-f16-fa-on-kv-f16    "$clean" tiny-f16 -fa on
run bug-no-attn-scale-tiny-f32-fa-off-kv-f32 "$bug" tiny-f32 -fa off -ctk f32 -ctv f32
run bug-no-attn-scale-tiny-f32-fa-on-kv-f16  "$bug" tiny-f32 -fa on
run bug-silu-zero-tiny-f32-fa-off-kv-f32 "$silu" tiny-f32 -fa off -ctk f32 -ctv f32
run bug-silu-zero-tiny-f32-fa-on-kv-f16  "$silu" tiny-f32 -fa on
ls "$out"
