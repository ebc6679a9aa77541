"""Synthetic checkpoints (docs/synthetic-checkpoints.md): pinned bytes, HF loading, values from the formula."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import support

import numpy as np
import torch
from safetensors import safe_open
from transformers import AutoModelForCausalLM

import synth
from cli_support import BadInput
from layerwise_trace.splitmix64 import GOLDEN, mix64_int

PINNED_TINY_SEED1 = {
    "f32": "b9d9890f0d527ae0ec356fe4098801d6979674090bd3c5e1907eaded253b1e2a",
    "f16": "01d5cd42726426a0cc055d8d370d07d2943193b977f8dd9e39e0b1c73c27950e",
    "bf16": "a8272ca7109b1ddf85740e01b7dc2d4f5a127be3bb018767ba2040a35852bb92",
}
TORCH_DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scalar_value(name: str, index: int, seed: int, in_features: int) -> np.float32:
    """The spec's formula for one element, written out with Python ints (independent of the vector code)."""
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) % 2**64
    base = mix64_int(seed ^ h)
    bits = mix64_int(base + (index + 1) * GOLDEN)
    u = np.float32((bits >> 40) / 2**23 - 1)
    if name.endswith("norm.weight"):
        return np.float32(1) + np.float32(0.25) * u
    if name == "model.embed_tokens.weight":
        return np.float32(0.5) * u
    return np.float32(math.sqrt(3 / in_features)) * u


class TinySeed1Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dirs = {d: support.synthesize(Path(cls.tmp.name) / d, "tiny", 1, d) for d in PINNED_TINY_SEED1}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_pinned_sha256_of_model_safetensors(self):
        for dtype, expected in PINNED_TINY_SEED1.items():
            with self.subTest(dtype=dtype):
                self.assertEqual(expected, sha256_file(self.dirs[dtype] / "model.safetensors"))

    def test_transformers_loads_every_tensor_with_no_missing_or_unexpected_keys(self):
        for dtype, directory in self.dirs.items():
            with self.subTest(dtype=dtype):
                model, info = AutoModelForCausalLM.from_pretrained(
                    str(directory), dtype=TORCH_DTYPES[dtype], output_loading_info=True)
                self.assertEqual([], list(info["missing_keys"]))
                self.assertEqual([], list(info["unexpected_keys"]))
                self.assertEqual([], list(info["mismatched_keys"]))
                self.assertEqual(TORCH_DTYPES[dtype], model.model.embed_tokens.weight.dtype)
                self.assertEqual(2, len(model.model.layers))

    def test_config_is_a_llama_config_with_the_synthetic_record(self):
        config = json.loads((self.dirs["bf16"] / "config.json").read_text())
        self.assertEqual(["LlamaForCausalLM"], config["architectures"])
        self.assertEqual("bfloat16", config["torch_dtype"])
        self.assertEqual(16, config["head_dim"])
        self.assertEqual({"generator": "splitmix64-uniform-v1", "preset": "tiny", "seed": 1}, config["synthetic"])
        self.assertFalse(config["tie_word_embeddings"])

    def test_values_follow_the_formula(self):
        with safe_open(str(self.dirs["f32"] / "model.safetensors"), "pt") as f:
            self.assertEqual({"format": "pt"}, f.metadata())
            for name, index in [("model.embed_tokens.weight", 4321), ("model.layers.1.post_attention_layernorm.weight", 63),
                                ("model.layers.0.mlp.down_proj.weight", 11263), ("lm_head.weight", 0)]:
                tensor = f.get_tensor(name)
                with self.subTest(name=name):
                    expected = scalar_value(name, index, 1, tensor.shape[-1])
                    self.assertEqual(float(expected), tensor.reshape(-1)[index].item())

    def test_f16_and_bf16_are_the_f32_values_rounded_to_nearest_even(self):
        name = "model.layers.0.self_attn.q_proj.weight"
        tensors = {}
        for dtype in TORCH_DTYPES:
            with safe_open(str(self.dirs[dtype] / "model.safetensors"), "pt") as f:
                tensors[dtype] = f.get_tensor(name)
        self.assertTrue(torch.equal(tensors["f32"].to(torch.float16), tensors["f16"]))
        self.assertTrue(torch.equal(tensors["f32"].to(torch.bfloat16), tensors["bf16"]))


