#!/usr/bin/env bash
# Benchmarks the Layerwise cpu engine against a PyTorch float32 forward pass of the same synthetic
# checkpoint on this machine, in one run, and prints a table (docs/performance.md explains it).
#
# Environment: PRESET (tinyllama-1.1b), DTYPE (bf16), SEED (1), THREADS (2), ITERATIONS (5), WARMUP (2),
# BENCH_DIR (where the checkpoint is generated and kept; default a temp dir removed at the end),
# LAYERWISE_PYTHON (Python with torch + transformers; default .venv/bin/python), JAVA_HEAP (1g).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${PRESET:-tinyllama-1.1b}"
dtype="${DTYPE:-bf16}"
seed="${SEED:-1}"
threads="${THREADS:-2}"
iterations="${ITERATIONS:-5}"
warmup="${WARMUP:-2}"
python="${LAYERWISE_PYTHON:-$root/.venv/bin/python}"

if [ -n "${BENCH_DIR:-}" ]; then
  work="$BENCH_DIR"; mkdir -p "$work"
else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
fi
model="$work/$preset-seed$seed-$dtype"
if [ ! -f "$model/model.safetensors" ]; then
  "$root/scripts/layerwise" synth --preset "$preset" --seed "$seed" --dtype "$dtype" --out "$model" >&2
fi

echo "bench: layerwise cpu engine ($threads threads, $iterations timed runs after $warmup warm-up) ..." >&2
java_json="$(LAYERWISE_JAVA_OPTS="-Xmx${JAVA_HEAP:-1g} ${LAYERWISE_JAVA_OPTS:-}" "$root/scripts/layerwise" bench \
  --model "$model" --threads "$threads" --iterations "$iterations" --warmup "$warmup" 2>/dev/null)"
echo "bench: PyTorch float32 ($python) ..." >&2
torch_json="$("$python" "$root/scripts/bench_torch.py" --model "$model" --threads "$threads" \
  --iterations "$iterations" --warmup "$warmup" 2>/dev/null | tail -1)"

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
cores="$(nproc)"
ram="$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
load="$(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$java_json" "$torch_json" "$preset" "$dtype" "$cpu" "$cores" "$ram" "$load" <<'PY'
import json, sys
j, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
preset, dtype, cpu, cores, ram, load = sys.argv[3:9]
print(f"machine: {cpu}, {cores} cores, {ram} RAM; load average before PyTorch: {load}")
print(f"model: synthetic {preset} ({dtype} weights, {j['checkpoint_bytes']/1e9:.2f} GB), {j['tokens']} tokens, {j['threads']} threads")
print()
print("| measurement | wall median s | wall min s | CPU median s |")
print("|---|---|---|---|")
print(f"| layerwise cpu, every step recorded | {j['recorded_median_s']:.3f} | {j['recorded_min_s']:.3f} | {j['recorded_cpu_median_s']:.3f} |")
print(f"| layerwise cpu, no recording | {j['bare_median_s']:.3f} | {j['bare_min_s']:.3f} | {j['bare_cpu_median_s']:.3f} |")
print(f"| PyTorch {t['torch']} float32 ({t['attn']} attention) | {t['median_s']:.3f} | {t['min_s']:.3f} | {t['cpu_median_s']:.3f} |")
print()
print(f"ratio layerwise (recorded) / PyTorch: wall median {j['recorded_median_s']/t['median_s']:.2f}, wall min {j['recorded_min_s']/t['min_s']:.2f}, CPU {j['recorded_cpu_median_s']/t['cpu_median_s']:.2f} (goal <= 1.0)")
print(f"recording overhead: wall median {j['recorded_median_s']/j['bare_median_s']-1:+.1%}, wall min {j['recorded_min_s']/j['bare_min_s']-1:+.1%}, CPU {j['recorded_cpu_median_s']/j['bare_cpu_median_s']-1:+.1%} (goal <= 3 %)")
print(f"peak RSS of the Java process: {j['peak_rss_bytes']/1e9:.2f} GB = {j['rss_over_checkpoint']:.2f} x checkpoint size (goal <= 1.3)")
PY
