"""SplitMix64 as the trace and synthetic-checkpoint specs define it: unsigned 64-bit arithmetic
wrapping mod 2^64, on Python ints (scalars) and numpy uint64 arrays (vectors). numpy only."""

from __future__ import annotations

import numpy as np

GOLDEN = 0x9E3779B97F4A7C15
MASK64 = (1 << 64) - 1


def mix64_int(z: int) -> int:
    """SplitMix64 finalizer on a Python int (mod 2^64)."""
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer on a uint64 array, in place; numpy's uint64 arithmetic wraps mod 2^64."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def golden_offsets(start: int, count: int) -> np.ndarray:
    """(i + 1) * GOLDEN mod 2^64 for i = start .. start + count - 1."""
    idx = np.arange(start + 1, start + count + 1, dtype=np.uint64)
    idx *= np.uint64(GOLDEN)
    return idx
