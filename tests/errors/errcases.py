"""Inputs and runs shared by the error tests: small files of every CSV format, and finflow calls."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from finflow.cli import main

REPO = Path(__file__).resolve().parents[2]
REGISTRY = REPO / "tests" / "importers" / "fixtures" / "registry"
BANK = REPO / "tests" / "importers" / "fixtures" / "bank"

#: One real file of every CSV format: format -> (fixture, delimiter).
CSV_FIXTURES: dict[str, tuple[Path, str]] = {
    "generic_csv": (BANK / "generic_case" / "transactions.csv", ","),
    "no_bank_csv": (BANK / "dnb_12079939089.csv", ";"),
    "kyc_accounts": (REGISTRY / "accounts.csv", ","),
    "persons": (REGISTRY / "persons.csv", ","),
    "leases": (REGISTRY / "leases.csv", ","),
    "remittance": (REGISTRY / "remittances.csv", ","),
}

QUIET = ["--subject-views", "0", "--finding-views", "0", "--traces", "0"]


def with_duplicate_column(source: Path, target: Path, delimiter: str) -> Path:
    """``source`` with one more column at the end whose header repeats the second column's name."""
    d = delimiter.encode()
    out = []
    for number, line in enumerate(source.read_bytes().split(b"\n")):
        cr = line.endswith(b"\r")
        line = line.rstrip(b"\r")
        if line:
            line += d + (line.split(d)[1] if number == 0 else b"x")
        out.append(line + (b"\r" if cr else b""))
    target.write_bytes(b"\n".join(out))
    return target


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    """``finflow ARGS`` in this process (so tests can put faults in its way)."""
    return CliRunner().invoke(main, list(args), env={"FINFLOW_DEBUG": None, **(env or {})})


def one_line_failure(result: Result) -> str:
    """The single ``Error:`` line of a failed run (asserting there is exactly one, and no traceback)."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    return errors[0]


def run_finflow(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120):
    """``finflow ARGS`` as a separate process (for FIFOs, tracebacks and the real entry point)."""
    script = Path(sys.executable).with_name("finflow")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "finflow.cli"]
    full_env = {k: v for k, v in os.environ.items() if k not in ("FINFLOW_DEBUG", "NEO4J_PASSWORD")}
    return subprocess.run(
        [*command, *args], cwd=cwd, env={**full_env, **(env or {})}, capture_output=True, text=True,
        encoding="utf-8", timeout=timeout,
    )  # fmt: skip
