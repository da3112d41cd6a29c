"""Excel export: one workbook an investigator or prosecutor can filter, sort and sum.

Sheets: Summary, Suspects, Possible victims, Findings, Evidence (one row per finding and
transaction, with source file, row and SHA-256), Sources (with SHA-256), Rejects. Dates are Excel
dates and amounts numbers (``amount`` in major units for sums, ``amount_minor`` exact integers);
each sheet has a frozen header row, an autofilter and column widths fitted to its content.

Extract text is hostile: every text cell is written with ``write_string`` and the workbook is
opened with ``strings_to_formulas`` off, so ``=HYPERLINK(...)`` in a payment text is a string
cell, never a formula. Rejected rows' raw text (birth dates, id numbers, phones) is left out
unless ``include_personal_ids``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from finflow.exports.context import ExportCase
from finflow.money import is_currency, minor_units, totals_by_currency
from finflow.subjects import COLUMNS as SUBJECT_COLUMNS

__all__ = ["write_xlsx"]

_MAX_WIDTH = 60
_EVIDENCE = [
    "finding_id", "detector", "txn_id", "booking_date", "amount", "currency", "amount_minor", "from_account",
    "from_name", "to_account", "to_name", "channel", "description", "source_file", "source_row", "source_sha256",
]  # fmt: skip


def _xlsxwriter() -> Any:
    import xlsxwriter

    return xlsxwriter


def _value(value: Any) -> Any:
    """Python value for a cell: None, bool, int, float, date, or str."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value


class _Sheet:
    """A sheet written row by row with typed cells; widths tracked as it goes."""

    def __init__(self, book: Any, formats: dict[str, Any], name: str, header: Sequence[str]) -> None:
        self.sheet = book.add_worksheet(name)
        self.formats = formats
        self.header = list(header)
        self.widths = [len(h) + 2 for h in header]
        self.row = 0
        for col, title in enumerate(header):
            self.sheet.write_string(0, col, title, formats["header"])
        self.sheet.freeze_panes(1, 0)

    def append(self, values: Iterable[Any], decimals: int | None = None) -> None:
        self.row += 1
        for col, raw in enumerate(values):
            value = _value(raw)
            width = 10
            if value is None:
                self.sheet.write_blank(self.row, col, None)
            elif isinstance(value, bool):
                self.sheet.write_boolean(self.row, col, value)
                width = 6
            elif isinstance(value, dt.datetime):
                self.sheet.write_datetime(self.row, col, value, self.formats["datetime"])
                width = 17
            elif isinstance(value, dt.date):
                self.sheet.write_datetime(self.row, col, dt.datetime.combine(value, dt.time()), self.formats["date"])
                width = 11
            elif isinstance(value, int | float):
                fmt = self.formats.get(f"amount{decimals}") if self.header[col] == "amount" else None
                self.sheet.write_number(self.row, col, value, fmt)
                width = len(f"{value:,}") + 2
            else:
                text = str(value)
                self.sheet.write_string(self.row, col, text)
                width = min(_MAX_WIDTH, max(len(line) for line in text.splitlines() or [""]) + 2)
            if col < len(self.widths):
                self.widths[col] = max(self.widths[col], width)

    def finish(self) -> None:
        for col, width in enumerate(self.widths):
            self.sheet.set_column(col, col, min(_MAX_WIDTH, width))
        self.sheet.autofilter(0, 0, max(self.row, 1), max(len(self.header) - 1, 0))


def _exponent(currency: str) -> int:
    return minor_units(currency) if is_currency(currency) else 2


def write_xlsx(case: ExportCase, out: str | Path, *, case_name: str | None = None) -> tuple[Path, int]:
    """Write the workbook to ``out``; returns the path and the number of evidence rows."""
    xlsxwriter = _xlsxwriter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp.xlsx")
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "constant_memory": False}  # fmt: skip
    book = xlsxwriter.Workbook(str(tmp), options)
    book.set_properties({"title": f"finflow case {case_name or case.case_dir.name}", "author": "finflow"})
    book.set_calc_mode("manual")
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        **{f"amount{d}": book.add_format({"num_format": "#,##0" + ("." + "0" * d if d else "")}) for d in range(4)},
    }
    _summary(case, book, formats, case_name)
    for name, table in (("Suspects", case.ranking.suspects), ("Possible victims", case.ranking.victims)):
        sheet = _Sheet(book, formats, name, SUBJECT_COLUMNS)
        for row in table[SUBJECT_COLUMNS].itertuples(index=False):
            sheet.append(row)
        sheet.finish()
    _findings(case, book, formats)
    evidence = _evidence(case, book, formats)
    _sources(case, book, formats)
    _rejects(case, book, formats)
    book.close()
    os.replace(tmp, out)
    return out, evidence


