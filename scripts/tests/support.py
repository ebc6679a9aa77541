"""Test helpers: puts scripts/ and sdk/python on sys.path and makes synthetic checkpoints in temporary directories."""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

import sdk_path  # noqa: E402,F401  (sdk/python: the layerwise_trace package)
import synth  # noqa: E402


def synthesize(out: Path, preset: str = "tiny", seed: int = 1, dtype: str = "f32", *extra: str) -> Path:
    """Writes a synthetic checkpoint with scripts/synth.py's main and returns its directory."""
    code = synth.main(["--preset", preset, "--seed", str(seed), "--dtype", dtype, "--out", str(out), *extra])
    if code != 0:
        raise AssertionError(f"synth.py exited {code}")
    return out


def quiet_transformers() -> None:
    """No loading progress bars in the test output."""
    import transformers
    transformers.utils.logging.disable_progress_bar()


quiet_transformers()
