"""The Hugging Face reference dumper on synthetic tiny checkpoints."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import support

import torch
from transformers import AutoModelForCausalLM
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

import dump_hf_reference as dump
import layerwise_trace as lt
from cli_support import BadInput

T = 38  # the default prompt's length
H, I, V, N_HEADS, N_KV, D = 64, 176, 512, 4, 2, 16


def steps_by_name(trace: dict) -> dict[str, dict]:
    return {s["name"]: s for s in trace["steps"]}


def sha_of(tensor: torch.Tensor) -> str:
    return hashlib.sha256(lt.tensor_bytes(tensor)).hexdigest()


def save_word_level_tokenizer(model_dir: Path, words: list[str]) -> None:
    """A whitespace word-level tokenizer (id = position in words), saved as a HF fast tokenizer."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token=words[0]))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token=words[0]).save_pretrained(str(model_dir))


class DumperTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = Path(cls.tmp.name)
        cls.f32 = support.synthesize(root / "tiny-f32", "tiny", 1, "f32")
        cls.f16 = support.synthesize(root / "tiny-f16", "tiny", 1, "f16")
        cls.trace_f32 = cls.run_dump(cls.f32, "eager.json")
        cls.ids = cls.trace_f32["input"]["token_ids"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def run_dump(cls, model_dir: Path, name: str, *extra: str) -> dict:
        out = Path(cls.tmp.name) / name
        code = dump.main([str(model_dir), "--out", str(out), *extra])
        assert code == 0, f"exit {code}"
        return lt.read_trace(out)

    def plain_model(self, model_dir: Path, attn: str, dtype: torch.dtype) -> torch.nn.Module:
        return AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=dtype, attn_implementation=attn).eval()

    def test_every_canonical_step_in_execution_order_with_its_shape(self):
        steps = self.trace_f32["steps"]
        self.assertEqual(lt.canonical_steps(2), [s["name"] for s in steps])
        shapes = {s["name"]: s["shape"] for s in steps}
        expected = {"embed": [T, H], "layers.1.q": [T, N_HEADS * D], "layers.1.k_rope": [T, N_KV * D],
                    "layers.0.attn_probs": [N_HEADS, T, T], "layers.0.attn_ctx": [T, N_HEADS * D],
                    "layers.0.silu_gate": [T, I], "layers.1.out": [T, H], "logits": [T, V]}
        for name, shape in expected.items():
            self.assertEqual(shape, shapes[name], name)
        self.assertEqual({"float32"}, {s["dtype"] for s in steps})

    def test_header_describes_producer_model_and_default_prompt(self):
        t = self.trace_f32
        self.assertEqual([p % V for p in dump.DEFAULT_PROMPT], t["input"]["token_ids"])
        self.assertEqual(T, len(t["input"]["token_ids"]))
        self.assertEqual(("transformers", "cpu", "eager"),
                         (t["producer"]["name"], t["producer"]["device"], t["producer"]["attn_implementation"]))
        self.assertEqual(1, t["producer"]["extra"]["threads"])
        self.assertEqual(dump.cpu_model(), t["producer"]["extra"]["cpu"])
        self.assertTrue(t["producer"]["extra"]["cpu"].strip())
        self.assertEqual(torch.backends.cpu.get_cpu_capability(), t["producer"]["extra"]["cpu_isa"])
        self.assertEqual("synthetic:tiny/seed=1", t["model"]["source"])
        self.assertEqual(hashlib.sha256((self.f32 / "model.safetensors").read_bytes()).hexdigest(),
                         t["model"]["weights_sha256"])
        self.assertEqual(512, t["model"]["config"]["vocab_size"])
        self.assertEqual({"kind": "rademacher-splitmix64", "k": 16, "seed": 0}, t["sketch"])

    def test_recording_does_not_change_the_forward_pass(self):
        model = self.plain_model(self.f32, "eager", torch.float32)
        with torch.inference_mode():
            out = model(input_ids=torch.tensor([self.ids]), output_hidden_states=True, use_cache=False)
        steps = steps_by_name(self.trace_f32)
        self.assertEqual(sha_of(out.logits[0]), steps["logits"]["sha256"])
        self.assertEqual(sha_of(out.hidden_states[0][0]), steps["embed"]["sha256"])
        self.assertEqual(sha_of(out.hidden_states[1][0]), steps["layers.0.out"]["sha256"])
        self.assertEqual(lt.top_k(out.logits[0, -1].double().numpy()), self.trace_f32["top_k"])

    def test_q_rope_is_recomputed_bit_exactly_in_the_canonical_layout(self):
        model = self.plain_model(self.f32, "eager", torch.float32)
        layer = model.model.layers[0]
        with torch.inference_mode():
            x = layer.input_layernorm(model.model.embed_tokens(torch.tensor([self.ids])))
            q = layer.self_attn.q_proj(x).view(1, T, N_HEADS, D).transpose(1, 2)
            k = layer.self_attn.k_proj(x).view(1, T, N_KV, D).transpose(1, 2)
            cos, sin = model.model.rotary_emb(x, torch.arange(T)[None])
            q_rope, k_rope = apply_rotary_pos_emb(q, k, cos, sin)
        canonical_q = q_rope[0].permute(1, 0, 2).reshape(T, N_HEADS * D)  # (t, h, d)
        canonical_k = k_rope[0].permute(1, 0, 2).reshape(T, N_KV * D)
        steps = steps_by_name(self.trace_f32)
        self.assertEqual(sha_of(canonical_q), steps["layers.0.q_rope"]["sha256"])
        self.assertEqual(sha_of(canonical_k), steps["layers.0.k_rope"]["sha256"])

    def test_attention_probabilities_are_causal_rows_summing_to_one(self):
        probs = steps_by_name(self.trace_f32)["layers.1.attn_probs"]
        for head_sum in probs["row_sums"]:
            self.assertAlmostEqual(T, head_sum, delta=1e-4)
        self.assertGreaterEqual(probs["stats"]["zeros"], N_HEADS * T * (T - 1) // 2)
        self.assertLessEqual(probs["stats"]["max"], 1.0)

    def test_f16_eager_records_every_step_in_f16(self):
        trace = self.run_dump(self.f16, "f16.json")
        self.assertEqual("float16", trace["dtype"])
        self.assertEqual({"float16"}, {s["dtype"] for s in trace["steps"]})
        model = self.plain_model(self.f16, "eager", torch.float16)
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([self.ids]), use_cache=False).logits
        self.assertEqual(sha_of(logits[0]), steps_by_name(trace)["logits"]["sha256"])

    def test_sdpa_output_is_hf_sdpa_and_probabilities_are_float32_recomputations(self):
        trace = self.run_dump(self.f16, "sdpa.json", "--attn", "sdpa")
        self.assertEqual("sdpa", trace["producer"]["attn_implementation"])
        self.assertIn("recomputed in float32", trace["producer"]["extra"]["attn_probs"])
        steps = steps_by_name(trace)
        self.assertEqual("float32", steps["layers.0.attn_probs"]["dtype"])
        self.assertEqual("float16", steps["layers.0.attn_ctx"]["dtype"])
        for head_sum in steps["layers.0.attn_probs"]["row_sums"]:
            self.assertAlmostEqual(T, head_sum, delta=1e-4)
        model = self.plain_model(self.f16, "sdpa", torch.float16)
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([self.ids]), use_cache=False).logits
        self.assertEqual(sha_of(logits[0]), steps["logits"]["sha256"])

    def test_explicit_tokens_and_dtype(self):
        trace = self.run_dump(self.f16, "tokens.json", "--tokens", "3, 4 5", "--dtype", "float32")
        self.assertEqual([3, 4, 5], trace["input"]["token_ids"])
        self.assertEqual("float32", trace["dtype"])
        self.assertEqual([3, V], steps_by_name(trace)["logits"]["shape"])

    def test_text_is_encoded_by_the_checkpoints_tokenizer(self):
        model_dir = support.synthesize(Path(self.tmp.name) / "with-tokenizer", "tiny", 1, "f32")
        save_word_level_tokenizer(model_dir, ["<unk>", "<s>", "</s>", "hello", "world"])
        trace = self.run_dump(model_dir, "text.json", "--text", "hello world again")
        self.assertEqual([3, 4, 0], trace["input"]["token_ids"])
        self.assertEqual("hello world again", trace["input"]["text"])

    def test_bad_inputs_are_refused(self):
        out = str(Path(self.tmp.name) / "bad.json")
        cases = {
            "vocab_size is 512 but the input has token id 512": [str(self.f32), "--tokens", "1 512"],
            "is not a non-negative integer": [str(self.f32), "--tokens", "1 -2"],
            "has no tokenizer": [str(self.f32), "--text", "Hello"],
            "not a directory": [str(Path(self.tmp.name) / "nowhere")],
        }
        for message, args in cases.items():
            with self.subTest(message=message), self.assertRaisesRegex(BadInput, message):
                dump.main([*args, "--out", out])
        self.assertFalse(Path(out).exists())

    def test_existing_out_is_refused_in_one_line_with_exit_2(self):
        existing = Path(self.tmp.name) / "eager.json"
        before = existing.read_bytes()
        run = subprocess.run([sys.executable, str(support.SCRIPTS / "dump_hf_reference.py"), str(self.f32),
                              "--out", str(existing)], capture_output=True, text=True)
        self.assertEqual(2, run.returncode)
        self.assertEqual(f"{existing}: already exists; refusing to overwrite (use --force)\n", run.stderr)
        self.assertEqual(before, existing.read_bytes())


class CanonicalLayoutTest(unittest.TestCase):
    def test_heads_to_rows_orders_elements_token_head_dim(self):
        t = torch.arange(2 * 3 * 4).reshape(1, 2, 3, 4)  # [B, heads, T, D]
        rows = dump.heads_to_rows(t)
        self.assertEqual([3, 8], list(rows.shape))
        self.assertEqual(t[0, 1, 2, 3].item(), rows[2, 1 * 4 + 3].item())
        self.assertEqual(t[0, 0, 1, 0].item(), rows[1, 0].item())


if __name__ == "__main__":
    unittest.main()
