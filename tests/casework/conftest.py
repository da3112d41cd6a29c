"""A small generated case written as bank extracts, shared by the coverage, requests and funds tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finflow.synth.build import generate
from finflow.writers.multiformat import write_multiformat_case


@pytest.fixture(scope="session")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``finflow synth --seed 3 --size 1000`` rewritten as bank exports, camt.053 and generic CSV."""
    base = tmp_path_factory.mktemp("generated")
    generate(3, 1000, base / "gen")
    write_multiformat_case(str(base / "gen"), str(base / "multi"), 3)
    return base / "multi"


def statements_of(xml: str) -> list[str]:
    """The ``<Stmt>…</Stmt>`` elements of a camt.053 text, in order."""
    return re.findall(r"<Stmt>.*?</Stmt>", xml, flags=re.S)
