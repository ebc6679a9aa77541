#!/usr/bin/env bash
# Runs llama-eval-callback on exact token ids and writes its whole log (stderr, with the token ids,
# then stdout, with every graph node).
#
#   scripts/llamacpp/run.sh BINARY MODEL.gguf "1 17 42" OUT.log [llama.cpp options, e.g. -fa off -ctk f32 -ctv f32]
#
# The model must use id_tokenizer.py's vocabulary (convert.sh gives synthetic checkpoints one): the
# ids become the prompt "<t17><t42>" (llama.cpp adds the BOS, id 1, itself). One thread, so a run
# is reproducible. llama.cpp's asynchronous logger is never flushed at exit and loses the tail of
# the log: drain_log_at_exit.so (built by build.sh) is preloaded to give it time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${LAYERWISE_PYTHON:-python3}"
[ $# -ge 4 ] || { echo "usage: run.sh BINARY MODEL.gguf \"ID ID ...\" OUT.log [llama.cpp options]" >&2; exit 2; }
binary="$1"; model="$2"; ids="$3"; out="$4"; shift 4
[ -x "$binary" ] || { echo "run.sh: $binary: not an executable" >&2; exit 2; }
[ -f "$model" ] || { echo "run.sh: $model: no such model file" >&2; exit 2; }
prompt="$("$python" "$here/id_tokenizer.py" prompt "$ids")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
shim="$(dirname "$binary")/drain_log_at_exit.so"
[ -f "$shim" ] || { echo "run.sh: no $shim (built by build.sh)" >&2; exit 2; }
LD_PRELOAD="$shim" "$binary" -m "$model" -p "$prompt" -t 1 -tb 1 --seed 1 "$@" 2>"$tmp/stderr" | cat >"$tmp/stdout" || status=$?
if [ "$status" -ne 0 ]; then
  tail -5 "$tmp/stderr" >&2
  echo "run.sh: $binary exited with status $status" >&2
  exit 1
fi
cat "$tmp/stderr" "$tmp/stdout" >"$out.tmp" && mv "$out.tmp" "$out"
echo "$out"
