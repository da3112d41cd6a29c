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


@pytest.fixture(scope="session")
def generated(extracts: Path, tmp_path_factory: pytest.TempPathFactory):
    """The generated case (generic CSV and registry files) imported and analysed, with its truth."""
    import json

    from finflow.analysis import analyse
    from finflow.case import open_case
    from finflow.config import load_config
    from finflow.investigate import discover_files

    gen = extracts.parent / "gen"
    case = open_case(tmp_path_factory.mktemp("generated-case") / "case")
    case.import_files(p for p in discover_files(gen) if p.name != "ground_truth.json")
    truth = json.loads((gen / "ground_truth.json").read_text(encoding="utf-8"))
    return analyse(case.data(), load_config()), truth


@pytest.fixture(scope="session")
def multiformat_case(extracts: Path, tmp_path_factory: pytest.TempPathFactory):
    """The bank exports, camt.053 files and the generic remainder imported and analysed."""
    from finflow.analysis import analyse
    from finflow.case import open_case
    from finflow.config import load_config
    from finflow.investigate import discover_files

    case = open_case(tmp_path_factory.mktemp("multiformat-case") / "case")
    case.import_files(discover_files(extracts))
    return analyse(case.data(), load_config())
