"""trace-format-v1 primitives: signs, statistics, hashes, top-k, JSON."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import support  # puts scripts/ and sdk/python on sys.path
from sdk_path import SDK_PYTHON

import numpy as np
import torch

import layerwise_trace as lt
from layerwise_trace import __main__ as lt_command
from layerwise_trace import splitmix64


class RademacherSignsTest(unittest.TestCase):
    def test_spec_test_vectors_seed_0(self):
        spec = lt.SketchSpec(k=16, seed=0)
        self.assertEqual([-1, -1, 1, -1, -1, 1, -1, 1], lt.rademacher_signs(spec, 0, 8).tolist())
        self.assertEqual([1, 1, -1, 1, 1, -1, 1, 1], lt.rademacher_signs(spec, 1, 8).tolist())

    def test_vectorized_mix64_equals_scalar_mix64(self):
        z = [0, 1, splitmix64.GOLDEN, splitmix64.MASK64, 0x0123456789ABCDEF, 0xFFFF0000FFFF0000]
        vectorized = splitmix64.mix64(np.array(z, dtype=np.uint64)).tolist()
        self.assertEqual([splitmix64.mix64_int(v) for v in z], vectorized)

    def test_mix64_known_value(self):
        # SplitMix64's first output for state 0 (next() adds GOLDEN, then mixes)
        self.assertEqual(0xE220A8397B1DCDAF, splitmix64.mix64_int(splitmix64.GOLDEN))

    def test_sketch_is_the_signed_sum_across_chunks(self):
        spec = lt.SketchSpec()
        values = np.linspace(-3.0, 5.0, lt.CHUNK + 37)
        got = lt.sketch(values, spec)
        for j in (0, 7, 15):
            expected = float(np.dot(lt.rademacher_signs(spec, j, values.size).astype(np.float64), values))
            self.assertAlmostEqual(expected, got[j], delta=1e-9 * np.abs(values).sum())


class StepRecordTest(unittest.TestCase):
    def test_stats_rows_and_counts(self):
        t = torch.tensor([[1.0, -2.0, 0.0], [3.5, -0.0, 0.25]], dtype=torch.float32)
        step = lt.tensor_step("x", t, lt.SketchSpec())
        self.assertEqual(["name", "shape", "dtype", "stats", "row_sums", "row_sum_sq", "sketch", "sha256"],
                         list(step))
        self.assertEqual(["count", "sum", "abs_sum", "sum_sq", "min", "max", "nan", "pos_inf", "neg_inf", "zeros"],
                         list(step["stats"]))
        self.assertEqual({"count": 6, "sum": 2.75, "abs_sum": 6.75, "sum_sq": 17.3125, "min": -2.0, "max": 3.5,
                          "nan": 0, "pos_inf": 0, "neg_inf": 0, "zeros": 2}, step["stats"])
        self.assertEqual([-1.0, 3.75], step["row_sums"])
        self.assertEqual([5.0, 12.3125], step["row_sum_sq"])
        self.assertEqual([2, 3], step["shape"])
        self.assertEqual(16, len(step["sketch"]))

    def test_non_finite_values_are_counted_and_excluded_from_extrema(self):
        t = torch.tensor([float("nan"), float("inf"), float("-inf"), 2.0, -1.0])
        s = lt.tensor_step("x", t, lt.SketchSpec())["stats"]
        self.assertTrue(math.isnan(s["sum"]))
        self.assertEqual((1, 1, 1), (s["nan"], s["pos_inf"], s["neg_inf"]))
        self.assertEqual((-1.0, 2.0), (s["min"], s["max"]))

    def test_min_max_are_null_without_finite_values(self):
        s = lt.tensor_step("x", torch.tensor([float("nan"), float("inf")]), lt.SketchSpec())["stats"]
        self.assertIsNone(s["min"])
        self.assertIsNone(s["max"])

    def test_sha256_of_little_endian_bytes_in_step_dtype(self):
        cases = {
            torch.float32: bytes.fromhex("0000803f" "000000bf"),
            torch.float16: bytes.fromhex("003c" "00b8"),
            torch.bfloat16: bytes.fromhex("803f" "00bf"),
            torch.float64: bytes.fromhex("000000000000f03f" "000000000000e0bf"),
        }
        for dtype, raw in cases.items():
            with self.subTest(dtype=dtype):
                step = lt.tensor_step("x", torch.tensor([1.0, -0.5], dtype=dtype), lt.SketchSpec())
                self.assertEqual(hashlib.sha256(raw).hexdigest(), step["sha256"])
                self.assertEqual(lt.TORCH_DTYPE_NAMES[dtype], step["dtype"])

    def test_bf16_hash_uses_raw_bits_of_values_not_representable_in_f16(self):
        t = torch.tensor([1e30, -3e-30], dtype=torch.bfloat16)
        raw = np.array(t.view(torch.int16).tolist(), dtype="<i2").tobytes()
        self.assertEqual(hashlib.sha256(raw).hexdigest(), lt.tensor_step("x", t, lt.SketchSpec())["sha256"])

    def test_values_of_a_non_contiguous_view_are_read_row_major(self):
        t = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()  # [[0, 3], [1, 4], [2, 5]]
        step = lt.tensor_step("x", t, lt.SketchSpec())
        self.assertEqual([3.0, 5.0, 7.0], step["row_sums"])
        raw = np.array([0, 3, 1, 4, 2, 5], dtype="<f4").tobytes()
        self.assertEqual(hashlib.sha256(raw).hexdigest(), step["sha256"])


class NumpyOnlyTest(unittest.TestCase):
    def test_module_imports_and_records_without_torch(self):
        # only sdk/python on the path (not scripts/): the package stands alone
        code = ("import sys; sys.modules['torch'] = None; sys.path = [sys.argv[1]] + sys.path[1:]; "
                "import numpy as np; import layerwise_trace as lt; "
                "print(lt.array_step('x', np.array([[1, -2], [0.5, 4]], dtype=np.float32))['row_sums'])")
        out = subprocess.run([sys.executable, "-c", code, str(SDK_PYTHON)], capture_output=True, text=True,
                             check=True, cwd=tempfile.gettempdir()).stdout
        self.assertEqual("[-1.0, 4.5]", out.strip())

    def test_sums_follow_javas_eight_lanes_not_numpys_order(self):
        # lane 0 adds 1e16 then 1.0 (rounding back to 1e16), lane 1 holds -1e16: the lanes combine to 0,
        # where the index order gives (1e16 - 1e16) + 1 = 1
        values = np.zeros(9)
        values[[0, 1, 8]] = [1e16, -1e16, 1.0]
        self.assertEqual(0.0, lt.stats(values)["sum"])
        self.assertEqual([0.0], lt.row_stats(values, [1])[0])
        self.assertEqual(1.0, (1e16 - 1e16) + 1.0)

    def test_bfloat16_and_float16_bits(self):
        bits = np.array([0x3F80, 0xBF00, 0x7F81], dtype=np.uint16)  # 1, -0.5, a signalling NaN
        step = lt.array_step("x", bits, dtype="bfloat16")
        self.assertEqual("bfloat16", step["dtype"])
        self.assertEqual((1, 0.5), (step["stats"]["nan"], step["stats"]["max"] + step["stats"]["min"] + 0.0))
        # Java quiets the signalling NaN before hashing: 0x7F81 -> 0x7FC1
        self.assertEqual(hashlib.sha256(bytes.fromhex("803f" "00bf" "c17f")).hexdigest(), step["sha256"])
        half = lt.array_step("y", np.array([1.0, -0.5], dtype=np.float16))
        self.assertEqual(hashlib.sha256(bytes.fromhex("003c" "00b8")).hexdigest(), half["sha256"])

    def test_unsupported_dtype_is_one_clear_error(self):
        with self.assertRaisesRegex(ValueError, "^x: unsupported array dtype int32"):
            lt.array_step("x", np.arange(3, dtype=np.int32))


class TraceWriterTest(unittest.TestCase):
    def test_writes_a_trace_with_the_recorded_steps(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "t.json"
            with lt.TraceWriter(path, producer="my-engine", version="0.1", dtype="float32", tokens=[5, 6]) as t:
                t.record("embed", np.ones((2, 3), dtype=np.float32))
                t.record_top_k(np.array([0.5, 2.0, 1.0]), k=2)
            doc = lt.read_trace(path)
            self.assertEqual("my-engine", doc["producer"]["name"])
            self.assertEqual([5, 6], doc["input"]["token_ids"])
            self.assertEqual([3.0, 3.0], doc["steps"][0]["row_sums"])
            self.assertEqual([1, 2], [e["token_id"] for e in doc["top_k"]])

    def test_nothing_is_written_when_the_block_fails_and_nothing_replaced_without_force(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "t.json"
            with self.assertRaisesRegex(ValueError, "recorded twice"):
                with lt.TraceWriter(path) as t:
                    t.record("embed", np.ones(2, dtype=np.float32))
                    t.record("embed", np.ones(2, dtype=np.float32))
            self.assertEqual([], list(Path(d).iterdir()))
            path.write_text("mine")
            with self.assertRaisesRegex(FileExistsError, "already exists; refusing to overwrite"):
                with lt.TraceWriter(path) as t:
                    t.record("embed", np.ones(2, dtype=np.float32))
            self.assertEqual("mine", path.read_text())


class TopKTest(unittest.TestCase):
    def test_descending_with_ties_to_lower_id_and_nan_ignored(self):
        logits = np.array([1.0, 3.0, float("nan"), 3.0, 2.0, -1.0])
        self.assertEqual([{"token_id": 1, "logit": 3.0}, {"token_id": 3, "logit": 3.0},
                          {"token_id": 4, "logit": 2.0}], lt.top_k(logits, 3))

    def test_positive_zero_ranks_above_negative_zero_as_in_java(self):
        logits = np.array([-0.0, 0.0, -1.0])
        self.assertEqual([1, 0], [e["token_id"] for e in lt.top_k(logits, 2)])

    def test_default_k_is_ten(self):
        self.assertEqual(10, len(lt.top_k(np.arange(100, dtype=np.float64))))
        self.assertEqual(99, lt.top_k(np.arange(100, dtype=np.float64))[0]["token_id"])


class TraceJsonTest(unittest.TestCase):
    def trace(self, value: float) -> dict:
        step = lt.tensor_step("embed", torch.tensor([[value, 1.0]]), lt.SketchSpec())
        return lt.new_trace({"name": "t"}, {"architecture": "llama"}, "float32", [5], None, [step],
                            [{"token_id": 0, "logit": value}], lt.SketchSpec())

    def test_top_level_field_order(self):
        self.assertEqual(["format", "version", "producer", "model", "dtype", "input", "sketch", "steps", "top_k"],
                         list(json.loads(lt.dumps_trace(self.trace(1.0)))))

    def test_non_finite_numbers_are_written_as_strings(self):
        text = lt.dumps_trace(self.trace(float("-inf")))
        doc = json.loads(text)
        self.assertEqual("-Infinity", doc["top_k"][0]["logit"])
        self.assertEqual("-Infinity", doc["steps"][0]["stats"]["sum"])
        self.assertNotIn(": -Infinity", text)
        self.assertEqual("NaN", json.loads(lt.dumps_trace(self.trace(float("nan"))))["steps"][0]["sketch"][0])

    def test_write_refuses_an_existing_file_without_force(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "t.json"
            lt.write_trace(path, self.trace(1.0), force=False)
            with self.assertRaisesRegex(FileExistsError, "already exists; refusing to overwrite"):
                lt.write_trace(path, self.trace(2.0), force=False)
            lt.write_trace(path, self.trace(2.0), force=True)
            self.assertEqual(2.0, lt.read_trace(path)["top_k"][0]["logit"])
            self.assertEqual(["t.json"], [p.name for p in Path(d).iterdir()])

    def test_canonical_steps(self):
        names = lt.canonical_steps(1)
        self.assertEqual(20, len(names))
        self.assertEqual(["embed", "layers.0.attn_norm"], names[:2])
        self.assertEqual(["layers.0.out", "final_norm", "logits"], names[-3:])
        self.assertEqual(1 + 17 * 22 + 2, len(lt.canonical_steps(22)))


if __name__ == "__main__":
    unittest.main()


class CommandLineTest(unittest.TestCase):
    @staticmethod
    def main(*args: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            lt_command.main(list(args))
        return out.getvalue()

    def test_help_says_what_it_does_and_how_to_use_it_as_a_library(self):
        r = subprocess.run([sys.executable, "-m", "layerwise_trace", "--help"], capture_output=True, text=True,
                           timeout=300, cwd=SDK_PYTHON)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("usage: layerwise_trace", r.stdout)
        self.assertIn("Writes Layerwise traces", r.stdout)
        for call in ("layerwise_trace.TraceWriter(", "trace.record(", "trace.record_top_k(", "docs/trace-format.md"):
            self.assertIn(call, r.stdout)
        self.assertEqual(r.stdout, self.main(), "no arguments prints the help too")

    def test_signs_print_the_test_vectors(self):
        self.assertEqual(["-1 -1 +1 -1 -1 +1 -1 +1", "+1 +1 -1 +1 +1 -1 +1 +1"],
                         self.main("--signs", "8", "--k", "2").splitlines())

    def test_steps_print_the_canonical_names(self):
        self.assertEqual(lt.canonical_steps(2), self.main("--steps", "2").splitlines())
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as exit_:
            self.main("--steps", "-1")
        self.assertEqual(2, exit_.exception.code)
        self.assertEqual(["layerwise_trace: --steps: -1 is negative (see --help)"], err.getvalue().splitlines())
