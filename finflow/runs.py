"""What each ``investigate`` run of a case found, and what changed since the run before.

The run record (``case/runs/last.json``; the one before is kept as ``previous.json``) lists the
sources by SHA-256, every finding's id, lineage and evidence hash (what a review is checked
against, see :mod:`finflow.reviews`), and the rank of every ranked subject. It is written under
the case lock with durable writes, like the case store. Comparing the new run with the last one
gives :class:`RunChanges`: new sources, new and gone findings, subjects whose rank moved.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from finflow.casedata import CaseData
from finflow.caselock import CaseLock
from finflow.detect.base import Finding
from finflow.durable import fsync_dir, replace, step_done, write_durably
from finflow.errors import FinflowError
from finflow.reviews import evidence_hashes, finding_lineage

__all__ = ["RunChanges", "compare_runs", "read_last_run", "record_run", "run_record"]

RUNS_DIR = "runs"
LAST = "last.json"
PREVIOUS = "previous.json"


def read_last_run(case_dir: str | Path) -> dict[str, Any] | None:
    """The last run's record, or ``None`` before the first run."""
    file = Path(case_dir) / RUNS_DIR / LAST
    if not file.is_file():
        return None
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise FinflowError(f"{file}: not a run record ({exc})") from None


def run_record(
    data: CaseData, findings: Sequence[Finding], sources: Sequence[dict], suspects: pd.DataFrame, victims: pd.DataFrame
) -> dict[str, Any]:
    """The record of one run (deterministic: sorted keys, no clock)."""
    ranks: dict[str, dict[str, Any]] = {}
    for name, table in (("suspects", suspects), ("possible victims", victims)):
        for row in table.itertuples(index=False):
            ranks[str(row.subject_id)] = {
                "rank": int(row.rank), "role": str(row.role), "label": row.label or "", "list": name,
            }  # fmt: skip
    hashes = evidence_hashes(data, findings)
    return {
        "finflow_run": 1,
        "sources": sorted({str(s.get("sha256")): str(s.get("file", "")) for s in sources}.items()),
        "findings": {
            f.finding_id: {
                "lineage": finding_lineage(f),
                "evidence_hash": hashes[f.finding_id],
                "detector": f.detector,
                "subject": f.subjects[0].label or f.subjects[0].id,
                "score": f.score,
            }
            for f in findings
        },
        "subjects": ranks,
    }


def record_run(case_dir: str | Path, record: dict[str, Any], *, wait: float | None = None) -> None:
    """Make ``record`` the last run (the former last run becomes ``previous.json``)."""
    folder = Path(case_dir) / RUNS_DIR
    with CaseLock(case_dir, wait):
        folder.mkdir(exist_ok=True)
        if (folder / LAST).is_file():
            replace(folder / LAST, folder / PREVIOUS)
            fsync_dir(folder)
        write_durably(folder / LAST, (json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode())
        step_done(f"recorded the run in {RUNS_DIR}/{LAST}")


@dataclass
class RunChanges:
    """What is new since the previous run of the same case."""

    first_run: bool
    new_sources: list[str] = field(default_factory=list)
    new_findings: list[str] = field(default_factory=list)  # "detector: subject (finding id)"
    gone_findings: list[str] = field(default_factory=list)
    changed_findings: list[str] = field(default_factory=list)  # same lineage, other evidence
    moved_subjects: list[str] = field(default_factory=list)  # "label (id): rank 5 -> 2"

    def lines(self) -> list[str]:
        """Plain sentences for the terminal and the report (extract text: clean before printing)."""
        if self.first_run:
            return ["First run of this case: nothing to compare with."]
        if not (self.new_sources or self.new_findings or self.gone_findings or self.moved_subjects):
            return ["Nothing changed since the previous run: same sources, findings and ranks."]
        out = []
        for title, items in (
            ("new source(s)", self.new_sources),
            ("new finding(s)", self.new_findings),
            ("finding(s) gone", self.gone_findings),
            ("of the new findings continue an earlier one whose evidence changed", self.changed_findings),
            ("subject(s) moved in rank (first 25 of each list, or changed role)", self.moved_subjects),
        ):
            if items:
                shown = "; ".join(items[:10]) + (f"; … and {len(items) - 10} more" if len(items) > 10 else "")
                out.append(f"{len(items)} {title}: {shown}")
        return out


def _name(entry: dict[str, Any], finding_id: str) -> str:
    return f"{entry.get('detector', '?')}: {entry.get('subject', '?')} ({finding_id})"


def compare_runs(previous: dict[str, Any] | None, current: dict[str, Any], top: int = 25) -> RunChanges:
    """What ``current`` has that ``previous`` had not, and what moved.

    A subject "moved" when it changed list or role, or its rank changed within the first ``top``
    of its list (below that, one subject leaving shifts every rank by one: noise, not news).
    """
    if previous is None:
        return RunChanges(first_run=True)
    old_sources = {sha for sha, _ in previous.get("sources", [])}
    old_findings: dict[str, dict] = previous.get("findings", {})
    new_findings: dict[str, dict] = current["findings"]
    old_lineages = {e["lineage"] for e in old_findings.values()}
    changes = RunChanges(first_run=False)
    changes.new_sources = [file for sha, file in current["sources"] if sha not in old_sources]
    added = sorted(set(new_findings) - set(old_findings))
    changes.new_findings = [_name(new_findings[f], f) for f in added]
    changes.changed_findings = [_name(new_findings[f], f) for f in added if new_findings[f]["lineage"] in old_lineages]
    changes.gone_findings = [_name(old_findings[f], f) for f in sorted(set(old_findings) - set(new_findings))]
    old_ranks: dict[str, dict] = previous.get("subjects", {})
    moved = []
    for sid, entry in current["subjects"].items():
        before = old_ranks.get(sid)
        label = f"{entry['label']} ({sid})" if entry["label"] else sid
        where = entry.get("list", "suspects")
        if before is None:
            if entry["rank"] <= top:
                moved.append((where, entry["rank"], f"{label}: new at {where} rank {entry['rank']} ({entry['role']})"))
            continue
        old_where = before.get("list", "suspects")
        if old_where != where or before["role"] != entry["role"]:
            moved.append((where, entry["rank"], f"{label}: {old_where} rank {before['rank']} ({before['role']}) -> "
                                                f"{where} rank {entry['rank']} ({entry['role']})"))  # fmt: skip
        elif before["rank"] != entry["rank"] and min(before["rank"], entry["rank"]) <= top:
            moved.append((where, entry["rank"], f"{label}: {where} rank {before['rank']} -> {entry['rank']}"))
    changes.moved_subjects = [text for _, _, text in sorted(moved, key=lambda m: (m[0] != "suspects", m[1], m[2]))]
    return changes
