"""Reviewed findings: what an investigator concluded about a finding, kept with the case.

A review (status ``open``, ``confirmed`` or ``dismissed``, a note, who and when) is appended to
``case/reviews.jsonl``, an append-only history: a new review never edits an old one, the latest
review of a finding is its status. The file is rewritten whole under the case lock
(:mod:`finflow.caselock`) and replaced atomically (:func:`finflow.durable.write_durably`), so a
review written while ``investigate`` runs, or by two people at once, is never lost, and a crash
leaves the history as it was before or after.

Finding ids are stable (detector, subjects, evidence): re-importing the same files or re-running
the detectors finds the same ids, and their reviews apply again. A review also records the
finding's *lineage* (detector and subjects, without the evidence) and a hash of its evidence
(each evidence transaction's id, date, amount, accounts and source). When new statements change a
finding's evidence, its id changes but its lineage does not: the review still applies, marked
"changed since review", so the investigator looks again rather than trusting an old dismissal.

A review names a finding of the case's last ``investigate`` run (``case/runs/last.json``, see
:mod:`finflow.runs`), which is where its lineage and evidence hash come from.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from finflow.casedata import CaseData
from finflow.caselock import CaseLock
from finflow.detect.base import Finding
from finflow.durable import step_done, write_durably
from finflow.errors import FinflowError
from finflow.ids import content_id

__all__ = [
    "REVIEWS_FILE",
    "STATUSES",
    "Review",
    "ReviewState",
    "add_review",
    "evidence_hash",
    "evidence_hashes",
    "finding_lineage",
    "read_reviews",
    "review_states",
]

REVIEWS_FILE = "reviews.jsonl"
STATUSES: tuple[str, ...] = ("open", "confirmed", "dismissed")


class ReviewError(FinflowError):
    """A review that cannot be recorded (unknown finding, bad status); one line."""


@dataclass(frozen=True, slots=True)
class Review:
    """One entry of the history."""

    finding_id: str
    lineage: str
    evidence_hash: str
    status: str
    note: str
    by: str
    at: str  # UTC, ISO 8601
    detector: str = ""
    subject: str = ""


@dataclass(frozen=True, slots=True)
class ReviewState:
    """Where a finding stands: its latest review, whether its evidence changed since, the history."""

    status: str
    note: str
    by: str
    at: str
    changed_since_review: bool
    history: tuple[Review, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "note": self.note,
            "by": self.by,
            "at": self.at,
            "changed_since_review": self.changed_since_review,
            "history": [
                {k: v for k, v in asdict(r).items() if k in ("status", "note", "by", "at")} for r in self.history
            ],
        }

    def sentence(self) -> str:
        """``Review: dismissed by Kari on 2026-12-01T10:00:00Z: bank letter explains it.``"""
        who = f" by {self.by}" if self.by else ""
        note = f": {self.note}" if self.note else ""
        return f"Review: {self.label}{who} on {self.at}{note}."

    @property
    def label(self) -> str:
        """Short text for tables and views: ``dismissed (changed since review)``."""
        return self.status + (" (changed since review)" if self.changed_since_review else "")


def finding_lineage(finding: Finding) -> str:
    """The finding without its evidence: the same pattern about the same subjects."""
    return content_id("lineage", finding.detector, *(f"{s.kind}:{s.id}:{s.role}" for s in finding.subjects))


_HASHED = ["txn_id", "booking_date", "amount_minor", "currency", "from_account", "to_account", "source_sha256"]


def _cell(value: object) -> str:
    return "" if value is None or value is pd.NA or value is pd.NaT or value != value else str(value)


def evidence_hashes(data: CaseData, findings: Iterable[Finding]) -> dict[str, str]:
    """Per finding id, the SHA-256 of its evidence as it stands: each transaction's content and
    source, the ids not found, and its other evidence records."""
    tx = data.transactions
    lines = dict(
        zip(
            tx["txn_id"].astype(str),
            ("\x1f".join(_cell(v) for v in record) for record in tx[_HASHED].itertuples(index=False)),
            strict=True,
        )
    )
    out = {}
    for finding in findings:
        sha = hashlib.sha256()
        missing = []
        for txn_id in finding.evidence_txn_ids:  # sorted by Finding
            line = lines.get(txn_id)
            if line is None:
                missing.append(txn_id)
            else:
                sha.update(line.encode("utf-8") + b"\n")
        sha.update(("missing:" + ",".join(missing)).encode("utf-8"))
        sha.update(json.dumps(finding.evidence_records, sort_keys=True, default=str).encode("utf-8"))
        out[finding.finding_id] = sha.hexdigest()
    return out


def evidence_hash(data: CaseData, finding: Finding) -> str:
    """:func:`evidence_hashes` of one finding."""
    return evidence_hashes(data, [finding])[finding.finding_id]


def _file(case_dir: str | Path) -> Path:
    return Path(case_dir) / REVIEWS_FILE


def read_reviews(case_dir: str | Path) -> list[Review]:
    """The whole history, oldest first (an empty list for a case never reviewed)."""
    file = _file(case_dir)
    if not file.is_file():
        return []
    reviews = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            reviews.append(Review(**json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise FinflowError(f"{file}: line {number} is not a review ({exc})") from None
    return reviews


def add_review(
    case_dir: str | Path,
    finding_id: str,
    status: str,
    note: str,
    by: str,
    *,
    wait: float | None = None,
    now: str | None = None,
) -> Review:
    """Append a review of ``finding_id`` (a finding of the last run) to the case's history."""
    from finflow.runs import read_last_run

    if status not in STATUSES:
        raise ReviewError(f"--status {status!r}: use one of {', '.join(STATUSES)}")
    case_dir = Path(case_dir)
    with CaseLock(case_dir, wait):
        run = read_last_run(case_dir)
        if run is None:
            raise ReviewError(f"{case_dir}: no findings to review yet; run `finflow investigate` on this case first")
        entry = run["findings"].get(finding_id)
        if entry is None:
            raise ReviewError(f"{finding_id}: not a finding of the last run of {case_dir} (see its findings.json)")
        review = Review(
            finding_id=finding_id,
            lineage=entry["lineage"],
            evidence_hash=entry["evidence_hash"],
            status=status,
            note=note,
            by=by,
            at=now or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            detector=entry.get("detector", ""),
            subject=entry.get("subject", ""),
        )
        lines = [json.dumps(asdict(r), ensure_ascii=False, sort_keys=True) for r in [*read_reviews(case_dir), review]]
        write_durably(_file(case_dir), ("\n".join(lines) + "\n").encode("utf-8"))
        step_done(f"appended a review to {REVIEWS_FILE}")
    return review


def review_states(reviews: Sequence[Review], findings: Iterable[Finding], data: CaseData) -> dict[str, ReviewState]:
    """Per finding id, its review state: by the same id first, else by lineage (evidence changed)."""
    by_id: dict[str, list[Review]] = {}
    by_lineage: dict[str, list[Review]] = {}
    for review in reviews:
        by_id.setdefault(review.finding_id, []).append(review)
        by_lineage.setdefault(review.lineage, []).append(review)
    states = {}
    matched = []
    for finding in findings:
        history = by_id.get(finding.finding_id) or by_lineage.get(finding_lineage(finding))
        if history:
            matched.append((finding, history))
    hashes = evidence_hashes(data, [f for f, _ in matched]) if matched else {}
    for finding, history in matched:
        latest = history[-1]
        changed = latest.finding_id != finding.finding_id or latest.evidence_hash != hashes[finding.finding_id]
        states[finding.finding_id] = ReviewState(
            latest.status, latest.note, latest.by, latest.at, changed, tuple(history)
        )
    return states


def dismissed(states: dict[str, ReviewState]) -> set[str]:
    """Finding ids whose latest review dismisses them."""
    return {fid for fid, state in states.items() if state.status == "dismissed"}
