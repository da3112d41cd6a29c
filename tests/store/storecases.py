"""Small cases for the store tests, written through the real import path, and ways to compare them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from casebuilder import account, write_generic_csv

from finflow.case import _sorted, open_case
from finflow.casestore import Generation
from finflow.importers import registry
from finflow.model import TABLES

registry.adapters()  # import every adapter now, so processes forked from here start warm

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
        [*finflow_command(), *args], env=full_env, capture_output=True, text=True, encoding="utf-8",
        timeout=timeout, check=False,
    )  # fmt: skip


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


def run_in_process(args: list[str]) -> int:
    """``finflow ARGS`` in this process; returns the exit code."""
    from contextlib import redirect_stderr, redirect_stdout

    from finflow.cli import main

    with open(os.devnull, "w", encoding="utf-8") as quiet, redirect_stdout(quiet), redirect_stderr(quiet):
        try:
            main(args, prog_name="finflow", standalone_mode=False)
        except SystemExit as exc:
            return int(exc.code or 0)
    return 0


def steps_of(args: list[str]) -> int:
    """How many durable steps ``finflow ARGS`` takes, run here, not killed."""
    from finflow import durable

    durable.step_done("counting")  # make the counter this process's
    start = durable._steps["count"]
    assert run_in_process(args) == 0
    return durable._steps["count"] - start


def kill_at_step(base: Path, args: list[str], step: int, workdir: Path) -> dict:
    """Copy ``base``, run ``finflow ARGS`` in a forked child that kills itself after durable step
    ``step``, read what it left, run the command again, and check the case.

    The child is forked from a worker that has run finflow before (so it starts warm); Arrow
    re-creates its thread pools in a forked child, and the worker runs no other threads."""
    from finflow.casecheck import check_case
    from finflow.durable import KILL_AFTER_ENV

    case_dir = workdir / f"killed-{step}"
    shutil.copytree(base, case_dir, symlinks=True)
    log = workdir / f"killed-{step}.stderr"
    started = time.time()
    pid = os.fork()
    if pid == 0:  # the process to kill
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 2)
        os.dup2(fd, 1)
        os.environ[KILL_AFTER_ENV] = str(step)
        os._exit(run_in_process([*args, "--case", str(case_dir)]))
    _, status = os.waitpid(pid, 0)
    result = {"step": step, "code": os.waitstatus_to_exitcode(status), "what": "", "started": started}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("finflow: killed after durable step"):
            result["what"] = line.split(": ", 2)[-1]
    result["left"] = state(case_dir)
    result["damaged_after_kill"] = check_case(case_dir).damaged
    result["rerun_code"] = run_in_process([*args, "--case", str(case_dir)])
    result["rerun"] = state(case_dir)
    check = check_case(case_dir)
    result["problems"], result["notes"] = check.problems, check.notes
    shutil.rmtree(case_dir)
    result["seconds"] = time.time() - started
    return result


def kill_at_every_step(base: Path, args: list[str], workdir: Path, workers: int = 2) -> list[dict]:
    """:func:`kill_at_step` for every durable step of ``finflow ARGS`` on ``base``, and one more
    (which completes), spread over worker processes forked from a server with finflow imported."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["finflow.cli", "finflow.casecheck", "storecases"])
    count = steps_of([*args, "--case", str(_copy(base, workdir / "counted"))])
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(kill_at_step, base, args, step, workdir) for step in range(1, count + 2)]
        return [f.result() for f in futures]


def _copy(base: Path, target: Path) -> Path:
    shutil.copytree(base, target, symlinks=True)
    return target
