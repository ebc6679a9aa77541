#!/usr/bin/env python3
"""Writes a trace with the layerwise_trace package (sdk/python, alone on the path: nothing from scripts/) and
numpy alone (torch cannot be imported), plus every step's raw little-endian values, for
PythonTraceCompatibilityIT (Java records the same values with its StepAccumulator and expects every field
bit-identical). The last step, top_k_logits, is also the trace's top_k (ties, -0 and +0, NaN, infinities).

    python3 scripts/tests/numpy_only_trace.py OUT.json RAW.bin [SKETCH_K SKETCH_SEED]

The values: random signs, mantissas and exponents (2^-27 .. 2^23, so that the sums depend on the order
of additions), NaN, infinities, -0, subnormals, every float16 and bfloat16 bit pattern, odd shapes.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.modules["torch"] = None  # any `import torch` now fails: the helper must not need it
sys.path[0] = str(Path(__file__).resolve().parents[2] / "sdk" / "python")  # instead of scripts/tests

import numpy as np  # noqa: E402

import layerwise_trace  # noqa: E402


def random_floats(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(shape))
    bits = rng.integers(0, 1 << 32, n, dtype=np.uint64).astype(np.uint32) & np.uint32(0x807FFFFF)
    bits |= rng.integers(100, 151, n).astype(np.uint32) << np.uint32(23)
    return bits.view(np.float32).reshape(shape)


def tensors() -> list[tuple[str, np.ndarray, str | None]]:
    rng = np.random.default_rng(7)
    specials = random_floats(rng, (4, 9))
    flat = specials.reshape(-1).view(np.uint32)
    flat[[2, 3, 5, 8, 9, 10, 11, 12, 13, 20]] = [0x7FC00000, 0xFFC00001, 0x7F800000, 0xFF800000, 0x80000000, 0,
                                                 0x00000001, 0x807FFFFF, 0x7F7FFFFF, 0x7F800001]
    infinities = random_floats(rng, (2, 5))
    infinities.reshape(-1)[[1, 6]] = [np.inf, -np.inf]
    one_infinity = random_floats(rng, (9,))
    one_infinity[4] = np.inf
    every = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    f64 = random_floats(rng, (3, 5)).astype(np.float64) * 1e10
    f64.reshape(-1)[[4, 7, 11]] = [1e200, -0.0, 4.9e-324]
    return [
        ("one", random_floats(rng, (1,)), None),
        ("seven", random_floats(rng, (7,)), None),
        ("rows", random_floats(rng, (5, 13)), None),
        ("three_axes", random_floats(rng, (2, 3, 11)), None),
        ("big", random_floats(rng, (3, 333335)), None),
        ("specials", specials, None),
        ("both_infinities", infinities, None),
        ("one_infinity", one_infinity, None),
        ("negative_zero_first", np.array([-0.0, 0.0, 1.0], dtype=np.float32), None),
        ("all_nan", np.full(4, np.nan, dtype=np.float32), None),
        ("empty_rows", np.zeros((3, 0), dtype=np.float32), None),
        ("f16_every_value", every.reshape(64, 1024), "float16"),
        ("f16_array", (random_floats(rng, (7, 3)) * np.float32(2.0 ** -10)).astype(np.float16), None),
        ("bf16_every_value", every.reshape(256, 256), "bfloat16"),
        ("bf16_big", (rng.integers(0, 1 << 16, 1000003).astype(np.uint16) & np.uint16(0xBFFF)).reshape(1, -1),
         "bfloat16"),
        ("f64", f64, None),
        ("top_k_logits", logits(rng), None),
    ]


def logits(rng: np.random.Generator) -> np.ndarray:
    """Negative values with many ties, a three-way tie for first place, -0 and +0, NaN and infinities."""
    v = -(rng.integers(1, 9, 37).astype(np.float32) * np.float32(0.25))
    v[[3, 17, 30]] = 2.25
    v[[5, 6, 7, 8, 12]] = [np.nan, -0.0, 0.0, -np.inf, np.inf]
    return v


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 4):
        print("usage: numpy_only_trace.py OUT.json RAW.bin [SKETCH_K SKETCH_SEED]", file=sys.stderr)
        return 2
    spec = layerwise_trace.SketchSpec(k=int(argv[2]), seed=int(argv[3])) if len(argv) == 4 \
        else layerwise_trace.SketchSpec()
    raw = bytearray()
    with layerwise_trace.TraceWriter(argv[0], producer="numpy-only test", version="1", dtype="float32",
                                     tokens=[1, 2, 3], force=True, spec=spec) as trace:
        for name, array, dtype in tensors():
            trace.record(name, array, dtype)
            raw += np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        trace.record_top_k(array)  # the last tensor: top_k_logits
    Path(argv[1]).write_bytes(bytes(raw))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
