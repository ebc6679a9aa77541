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
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32, attn_implementation=a.attn)
    model.eval()
    vocab = model.config.vocab_size
    ids = torch.tensor([[t % vocab for t in CHAT_PROMPT]])
    times = []
    cpu = []
    with torch.inference_mode():
        for _ in range(a.warmup):
            model(ids)
        for _ in range(a.iterations):
            c0 = time.process_time()
            t0 = time.perf_counter()
            model(ids)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    print(json.dumps({"torch": torch.__version__, "threads": a.threads, "attn": a.attn, "tokens": ids.shape[1],
                      "iterations": a.iterations, "median_s": round(statistics.median(times), 4),
                      "min_s": round(min(times), 4), "cpu_median_s": round(statistics.median(cpu), 4)}))


if __name__ == "__main__":
    main()
