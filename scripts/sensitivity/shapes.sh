# The model shapes on which the clean spread of correct engines is measured (issue: tolerances
# that follow what correct engines do). Sourced by the scripts beside it; one place for the list.
#
# name | synth.py arguments | token ids ("" = the default 38-token prompt)
#   gqa4-hd32   GQA ratio 4 (8 query heads, 2 KV heads), head_dim 32, 4 layers, 40-token prompt
#   wide-i11008 intermediate size 11008 (the 7B FFN width), 16 heads of 64, 2 layers, 40-token prompt
#   tinyllama   the full TinyLlama-1.1B shape (22 layers, GQA 8), the default 38-token prompt
# The 40-token prompt: BOS (1) then 39 ids spread over the vocabulary, (1 + 37*i) mod V, i = 1..39.

shape_names=(gqa4-hd32 wide-i11008 tinyllama)

shape_synth_args() {
  case "$1" in
    gqa4-hd32) echo "--preset small --hidden-size 256 --num-attention-heads 8 --num-key-value-heads 2 --head-dim 32 --intermediate-size 688 --num-hidden-layers 4 --vocab-size 2048";;
    wide-i11008) echo "--preset small --hidden-size 1024 --num-attention-heads 16 --num-key-value-heads 16 --intermediate-size 11008 --num-hidden-layers 2 --vocab-size 4096";;
    tinyllama) echo "--preset tinyllama-1.1b";;
    *) echo "unknown shape $1" >&2; return 2;;
  esac
}

shape_vocab() {
  case "$1" in gqa4-hd32) echo 2048;; wide-i11008) echo 4096;; tinyllama) echo 32000;; esac
}

shape_tokens() {
  case "$1" in
    tinyllama) echo "";;
    *) local v; v=$(shape_vocab "$1"); local ids="1"
       for i in $(seq 1 39); do ids="$ids $(( (1 + 37 * i) % v ))"; done; echo "$ids";;
  esac
}
