"""Every detector in the catalogue has hand-built cases, written independently of the generator."""

from __future__ import annotations

import ast
from pathlib import Path

from finflow.detect.registry import DETECTORS

HERE = Path(__file__).resolve().parent


def test_every_detector_is_exercised_by_hand_built_cases():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in sorted(HERE.parent.rglob("test_*.py")))
    missing = [d.name for d in DETECTORS if d.run.__name__ not in sources]
    assert not missing, f"detectors without hand-built cases: {missing}"


def test_the_hand_built_cases_never_use_the_generator():
    """Only the generator's check-digit helpers may be borrowed (valid numbers, no behaviour)."""
    for path in sorted(HERE.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        used = {m for m in modules if m.startswith("finflow.synth")}
        assert used <= {"finflow.synth.numbers"}, (path.name, used)
