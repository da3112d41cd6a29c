"""Small cases for the store tests, written through the real import path, and ways to compare them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from casebuilder import account, write_generic_csv

from finflow.case import _sorted, open_case
from finflow.casestore import Generation
from finflow.model import TABLES

REPO = Path(__file__).resolve().parents[2]
REGISTRY = REPO / "tests" / "importers" / "fixtures" / "registry"
BANK = REPO / "tests" / "importers" / "fixtures" / "bank"


def payments(path: Path, count: int, first: int = 0, bad: int = 0) -> Path:
    """A generic CSV of ``count`` distinct payments (numbered from ``first``) and ``bad`` rejected rows."""
    rows = [
        {"date": f"2026-01-{1 + n % 28:02d}", "amount": f"{100 + n}.00", "currency": "NOK",
         "from_account": account(n % 7), "from_name": f"Payer {n % 7}", "to_account": account(100 + n % 5),
         "to_name": f"Payee {n % 5}", "description": f"payment {n}"}
        for n in range(first, first + count)
    ]  # fmt: skip
    rows += [{"date": "2026-13-01", "amount": "1", "currency": "NOK", "to_account": account(1)}] * bad
    return write_generic_csv(path, rows)


def state(case_dir: Path, generation: int | None = None) -> tuple:
    """Everything a committed case holds (or held in ``generation``), comparable with ``==``:
    sources, tables, merges."""
    case = open_case(case_dir)
    if generation is not None:
        case._generation = Generation(Path(case_dir), generation)
    tables = {name: _sorted(name, case.table(name)).to_pylist() for name in TABLES}
    merges = case._stored_merges()
    return case.manifest, tables, None if merges is None else merges.to_dict("records")


def finflow_command() -> list[str]:
    """The installed ``finflow`` executable of this interpreter's environment."""
    script = Path(sys.executable).with_name("finflow")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from finflow.cli import main; main()"]


def run_finflow(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``finflow ARGS`` as a separate process and wait for it."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000", **(env or {})}
    return subprocess.run(
        [*finflow_command(), *args], env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )


def flatten(case_dir: Path, target: Path) -> Path:
    """The case as the flat layout of earlier finflow versions wrote it (files at the case root)."""
    generation = open_case(case_dir).generation
    target.mkdir(parents=True)
    shutil.copytree(generation.path / "tables", target / "tables")
    for name in ("merges.parquet", "rejects.csv"):
        shutil.copy(generation.path / name, target / name)
    manifest = open_case(case_dir).manifest
    text = json.dumps({"finflow_case": 1, "sources": manifest}, indent=2, ensure_ascii=False)
    (target / "manifest.json").write_text(text + "\n", encoding="utf-8")
    return target
