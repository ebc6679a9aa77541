#!/usr/bin/env python3
"""Records a Hugging Face Transformers forward pass of a Llama-family checkpoint as a trace
(docs/trace-format.md): every canonical step, in execution order.

    python3 scripts/dump_hf_reference.py MODEL_DIR --out TRACE.json [--tokens "1 2 3" | --text "..."]
        [--attn eager|sdpa] [--dtype auto|float32|float16|bfloat16] [--threads N] [--device cpu|cuda] [--force]
        [--variant split-k:N|split-k-serial:N|f64-rounded|f32-over-storage]

How each step is captured is described in docs/hf-reference.md. Without --tokens or --text the
input is the default prompt: the 38 TinyLlama chat-prompt ids, each modulo vocab_size. --variant records a second
opinion instead of HF's own numerics (scripts/second_opinions.py says what each computes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
import transformers
from transformers import AttentionInterface, AutoModelForCausalLM
from transformers.masking_utils import AttentionMaskInterface, eager_mask, sdpa_mask
from transformers.models.llama.modeling_llama import eager_attention_forward, repeat_kv
from transformers.integrations.sdpa_attention import sdpa_attention_forward

import sdk_path  # noqa: F401  (the layerwise_trace package in sdk/python)
import layerwise_trace as lt
import second_opinions
from cli_support import ArgumentParser, BadInput, refuse_existing, run_main

# TinyLlama-1.1B-Chat-v1.0's chat prompt without BOS (docs/synthetic-checkpoints.md), defined once for Java and Python:
# the default input of any model is these ids, each taken modulo its vocab_size.
DEFAULT_PROMPT_FILE = (Path(__file__).resolve().parent.parent
                       / "harness/src/main/resources/dev/layerwise/trace/default-prompt.txt")
DEFAULT_PROMPT = tuple(int(t) for t in DEFAULT_PROMPT_FILE.read_text(encoding="ascii").split())
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
WEIGHTS_HASH_LIMIT = 1 << 30
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model")
ATTENTION_NAMES = {"eager": "layerwise_eager", "sdpa": "layerwise_sdpa"}
VARIANT_ATTENTION_NAME = "layerwise_variant"
SDPA_PROBS_NOTE = ("sdpa never materializes the probabilities: attn_probs are recomputed in float32 "
                   "as softmax(scale * q k^T + causal mask) from the post-RoPE q/k")


def default_token_ids(vocab_size: int) -> list[int]:
    """The default prompt rule: the 38 TinyLlama chat-prompt ids, each modulo vocab_size."""
    return [t % vocab_size for t in DEFAULT_PROMPT]


# --- recording ---------------------------------------------------------------------------------

@dataclass
class StepRecorder:
    """Collects steps by name as hooks fire (execution order differs: silu runs before up)."""

    sketch_spec: lt.SketchSpec
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the dtype a step is recorded in, None for the tensor's own (a second opinion computing in float64 records
    # the values it rounded to float16 as float16)
    stored_dtype: Callable[[str], torch.dtype | None] = lambda _name: None

    def record(self, name: str, tensor: torch.Tensor) -> None:
        if name in self.steps:
            raise RuntimeError(f"step {name} recorded twice (is a module shared between layers?)")
        dtype = self.stored_dtype(name)
        self.steps[name] = lt.tensor_step(name, tensor if dtype is None else tensor.to(dtype), self.sketch_spec)

    def in_canonical_order(self, num_layers: int) -> list[dict[str, Any]]:
        names = lt.canonical_steps(num_layers)
        missing = [n for n in names if n not in self.steps]
        extra = sorted(set(self.steps) - set(names))
        if missing or extra:
            raise RuntimeError(f"steps missing {missing[:5]}, unexpected {extra[:5]}")
        return [self.steps[n] for n in names]


def tokens_first(t: torch.Tensor) -> torch.Tensor:
    """[1, T, X] activation -> canonical [T, X]."""
    return t[0]


def heads_to_rows(t: torch.Tensor) -> torch.Tensor:
    """[1, heads, T, D] -> canonical [T, heads * D], element (t, h, d)."""
    return t[0].transpose(0, 1).reshape(t.shape[2], -1)


def output_hook(recorder: StepRecorder, name: str) -> Callable:
    def hook(_module, _args, output):
        recorder.record(name, tokens_first(output[0] if isinstance(output, tuple) else output))
    return hook


def input_hook(recorder: StepRecorder, name: str) -> Callable:
    def hook(_module, args):
        recorder.record(name, tokens_first(args[0]))
    return hook


def install_hooks(model: torch.nn.Module, recorder: StepRecorder) -> list:
    """Forward hooks for module outputs, forward pre-hooks for attn_ctx, resid_mid and gated."""
    base = model.model
    handles = [base.embed_tokens.register_forward_hook(output_hook(recorder, "embed")),
               base.norm.register_forward_hook(output_hook(recorder, "final_norm")),
               model.lm_head.register_forward_hook(output_hook(recorder, "logits"))]
    for i, layer in enumerate(base.layers):
        p = f"layers.{i}."
        attn, mlp = layer.self_attn, layer.mlp
        outputs = {"attn_norm": layer.input_layernorm, "q": attn.q_proj, "k": attn.k_proj, "v": attn.v_proj,
                   "attn_out": attn.o_proj, "ffn_norm": layer.post_attention_layernorm, "gate": mlp.gate_proj,
                   "up": mlp.up_proj, "silu_gate": mlp.act_fn, "ffn_out": mlp.down_proj, "out": layer}
        inputs = {"attn_ctx": attn.o_proj, "resid_mid": layer.post_attention_layernorm, "gated": mlp.down_proj}
        handles += [m.register_forward_hook(output_hook(recorder, p + s)) for s, m in outputs.items()]
        handles += [m.register_forward_pre_hook(input_hook(recorder, p + s)) for s, m in inputs.items()]
    return handles


def record_attention_inputs(recorder: StepRecorder, module: torch.nn.Module, query: torch.Tensor,
                            key: torch.Tensor) -> str:
    prefix = f"layers.{module.layer_idx}."
    recorder.record(prefix + "q_rope", heads_to_rows(query))
    recorder.record(prefix + "k_rope", heads_to_rows(key))
    return prefix


def float32_probabilities(module: torch.nn.Module, query: torch.Tensor, key: torch.Tensor,
                          scaling: float) -> torch.Tensor:
    """softmax(scale * q k^T + causal mask) in float32, [B, nH, T, T] (masked entries exactly 0)."""
    k = repeat_kv(key.float(), module.num_key_value_groups)
    scores = torch.matmul(query.float(), k.transpose(2, 3)) * scaling
    t_q, t_k = scores.shape[-2], scores.shape[-1]
    future = torch.ones(t_q, t_k, dtype=torch.bool, device=scores.device).triu(1 + t_k - t_q)
    return torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)


def eager_recording_attention(recorder: StepRecorder) -> Callable:
    """HF's eager attention, unchanged, recording post-RoPE q/k and the probabilities it computed."""
    def attention(module, query, key, value, attention_mask, **kwargs):
        prefix = record_attention_inputs(recorder, module, query, key)
        output, weights = eager_attention_forward(module, query, key, value, attention_mask, **kwargs)
        recorder.record(prefix + "attn_probs", weights[0])
        return output, weights
    return attention


