#!/usr/bin/env python3
"""Times a PyTorch float32 forward pass (Hugging Face LlamaForCausalLM, eager attention) of a checkpoint,
for comparison with the Layerwise cpu engine (scripts/bench_cpu.sh). Prints one JSON line."""
import argparse
import json
import statistics
import time
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM

CHAT_PROMPT = [int(t) for t in (Path(__file__).resolve().parent.parent / "harness/src/main/resources/dev/layerwise/trace/default-prompt.txt").read_text(encoding="ascii").split()]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", required=True, help="checkpoint directory")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--iterations", type=int, default=5)
    p.add_argument("--attn", default="eager", help="attn_implementation (eager or sdpa)")
    p.add_argument("--tokens", help="token ids (\"1 2 3\"); default: the 38-token chat prompt")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32, attn_implementation=a.attn)
    model.eval()
    vocab = model.config.vocab_size
    prompt = [int(t) for t in a.tokens.split()] if a.tokens else CHAT_PROMPT
    ids = torch.tensor([[t % vocab for t in prompt]])
    times = []
    cpu = []
    others = []
    with torch.inference_mode():
        for _ in range(a.warmup):
            model(ids)
        for _ in range(a.iterations):
            b0 = busy_seconds()
            c0 = time.process_time()
            t0 = time.perf_counter()
            model(ids)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            others.append(others_cores(b0, busy_seconds(), cpu[-1], times[-1]))
    print(json.dumps({"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(),
                      "threads": a.threads, "attn": a.attn, "tokens": ids.shape[1],
                      "iterations": a.iterations, "median_s": round(statistics.median(times), 4),
                      "min_s": round(min(times), 4), "cpu_median_s": round(statistics.median(cpu), 4),
                      "times_s": [round(t, 4) for t in times], "cpu_s": [round(c, 4) for c in cpu],
                      "others_cores": others}))


def busy_seconds():
    """Busy CPU time of the whole machine from /proc/stat (user nice system irq softirq steal), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    return sum(int(fields[i]) for i in (1, 2, 3, 6, 7, 8) if i < len(fields)) / 100.0  # USER_HZ is 100


def others_cores(busy_before, busy_after, own_cpu, wall):
    """Cores other processes kept busy during one timed pass (as layerwise bench measures it), or None."""
    if busy_before is None or busy_after is None or wall <= 0:
        return None
    return round(max(0.0, (busy_after - busy_before - own_cpu) / wall), 3)


if __name__ == "__main__":
    main()
