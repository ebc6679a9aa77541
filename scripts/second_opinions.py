"""Second-opinion numerics for dump_hf_reference.py (--variant): correct forward passes of the same checkpoint that
differ from Hugging Face's eager CPU pass only in the order of their sums and in where, and to what precision,
they round. The distance between such a trace and the reference is the clean spread that tolerances must accept
(reference-dumps/clean-spread/README.md). Each variant says what it computes in the trace's producer block.

    split-k:N          every nn.Linear as N K-slices whose float32 partials are summed in float32 and rounded once
                       to the model dtype (cuBLAS / CUTLASS split-K with a parallel reduction in a float32 workspace)
    split-k-serial:N   N K-slices, each slice adding its float32 accumulators to the previous partial read back from
                       the output tensor, rounded to the model dtype after every slice (CUTLASS serial split-K)
    f64-rounded        the model in float64, every op's output rounded to the model dtype (and back) after the op
    f32-over-storage   the weights' dtype values computed in float32, activations rounded to the model dtype where an
                       engine with fused kernels stores them (GEMM outputs, norms, RoPE, attention output, SiLU*up,
                       residual sums); SiLU and the attention probabilities stay float32 inside their fused kernels
"""

from __future__ import annotations

import contextlib
import re
import types
from dataclasses import dataclass
from typing import Any, Callable, ContextManager, Iterator

import torch
import torch.nn.functional as F
from transformers.models.llama import modeling_llama
from transformers.models.llama.modeling_llama import repeat_kv, rotate_half

from cli_support import BadInput

SPLIT_K = re.compile(r"split-k(-serial)?:([1-9][0-9]*)")
ROUNDED = {"f64-rounded": torch.float64, "f32-over-storage": torch.float32}
# steps a fused f32-over-storage engine never stores: they stay float32 in the trace
FUSED_FLOAT32_STEPS = ("silu_gate", "attn_probs")


def parse_variant(spec: str) -> "SplitK | RoundedNumerics":
    m = SPLIT_K.fullmatch(spec)
    if m:
        return SplitK(int(m.group(2)), serial=m.group(1) is not None)
    if spec in ROUNDED:
        return RoundedNumerics(spec, ROUNDED[spec])
    raise BadInput("--variant", f"unknown variant {spec!r} (expected split-k:N, split-k-serial:N, "
                                f"{', '.join(ROUNDED)})")