def sdpa_recording_attention(recorder: StepRecorder) -> Callable:
    """HF's sdpa attention for the output; probabilities recomputed in float32 for the record."""
    def attention(module, query, key, value, attention_mask, **kwargs):
        prefix = record_attention_inputs(recorder, module, query, key)
        output, _ = sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
        scaling = kwargs.get("scaling") or module.scaling
        recorder.record(prefix + "attn_probs", float32_probabilities(module, query, key, scaling)[0])
        return output, None
    return attention


def variant_recording_attention(recorder: StepRecorder, variant: second_opinions.RoundedNumerics) -> Callable:
    """A second opinion's own attention, recording post-RoPE q/k and the probabilities it computed."""
    def record(module, query, key, probs):
        prefix = record_attention_inputs(recorder, module, query, key)
        recorder.record(prefix + "attn_probs", probs[0])
    return variant.attention(record)


def register_attention(attn: str, recorder: StepRecorder, variant: Any = None) -> str:
    """Registers the recording attention (and its mask builder) under a Layerwise name; returns it."""
    if variant is not None and variant.own_attention:
        AttentionInterface.register(VARIANT_ATTENTION_NAME, variant_recording_attention(recorder, variant))
        AttentionMaskInterface.register(VARIANT_ATTENTION_NAME, eager_mask)
        return VARIANT_ATTENTION_NAME
    name = ATTENTION_NAMES[attn]
    if attn == "eager":
        AttentionInterface.register(name, eager_recording_attention(recorder))
        AttentionMaskInterface.register(name, eager_mask)
    else:
        AttentionInterface.register(name, sdpa_recording_attention(recorder))
        AttentionMaskInterface.register(name, sdpa_mask)
    return name