def _summary(case: ExportCase, book: Any, formats: dict[str, Any], case_name: str | None) -> None:
    tx = case.data.transactions
    sheet = _Sheet(book, formats, "Summary", ["item", "value", "currency"])
    reviewed = {s.status for s in case.reviews.values()}
    rows: list[list[Any]] = [
        ["case", case_name or case.case_dir.name, None],
        ["sources", len(case.sources), None],
        ["transactions", len(tx), None],
        ["accounts", len(case.data.accounts), None],
        ["parties", len(case.data.parties), None],
        ["rejected rows", len(case.data.rejects), None],
        ["findings", len(case.findings), None],
        *[[f"findings {status}", sum(s.status == status for s in case.reviews.values()), None]
          for status in ("confirmed", "dismissed", "open") if status in reviewed],
        ["findings changed since review", sum(s.changed_since_review for s in case.reviews.values()), None],
        ["suspects ranked", len(case.ranking.suspects), None],
        ["possible victims (for protection, not suspicion)", len(case.ranking.victims), None],
        ["first booking date", pd.Timestamp(tx["booking_date"].min()) if len(tx) else None, None],
        ["last booking date", pd.Timestamp(tx["booking_date"].max()) if len(tx) else None, None],
        ["personal identifiers included", case.include_personal_ids, None],
    ]  # fmt: skip
    for row in rows:
        sheet.append(row)
    for currency, total in sorted(totals_by_currency(tx["amount_minor"], tx["currency"]).items()):
        exp = _exponent(currency)
        sheet.header[1] = "amount"  # the total is an amount cell
        sheet.append([f"total moved in {currency}", total / 10**exp, currency], decimals=exp)
        sheet.header[1] = "value"
    sheet.finish()


def _findings(case: ExportCase, book: Any, formats: dict[str, Any]) -> None:
    header = [
        "rank", "finding_id", "detector", "score", "subject_kind", "subject_id", "subject_label", "suggested_role",
        "summary", "evidence_count", "review_status", "review_note", "reviewed_by", "reviewed_at",
    ]  # fmt: skip
    sheet = _Sheet(book, formats, "Findings", header)
    for rank, finding in enumerate(case.findings, start=1):
        subject = finding.subjects[0]
        state = case.reviews.get(finding.finding_id)
        sheet.append([
            rank, finding.finding_id, finding.detector, finding.score, subject.kind, subject.id, subject.label,
            subject.role, finding.summary, len(finding.evidence_txn_ids), state.label if state else "open",
            state.note if state else None, state.by if state else None, state.at if state else None,
        ])  # fmt: skip
    sheet.finish()


def _evidence(case: ExportCase, book: Any, formats: dict[str, Any]) -> int:
    sheet = _Sheet(book, formats, "Evidence", _EVIDENCE)
    tx = case.data.transactions.set_index(case.data.transactions["txn_id"].rename("_id"))
    for finding in case.findings:
        ids = [t for t in finding.evidence_txn_ids if t in tx.index]
        rows = tx.loc[ids].sort_values(["ts", "txn_id"]) if ids else tx.iloc[0:0]
        for row in rows.itertuples(index=False):
            exp = _exponent(str(row.currency))
            sheet.append(
                [
                    finding.finding_id, finding.detector, row.txn_id, pd.Timestamp(row.booking_date),
                    int(row.amount_minor) / 10**exp, row.currency, int(row.amount_minor), row.from_account,
                    row.from_name, row.to_account, row.to_name, row.channel, row.description, row.source_file,
                    row.source_locator, row.source_sha256,
                ],
                decimals=exp,
            )  # fmt: skip
    sheet.finish()
    return sheet.row


def _sources(case: ExportCase, book: Any, formats: dict[str, Any]) -> None:
    header = ["file", "sha256", "format", "rows_read", "loaded", "rejected", "duplicates", "imported_at"]
    sheet = _Sheet(book, formats, "Sources", header)
    for source in case.sources:
        sheet.append([source.get(k) for k in header[:-1]] + [_when(source.get("imported_at"))])
    sheet.finish()


def _when(text: Any) -> Any:
    """An import time as a naive UTC datetime (Excel has no time zones); text it cannot read stays text."""
    if not text:
        return None
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError):
        return str(text)
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def _rejects(case: ExportCase, book: Any, formats: dict[str, Any]) -> None:
    personal = case.include_personal_ids
    header = ["source_file", "source_row", "source_sha256", "reason"] + (["raw"] if personal else [])
    sheet = _Sheet(book, formats, "Rejects", header)
    rejects = case.data.rejects
    columns = ["source_file", "source_locator", "source_sha256", "reason"] + (["raw"] if personal else [])
    for row in rejects[columns].itertuples(index=False):
        sheet.append(row)
    if not personal and len(rejects):
        sheet.append([None, None, None, "raw row text left out: it can hold birth dates, id numbers and phone "
                      "numbers (--include-personal-ids includes it)"])  # fmt: skip
    sheet.finish()
