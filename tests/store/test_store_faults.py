"""A ``finflow`` process killed (SIGKILL) after any durable write leaves the case as before or as
after, and running the command again ends with the manifest and the tables agreeing.

Each killed command runs in a real process (forked from a worker that has finflow imported, for
speed); ``FINFLOW_STORE_KILL_AFTER=N`` makes it kill itself right after the store's N-th durable
step. Every step of the command is covered, and one more, where it completes.
"""

from __future__ import annotations

import shutil
import sys

import pytest
from storecases import flatten, kill_at_every_step, payments, state

from finflow.case import open_case
from finflow.model import TABLES

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")


@pytest.fixture
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # the killed processes inherit it


def _outcomes(base, args, tmp_path) -> list[str]:
    """What a kill after each step left ("before"/"after"), asserting a re-run ends clean."""
    before = state(base)
    results = kill_at_every_step(base, args, tmp_path)
    *killed, completed = results
    assert completed["code"] == 0 and completed["left"] != before
    after = completed["left"]
    outcomes = []
    for result in killed:
        step = f"killed after step {result['step']} ({result['what']})"
        assert result["code"] == -9, step
        assert result["left"] in (before, after), f"{step}: neither the state before nor after"
        assert not result["damaged_after_kill"], step
        assert result["rerun_code"] == 0 and result["rerun"] == after, f"{step}: the re-run did not end as after"
        assert result["problems"] == [], (step, result["problems"])
        assert not any("unfinished" in note for note in result["notes"]), (step, result["notes"])
        left = "before" if result["left"] == before else "after"
        outcomes.append(f"{result['what']}: {left} {result['seconds']:.1f}")
    print("\n".join(["", f"finflow {' '.join(args[:2])}: a kill after each durable step leaves", *outcomes]))
    return [o.rsplit(": ", 1)[1].split()[0] for o in outcomes]


def test_an_import_killed_at_any_step_leaves_the_case_before_or_after(tmp_path, epoch):
    base = tmp_path / "case"
    open_case(base).import_files([payments(tmp_path / "a.csv", 4, bad=1)])
    open_case(base).import_files([payments(tmp_path / "b.csv", 4, first=20)])
    # flat-layout files a crash left while they were being removed: the next writer removes them
    flatten(base, tmp_path / "flat")
    for name in ("manifest.json", "merges.parquet"):
        shutil.copy(tmp_path / "flat" / name, base / name)
    new = [payments(tmp_path / "c.csv", 3, first=40, bad=1), payments(tmp_path / "d.csv", 3, first=42)]
    outcomes = _outcomes(base, ["import", *map(str, new)], tmp_path)
    # the leftovers, the new generation's files (every table, merges.parquet, rejects.csv), its
    # manifest, CURRENT.tmp: before; the switch of CURRENT, removing the generation before the
    # previous one, refreshing rejects.csv: after
    assert outcomes == ["before"] * (1 + len(TABLES) + 2 + 2) + ["after"] * 3


def test_undoing_a_merge_killed_at_any_step_moves_a_flat_case_whole_or_not_at_all(tmp_path, epoch):
    kyc = tmp_path / "kyc.csv"
    kyc.write_text(
        "account,holder_name,holder_kind,holder_birth_date,holder_org_number,bank,opened\n"
        "12030000070,Payer 0,person,1990-04-01,,DNB,2020-01-01\n",
        encoding="utf-8",
    )
    open_case(tmp_path / "new").import_files([payments(tmp_path / "a.csv", 5, bad=1), kyc])
    base = flatten(tmp_path / "new", tmp_path / "case")  # a case as earlier finflow versions left it
    (merge_id,) = set(open_case(base).merges()["merge_id"])
    outcomes = _outcomes(base, ["merges", "undo", merge_id], tmp_path)
    # generation 1's files (every table linked from the flat layout, merges.parquet, rejects.csv),
    # manifest, CURRENT.tmp: before; the switch: after (the flat files stay as the state before)
    assert outcomes == ["before"] * (len(TABLES) + 2 + 2) + ["after"]