def k_slices(k: int, chunks: int) -> list[tuple[int, int]]:
    """N contiguous slices of 0..k, as equal as integer division allows (a real split-K splits by K tiles)."""
    bounds = [k * i // chunks for i in range(chunks + 1)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


@dataclass(frozen=True)
class SplitK:
    """Every nn.Linear as a sum over K-slices; attention and everything else is HF eager, unchanged."""

    chunks: int
    serial: bool

    name = property(lambda self: f"split-k{'-serial' if self.serial else ''}:{self.chunks}")
    own_attention = False  # HF's eager attention, unchanged

    def compute_dtype(self, storage: torch.dtype) -> torch.dtype:
        return storage

    def stored_dtype(self, step: str, storage: torch.dtype) -> torch.dtype | None:
        return None  # every step keeps the dtype HF computed it in

    def install(self, model: torch.nn.Module, storage: torch.dtype) -> None:
        linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
        for m in linears:
            m.forward = types.MethodType(self.linear_forward, m)

    def during_forward(self) -> ContextManager[None]:
        return contextlib.nullcontext()

    def check_installed(self, num_layers: int) -> None:
        pass  # nn.Linear.forward is called by every projection; nothing can bypass it

    def linear_forward(self, module: torch.nn.Linear, x: torch.Tensor) -> torch.Tensor:
        w = module.weight
        total = None
        for a, b in k_slices(x.shape[-1], self.chunks):
            partial = F.linear(x[..., a:b].float(), w[:, a:b].float())  # one slice's float32 accumulators
            total = partial if total is None else total + partial
            if self.serial:
                total = total.to(x.dtype).float()  # the partial as the output tensor holds it
        if module.bias is not None:
            total = total + module.bias.float()
        return total.to(x.dtype)

    def describe(self) -> dict[str, Any]:
        if self.serial:
            how = (f"every nn.Linear as {self.chunks} K-slices; each slice adds its float32 accumulators to the "
                   "previous partial read back from the output and rounds to the model dtype "
                   "(CUTLASS serial split-K); attention and the rest HF eager")
        else:
            how = (f"every nn.Linear as {self.chunks} K-slices with float32 partials, summed in slice order in "
                   "float32 and rounded once to the model dtype (split-K with a parallel float32 reduction, "
                   "as cuBLAS does); attention and the rest HF eager")
        return {"variant": self.name, "computation": how}


class RoundedNumerics:
    """The model computed in compute_dtype (float64 or float32) from the weights' dtype values, rounded to the
    storage dtype at chosen points. f64-rounded rounds after every op; f32-over-storage only where a fused-kernel
    engine writes an activation to memory."""

    own_attention = True  # self.attention, registered by the dumper

    def __init__(self, name: str, compute: torch.dtype) -> None:
        self.name = name
        self.compute = compute
        self.per_op = compute == torch.float64
        self.storage: torch.dtype | None = None
        self.rope_calls = 0

    def compute_dtype(self, storage: torch.dtype) -> torch.dtype:
        return self.compute

    def stored_dtype(self, step: str, storage: torch.dtype) -> torch.dtype | None:
        """The dtype a step is recorded in: the storage dtype where this engine rounds it (exactly representable)."""
        if not self.per_op and step.rsplit(".", 1)[-1] in FUSED_FLOAT32_STEPS:
            return None
        return storage

    def r(self, t: torch.Tensor) -> torch.Tensor:
        """Round to the storage dtype and back to the compute dtype."""
        return t.to(self.storage).to(self.compute)

    def op(self, t: torch.Tensor) -> torch.Tensor:
        """An intermediate result inside a kernel: rounded per op in f64-rounded, kept in f32-over-storage."""
        return self.r(t) if self.per_op else t

    def install(self, model: torch.nn.Module, storage: torch.dtype) -> None:
        self.storage = storage
        model.to(self.compute)
        base = model.model
        for m in model.modules():
            if isinstance(m, torch.nn.Linear):
                m.forward = types.MethodType(self.linear_forward, m)
            elif isinstance(m, modeling_llama.LlamaRMSNorm):
                m.forward = types.MethodType(self.rms_norm_forward, m)
        for layer in base.layers:
            layer.forward = types.MethodType(self.decoder_layer_forward, layer)
            layer.mlp.forward = types.MethodType(self.mlp_forward, layer.mlp)
            layer.mlp.act_fn.forward = types.MethodType(self.silu_forward, layer.mlp.act_fn)
        base.rotary_emb.register_forward_hook(self.rotary_hook)

    @contextlib.contextmanager
    def during_forward(self) -> Iterator[None]:
        """LlamaAttention.forward calls RoPE by its module-level name: replaced for this forward pass only."""
        original = modeling_llama.apply_rotary_pos_emb
        modeling_llama.apply_rotary_pos_emb = self.apply_rotary_pos_emb
        try:
            yield
        finally:
            modeling_llama.apply_rotary_pos_emb = original

    def check_installed(self, num_layers: int) -> None:
        """The RoPE replacement must have run once per layer (HF could stop calling it by its module-level name)."""
        if self.rope_calls != num_layers:
            raise RuntimeError(f"{self.name}: RoPE ran {self.rope_calls} times through the variant, expected "
                               f"{num_layers} (has transformers changed how LlamaAttention applies RoPE?)")

    # --- the ops ------------------------------------------------------------------------------

    def linear_forward(self, module: torch.nn.Linear, x: torch.Tensor) -> torch.Tensor:
        return self.r(F.linear(x, module.weight, module.bias))

    def rms_norm_forward(self, module: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        variance = x.pow(2).mean(-1, keepdim=True)
        normalized = self.op(x * torch.rsqrt(variance + module.variance_epsilon))
        return self.r(module.weight * normalized)

    def silu_forward(self, _module: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        return self.op(F.silu(x))

    def mlp_forward(self, mlp: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        return mlp.down_proj(self.r(mlp.act_fn(mlp.gate_proj(x)) * mlp.up_proj(x)))

    def decoder_layer_forward(self, layer: torch.nn.Module, hidden_states: torch.Tensor, attention_mask=None,
                              position_ids=None, past_key_values=None, use_cache=False, position_embeddings=None,
                              **kwargs) -> torch.Tensor:
        """HF's LlamaDecoderLayer with both residual sums rounded to the storage dtype."""
        attn, _ = layer.self_attn(hidden_states=layer.input_layernorm(hidden_states), attention_mask=attention_mask,
                                  position_ids=position_ids, past_key_values=past_key_values, use_cache=use_cache,
                                  position_embeddings=position_embeddings, **kwargs)
        mid = self.r(hidden_states + attn)
        return self.r(mid + layer.mlp(layer.post_attention_layernorm(mid)))

    def rotary_hook(self, _module, _args, output):
        # HF computes cos/sin in float32 and casts them to the model dtype: f64-rounded rounds them to the storage
        # dtype as an f16/bf16 model holds them; f32-over-storage keeps the float32 values.
        cos, sin = output
        return (self.r(cos), self.r(sin)) if self.per_op else (cos.float(), sin.float())

    def apply_rotary_pos_emb(self, q, k, cos, sin, unsqueeze_dim=1):
        self.rope_calls += 1
        cos, sin = cos.unsqueeze(unsqueeze_dim).to(self.compute), sin.unsqueeze(unsqueeze_dim).to(self.compute)
        rotate = lambda x: self.r(self.op(x * cos) + self.op(rotate_half(x) * sin))  # noqa: E731
        return rotate(q), rotate(k)

    def attention(self, record: Callable[[torch.nn.Module, torch.Tensor, torch.Tensor, torch.Tensor], None]):
        """Causal attention (batch 1, no padding); f64-rounded rounds scores, scaled scores, probabilities and the
        context; f32-over-storage is one fused kernel that rounds only the context."""
        def attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
            k = repeat_kv(key, module.num_key_value_groups)
            v = repeat_kv(value, module.num_key_value_groups)
            scores = self.op(self.op(torch.matmul(query, k.transpose(2, 3))) * (scaling or module.scaling))
            t_q, t_k = scores.shape[-2], scores.shape[-1]
            future = torch.ones(t_q, t_k, dtype=torch.bool, device=scores.device).triu(1 + t_k - t_q)
            probs = self.op(torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1))
            record(module, query, key, probs)
            return self.r(torch.matmul(probs, v)).transpose(1, 2).contiguous(), probs
        return attention

    def describe(self) -> dict[str, Any]:
        if self.per_op:
            how = ("the model in float64 from the weights' dtype values; every op's output rounded to the model "
                   "dtype and back: GEMMs, RMSNorm (normalized, then times weight), RoPE cos/sin and each RoPE "
                   "product and sum, attention scores, scaling, softmax and context, SiLU, SiLU*up, residual sums")
        else:
            how = ("float32 math over the weights' dtype values; rounded to the model dtype where a fused-kernel "
                   "engine stores an activation: GEMM outputs, RMSNorm outputs, RoPE outputs, the attention "
                   "context, SiLU*up, residual sums; SiLU and softmax stay float32 (recorded as float32)")
        return {"variant": self.name, "computation": how}
