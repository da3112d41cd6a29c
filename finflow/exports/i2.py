"""i2 Analyst's Notebook export: an entities CSV and a links CSV for an import specification.

``OUT`` is a folder; it gets ``entities.csv`` (one row per account, party and the cash node:
identity, type, label, attributes; ``deleted`` the register's deletion date of a deleted company)
and ``links.csv`` (one row per link, with both ends'
identities, types and labels, so an import specification can create the ends from the link row
alone): transactions (account to account, amount as exact decimal text, currency, date, time,
channel, text, source file and row), account holders (party to account) and registry roles
(person to company). docs/exports.md explains the import specification step by step.

Files go through :mod:`finflow.safecsv` (formulas neutralised, UTF-8 with BOM, atomic). Birth
dates and identifier values (phones, id numbers, e-mails) are only written with
``include_personal_ids``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from finflow.company_status import deleted_companies
from finflow.exports.context import ExportCase, decimal_text
from finflow.graph import CASH_NODE
from finflow.safecsv import write_rows

__all__ = ["ENTITY_COLUMNS", "LINK_COLUMNS", "write_i2"]

ENTITY_COLUMNS = [
    "entity_id", "entity_type", "label", "account_number", "scheme", "country", "org_number", "deleted",
    "birth_date", "identifiers", "role", "score", "rank", "findings", "review",
]  # fmt: skip
LINK_COLUMNS = [
    "link_id", "link_type", "from_id", "from_type", "from_label", "to_id", "to_type", "to_label", "amount",
    "currency", "amount_minor", "date", "time", "channel", "description", "txn_count", "source_file",
    "source_row", "source_sha256",
]  # fmt: skip
_TYPES = {"person": "Person", "company": "Organisation", "unknown": "Organisation"}


def _text(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def write_i2(case: ExportCase, out: str | Path) -> tuple[Path, int]:
    """Write ``entities.csv`` and ``links.csv`` into the folder ``out``; returns it and the link count."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    data = case.data
    subjects: dict[str, dict[str, Any]] = {}
    for table in (case.ranking.victims, case.ranking.suspects):
        for row in table.itertuples(index=False):
            subjects[str(row.subject_id)] = {"role": row.role, "score": row.score, "rank": row.rank,
                                             "findings": row.finding_ids}  # fmt: skip
    entities: dict[str, tuple[str, str]] = {}  # id -> (type, label)
    rows = []
    idents: dict[str, list[str]] = {}
    if case.include_personal_ids:
        for pid, kind, value in zip(
            data.identifiers["party_id"], data.identifiers["kind"], data.identifiers["value"], strict=True
        ):
            idents.setdefault(str(pid), []).append(f"{kind}: {value}")
    deleted = deleted_companies(data)
    for row in data.parties.drop_duplicates("party_id").itertuples(index=False):
        pid, kind = str(row.party_id), _TYPES.get(str(row.kind), "Organisation")
        label = _text(row.name) or pid
        entities[pid] = (kind, label)
        info = subjects.get(pid, {})
        birth = pd.Timestamp(row.birth_date).date().isoformat() if case.include_personal_ids and _text(
            row.birth_date) else ""  # fmt: skip
        rows.append([pid, kind, label, "", "", _text(row.country), _text(row.org_number), deleted.get(pid, ""),
                     birth, "; ".join(sorted(idents.get(pid, []))), *_ranked(case, info)])  # fmt: skip
    for row in data.accounts.drop_duplicates("account_id").itertuples(index=False):
        aid = str(row.account_id)
        label = f"{_text(row.holder_name)} {aid}".strip()
        entities[aid] = ("Account", label)
        rows.append([aid, "Account", label, aid, _text(row.scheme), _text(row.country), "", "", "", "",
                     *_ranked(case, subjects.get(aid, {}))])  # fmt: skip
    entities[CASH_NODE] = ("Cash", "cash")
    rows.append([CASH_NODE, "Cash", "cash", *[""] * (len(ENTITY_COLUMNS) - 3)])
    write_rows(folder / "entities.csv", ENTITY_COLUMNS, rows)
    links = list(_links(case, entities))
    write_rows(folder / "links.csv", LINK_COLUMNS, links)
    return folder, len(links)


def _ranked(case: ExportCase, info: dict[str, Any]) -> list[Any]:
    if not info:
        return ["", "", "", "", ""]
    fids = [f for f in str(info["findings"] or "").split(",") if f]
    review = " ".join(sorted({case.review_label(f) for f in fids}))
    return [info["role"], f"{float(info['score']):.4f}", int(info["rank"]), len(fids), review]


def _end(entities: dict[str, tuple[str, str]], node: str) -> list[str]:
    kind, label = entities.get(node, ("Account", node))
    return [node, kind, label]


def _links(case: ExportCase, entities: dict[str, tuple[str, str]]) -> Iterator[list[Any]]:
    data = case.data
    for row in data.accounts.itertuples(index=False):
        if _text(row.holder_party_id) and str(row.holder_party_id) in entities:
            yield [f"holder-{row.account_id}", "Account holder", *_end(entities, str(row.holder_party_id)),
                   *_end(entities, str(row.account_id)), "", "", "", "", "", "", "", 1, row.source_file,
                   row.source_locator, row.source_sha256]  # fmt: skip
    for row in data.company_roles.itertuples(index=False):
        yield [f"role-{row.company_party_id}-{row.holder_party_id}-{row.role}",
               f"Role {row.role}" + (" (resigned)" if bool(row.resigned) else ""),
               *_end(entities, str(row.holder_party_id)), *_end(entities, str(row.company_party_id)),
               "", "", "", "", "", "", "", 1, row.source_file, row.source_locator, row.source_sha256]  # fmt: skip
    columns = ["txn_id", "from_account", "to_account", "amount_minor", "currency", "booking_date", "booking_time",
               "channel", "description", "source_file", "source_locator", "source_sha256"]  # fmt: skip
    for row in data.transactions[columns].itertuples(index=False):
        source = _text(row.from_account) or CASH_NODE
        target = _text(row.to_account) or CASH_NODE
        yield [
            row.txn_id, "Transaction", *_end(entities, source), *_end(entities, target),
            decimal_text(int(row.amount_minor), str(row.currency)), row.currency, int(row.amount_minor),
            pd.Timestamp(row.booking_date).date().isoformat(), _text(row.booking_time), row.channel,
            _text(row.description), 1, row.source_file, row.source_locator, row.source_sha256,
        ]  # fmt: skip
