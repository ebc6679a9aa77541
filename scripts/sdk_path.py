"""Puts sdk/python on sys.path, so that the scripts use the layerwise_trace package of this checkout
(installed or not): one implementation of the trace format in Python."""

import sys
from pathlib import Path

SDK_PYTHON = Path(__file__).resolve().parents[1] / "sdk" / "python"
if str(SDK_PYTHON) not in sys.path:
    sys.path.insert(0, str(SDK_PYTHON))
