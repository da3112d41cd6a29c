"""Rows whose records are all in the case already are duplicates, in every table and format."""

from __future__ import annotations

import shutil

import pytest
from casebuilder import account
from storecases import BANK, REGISTRY

from finflow.case import open_case
from finflow.casecheck import check_case

#: (fixture, text in one row, what it becomes, rows loaded again): each change gives one row a
#: new record. A role holder with neither birth date nor org number is kept apart per source
#: (finflow.importers.parties.party_keys), so another file always loads that row too.
CHANGED_ROW = [
    ("persons.csv", "+47 412 34 567", "+47 412 34 999", 1),  # a new phone number
    ("accounts.csv", "15030012345,Ola Hansen", f"{account(77)},Ola Hansen", 1),  # another account
    ("leases.csv", "Anon Tenant", "Anon Tenants", 1),  # another tenant
    ("remittances.csv", "7000,NOK", "7001,NOK", 1),  # another transfer
    ("enheter_bulk.json", "Storgt. 5 b", "Storgt. 7", 1),  # another address
    ("roller_923609016.json", '"Kari"', '"Karin"', 2),  # another role holder, and Ola (no birth date)
]


@pytest.mark.parametrize(("name", "old", "new", "loaded"), CHANGED_ROW, ids=[c[0] for c in CHANGED_ROW])
def test_a_file_that_differs_in_one_row_loads_that_row_only(tmp_path, name, old, new, loaded):
    original = tmp_path / "first" / name
    original.parent.mkdir()
    shutil.copy(REGISTRY / name, original)
    text = original.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    changed = tmp_path / "second" / name
    changed.parent.mkdir()
    changed.write_text(text.replace(old, new, 1), encoding="utf-8")
    case = open_case(tmp_path / "case")
    (first,) = case.import_files([original])
    (second,) = case.import_files([changed])
    assert first.status == second.status == "imported" and first.reconciles and second.reconciles
    assert second.loaded == loaded, second
    assert second.rejected == first.rejected
    assert second.duplicates == first.loaded + first.duplicates - loaded
    assert check_case(tmp_path / "case").ok, check_case(tmp_path / "case").problems


def _fixtures() -> list:
    files = sorted(p for p in REGISTRY.iterdir() if p.is_file()) + sorted(p for p in BANK.iterdir() if p.is_file())
    return [p for p in files if not p.name.startswith(".")]


def _kept_apart(case, batch_id: str) -> int:
    """Rows of a source naming a party with neither birth date nor org number: the importers keep
    such a party per source row (finflow.importers.parties.party_keys), so another file adds it again."""
    parties = case.table("parties").to_pandas()
    weak = (
        parties["party_id"].str.startswith("party-")
        & parties["birth_date"].isna()
        & parties["org_number"].isna()
        & (parties["batch_id"] == batch_id)
    )
    return parties.loc[weak, "source_locator"].nunique()


def test_every_format_counts_a_second_copy_of_its_file_as_duplicates(tmp_path):
    case = open_case(tmp_path / "case")
    originals = _fixtures()
    firsts = [r for r in case.import_files(originals, options={"account": "12079939089"}) if r.status == "imported"]
    assert len(firsts) >= 15, [r.error for r in firsts]
    assert all(r.reconciles for r in firsts)
    check = check_case(tmp_path / "case")
    assert check.ok, check.problems
    copies = []
    for path in originals:  # the same rows in a file with other bytes: one more (blank) line at the end
        copy = tmp_path / "copies" / path.name
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes(path.read_bytes().rstrip(b"\n") + b"\n\n")
        copies.append(copy)
    again = {r.file: r for r in case.import_files(copies, options={"account": "12079939089"})}
    for first in firsts:
        second = again[first.file]
        assert second.status == "imported" and second.reconciles, second
        extra = second.rows_read - first.rows_read  # the blank line, where a format counts it as a row
        assert extra in (0, 1) and second.rejected == first.rejected + extra, second
        assert second.loaded == _kept_apart(case, first.batch_id), second
        assert second.duplicates == first.loaded + first.duplicates - second.loaded, second
    assert sum(r.loaded for r in again.values()) == 2  # Anon Tenant (leases.csv), Ola (roller_923609016.json)
    check = check_case(tmp_path / "case")
    assert check.ok, check.problems