# --- inputs ------------------------------------------------------------------------------------

def read_config(model_dir: Path) -> dict[str, Any]:
    if not model_dir.is_dir():
        raise BadInput(model_dir, "not a directory (expected a Hugging Face checkpoint directory)")
    path = model_dir / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(path, "no such file (not a Hugging Face checkpoint directory)") from None
    except json.JSONDecodeError as e:
        raise BadInput(path, f"not valid JSON: {e}") from None
    if not isinstance(config, dict) or not isinstance(config.get("vocab_size"), int):
        raise BadInput(path, "vocab_size: missing or not an integer")
    return config


def resolve_dtype(requested: str, config: dict[str, Any], config_path: Path) -> torch.dtype:
    """--dtype, or with auto the checkpoint's own dtype (transformers v5 would too; we say it explicitly)."""
    name = requested
    if requested == "auto":
        name = config.get("torch_dtype") or config.get("dtype") or "float32"
    if name not in DTYPES:
        raise BadInput(config_path, f"torch_dtype: unsupported dtype {name!r} (use --dtype float32|float16|bfloat16)")
    return DTYPES[name]


def parse_token_ids(text: str) -> list[int]:
    parts = [p for p in re.split(r"[\s,]+", text.strip()) if p]
    if not parts:
        raise BadInput("--tokens", "no token ids given")
    ids = []
    for p in parts:
        if not re.fullmatch(r"\d+", p):
            raise BadInput("--tokens", f"{p!r} is not a non-negative integer token id")
        ids.append(int(p))
    return ids


def check_token_range(ids: list[int], vocab_size: int, config_path: Path) -> None:
    bad = [t for t in ids if t >= vocab_size]
    if bad:
        raise BadInput(config_path, f"vocab_size is {vocab_size} but the input has token id {bad[0]}")


def tokenize(model_dir: Path, text: str) -> list[int]:
    if not any((model_dir / f).is_file() for f in TOKENIZER_FILES):
        raise BadInput(model_dir, "has no tokenizer (tokenizer.json or tokenizer.model) for --text; "
                                  "give --tokens instead")
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    return list(tokenizer(text)["input_ids"])


def input_ids(args: argparse.Namespace, config: dict[str, Any]) -> list[int]:
    vocab = config["vocab_size"]
    if args.tokens is not None:
        ids = parse_token_ids(args.tokens)
    elif args.text is not None:
        ids = tokenize(args.model_dir, args.text)
    else:
        ids = default_token_ids(vocab)
    if not ids:
        raise BadInput(args.model_dir, "the input encodes to no tokens")
    check_token_range(ids, vocab, args.model_dir / "config.json")
    return ids


def weights_sha256(model_dir: Path) -> str | None:
    """SHA-256 of model.safetensors when the weights are that one file of at most 1 GiB."""
    path = model_dir / "model.safetensors"
    if not path.is_file() or path.stat().st_size > WEIGHTS_HASH_LIMIT:
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            digest.update(block)
    return digest.hexdigest()


def model_source(model_dir: Path, config: dict[str, Any]) -> str:
    synthetic = config.get("synthetic")
    if isinstance(synthetic, dict) and "preset" in synthetic and "seed" in synthetic:
        return f"synthetic:{synthetic['preset']}/seed={synthetic['seed']}"
    return str(model_dir)


# --- the run -----------------------------------------------------------------------------------

