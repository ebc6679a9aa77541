#!/usr/bin/env python3
"""Seeded synthetic Llama checkpoints (docs/synthetic-checkpoints.md), the Python twin of the
Java generator: every byte of model.safetensors is determined by the preset, overrides and seed.

    python3 scripts/synth.py --preset tiny --seed 1 --dtype f16 --out /tmp/tiny-f16 [--force]

Tensors are generated and written one at a time, in chunks, so the 1.1B preset never sits in memory.
"""

from __future__ import annotations

import argparse
import json
import math
import struct
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, Sequence

import numpy as np

from cli_support import ArgumentParser, BadInput, run_main, write_directory_atomically
import sdk_path  # noqa: F401  (the layerwise_trace package in sdk/python)
from layerwise_trace.splitmix64 import MASK64, golden_offsets, mix64, mix64_int

GENERATOR = "splitmix64-uniform-v1"
CHUNK = 1 << 22
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3

# storage dtype: (safetensors name, config torch_dtype, bytes per value)
DTYPES = {
    "f32": ("F32", "float32", 4),
    "f16": ("F16", "float16", 2),
    "bf16": ("BF16", "bfloat16", 2),
}


@dataclass(frozen=True)
class Shape:
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    vocab_size: int
    rms_norm_eps: float
    rope_theta: float
    max_position_embeddings: int
    head_dim: int | None = None

    @property
    def resolved_head_dim(self) -> int:
        return self.head_dim if self.head_dim is not None else self.hidden_size // self.num_attention_heads


PRESETS = {
    "tiny": Shape(64, 176, 2, 4, 2, 512, 1e-5, 10000.0, 256),
    "small": Shape(256, 688, 4, 8, 2, 2048, 1e-5, 10000.0, 512),
    "tinyllama-1layer": Shape(2048, 5632, 1, 32, 4, 32000, 1e-5, 10000.0, 2048),
    "tinyllama-1.1b": Shape(2048, 5632, 22, 32, 4, 32000, 1e-5, 10000.0, 2048),
}

INT_OVERRIDES = ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                 "num_key_value_heads", "vocab_size", "max_position_embeddings", "head_dim")
FLOAT_OVERRIDES = ("rms_norm_eps", "rope_theta")


# --- values ------------------------------------------------------------------------------------

def fnv1a64(name: str) -> int:
    h = FNV_OFFSET
    for b in name.encode("utf-8"):
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


def tensor_base(name: str, seed: int) -> int:
    return mix64_int((seed & MASK64) ^ fnv1a64(name))


def uniform(base: int, start: int, count: int) -> np.ndarray:
    """u(name, i) = (bits >> 40) / 2^23 - 1 for i = start .. start + count - 1, exact in float32."""
    bits = mix64(golden_offsets(start, count) + np.uint64(base))
    u = (bits >> np.uint64(40)).astype(np.float32)
    u *= np.float32(1.0 / (1 << 23))
    u -= np.float32(1.0)
    return u


def scale_and_offset(name: str, shape: Sequence[int]) -> tuple[np.float32, np.float32]:
    """value = offset + scale * u, each one float32 operation (the products are exact for norms/embed)."""
    if name.endswith("norm.weight"):
        return np.float32(0.25), np.float32(1.0)
    if name == "model.embed_tokens.weight":
        return np.float32(0.5), np.float32(0.0)
    return np.float32(math.sqrt(3.0 / shape[1])), np.float32(0.0)


