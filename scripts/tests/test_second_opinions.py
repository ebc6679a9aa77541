"""The dumper's second-opinion variants (--variant) on synthetic tiny checkpoints."""

from __future__ import annotations

import gzip
import tempfile
import unittest
from pathlib import Path

import support

import numpy as np
from transformers.models.llama import modeling_llama

import dump_hf_reference as dump
import layerwise_trace as lt
import second_opinions
from cli_support import BadInput


def steps_by_name(trace: dict) -> dict[str, dict]:
    return {s["name"]: s for s in trace["steps"]}


def relative_sketch_distance(a: dict, b: dict) -> float:
    x, y = np.array(a["sketch"], dtype=float), np.array(b["sketch"], dtype=float)
    return float(np.linalg.norm(x - y) / np.linalg.norm(y))


class SecondOpinionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = Path(cls.tmp.name)
        cls.f32 = support.synthesize(root / "tiny-f32", "tiny", 1, "f32")
        cls.f16 = support.synthesize(root / "tiny-f16", "tiny", 1, "f16")
        cls.reference_f32 = cls.run_dump(cls.f32, "eager-f32.json")
        cls.reference_f16 = cls.run_dump(cls.f16, "eager-f16.json")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def run_dump(cls, model_dir: Path, name: str, *extra: str) -> dict:
        out = Path(cls.tmp.name) / name
        assert dump.main([str(model_dir), "--out", str(out), *extra]) == 0
        return lt.read_trace(out)

    def test_split_k_of_one_slice_in_float32_is_hf_bit_for_bit(self):
        trace = self.run_dump(self.f32, "split1.json", "--variant", "split-k:1")
        for name, step in steps_by_name(self.reference_f32).items():
            self.assertEqual(step["sha256"], steps_by_name(trace)[name]["sha256"], name)

    def test_split_k_reorders_the_sums_and_moves_only_the_last_bits(self):
        trace = self.run_dump(self.f32, "split4.json", "--variant", "split-k:4")
        ours, reference = steps_by_name(trace), steps_by_name(self.reference_f32)
        self.assertNotEqual(reference["layers.0.q"]["sha256"], ours["layers.0.q"]["sha256"])
        self.assertEqual(reference["embed"]["sha256"], ours["embed"]["sha256"])
        for name in reference:
            self.assertLess(relative_sketch_distance(ours[name], reference[name]), 1e-5, name)
        self.assertEqual({"variant": "split-k:4"}, {"variant": trace["producer"]["extra"]["second_opinion"]["variant"]})
        self.assertIn("parallel float32 reduction", trace["producer"]["extra"]["second_opinion"]["computation"])

    def test_serial_split_k_rounds_after_every_slice(self):
        parallel = self.run_dump(self.f16, "parallel-f16.json", "--variant", "split-k:4")
        serial = self.run_dump(self.f16, "serial-f16.json", "--variant", "split-k-serial:4")
        self.assertNotEqual(steps_by_name(parallel)["layers.0.q"]["sha256"],
                            steps_by_name(serial)["layers.0.q"]["sha256"])
        self.assertIn("CUTLASS serial split-K", serial["producer"]["extra"]["second_opinion"]["computation"])

    def test_f64_rounded_records_every_step_in_the_model_dtype(self):
        trace = self.run_dump(self.f16, "f64.json", "--variant", "f64-rounded")
        self.assertEqual({"float16"}, {s["dtype"] for s in trace["steps"]})
        self.assertEqual("f64-rounded", trace["producer"]["attn_implementation"])
        reference = steps_by_name(self.reference_f16)
        for name, step in steps_by_name(trace).items():
            self.assertLess(relative_sketch_distance(step, reference[name]), 2e-2, name)
        self.assertEqual(self.reference_f16["top_k"][0]["token_id"], trace["top_k"][0]["token_id"])
        self.assertIs(modeling_llama.apply_rotary_pos_emb, dump_rope, "HF's RoPE is restored after the run")

    def test_f32_over_storage_keeps_the_fused_intermediates_in_float32(self):
        trace = self.run_dump(self.f16, "f32s.json", "--variant", "f32-over-storage")
        dtypes = {s["name"].rsplit(".", 1)[-1]: s["dtype"] for s in trace["steps"]}
        self.assertEqual("float32", dtypes["silu_gate"])
        self.assertEqual("float32", dtypes["attn_probs"])
        self.assertEqual({"float16"}, {d for k, d in dtypes.items() if k not in ("silu_gate", "attn_probs")})
        probs = steps_by_name(trace)["layers.0.attn_probs"]  # [heads, T, T]: each head's T rows sum to one each
        tokens = len(trace["input"]["token_ids"])
        self.assertTrue(np.allclose(probs["row_sums"], tokens, rtol=1e-6), probs["row_sums"])

    def test_a_variant_with_its_own_attention_refuses_another(self):
        with self.assertRaisesRegex(BadInput, "computes its own attention"):
            dump.main([str(self.f16), "--out", str(Path(self.tmp.name) / "x.json"), "--variant", "f64-rounded",
                       "--attn", "sdpa"])

    def test_unknown_variants_are_refused(self):
        for spec in ("split-k:0", "split-k", "f16-everything"):
            with self.assertRaisesRegex(BadInput, "unknown variant"):
                second_opinions.parse_variant(spec)

    def test_k_slices_cover_k_once_in_order(self):
        self.assertEqual([(0, 2), (2, 5), (5, 7), (7, 10)], second_opinions.k_slices(10, 4))
        self.assertEqual([(0, 1), (1, 2)], second_opinions.k_slices(2, 4))

    def test_traces_are_read_gzipped_or_not(self):
        plain = Path(self.tmp.name) / "eager-f32.json"
        packed = Path(self.tmp.name) / "eager-f32.json.gz"
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        self.assertEqual(lt.read_trace(plain), lt.read_trace(packed))


dump_rope = modeling_llama.apply_rotary_pos_emb

if __name__ == "__main__":
    unittest.main()
