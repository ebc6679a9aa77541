#!/usr/bin/env bash
# Converts a Hugging Face Llama checkpoint to GGUF with llama.cpp's own convert_hf_to_gguf.py.
#
#   scripts/llamacpp/convert.sh MODEL_DIR OUT.gguf [f32|f16] [--force]
#
# A checkpoint without a tokenizer (a synthetic one) gets id_tokenizer.py's, in a temporary copy:
# every id N >= 3 is the word "<tN>", so run.sh can feed exact token ids. The Python running the
# converter ($LAYERWISE_PYTHON, else python3) needs torch, numpy, transformers, sentencepiece and
# protobuf (scripts/llamacpp/requirements.txt); gguf comes from the llama.cpp source (gguf-py).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${LAYERWISE_PYTHON:-python3}"
[ $# -ge 2 ] || { echo "usage: convert.sh MODEL_DIR OUT.gguf [f32|f16] [--force]" >&2; exit 2; }
model="$1"; out="$2"; outtype="${3:-f32}"; force="${4:-}"
[ -f "$model/config.json" ] || { echo "convert.sh: $model: no config.json (not a Hugging Face checkpoint)" >&2; exit 2; }
case "$outtype" in f32|f16|bf16) ;; *) echo "convert.sh: type '$outtype': expected f32, f16 or bf16" >&2; exit 2 ;; esac
if [ -e "$out" ] && [ "$force" != "--force" ]; then
  echo "convert.sh: $out exists (pass --force to replace it)" >&2; exit 2
fi
src="$("$here/build.sh" --source)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for f in "$model"/*; do ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$work/"; done
if [ ! -e "$model/tokenizer.model" ] && [ ! -e "$model/tokenizer.json" ]; then
  rm -f "$work/added_tokens.json" "$work/tokenizer_config.json"
  "$python" "$here/id_tokenizer.py" write "$work"
fi
"$python" "$src/convert_hf_to_gguf.py" "$work" --outtype "$outtype" --outfile "$work/model.gguf" >&2
mv "$work/model.gguf" "$out.tmp" && mv "$out.tmp" "$out"
echo "$out"