def to_bf16_bits(values: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bits, round to nearest even (values are finite)."""
    bits = values.view(np.uint32)
    rounded = bits + (np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1)))
    return (rounded >> np.uint32(16)).astype("<u2")


def encode(values: np.ndarray, dtype: str) -> bytes:
    if dtype == "f32":
        return values.astype("<f4", copy=False).tobytes()
    if dtype == "f16":
        return values.astype("<f2").tobytes()
    return to_bf16_bits(values).tobytes()


def tensor_chunks(name: str, shape: Sequence[int], seed: int, dtype: str):
    """The tensor's bytes in the storage dtype, CHUNK values at a time."""
    base = tensor_base(name, seed)
    scale, offset = scale_and_offset(name, shape)
    total = math.prod(shape)
    for start in range(0, total, CHUNK):
        u = uniform(base, start, min(CHUNK, total - start))
        u *= scale
        if offset:
            u += offset
        yield encode(u, dtype)


# --- layout ------------------------------------------------------------------------------------

def tensor_shapes(shape: Shape) -> dict[str, list[int]]:
    h, i, v = shape.hidden_size, shape.intermediate_size, shape.vocab_size
    d = shape.resolved_head_dim
    q, kv = shape.num_attention_heads * d, shape.num_key_value_heads * d
    tensors = {"model.embed_tokens.weight": [v, h], "model.norm.weight": [h], "lm_head.weight": [v, h]}
    for layer in range(shape.num_hidden_layers):
        p = f"model.layers.{layer}."
        tensors.update({
            p + "input_layernorm.weight": [h],
            p + "self_attn.q_proj.weight": [q, h],
            p + "self_attn.k_proj.weight": [kv, h],
            p + "self_attn.v_proj.weight": [kv, h],
            p + "self_attn.o_proj.weight": [h, q],
            p + "post_attention_layernorm.weight": [h],
            p + "mlp.gate_proj.weight": [i, h],
            p + "mlp.up_proj.weight": [i, h],
            p + "mlp.down_proj.weight": [h, i],
        })
    return dict(sorted(tensors.items(), key=lambda kv_: kv_[0].encode("utf-8")))


def safetensors_header(tensors: dict[str, list[int]], dtype: str) -> bytes:
    """8-byte length + compact JSON header padded with spaces to a multiple of 8 (safetensors 0.8 layout)."""
    st_name, _, width = DTYPES[dtype]
    entries = ['"__metadata__":{"format":"pt"}']
    offset = 0
    for name, shape in tensors.items():
        end = offset + math.prod(shape) * width
        entries.append(json.dumps(name) + ':{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}'
                       % (st_name, ",".join(str(d) for d in shape), offset, end))
        offset = end
    header = ("{" + ",".join(entries) + "}").encode("utf-8")
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header


def write_safetensors(out: BinaryIO, shape: Shape, seed: int, dtype: str) -> None:
    tensors = tensor_shapes(shape)
    out.write(safetensors_header(tensors, dtype))
    for name, dims in tensors.items():
        for chunk in tensor_chunks(name, dims, seed, dtype):
            out.write(chunk)


def config_json(shape: Shape, preset: str, seed: int, dtype: str) -> dict[str, Any]:
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": shape.hidden_size,
        "intermediate_size": shape.intermediate_size,
        "num_hidden_layers": shape.num_hidden_layers,
        "num_attention_heads": shape.num_attention_heads,
        "num_key_value_heads": shape.num_key_value_heads,
        "head_dim": shape.resolved_head_dim,
        "vocab_size": shape.vocab_size,
        "rms_norm_eps": shape.rms_norm_eps,
        "rope_theta": shape.rope_theta,
        "max_position_embeddings": shape.max_position_embeddings,
        "hidden_act": "silu",
        "attention_bias": False,
        "mlp_bias": False,
        "tie_word_embeddings": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "torch_dtype": DTYPES[dtype][1],
        "synthetic": {"generator": GENERATOR, "preset": preset, "seed": seed},
    }


def write_checkpoint(directory: Path, shape: Shape, preset: str, seed: int, dtype: str) -> None:
    """Writes config.json and model.safetensors into an existing (empty) directory."""
    config = config_json(shape, preset, seed, dtype)
    (directory / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    with open(directory / "model.safetensors", "wb") as out:
        write_safetensors(out, shape, seed, dtype)


# --- command line ------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = ArgumentParser(description="Write a seeded synthetic Llama checkpoint (HF directory).")
    p.add_argument("--preset", required=True, choices=sorted(PRESETS))
    p.add_argument("--seed", required=True, type=int)
    p.add_argument("--dtype", required=True, choices=sorted(DTYPES))
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--force", action="store_true", help="replace an existing --out")
    for field in INT_OVERRIDES:
        p.add_argument("--" + field.replace("_", "-"), type=int, dest=field)
    for field in FLOAT_OVERRIDES:
        p.add_argument("--" + field.replace("_", "-"), type=float, dest=field)
    return p.parse_args(argv)


def resolve_shape(args: argparse.Namespace) -> Shape:
    overrides = {f: getattr(args, f) for f in INT_OVERRIDES + FLOAT_OVERRIDES if getattr(args, f) is not None}
    shape = replace(PRESETS[args.preset], **overrides)
    validate_shape(shape, args.out)
    return shape


def validate_shape(shape: Shape, out: Path) -> None:
    for field in INT_OVERRIDES:
        value = getattr(shape, field)
        if value is not None and value < 1:
            raise BadInput(out, f"--{field.replace('_', '-')} must be positive, got {value}")
    if shape.head_dim is None and shape.hidden_size % shape.num_attention_heads:
        raise BadInput(out, f"hidden_size {shape.hidden_size} is not a multiple of num_attention_heads "
                            f"{shape.num_attention_heads} (give --head-dim)")
    if shape.num_attention_heads % shape.num_key_value_heads:
        raise BadInput(out, f"num_attention_heads {shape.num_attention_heads} is not a multiple of "
                            f"num_key_value_heads {shape.num_key_value_heads}")
    if shape.resolved_head_dim % 2:
        raise BadInput(out, f"head_dim {shape.resolved_head_dim} must be even (RoPE rotates halves)")
    if not (shape.rms_norm_eps > 0 and shape.rope_theta > 0):
        raise BadInput(out, "--rms-norm-eps and --rope-theta must be positive")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not -(1 << 63) <= args.seed <= MASK64:
        raise BadInput(args.out, f"--seed {args.seed} does not fit in 64 bits")
    shape = resolve_shape(args)
    write_directory_atomically(
        args.out, lambda d: write_checkpoint(d, shape, args.preset, args.seed, args.dtype), args.force)
    return 0


if __name__ == "__main__":
    run_main(main)