def configure_determinism(threads: int, device: str) -> None:
    if device == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def load_model(model_dir: Path, dtype: torch.dtype, attn_name: str, device: str) -> torch.nn.Module:
    transformers.utils.logging.disable_progress_bar()
    try:
        model, info = AutoModelForCausalLM.from_pretrained(
            str(model_dir), dtype=dtype, attn_implementation=attn_name, output_loading_info=True)
    except (OSError, ValueError, KeyError) as e:
        raise BadInput(model_dir, f"cannot load: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    if info.get("missing_keys"):
        raise BadInput(model_dir, f"weights missing from the checkpoint: {sorted(info['missing_keys'])[:3]}")
    base = getattr(model, "model", None)
    if not all(hasattr(base, m) for m in ("embed_tokens", "layers", "norm")) or not hasattr(model, "lm_head"):
        raise BadInput(model_dir, "not a Llama-family model (needs model.embed_tokens, model.layers, model.norm, "
                                  "lm_head)")
    return model.to(device).eval()


def forward(model: torch.nn.Module, ids: list[int], device: str) -> torch.Tensor:
    with torch.inference_mode():
        out = model(input_ids=torch.tensor([ids], dtype=torch.long, device=device), use_cache=False)
    return out.logits


def cpu_model() -> str:
    """The CPU's model name (Linux /proc/cpuinfo), else what platform knows (architecture at least)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def producer(args: argparse.Namespace, variant: Any = None) -> dict[str, Any]:
    # CPU kernels (and so the last bits of every step) depend on the CPU and the instruction set torch dispatches
    # to: a reference says which machine made it.
    extra: dict[str, Any] = {
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "cpu_isa": torch.backends.cpu.get_cpu_capability(),
        "threads": args.threads,
        "deterministic_algorithms": True,
        "capture": "forward hooks, forward pre-hooks and a registered attention function",
    }
    attn = args.attn
    if variant is not None:
        extra["second_opinion"] = variant.describe()
        if variant.own_attention:
            attn = variant.name  # its own attention, not HF's
    if attn == "sdpa":
        extra["attn_probs"] = SDPA_PROBS_NOTE
    return {"name": "transformers", "version": transformers.__version__, "device": args.device,
            "attn_implementation": attn, "extra": extra}


def dump(args: argparse.Namespace) -> dict[str, Any]:
    """Runs the forward pass and returns the trace document."""
    config = read_config(args.model_dir)
    dtype = resolve_dtype(args.dtype, config, args.model_dir / "config.json")
    ids = input_ids(args, config)
    configure_determinism(args.threads, args.device)
    variant = args.variant
    recorder = StepRecorder(lt.SketchSpec())
    model = load_model(args.model_dir, dtype, register_attention(args.attn, recorder, variant), args.device)
    if variant is not None:
        variant.install(model, dtype)
        recorder.stored_dtype = lambda name: variant.stored_dtype(name, dtype)
    install_hooks(model, recorder)
    if variant is None:
        logits = forward(model, ids, args.device)
    else:
        with variant.during_forward():
            logits = forward(model, ids, args.device)
        variant.check_installed(len(model.model.layers))
    steps = recorder.in_canonical_order(len(model.model.layers))
    last = logits[0, -1].detach().to("cpu", torch.float64).numpy()
    model_info = {"architecture": "llama", "config": config, "source": model_source(args.model_dir, config),
                  "weights_sha256": weights_sha256(args.model_dir)}
    return lt.new_trace(producer(args, variant), model_info, lt.TORCH_DTYPE_NAMES[dtype], ids, args.text, steps,
                        lt.top_k(last), recorder.sketch_spec)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = ArgumentParser(description="Record a Hugging Face forward pass as a Layerwise trace.")
    p.add_argument("model_dir", type=Path, metavar="MODEL_DIR", help="Hugging Face checkpoint directory")
    p.add_argument("--out", required=True, type=Path, help="trace JSON to write")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--tokens", help='token ids, e.g. "1 2 3" (default: the default prompt)')
    source.add_argument("--text", help="text, encoded by the checkpoint's tokenizer")
    p.add_argument("--attn", choices=sorted(ATTENTION_NAMES), default="eager")
    p.add_argument("--dtype", choices=["auto", *DTYPES], default="auto")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1, reproducible)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--force", action="store_true", help="replace an existing --out")
    p.add_argument("--variant", type=second_opinions.parse_variant, metavar="SPEC",
                   help="record a second opinion: split-k:N, split-k-serial:N, f64-rounded, f32-over-storage "
                        "(scripts/second_opinions.py)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.variant is not None and args.variant.own_attention and args.attn != "eager":
        raise BadInput("--attn", f"--variant {args.variant.name} computes its own attention; leave --attn out")
    if args.threads < 1:
        raise BadInput("--threads", f"must be at least 1, got {args.threads}")
    if args.device == "cuda" and not torch.cuda.is_available():
        raise BadInput("--device", "cuda requested but torch sees no CUDA device")
    refuse_existing(args.out, args.force)
    lt.write_trace(args.out, dump(args), args.force)
    return 0


if __name__ == "__main__":
    run_main(main)
