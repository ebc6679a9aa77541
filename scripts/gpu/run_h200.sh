#!/usr/bin/env bash
# The opencl engine on an NVIDIA GPU machine without Java or network (issue 10, docs/opencl.md).
# Needs target/gpu/layerwise-gpu.tar.xz from scripts/gpu/build_bundle.sh; writes everything to $OUT.
#   scripts/gpu/run_h200.sh [all|check|rerun|faults|replay|bench]   (each phase fits in a 10-minute command)
# check:  `layerwise check --engine opencl` against every committed reference (f32, f16, bf16)
# rerun:  5 reruns per dtype must be bit-identical
# faults: the GPU fault kinds caught on the device (missing-wait included: a side queue holds the producers back)
# replay: `layerwise replay` of a clean pass (names no kernel) and of each GPU fault kind (names the kernel)
# bench:  tinyllama-1.1b, 38 and 512 tokens: the recorded and bare OpenCL forward, PyTorch CUDA eager
#         (scripts/gpu/bench_torch_cuda.py) and scripts/dump_hf_reference.py --device cuda, same GPU, one run
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
phase="${1:-all}"
OUT="${OUT:-$root/target/gpu/out}"
mkdir -p "$OUT"
DTYPE_BENCH="${DTYPE_BENCH:-bf16}"
NVIDIA_OPENCL="${NVIDIA_OPENCL:-/usr/local/nvidia/lib64/libnvidia-opencl.so.1}"

work="${LAYERWISE_GPU_WORK:-/tmp/layerwise-gpu}"
if [ ! -x "$work/jrt/bin/java" ]; then
  mkdir -p "$work"
  tar -C "$work" -xJf target/gpu/layerwise-gpu.tar.xz || { echo "no target/gpu/layerwise-gpu.tar.xz" | tee "$OUT/error.txt"; exit 2; }
fi
mkdir -p "$work/icd"
echo "$NVIDIA_OPENCL" > "$work/icd/nvidia.icd"
export OCL_ICD_VENDORS="$work/icd"
export LD_LIBRARY_PATH="$work/lib:$(dirname "$NVIDIA_OPENCL")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# the JDK's signal-chaining library keeps the JVM's signal handlers when an OpenCL driver installs its own
# (docs/opencl.md, "Signal handlers")
lw() {
  LD_PRELOAD="$work/jrt/lib/libjsig.so${LD_PRELOAD:+:$LD_PRELOAD}" "$work/jrt/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
    -Xmx48g -Dlayerwise.root="$root" -jar "$work/layerwise-all.jar" "$@"
}

# A synthetic checkpoint (preset, dtype), made once per machine.
ckpt() {
  local dir="$work/ckpt/$1-seed1-$2"
  if [ ! -f "$dir/model.safetensors" ]; then
    lw synth --preset "$1" --seed 1 --dtype "$2" --out "$dir" --force >/dev/null 2>>"$OUT/synth.log"
  fi
  echo "$dir"
}

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
full_dtype() { case "$1" in f32) echo float32 ;; f16) echo float16 ;; bf16) echo bfloat16 ;; esac; }

summary="$OUT/summary.txt"
note() { echo "$*" | tee -a "$summary"; }

lw devices > "$OUT/devices.txt" 2>"$OUT/devices.err"; note "devices (exit $?): $(tr '\n' ' ' < "$OUT/devices.txt") $(grep -v WARNING "$OUT/devices.err")"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$OUT/nvidia-smi.txt" 2>&1 || true

