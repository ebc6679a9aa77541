"""scripts/llamacpp/id_tokenizer.py: the prompt of exact token ids for llama.cpp, and its one-line errors."""

from __future__ import annotations

import io
import sys
import unittest
from contextlib import redirect_stderr
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llamacpp"))

import id_tokenizer  # noqa: E402


class PromptTest(unittest.TestCase):
    def test_ids_after_the_bos_become_their_words(self) -> None:
        self.assertEqual(id_tokenizer.prompt("1 3 17"), id_tokenizer.word(3) + id_tokenizer.word(17))
        self.assertEqual(id_tokenizer.prompt("1,3,17"), id_tokenizer.prompt("1 3 17"))

    def test_a_missing_bos_is_one_short_line_however_long_the_input(self) -> None:
        ids = " ".join(str(3 + i) for i in range(300))
        err = io.StringIO()
        with redirect_stderr(err):
            self.assertEqual(id_tokenizer.main(["id_tokenizer.py", "prompt", ids]), 2)
        message = err.getvalue()
        self.assertEqual(message.count("\n"), 1, message)
        self.assertIn("BOS id 1", message)
        self.assertIn("300 ids: 3 4 5 6 7 ...", message)
        self.assertLess(len(message), 200)

    def test_ids_without_a_word_are_named_with_their_positions(self) -> None:
        with self.assertRaisesRegex(ValueError, r"\(2 of them\): 0 at position 2, 2 at position 4"):
            id_tokenizer.prompt("1 5 0 7 2")


if __name__ == "__main__":
    unittest.main()
