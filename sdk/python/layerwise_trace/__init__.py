"""layerwise_trace: write Layerwise traces (trace-format-v1, docs/trace-format.md) from Python with numpy
alone. torch tensors are accepted too, but torch is imported only when one is recorded.

Per-step statistics, per-row sums and the Rademacher sketch are float64 sums in Java's fixed order
(8 lanes by flat index, combined in a fixed tree: docs/trace-format.md, "Statistics"), so a step is
bit-identical to Layerwise's own StepAccumulator; SHA-256 of the values' little-endian bytes in the step
dtype; top-k of the last position's logits; the JSON writer (non-finite numbers as strings).

    import layerwise_trace
    with layerwise_trace.TraceWriter("trace.json", producer="my-engine", dtype="float32",
                                     tokens=[1, 415, 2936]) as trace:
        trace.record("embed", hidden)            # a numpy array: float16, float32 or float64
        trace.record("layers.0.q", q_bits, dtype="bfloat16")   # bfloat16 as raw uint16 bits
        trace.record_top_k(logits[-1])

`python -m layerwise_trace --help` prints the canonical step names and the sketch signs, to check a trace
writer in another language against.
"""

from __future__ import annotations

import hashlib
import gzip
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from .splitmix64 import GOLDEN, golden_offsets, mix64, mix64_int

__all__ = ["TraceWriter", "SketchSpec", "array_step", "canonical_steps", "read_trace", "top_k", "write_trace"]

__version__ = "1.0.0"

FORMAT = "layerwise-trace"
VERSION = 1
DEFAULT_TOP_K = 10
CHUNK = 1 << 20
LANES = 8

LAYER_STEPS = (
    "attn_norm", "q", "k", "v", "q_rope", "k_rope", "attn_probs", "attn_ctx", "attn_out",
    "resid_mid", "ffn_norm", "gate", "up", "silu_gate", "gated", "ffn_out", "out",
)

NUMPY_DTYPE_NAMES = {"float16": "float16", "float32": "float32", "float64": "float64", "bfloat16": "bfloat16"}
BYTES_PER_VALUE = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8}


def __getattr__(name: str) -> Any:
    """TORCH_DTYPE_NAMES imports torch on first use only, so that numpy-only users never need it."""
    if name == "TORCH_DTYPE_NAMES":
        import torch
        return {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16",
                torch.float64: "float64"}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


# --- sums in Java's order ----------------------------------------------------------------------

def combine(lanes: np.ndarray) -> np.ndarray:
    """The fixed reduction of the last axis's 8 lanes: ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))."""
    l = lanes
    return ((l[..., 0] + l[..., 1]) + (l[..., 2] + l[..., 3])) + ((l[..., 4] + l[..., 5]) + (l[..., 6] + l[..., 7]))


