"""Times a Hugging Face LlamaForCausalLM forward pass on CUDA (eager attention, no recording), for
comparison with `layerwise bench --engine opencl` on the same GPU (scripts/gpu/run_h200.sh). Prints
one JSON line."""
import argparse
import json
import statistics
import time

import torch
from transformers import AutoModelForCausalLM

DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", required=True, help="checkpoint directory")
    p.add_argument("--dtype", choices=sorted(DTYPES), required=True)
    p.add_argument("--tokens", required=True, help='token ids, e.g. "1 2 3"')
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--iterations", type=int, default=5)
    a = p.parse_args()
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=DTYPES[a.dtype], attn_implementation="eager")
    model.to("cuda").eval()
    ids = torch.tensor([[int(t) for t in a.tokens.split()]], device="cuda")
    times = []
    with torch.inference_mode():
        for _ in range(a.warmup):
            model(ids)
        torch.cuda.synchronize()
        for _ in range(a.iterations):
            t0 = time.perf_counter()
            model(ids)
            torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "dtype": a.dtype,
                      "tokens": ids.shape[1], "iterations": a.iterations,
                      "median_s": round(statistics.median(times), 5), "min_s": round(min(times), 5)}))


if __name__ == "__main__":
    main()
