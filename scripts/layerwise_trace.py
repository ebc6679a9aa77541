#!/usr/bin/env python3
"""trace-format-v1 in Python (docs/trace-format.md).

Per-step statistics (float64), per-row sums, the Rademacher sketch (signs bit-exact with the
Java implementation), SHA-256 of the values' little-endian bytes in the step dtype, top-k of
the last position's logits, and the JSON writer (non-finite numbers as strings).

Mainly a library (scripts/dump_hf_reference.py uses it; run `layerwise_trace.py --help` for an
example); as a command it prints the canonical step names and the sketch signs, to check a trace
writer in another language against.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import torch

import argparse

from cli_support import ArgumentParser, run_main, write_file_atomically
from splitmix64 import GOLDEN, golden_offsets, mix64, mix64_int

FORMAT = "layerwise-trace"
VERSION = 1
DEFAULT_TOP_K = 10
CHUNK = 1 << 20

LAYER_STEPS = (
    "attn_norm", "q", "k", "v", "q_rope", "k_rope", "attn_probs", "attn_ctx", "attn_out",
    "resid_mid", "ffn_norm", "gate", "up", "silu_gate", "gated", "ffn_out", "out",
)

TORCH_DTYPE_NAMES = {
    torch.float32: "float32",
    torch.float16: "float16",
    torch.bfloat16: "bfloat16",
    torch.float64: "float64",
}


@dataclass(frozen=True)
class SketchSpec:
    kind: str = "rademacher-splitmix64"
    k: int = 16
    seed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "k": self.k, "seed": self.seed}


def canonical_steps(num_layers: int) -> list[str]:
    """Every canonical step name in execution order: 1 + 17 * layers + 2 names."""
    names = ["embed"]
    for i in range(num_layers):
        names.extend(f"layers.{i}.{s}" for s in LAYER_STEPS)
    names.extend(["final_norm", "logits"])
    return names


# --- Rademacher signs ------------------------------------------------------------------------

def sign_bases(spec: SketchSpec) -> list[int]:
    return [mix64_int(spec.seed + (j + 1) * GOLDEN) for j in range(spec.k)]


def negative_signs(base: int, offsets: np.ndarray) -> np.ndarray:
    """True where r(i) = -1, given the (i + 1) * GOLDEN offsets of the elements."""
    bits = mix64(offsets + np.uint64(base))
    return (bits >> np.uint64(63)).astype(bool)


def rademacher_signs(spec: SketchSpec, j: int, count: int) -> np.ndarray:
    """r_j(0 .. count-1) as an int8 array of +1/-1."""
    neg = negative_signs(sign_bases(spec)[j], golden_offsets(0, count))
    return np.where(neg, np.int8(-1), np.int8(1))


def sketch(values: np.ndarray, spec: SketchSpec) -> list[float]:
    """sketch[j] = sum_i r_j(i) * x_i in float64 over the flat row-major values."""
    bases = sign_bases(spec)
    acc = np.zeros(spec.k, dtype=np.float64)
    for start in range(0, values.size, CHUNK):
        chunk = values[start:start + CHUNK]
        offsets = golden_offsets(start, chunk.size)
        for j, base in enumerate(bases):
            acc[j] += np.where(negative_signs(base, offsets), -chunk, chunk).sum()
    return [float(v) for v in acc]


# --- one step ---------------------------------------------------------------------------------

def stats(values: np.ndarray) -> dict[str, Any]:
    """count, sum, abs_sum, sum_sq (all values), min/max (finite values, or null), counts."""
    finite = values[np.isfinite(values)]
    return {
        "count": int(values.size),
        "sum": float(values.sum()),
        "abs_sum": float(np.abs(values).sum()),
        "sum_sq": float(np.square(values).sum()),
        "min": float(finite.min()) if finite.size else None,
        "max": float(finite.max()) if finite.size else None,
        "nan": int(np.isnan(values).sum()),
        "pos_inf": int(np.isposinf(values).sum()),
        "neg_inf": int(np.isneginf(values).sum()),
        "zeros": int((values == 0).sum()),
    }


def row_stats(values: np.ndarray, shape: Sequence[int]) -> tuple[list[float], list[float]]:
    """Sum and sum of squares over everything but the first axis."""
    rows = values.reshape(shape[0], -1) if shape[0] else values.reshape(0, 1)
    return [float(v) for v in rows.sum(axis=1)], [float(v) for v in np.square(rows).sum(axis=1)]


def step_record(name: str, shape: Sequence[int], dtype: str, values: np.ndarray, raw: bytes,
                spec: SketchSpec) -> dict[str, Any]:
    """One step as trace JSON: values are the flat float64 values, raw their little-endian bytes in dtype."""
    shape = [int(d) for d in shape]
    if not shape:
        raise ValueError(f"{name}: a step needs at least one axis")
    if values.size != math.prod(shape):
        raise ValueError(f"{name}: {values.size} values for shape {shape}")
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is NaN by design; counts say why
        row_sums, row_sum_sq = row_stats(values, shape)
        return {
            "name": name,
            "shape": shape,
            "dtype": dtype,
            "stats": stats(values),
            "row_sums": row_sums,
            "row_sum_sq": row_sum_sq,
            "sketch": sketch(values, spec),
            "sha256": hashlib.sha256(raw).hexdigest(),
        }


def tensor_dtype_name(tensor: torch.Tensor) -> str:
    try:
        return TORCH_DTYPE_NAMES[tensor.dtype]
    except KeyError:
        raise ValueError(f"unsupported tensor dtype {tensor.dtype}") from None


def tensor_bytes(tensor: torch.Tensor) -> bytes:
    """The values' little-endian bytes in the tensor's dtype, row-major (bf16 via its raw int16 bits)."""
    t = tensor.detach().to("cpu").contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2", copy=False).tobytes()
    little = {torch.float16: "<f2", torch.float32: "<f4", torch.float64: "<f8"}[t.dtype]
    return t.numpy().astype(little, copy=False).tobytes()


def tensor_step(name: str, tensor: torch.Tensor, spec: SketchSpec) -> dict[str, Any]:
    """One step from a tensor already in the canonical layout (and dtype) of that step."""
    dtype = tensor_dtype_name(tensor)
    values = tensor.detach().to("cpu", torch.float64).contiguous().numpy().reshape(-1)
    return step_record(name, list(tensor.shape), dtype, values, tensor_bytes(tensor), spec)


def top_k(logits: np.ndarray, k: int = DEFAULT_TOP_K) -> list[dict[str, Any]]:
    """The k largest logits of one position, descending, ties to the lower id; NaN ignored."""
    ids = np.flatnonzero(~np.isnan(logits))
    order = np.lexsort((ids, -logits[ids]))[:k]
    return [{"token_id": int(ids[o]), "logit": float(logits[ids[o]])} for o in order]


# --- the whole trace --------------------------------------------------------------------------

def new_trace(producer: dict[str, Any], model: dict[str, Any], dtype: str, token_ids: Iterable[int],
              text: str | None, steps: list[dict[str, Any]], top: list[dict[str, Any]],
              spec: SketchSpec) -> dict[str, Any]:
    """A trace document with the top-level fields in the spec's order."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "producer": producer,
        "model": model,
        "dtype": dtype,
        "input": {"token_ids": [int(t) for t in token_ids], "text": text},
        "sketch": spec.to_json(),
        "steps": steps,
        "top_k": top,
    }


