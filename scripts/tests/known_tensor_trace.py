#!/usr/bin/env python3
"""Writes a trace of known tensors, for PythonTraceCompatibilityIT (Java recomputes every step with its
StepAccumulator from the same formulas and expects identical stats, rows, sketch and SHA-256).

    python3 scripts/tests/known_tensor_trace.py OUT.json

value(i) = ((37 i) mod 101 - 50) / 8: multiples of 1/8 up to 6.25 in magnitude, exact in every dtype,
so that every float64 sum is exact whatever the summation order.
"""

from __future__ import annotations

import sys
from pathlib import Path

import support  # noqa: F401  (puts scripts/ on sys.path)

import numpy as np
import torch

import layerwise_trace as lt

SMALL = (7, 3, 5)
CHUNKED = (1025, 1024)  # more than one sketch chunk (2^20 values)
LOGITS = (2, 50)


def known_values(count: int) -> np.ndarray:
    i = np.arange(count, dtype=np.int64)
    return ((i * 37) % 101 - 50) / 8.0


def known_logits(count: int) -> np.ndarray:
    """Integers with many ties: floor(((37 i) mod 101 - 50) / 8)."""
    i = np.arange(count, dtype=np.int64)
    return np.floor_divide((i * 37) % 101 - 50, 8).astype(np.float64)


def tensor(values: np.ndarray, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    return torch.from_numpy(values).to(dtype).reshape(shape)


def known_steps(spec: lt.SketchSpec) -> tuple[list[dict], list[dict]]:
    n = int(np.prod(SMALL))
    steps = [lt.tensor_step(name, tensor(known_values(n), SMALL, dtype), spec)
             for name, dtype in [("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16),
                                 ("f64", torch.float64)]]
    steps.append(lt.tensor_step("chunked", tensor(known_values(int(np.prod(CHUNKED))), CHUNKED, torch.float32), spec))
    nonfinite = known_values(20)
    nonfinite[[3, 5, 8]] = [np.nan, np.inf, -np.inf]
    steps.append(lt.tensor_step("nonfinite", tensor(nonfinite, (4, 5), torch.float32), spec))
    logits = tensor(known_logits(int(np.prod(LOGITS))), LOGITS, torch.float32)
    steps.append(lt.tensor_step("logits", logits, spec))
    return steps, lt.top_k(logits[-1].double().numpy())


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: known_tensor_trace.py OUT.json", file=sys.stderr)
        return 2
    spec = lt.SketchSpec()
    steps, top = known_steps(spec)
    producer = {"name": "layerwise-python-known-tensors", "version": "1", "device": "cpu",
                "attn_implementation": None, "extra": {}}
    trace = lt.new_trace(producer, {"architecture": "none", "config": None, "source": "known tensors",
                                    "weights_sha256": None}, "float32", [0], None, steps, top, spec)
    lt.write_trace(Path(argv[0]), trace, force=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