def add_lanes(lanes: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """lanes[l] + the terms whose index is l mod 8, added one at a time in increasing index (terms start at a
    multiple of 8). numpy reduces axis 0 of a C-order array row after row, so each lane adds in order; padding
    with +0.0 leaves a lane unchanged (a lane sum is never -0)."""
    groups = -(-terms.size // LANES)
    table = np.zeros((groups + 1, LANES))
    table[0] = lanes
    table.reshape(-1)[LANES:LANES + terms.size] = terms
    return np.add.reduce(table, axis=0)


def chunks(count: int) -> Iterable[tuple[int, int]]:
    for start in range(0, count, CHUNK):
        yield start, min(count, start + CHUNK)


def sketch(values: np.ndarray, spec: SketchSpec) -> list[float]:
    """sketch[j] = sum_i r_j(i) * x_i, as Java computes it: T - 2 N_j over the finite values (T their lane
    sum, N_j that of those with r_j(i) = -1); non-finite terms decide by the signed sum (any NaN: NaN;
    infinities of one sign: that infinity; of both: NaN)."""
    bases = sign_bases(spec)
    total = np.zeros(LANES)
    negative = np.zeros((spec.k, LANES))
    positive_inf = np.zeros(spec.k, dtype=np.int64)
    negative_inf = np.zeros(spec.k, dtype=np.int64)
    any_nan = False
    for start, end in chunks(values.size):
        chunk = values[start:end]
        finite = np.isfinite(chunk)
        finite_values = np.where(finite, chunk, 0.0)
        total = add_lanes(total, finite_values)
        infinite = np.isinf(chunk)
        any_nan = any_nan or bool(np.isnan(chunk).any())
        offsets = golden_offsets(start, chunk.size)
        for j, base in enumerate(bases):
            neg = negative_signs(base, offsets)
            negative[j] = add_lanes(negative[j], np.where(neg, finite_values, 0.0))
            if infinite.any():
                up = (chunk[infinite] > 0) != neg[infinite]
                positive_inf[j] += int(up.sum())
                negative_inf[j] += int((~up).sum())
    out = []
    t = float(combine(total))
    for j in range(spec.k):
        if any_nan or (positive_inf[j] > 0 and negative_inf[j] > 0):
            out.append(math.nan)
        elif positive_inf[j] > 0:
            out.append(math.inf)
        elif negative_inf[j] > 0:
            out.append(-math.inf)
        else:
            out.append(t - 2 * float(combine(negative[j])))
    return out


# --- one step ---------------------------------------------------------------------------------

def stats(values: np.ndarray) -> dict[str, Any]:
    """count, sum, abs_sum, sum_sq (all values, Java's order), min/max (finite values, or null; a zero
    extremum has the sign of the first zero), counts."""
    sums = np.zeros((3, LANES))
    low, high = math.inf, -math.inf
    for start, end in chunks(values.size):
        chunk = values[start:end]
        sums[0] = add_lanes(sums[0], chunk)
        sums[1] = add_lanes(sums[1], np.abs(chunk))
        sums[2] = add_lanes(sums[2], chunk * chunk)
        finite = chunk[np.isfinite(chunk)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    zeros = np.flatnonzero(values == 0)
    if zeros.size:
        zero = float(values[zeros[0]])
        low = zero if low == 0 else low
        high = zero if high == 0 else high
    any_finite = low <= high
    return {
        "count": int(values.size),
        "sum": float(combine(sums[0])),
        "abs_sum": float(combine(sums[1])),
        "sum_sq": float(combine(sums[2])),
        "min": low if any_finite else None,
        "max": high if any_finite else None,
        "nan": int(np.isnan(values).sum()),
        "pos_inf": int(np.isposinf(values).sum()),
        "neg_inf": int(np.isneginf(values).sum()),
        "zeros": int(zeros.size),
    }


def row_stats(values: np.ndarray, shape: Sequence[int]) -> tuple[list[float], list[float]]:
    """Sum and sum of squares over everything but the first axis; a row's lanes are those of the flat index."""
    rows = int(shape[0])
    if rows == 0 or values.size == 0:
        return [0.0] * rows, [0.0] * rows
    length = values.size // rows
    width = -(-(length + LANES - 1) // LANES) * LANES  # room for a row that starts inside a group of 8
    batch = max(1, CHUNK // width)
    sums, squares = [], []
    for r0 in range(0, rows, batch):
        r1 = min(rows, r0 + batch)
        block = values[r0 * length:r1 * length].reshape(r1 - r0, length)
        start = (np.arange(r0, r1, dtype=np.int64) * length) % LANES
        columns = start[:, None] + np.arange(length)[None, :]
        for terms, out in ((block, sums), (block * block, squares)):
            table = np.zeros((r1 - r0, width))
            table[np.arange(r1 - r0)[:, None], columns] = terms
            out.extend(float(v) for v in combine(np.add.reduce(table.reshape(r1 - r0, -1, LANES), axis=1)))
    return sums, squares


def hashed_bytes(raw: bytes, dtype: str) -> bytes:
    """The bytes Java hashes: its float conversions quiet a signalling f16/bf16 NaN (bit 9 / bit 6)."""
    if dtype not in ("float16", "bfloat16"):
        return raw
    bits = np.frombuffer(raw, dtype="<u2").copy()
    exponent, mantissa, quiet = (0x7C00, 0x3FF, 0x200) if dtype == "float16" else (0x7F80, 0x7F, 0x40)
    signalling = ((bits & exponent) == exponent) & ((bits & mantissa) != 0)
    bits[signalling] |= quiet
    return bits.astype("<u2").tobytes()


def step_record(name: str, shape: Sequence[int], dtype: str, values: np.ndarray, raw: bytes,
                spec: SketchSpec) -> dict[str, Any]:
    """One step as trace JSON: values are the flat float64 values, raw their little-endian bytes in dtype."""
    shape = [int(d) for d in shape]
    if not shape:
        raise ValueError(f"{name}: a step needs at least one axis")
    if values.size != math.prod(shape):
        raise ValueError(f"{name}: {values.size} values for shape {shape}")
    values = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
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
            "sha256": hashlib.sha256(hashed_bytes(raw, dtype)).hexdigest(),
        }


def array_step(name: str, array: Any, spec: SketchSpec = SketchSpec(), dtype: str | None = None) -> dict[str, Any]:
    """One step from a numpy array (float16, float32, float64; bfloat16 as ml_dtypes' type or as raw uint16 bits
    with dtype="bfloat16"; float16 likewise as uint16 with dtype="float16"), or from a torch tensor."""
    if type(array).__module__.startswith("torch"):
        return tensor_step(name, array, spec)
    a = np.asarray(array)
    kind = NUMPY_DTYPE_NAMES.get(a.dtype.name)
    if a.dtype == np.uint16 and dtype in ("float16", "bfloat16"):
        kind = dtype
    elif kind is None:
        raise ValueError(f"{name}: unsupported array dtype {a.dtype} (float16, float32, float64, bfloat16, "
                         f"or uint16 bits with dtype=\"float16\"/\"bfloat16\")")
    elif dtype is not None and dtype != kind:
        raise ValueError(f"{name}: array dtype {a.dtype} does not match dtype={dtype!r}")
    a = np.ascontiguousarray(a)
    with np.errstate(invalid="ignore"):  # converting a signalling NaN
        values, raw = flat_values_and_bytes(a, kind)
    return step_record(name, list(a.shape), kind, values, raw, spec)


def flat_values_and_bytes(a: np.ndarray, kind: str) -> tuple[np.ndarray, bytes]:
    """The flat float64 values of a C-contiguous array and its little-endian bytes in dtype kind."""
    if kind == "bfloat16":
        bits = a.view(np.uint16).reshape(-1)
        values = (bits.astype(np.uint32) << np.uint32(16)).view(np.float32).astype(np.float64)
        raw = bits.astype("<u2").tobytes()
    elif kind == "float16" and a.dtype == np.uint16:
        values = a.view(np.float16).reshape(-1).astype(np.float64)
        raw = a.astype("<u2").tobytes()
    else:
        values = a.reshape(-1).astype(np.float64)
        raw = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
    return values, raw


def tensor_dtype_name(tensor: Any) -> str:
    try:
        return __getattr__("TORCH_DTYPE_NAMES")[tensor.dtype]
    except KeyError:
        raise ValueError(f"unsupported tensor dtype {tensor.dtype}") from None


def tensor_bytes(tensor: Any) -> bytes:
    """The values' little-endian bytes in the tensor's dtype, row-major (bf16 via its raw int16 bits)."""
    import torch
    t = tensor.detach().to("cpu").contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2", copy=False).tobytes()
    little = {torch.float16: "<f2", torch.float32: "<f4", torch.float64: "<f8"}[t.dtype]
    return t.numpy().astype(little, copy=False).tobytes()


def tensor_step(name: str, tensor: Any, spec: SketchSpec) -> dict[str, Any]:
    """One step from a torch tensor already in the canonical layout (and dtype) of that step."""
    import torch
    dtype = tensor_dtype_name(tensor)
    values = tensor.detach().to("cpu", torch.float64).contiguous().numpy().reshape(-1)
    return step_record(name, list(tensor.shape), dtype, values, tensor_bytes(tensor), spec)


def top_k(logits: np.ndarray, k: int = DEFAULT_TOP_K) -> list[dict[str, Any]]:
    """The k largest logits of one position, descending, ties to the lower id, +0 above -0; NaN ignored
    (Java's TopK)."""
    ids = np.flatnonzero(~np.isnan(logits))
    order = np.lexsort((ids, np.signbit(logits[ids]), -logits[ids]))[:k]
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


def write_trace(path: str | Path, trace: dict[str, Any], force: bool) -> None:
    """Writes the trace to a temporary file beside path, then renames it over path. An existing file is
    replaced only with force (else FileExistsError); a missing folder is not created (FileNotFoundError)."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path}: already exists; refusing to overwrite (use force=True)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"{path}: parent directory {parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(dumps_trace(trace).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


GZIP_MAGIC = b"\x1f\x8b"


def read_trace(path: Path) -> dict[str, Any]:
    """Reads a trace, gzip-compressed or not (told by the magic bytes, as Layerwise does; bare NaN/Infinity
    tokens accepted; the strings stay strings)."""
    raw = Path(path).read_bytes()
    if raw[:2] == GZIP_MAGIC:
        raw = gzip.decompress(raw)
    return json.loads(raw.decode("utf-8"))


class TraceWriter:
    """Records steps and writes the trace atomically when the `with` block ends without an exception (nothing is
    written after one). An existing file is replaced only with force=True."""

    def __init__(self, path: str | Path, producer: str | dict[str, Any] = "python-engine", dtype: str = "float32",
                 tokens: Iterable[int] = (), *, version: str | None = None, config: dict[str, Any] | None = None,
                 text: str | None = None, force: bool = False, spec: SketchSpec = SketchSpec()):
        if dtype not in BYTES_PER_VALUE:
            raise ValueError(f"{path}: dtype: expected one of {sorted(BYTES_PER_VALUE)}, got {dtype!r}")
        self.path = Path(path)
        self.producer = producer if isinstance(producer, dict) else {
            "name": producer, "version": version, "device": "cpu", "attn_implementation": None,
            "extra": {"writer": f"layerwise_trace {__version__}"}}
        self.model = {"architecture": None, "config": config, "source": None, "weights_sha256": None}
        self.dtype = dtype
        self.tokens = [int(t) for t in tokens]
        self.text = text
        self.force = force
        self.spec = spec
        self.steps: list[dict[str, Any]] = []
        self.top: list[dict[str, Any]] = []
        self._names: set[str] = set()

    def record(self, name: str, array: Any, dtype: str | None = None) -> dict[str, Any]:
        """Records one step from a numpy array (or torch tensor) in the step's canonical layout; see array_step."""
        if name in self._names:
            raise ValueError(f"{self.path}: step {name!r} recorded twice")
        step = array_step(name, array, self.spec, dtype)
        self._names.add(name)
        self.steps.append(step)
        return step

    def record_top_k(self, last_logits: Any, k: int = DEFAULT_TOP_K) -> None:
        """The top-k of the last position's logits (1-D)."""
        self.top = top_k(np.asarray(last_logits, dtype=np.float64).reshape(-1), k)

    def close(self) -> None:
        trace = new_trace(self.producer, self.model, self.dtype, self.tokens, self.text, self.steps, self.top,
                          self.spec)
        write_trace(self.path, trace, self.force)

    def __enter__(self) -> "TraceWriter":
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if kind is None:
            self.close()
