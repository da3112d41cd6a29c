"""A case written before finflow kept a table (or a column) still opens: the table reads as empty,
the column as null, until the next import writes them."""

from __future__ import annotations

import hashlib
import json

import pyarrow.parquet as pq
from casebuilder import account, write_generic_csv

from finflow.case import open_case
from finflow.casecheck import check_case
from finflow.casestore import MANIFEST, current_generation, table_file

STATEMENTS = table_file("statements")
COMPANIES = table_file("companies")


def _rows(first: int, n: int) -> list[dict]:
    return [
        {"date": f"2026-01-{1 + i % 28:02d}", "amount": f"{100 + first + i}.00", "currency": "NOK",
         "from_account": account(1), "to_account": account(2), "channel": "transfer", "txn_ref": f"t{first + i}"}
        for i in range(n)
    ]  # fmt: skip


def _as_if_written_before_statements(case_dir) -> None:
    """Remove the statements table and its manifest record, as an earlier finflow wrote the case."""
    generation = current_generation(case_dir)
    generation.file(STATEMENTS).unlink()
    manifest = generation.file(MANIFEST)
    doc = json.loads(manifest.read_text("utf-8"))
    del doc["files"][STATEMENTS]
    manifest.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")


def test_a_case_from_before_the_statements_table_opens_checks_and_upgrades(tmp_path):
    case_dir = tmp_path / "case"
    open_case(case_dir).import_files([write_generic_csv(tmp_path / "a.csv", _rows(0, 5))])
    _as_if_written_before_statements(case_dir)
    data = open_case(case_dir).data()
    assert len(data.transactions) == 5 and data.statements.empty
    assert check_case(case_dir).ok, check_case(case_dir).problems
    open_case(case_dir).import_files([write_generic_csv(tmp_path / "b.csv", _rows(10, 3))])
    assert current_generation(case_dir).file(STATEMENTS).is_file()
    assert len(open_case(case_dir).data().transactions) == 8 and check_case(case_dir).ok


def test_a_recorded_table_that_is_missing_is_still_damage(tmp_path):
    case_dir = tmp_path / "case"
    open_case(case_dir).import_files([write_generic_csv(tmp_path / "a.csv", _rows(0, 5))])
    current_generation(case_dir).file(STATEMENTS).unlink()  # the manifest still records it
    check = check_case(case_dir)
    assert not check.ok and any("statements.parquet" in p and "is missing" in p for p in check.problems)


def _as_if_written_before_the_deleted_column(case_dir) -> None:
    """Rewrite companies.parquet without ``deleted`` (and record it), as an earlier finflow wrote it."""
    generation = current_generation(case_dir)
    file = generation.file(COMPANIES)
    table = pq.read_table(file)
    pq.write_table(table.drop_columns(["deleted"]), file)
    manifest = generation.file(MANIFEST)
    doc = json.loads(manifest.read_text("utf-8"))
    doc["files"][COMPANIES].update(bytes=file.stat().st_size, sha256=hashlib.sha256(file.read_bytes()).hexdigest())
    manifest.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")


def test_a_companies_table_from_before_the_deleted_column_opens_with_it_null(tmp_path):
    units = [{"organisasjonsnummer": "923609016", "navn": "Nordlys Bemanning AS"}]
    registry = tmp_path / "enheter.json"
    registry.write_text(json.dumps(units), "utf-8")
    case_dir = tmp_path / "case"
    open_case(case_dir).import_files([registry])
    _as_if_written_before_the_deleted_column(case_dir)
    assert "deleted" not in pq.read_schema(current_generation(case_dir).file(COMPANIES)).names
    companies = open_case(case_dir).data().companies
    assert len(companies) == 1 and companies["deleted"].isna().all()
    assert check_case(case_dir).ok, check_case(case_dir).problems
    gone = [{"organisasjonsnummer": "972412112", "navn": "Gamle Vikar AS", "slettedato": "2024-05-01"}]
    later = tmp_path / "slettet.json"
    later.write_text(json.dumps(gone), "utf-8")
    open_case(case_dir).import_files([later])  # the next import writes the column
    assert "deleted" in pq.read_schema(current_generation(case_dir).file(COMPANIES)).names
    dates = open_case(case_dir).data().companies.set_index("party_id")["deleted"]
    assert dates.notna().sum() == 1 and str(dates.dropna().iloc[0].date()) == "2024-05-01"
    assert check_case(case_dir).ok
