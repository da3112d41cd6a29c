"""Real ``finflow import`` processes: two at once on one case, one waiting for a lock it cannot
get, and ones killed with SIGKILL at random moments."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest
from click.testing import CliRunner
from storecases import finflow_command, payments, run_finflow, state

from finflow.case import open_case
from finflow.casecheck import check_case
from finflow.cli import main
from finflow.durable import KILL_AFTER_ENV

ENV = {"SOURCE_DATE_EPOCH": "1790000000"}


def test_two_imports_at_once_both_end_in_the_manifest(tmp_path):
    first = payments(tmp_path / "first.csv", 800)
    second = payments(tmp_path / "second.csv", 800, first=400)  # 400 payments in both files
    case_dir = tmp_path / "case"
    command = finflow_command()
    processes = [
        subprocess.Popen([*command, "import", str(path), "--case", str(case_dir)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, encoding="utf-8")
        for path in (first, second)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert all("(ok)" in out for out, _ in outputs)
    sources = open_case(case_dir).manifest
    assert sorted(s["file"] for s in sources) == ["first.csv", "second.csv"]
    assert all(s["rows_read"] == s["loaded"] + s["rejected"] + s["duplicates"] for s in sources)
    assert sum(s["loaded"] for s in sources) == 1200 and sum(s["duplicates"] for s in sources) == 400
    assert open_case(case_dir).table("transactions").num_rows == 1200
    assert check_case(case_dir).ok, check_case(case_dir).problems


HOLDER = """
import sys, time
sys.argv = ["finflow", "import", "big.csv"]
from finflow.caselock import CaseLock
with CaseLock({case!r}):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_writer_that_cannot_get_the_lock_names_the_holder(tmp_path):
    case_dir = tmp_path / "case"
    open_case(case_dir).import_files([payments(tmp_path / "a.csv", 3)])
    script = textwrap.dedent(HOLDER.format(case=str(case_dir)))
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        args = ["import", str(payments(tmp_path / "b.csv", 3, first=9)), "--case", str(case_dir), "--wait", "0.5"]
        result = CliRunner().invoke(main, args)
        assert 0.5 <= time.monotonic() - started < 30
        assert result.exit_code == 1
        (line,) = [line for line in result.output.splitlines() if line]
        assert f"pid {holder.pid} on host {socket.gethostname()} (`finflow import big.csv`) since 20" in line
        assert line.startswith(f"Error: {case_dir}: another finflow process is writing this case")
        assert line.endswith("gave up after 0.5 s (--wait SECONDS waits longer)")
        assert len(open_case(case_dir).manifest) == 1
    finally:
        holder.send_signal(signal.SIGKILL)  # the operating system releases the lock of a killed process
        holder.wait()
    result = CliRunner().invoke(main, [*args[:-1], "5"])
    assert result.exit_code == 0, result.output
    assert len(open_case(case_dir).manifest) == 2 and not (case_dir / "lock.owner").exists()


def _manifest_and_switch_steps(base, source, workdir, monkeypatch) -> tuple[int, int]:
    """The durable step numbers of "wrote the manifest" and "switched CURRENT" in importing ``source``."""
    import finflow.casestore

    labels: list[str] = []
    shutil.copytree(base, workdir)
    with monkeypatch.context() as patch:
        patch.setattr(finflow.casestore, "step_done", labels.append)
        open_case(workdir).import_files([source])
    manifest = next(n for n, what in enumerate(labels, start=1) if what.startswith("wrote manifest"))
    switch = next(n for n, what in enumerate(labels, start=1) if what.startswith("switched"))
    assert manifest < switch, labels
    return manifest, switch


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_finflow_import_killed_at_random_moments_leaves_the_case_before_or_after(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", ENV["SOURCE_DATE_EPOCH"])
    base = tmp_path / "case"
    open_case(base).import_files([payments(tmp_path / "a.csv", 50, bad=2)])
    big = payments(tmp_path / "big.csv", 1500, first=100, bad=5)
    before = state(base)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    started = time.monotonic()
    done = run_finflow("import", str(big), "--case", str(reference), env=ENV)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    after = state(reference)
    # the installed command honours the fault hook too: killed after writing the manifest and after
    # switching CURRENT (their step numbers counted on an in-process import of the same file)
    manifest_step, switch_step = _manifest_and_switch_steps(base, big, tmp_path / "counted", monkeypatch)
    kills = [("hook", manifest_step), ("hook", switch_step)]
    kills += [("time", t) for t in random.Random(11).sample(range(30, 100), 3)]
    outcomes = []
    for n, (kind, when) in enumerate(kills):
        case_dir = tmp_path / f"killed-{n}"
        shutil.copytree(base, case_dir)
        command = [*finflow_command(), "import", str(big), "--case", str(case_dir)]
        env = {**ENV, KILL_AFTER_ENV: str(when)} if kind == "hook" else ENV
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)  # fmt: skip
        if kind == "time":
            try:
                process.wait(timeout=took * when / 100)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
        process.wait()
        left = state(case_dir)
        assert left in (before, after), (kind, when)
        outcomes.append("before" if left == before else "after")
        open_case(case_dir).import_files([big])
        assert state(case_dir) == after and check_case(case_dir).ok, (kind, when, check_case(case_dir).problems)
    assert outcomes[:2] == ["before", "after"], outcomes
    print(f"\nkilled at {kills} of {took:.1f} s: {outcomes}")
