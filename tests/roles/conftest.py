"""Role tests build their cases with the detector tests' case builder (tests/detect/detectcase.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "detect"))