if [ "$phase" = all ] || [ "$phase" = check ]; then
  for ref in reference-dumps/*.json reference-dumps/second-opinion/*.json; do
    name="$(basename "$ref" .json)"
    base="${name%%.*}"                        # tiny-seed1-f16.cuda-eager -> tiny-seed1-f16
    preset="${base%-seed1-*}"
    dtype="${base##*-}"
    model="$(ckpt "$preset" "$dtype")"
    t0=$(date +%s.%N)
    lw check --engine opencl --model "$model" --reference "$ref" --format json,md \
      --report-dir "$OUT/check/$name" > "$OUT/check-$name.txt" 2>&1
    rc=$?
    note "check $name: exit $rc ($(elapsed "$t0") s)"
  done
fi

if [ "$phase" = all ] || [ "$phase" = rerun ]; then
  for d in f32 f16 bf16; do
    lw rerun --engine opencl --model "$(ckpt tiny "$d")" --runs 5 --format json,md --report-dir "$OUT/rerun/tiny-$d" \
      > "$OUT/rerun-tiny-$d.txt" 2>&1
    note "rerun tiny $d x5: exit $? ($(grep -v WARNING "$OUT/rerun-tiny-$d.txt" | head -1))"
  done
  lw rerun --engine opencl --model "$(ckpt tinyllama-1layer f16)" --runs 5 --format json,md \
    --report-dir "$OUT/rerun/tinyllama-1layer-f16" > "$OUT/rerun-tinyllama-1layer-f16.txt" 2>&1
  note "rerun tinyllama-1layer f16 x5: exit $? ($(grep -v WARNING "$OUT/rerun-tinyllama-1layer-f16.txt" | head -1))"
fi

if [ "$phase" = all ] || [ "$phase" = faults ]; then
  for case in "f16 layers.1.silu_gate=not-enqueued" "f16 layers.0.attn_out=not-enqueued --poison" \
      "f16 layers.1.gate=stale-pooled-buffer" "f32 layers.0.gate=f16-accumulation" \
      "f16 layers.1.silu_gate=missing-wait" "bf16 layers.0.silu_gate=missing-wait --poison"; do
    d="${case%% *}"
    spec="${case#* }"
    # shellcheck disable=SC2086
    lw check --engine opencl --model "$(ckpt tiny "$d")" --reference "reference-dumps/tiny-seed1-$d.json" --format json \
      --report-dir "$OUT/faults" --inject $spec > "$OUT/fault.txt" 2>&1
    note "fault $spec ($d): exit $? ($(grep -m1 -E 'first divergence|PASS' "$OUT/fault.txt")) $(grep -m1 diagnosis "$OUT/fault.txt")"
  done
  lw rerun --engine opencl --model "$(ckpt tiny f32)" --runs 5 --inject layers.0.ffn_out=atomic-reduction \
    --format json --report-dir "$OUT/faults" > "$OUT/fault.txt" 2>&1
  note "fault layers.0.ffn_out=atomic-reduction (rerun x5): exit $? ($(grep -v WARNING "$OUT/fault.txt" | head -1))"
fi

if [ "$phase" = all ] || [ "$phase" = replay ]; then
  # "-" is the clean pass; the atomic reduction stays within tolerance: replay names it as the first
  # kernel that is not bit-identical to its op (on a GPU, clean silu/softmax kernels may differ in the last bit too)
  for case in "bf16 -" "f16 layers.1.silu_gate=not-enqueued" "bf16 layers.0.attn_out=not-enqueued --poison" \
      "f16 layers.1.gate=stale-pooled-buffer" "f16 layers.1.silu_gate=missing-wait" "f32 layers.1.k=missing-wait" \
      "f32 layers.0.gate=f16-accumulation" "f32 layers.0.ffn_out=atomic-reduction"; do
    d="${case%% *}"
    spec="${case#* }"
    inject=()
    if [ "$spec" != "-" ]; then
      # shellcheck disable=SC2206
      inject=(--inject $spec)
    fi
    lw replay --engine opencl --model "$(ckpt tiny "$d")" --tokens-from "reference-dumps/tiny-seed1-$d.json" \
      --dtype "$(full_dtype "$d")" "${inject[@]}" --format json,md --report-dir "$OUT/replay/$d-${spec%% *}" \
      > "$OUT/replay-$d-${spec%% *}.txt" 2>&1
    note "replay $spec ($d): exit $? ($(grep -m1 '^replay:' "$OUT/replay-$d-${spec%% *}.txt"))"
  done
fi

if [ "$phase" = all ] || [ "$phase" = bench ]; then
  m="$(ckpt tinyllama-1.1b "$DTYPE_BENCH")"
  prompt="529 29989 5205 29989 29958 13 3492 526 263 19780 13563 7451 29889 2 29871 13 29966 29989 1792 29989 29958 13 10994 29991 1128 526 366 29973 2 29871 13 29966 29989 465 22137 29989 29958 13"
  long="$(python3 -c "import random; r = random.Random(1); print(' '.join(str(r.randrange(32000)) for _ in range(512)))" 2>/dev/null \
    || awk 'BEGIN { srand(1); for (i = 0; i < 512; i++) printf "%d ", int(rand() * 32000) }')"
  for n in 38 512; do
    if [ "$n" = 38 ]; then toks="$prompt"; else toks="$long"; fi
    lw bench --engine opencl --model "$m" --tokens "$toks" --warmup 1 --iterations 3 > "$OUT/bench-opencl-$n.json" 2>"$OUT/bench-opencl-$n.err"
    note "bench opencl $DTYPE_BENCH $n tokens: $(cat "$OUT/bench-opencl-$n.json")"
    lw bench --engine opencl --no-hash --model "$m" --tokens "$toks" --warmup 1 --iterations 3 \
      > "$OUT/bench-opencl-nohash-$n.json" 2>"$OUT/bench-opencl-nohash-$n.err"
    note "bench opencl --no-hash (device statistics only) $DTYPE_BENCH $n tokens: $(cat "$OUT/bench-opencl-nohash-$n.json")"
    python3 scripts/gpu/bench_torch_cuda.py --model "$m" --dtype "$DTYPE_BENCH" --tokens "$toks" \
      > "$OUT/bench-torch-$n.json" 2>"$OUT/bench-torch-$n.err"
    note "bench torch cuda eager $n tokens: exit $? $(cat "$OUT/bench-torch-$n.json")"
    t0=$(date +%s.%N)
    python3 scripts/dump_hf_reference.py "$m" --out "$work/hf-$n.json" --tokens "$toks" --dtype "$(full_dtype "$DTYPE_BENCH")" \
      --device cuda --force > "$OUT/bench-dump-$n.txt" 2>&1
    rc=$?
    note "bench dump_hf_reference.py cuda $n tokens: exit $rc, $(elapsed "$t0") s wall (process, model load included)"
  done
fi
echo "results in $OUT"
