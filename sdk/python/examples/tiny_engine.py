#!/usr/bin/env python3
"""A complete, small Llama forward pass in numpy that records every canonical step with layerwise_trace.

    PYTHONPATH=sdk/python python3 sdk/python/examples/tiny_engine.py MODEL_DIR 1,415,2936 trace.json
    layerwise check --reference ref.json --model MODEL_DIR \
        --engine-cmd 'python3 sdk/python/examples/tiny_engine.py {model} {tokens_csv} {out}'

MODEL_DIR: a Hugging Face Llama checkpoint in float32 (config.json, model.safetensors), e.g.
`layerwise synth --preset tiny --seed 1 --dtype f32 --out MODEL_DIR`. numpy only, float32 throughout.
"""

import json
import struct
import sys
from pathlib import Path

import numpy as np

import layerwise_trace


def load_safetensors(path):
    """{name: float32 array} from a safetensors file holding F32 tensors."""
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        if t["dtype"] != "F32":
            sys.exit(f"tiny_engine.py: {path}: {name}.dtype: {t['dtype']}, this example reads F32 only")
        start, end = t["data_offsets"]
        tensors[name] = np.frombuffer(data, "<f4", (end - start) // 4, 8 + n + start).reshape(t["shape"])
    return tensors


def rms_norm(x, weight, eps):
    return weight * (x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + np.float32(eps)))


def rope(x, heads, head_dim, theta):
    """Llama's half-split RoPE on [T, heads * head_dim]."""
    t = x.shape[0]
    inv_freq = np.float32(1) / np.float32(theta) ** (np.arange(0, head_dim, 2, dtype=np.float32) / head_dim)
    angles = np.arange(t, dtype=np.float32)[:, None] * inv_freq[None, :]
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    x = x.reshape(t, heads, head_dim)
    x1, x2 = x[..., :head_dim // 2], x[..., head_dim // 2:]
    return np.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1).reshape(t, heads * head_dim)


def forward(c, w, tokens, trace):
    t, d = len(tokens), c.get("head_dim", c["hidden_size"] // c["num_attention_heads"])
    heads, kv_heads, eps = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"]), \
        c["rms_norm_eps"]
    x = w["model.embed_tokens.weight"][tokens]
    trace.record("embed", x)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."

        def step(name, value):
            trace.record(f"layers.{i}.{name}", value)
            return value

        h = step("attn_norm", rms_norm(x, w[p + "input_layernorm.weight"], eps))
        q = step("q", h @ w[p + "self_attn.q_proj.weight"].T)
        k = step("k", h @ w[p + "self_attn.k_proj.weight"].T)
        v = step("v", h @ w[p + "self_attn.v_proj.weight"].T)
        q = step("q_rope", rope(q, heads, d, c["rope_theta"])).reshape(t, heads, d).transpose(1, 0, 2)
        k = step("k_rope", rope(k, kv_heads, d, c["rope_theta"])).reshape(t, kv_heads, d).transpose(1, 0, 2)
        k = np.repeat(k, heads // kv_heads, axis=0)
        v = np.repeat(v.reshape(t, kv_heads, d).transpose(1, 0, 2), heads // kv_heads, axis=0)
        scores = q @ k.transpose(0, 2, 1) * np.float32(d ** -0.5)
        scores = np.where(np.tril(np.ones((t, t), dtype=bool)), scores, -np.inf)
        e = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = step("attn_probs", e / e.sum(axis=-1, keepdims=True))
        ctx = step("attn_ctx", (probs @ v).transpose(1, 0, 2).reshape(t, heads * d))
        x = step("resid_mid", x + step("attn_out", ctx @ w[p + "self_attn.o_proj.weight"].T))
        h = step("ffn_norm", rms_norm(x, w[p + "post_attention_layernorm.weight"], eps))
        gate = step("gate", h @ w[p + "mlp.gate_proj.weight"].T)
        up = step("up", h @ w[p + "mlp.up_proj.weight"].T)
        gated = step("gated", step("silu_gate", gate / (np.float32(1) + np.exp(-gate))) * up)
        x = step("out", x + step("ffn_out", gated @ w[p + "mlp.down_proj.weight"].T))
    h = rms_norm(x, w["model.norm.weight"], eps)
    trace.record("final_norm", h)
    logits = h @ w.get("lm_head.weight", w["model.embed_tokens.weight"]).T
    trace.record("logits", logits)
    trace.record_top_k(logits[-1])


def main(model_dir, tokens_csv, out):
    config = json.loads((Path(model_dir) / "config.json").read_text())
    weights = load_safetensors(Path(model_dir) / "model.safetensors")
    tokens = [int(t) for t in tokens_csv.split(",")]
    if not all(0 <= t < config["vocab_size"] for t in tokens):
        sys.exit(f"tiny_engine.py: tokens {tokens_csv!r}: every id must be in 0..{config['vocab_size'] - 1}")
    with layerwise_trace.TraceWriter(out, producer="tiny_engine.py", version="1", dtype="float32",
                                     tokens=tokens, config=config) as trace:
        forward(config, weights, np.array(tokens), trace)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: tiny_engine.py MODEL_DIR TOKEN,TOKEN,... OUT_TRACE.json")
    main(*sys.argv[1:])
