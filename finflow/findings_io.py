"""Writing findings for people and programs: findings.json, findings.csv, a terminal table.

Every finding is written with its evidence transactions expanded (date, amount, accounts, text)
and their sources (file, SHA-256, row), so the file stands on its own in a case folder.
Output is deterministic: same findings, same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import NO_FINDINGS, Finding
from finflow.flowindex import flow_index
from finflow.money import format_minor
from finflow.reviews import ReviewState
from finflow.safecsv import write_rows
from finflow.terminal import clean

__all__ = ["evidence_rows", "findings_document", "findings_table", "write_findings"]

#: Columns of findings.csv: one row per finding and subject.
FINDINGS_CSV_COLUMNS = [
    "rank", "finding_id", "detector", "score", "subject_kind", "subject_id", "subject_label",
    "suggested_role", "summary", "evidence_count", "evidence_txn_ids", "review_status", "review_note",
]  # fmt: skip

_EVIDENCE_COLUMNS = [
    "txn_id", "booking_date", "booking_time", "amount_minor", "currency", "from_account", "from_name",
    "to_account", "to_name", "to_country", "channel", "description", "source_file", "source_sha256",
    "source_locator",
]  # fmt: skip


def evidence_rows(data: CaseData, txn_ids: Sequence[str]) -> list[dict]:
    """The evidence transactions with their provenance, in time order."""
    rows = flow_index(data).rows(txn_ids).sort_values(["ts", "txn_id"])
    out = []
    for record in rows[_EVIDENCE_COLUMNS].itertuples(index=False):
        item = {}
        for key, value in zip(_EVIDENCE_COLUMNS, record, strict=True):
            if key == "booking_date":
                value = str(pd.Timestamp(value).date())
            elif key == "amount_minor":
                value = int(value)
            elif value is pd.NA or (isinstance(value, float) and value != value):
                value = None
            item[key] = value
        out.append(item)
    return out


def _review(reviews: Mapping[str, ReviewState] | None, finding: Finding) -> dict:
    state = (reviews or {}).get(finding.finding_id)
    if state is None:
        return {"status": "open", "note": "", "by": "", "at": "", "changed_since_review": False, "history": []}
    return state.to_dict()


def findings_document(
    data: CaseData, findings: Sequence[Finding], config: dict, reviews: Mapping[str, ReviewState] | None = None
) -> dict:
    """The JSON document: detector settings used, then findings ranked, each with evidence and review."""
    items = []
    for rank, finding in enumerate(findings, start=1):
        item = {"rank": rank, **finding.to_dict()}
        item["review"] = _review(reviews, finding)
        item["evidence"] = evidence_rows(data, finding.evidence_txn_ids)
        items.append(item)
    return {"finflow_findings": 1, "configuration": config, "findings": items}


def write_findings(
    out_dir: Path,
    data: CaseData,
    findings: Sequence[Finding],
    config: dict,
    reviews: Mapping[str, ReviewState] | None = None,
) -> tuple[Path, Path]:
    """Write ``findings.json`` and ``findings.csv`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = findings_document(data, findings, config, reviews)
    json_path = out_dir / "findings.json"
    json_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    rows = [
        [
            rank, finding.finding_id, finding.detector, f"{finding.score:.4f}", subject.kind, subject.id,
            subject.label or "", subject.role, finding.summary, len(finding.evidence_txn_ids),
            " ".join(finding.evidence_txn_ids), *_review_cells(reviews, finding),
        ]
        for rank, finding in enumerate(findings, start=1)
        for subject in finding.subjects
    ]  # fmt: skip
    csv_path = write_rows(out_dir / "findings.csv", FINDINGS_CSV_COLUMNS, rows)
    return json_path, csv_path


def _review_cells(reviews: Mapping[str, ReviewState] | None, finding: Finding) -> list[str]:
    state = (reviews or {}).get(finding.finding_id)
    return ["open", ""] if state is None else [state.label, state.note]


def findings_table(
    findings: Sequence[Finding], limit: int = 25, reviews: Mapping[str, ReviewState] | None = None
) -> str:
    """A ranked plain-text table for the terminal; extract text cleaned (:func:`finflow.terminal.clean`)."""
    if not findings:
        return NO_FINDINGS
    lines = [f"{'#':>3}  {'score':>5}  {'detector':<22} {'role':<16} {'subject':<32} summary"]
    for rank, finding in enumerate(findings[:limit], start=1):
        subject = finding.subjects[0]
        label = " ".join(clean(f"{subject.label or ''} {subject.id}").split())[:32]
        summary = " ".join(clean(finding.summary).split())
        state = (reviews or {}).get(finding.finding_id)
        if state is not None:
            summary = f"[{state.label}] {summary}"
        lines.append(
            f"{rank:>3}  {finding.score:>5.2f}  {finding.detector:<22} {subject.role:<16} {label:<32} {summary}"
        )
    if len(findings) > limit:
        lines.append(f"… and {len(findings) - limit} more in findings.json / findings.csv")
    return "\n".join(lines)


def money(amount_minor: int, currency: str) -> str:
    return format_minor(amount_minor, currency)