def json_safe(value: Any) -> Any:
    """Replaces non-finite floats by the strings "NaN", "Infinity", "-Infinity" (recursively)."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def dumps_trace(trace: dict[str, Any]) -> str:
    """Trace JSON: top-level fields one per line, one line per step (diff-friendly)."""
    safe = json_safe(trace)
    parts = []
    for key, value in safe.items():
        if key == "steps":
            body = "[\n" + ",\n".join("    " + json.dumps(s, allow_nan=False) for s in value) + "\n  ]"
        else:
            body = json.dumps(value, allow_nan=False)
        parts.append(f"  {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write_trace(path: Path, trace: dict[str, Any], force: bool) -> None:
    """Writes the trace atomically; refuses to replace an existing file unless force."""
    write_file_atomically(path, dumps_trace(trace).encode("utf-8"), force)


def read_trace(path: Path) -> dict[str, Any]:
    """Reads a trace (bare NaN/Infinity tokens accepted; the strings stay strings)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


# --- command line -----------------------------------------------------------------------------

LIBRARY_USE = """\
library use (put scripts/ on sys.path):

    from pathlib import Path
    import layerwise_trace as lt

    spec = lt.SketchSpec()                      # k = 16 sketch values per step, seed 0
    steps = [lt.tensor_step("embed", embeddings, spec),          # torch tensors in the canonical
             lt.tensor_step("layers.0.attn_norm", normed, spec),  # layout and in the model dtype
             ...]
    trace = lt.new_trace(
        producer={"name": "my-engine", "version": "0.1", "device": "cuda",
                  "attn_implementation": None, "extra": {}},
        model={"architecture": "llama", "config": config_json, "source": "my-checkpoint",
               "weights_sha256": None},
        dtype="float16", token_ids=ids, text=None, steps=steps,
        top=lt.top_k(logits[-1].double().cpu().numpy()), spec=spec)
    lt.write_trace(Path("mine.json"), trace, force=False)

then: layerwise compare reference.json mine.json
step names, shapes and fields: docs/trace-format.md
"""


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="layerwise_trace.py",
        description="Writes Layerwise traces (trace-format-v1) from Python: per-step statistics, row sums,\n"
                    "Rademacher sketch, SHA-256 and top-k, computed exactly as the Java side does.\n"
                    "Use it as a library (below). As a command it prints reference data for checking\n"
                    "a trace writer of your own: the canonical step names and the sketch signs.",
        epilog=LIBRARY_USE, formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--steps", type=int, metavar="LAYERS",
                        help="print the canonical step names of a model with LAYERS layers, in execution order")
    action.add_argument("--signs", type=int, metavar="COUNT",
                        help="print the first COUNT sketch signs r_j(0..COUNT-1), one line per j (see --k, --seed)")
    parser.add_argument("--k", type=int, default=SketchSpec.k,
                        help="sketch size for --signs (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=SketchSpec.seed,
                        help="sketch seed for --signs (default: %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.steps is not None:
        if args.steps < 0:
            parser.error(f"--steps: {args.steps} is negative")
        print("\n".join(canonical_steps(args.steps)))
    elif args.signs is not None:
        if args.signs < 0 or args.k < 1 or not 0 <= args.seed < 2 ** 64:
            parser.error("--signs: COUNT must be non-negative, --k at least 1, --seed in [0, 2^64)")
        spec = SketchSpec(k=args.k, seed=args.seed)
        for j in range(spec.k):
            print(" ".join("+1" if s > 0 else "-1" for s in rademacher_signs(spec, j, args.signs).tolist()))
    else:
        parser.print_help()
    return 0


if __name__ == "__main__":
    run_main(main)