class GeneratorPiecesTest(unittest.TestCase):
    def test_chunks_concatenate_to_the_whole_tensor(self):
        base = synth.tensor_base("x", 7)
        whole = synth.uniform(base, 0, 1000)
        np.testing.assert_array_equal(whole, np.concatenate([synth.uniform(base, 0, 333), synth.uniform(base, 333, 667)]))

    def test_bf16_rounding_is_nearest_even(self):
        bits = np.array([0x3F808000, 0x3F818000, 0x3F808001, 0xBF80FFFF, 0x7F7FFFFF], dtype=np.uint32)
        rounded = synth.to_bf16_bits(bits.view(np.float32)).tolist()
        self.assertEqual([0x3F80, 0x3F82, 0x3F81, 0xBF81, 0x7F80], rounded)
        values = np.random.default_rng(3).standard_normal(10000).astype(np.float32)
        expected = torch.from_numpy(values).to(torch.bfloat16).view(torch.int16).numpy().astype("<u2")
        np.testing.assert_array_equal(expected, synth.to_bf16_bits(values))

    def test_header_lists_tensors_in_ascending_byte_order_padded_to_8(self):
        shape = synth.PRESETS["tiny"]
        header = synth.safetensors_header(synth.tensor_shapes(shape), "f16")
        length = int.from_bytes(header[:8], "little")
        self.assertEqual(0, length % 8)
        self.assertEqual(length + 8, len(header))
        text = header[8:].decode()
        self.assertTrue(text.startswith('{"__metadata__":{"format":"pt"},"lm_head.weight":{"dtype":"F16"'))
        names = [n for n in json.loads(text) if n != "__metadata__"]
        self.assertEqual(sorted(names), names)
        self.assertLess(names.index("model.layers.1.mlp.up_proj.weight"), names.index("model.norm.weight"))

    def test_overrides_change_the_shapes(self):
        with tempfile.TemporaryDirectory() as d:
            out = support.synthesize(Path(d) / "m", "tiny", 5, "f32", "--hidden-size", "32", "--num-attention-heads",
                                     "2", "--num-key-value-heads", "1", "--vocab-size", "100", "--num-hidden-layers", "1")
            config = json.loads((out / "config.json").read_text())
            self.assertEqual((32, 16, 100, 1), (config["hidden_size"], config["head_dim"], config["vocab_size"],
                                                config["num_hidden_layers"]))
            with safe_open(str(out / "model.safetensors"), "pt") as f:
                self.assertEqual([16, 32], list(f.get_slice("model.layers.0.self_attn.k_proj.weight").get_shape()))

    def test_inconsistent_heads_are_bad_input(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(BadInput, "not a multiple of num_key_value_heads"):
                support.synthesize(Path(d) / "m", "tiny", 1, "f32", "--num-key-value-heads", "3")
            self.assertEqual([], list(Path(d).iterdir()))


class CommandLineTest(unittest.TestCase):
    def test_refuses_existing_out_without_force_in_one_line_with_exit_2(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "existing"
            out.mkdir()
            cmd = [sys.executable, str(support.SCRIPTS / "synth.py"), "--preset", "tiny", "--seed", "1",
                   "--dtype", "f32", "--out", str(out)]
            run = subprocess.run(cmd, capture_output=True, text=True)
            self.assertEqual(2, run.returncode)
            self.assertEqual(f"{out}: already exists; refusing to overwrite (use --force)\n", run.stderr)
            self.assertEqual([], list(out.iterdir()))
            self.assertEqual(0, subprocess.run(cmd + ["--force"], capture_output=True).returncode)
            self.assertEqual(PINNED_TINY_SEED1["f32"], sha256_file(out / "model.safetensors"))
            self.assertEqual(["existing"], [p.name for p in Path(d).iterdir()])

    def test_usage_errors_are_one_line_with_exit_2(self):
        run = subprocess.run([sys.executable, str(support.SCRIPTS / "synth.py"), "--preset", "huge", "--seed", "1",
                              "--dtype", "f32", "--out", "unused"], capture_output=True, text=True)
        self.assertEqual(2, run.returncode)
        self.assertEqual(1, len(run.stderr.splitlines()), run.stderr)
        self.assertIn("--preset: invalid choice: 'huge'", run.stderr)


if __name__ == "__main__":
    unittest.main()
