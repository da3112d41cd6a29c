"""Building small, readable cases for tests through the real import path."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from finflow.case import open_case
from finflow.casedata import CaseData
from finflow.importers.generic_csv import COLUMNS


def write_generic_csv(path: Path, rows: Iterable[Mapping[str, object]]) -> Path:
    """Write rows (dicts with any of the generic columns) as a generic transaction CSV."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return path


def case_from_rows(tmp_path: Path, rows: Iterable[Mapping[str, object]], name: str = "tx.csv") -> CaseData:
    """Import the rows into a fresh case under ``tmp_path`` and return its data."""
    source = write_generic_csv(tmp_path / name, rows)
    case = open_case(tmp_path / "case")
    (report,) = case.import_files([source])
    assert report.status == "imported", report.error
    return case.data()


def account(n: int) -> str:
    """A valid Norwegian account number derived from ``n`` (MOD11 check digit computed)."""
    base = 1_203_000_000 + n * 7
    while True:
        digits = f"{base:010d}"
        remainder = sum(int(d) * w for d, w in zip(digits, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check != 10:
            return digits + str(check)
        base += 1
