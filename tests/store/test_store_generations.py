"""The case store commits whole generations, keeps the one before, and readers see one state."""

from __future__ import annotations

import json
import os

import pytest
from storecases import flatten, payments, state

from finflow.case import case_exists, open_case
from finflow.casecheck import check_case
from finflow.casestore import CaseDamagedError, current_generation
from finflow.model import TABLES


def test_an_import_commits_one_complete_generation_with_digests(tmp_path):
    case_dir = tmp_path / "case"
    (report,) = open_case(case_dir).import_files([payments(tmp_path / "a.csv", 5, bad=1)])
    assert (report.loaded, report.rejected) == (5, 1)
    assert (case_dir / "CURRENT").read_text(encoding="utf-8") == "000001\n"
    generation = case_dir / "generations" / "000001"
    doc = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    expected = {f"tables/{name}.parquet" for name in TABLES} | {"merges.parquet", "rejects.csv"}
    assert set(doc["files"]) == expected
    for relative, entry in doc["files"].items():
        assert (generation / relative).stat().st_size == entry["bytes"]
    assert [s["file"] for s in doc["sources"]] == ["a.csv"]
    # the readers' copy of the rejects, and nothing of the flat layout at the root
    assert (case_dir / "rejects.csv").read_bytes() == (generation / "rejects.csv").read_bytes()
    assert "2026-13-01" in (case_dir / "rejects.csv").read_text(encoding="utf-8")
    assert not (case_dir / "manifest.json").exists() and not (case_dir / "tables").exists()
    assert check_case(case_dir).ok


def test_each_commit_keeps_only_the_generation_before_it(tmp_path):
    case_dir = tmp_path / "case"
    for n in range(3):
        open_case(case_dir).import_files([payments(tmp_path / f"p{n}.csv", 3, first=10 * n)])
    assert sorted(p.name for p in (case_dir / "generations").iterdir()) == ["000002", "000003"]
    assert len(open_case(case_dir).manifest) == 3 and open_case(case_dir).table("transactions").num_rows == 9


def test_an_import_that_changes_nothing_commits_nothing(tmp_path):
    case_dir = tmp_path / "case"
    path = payments(tmp_path / "a.csv", 3)
    open_case(case_dir).import_files([path])
    (again,) = open_case(case_dir).import_files([path])
    assert again.status == "already imported"
    assert (case_dir / "CURRENT").read_text(encoding="utf-8") == "000001\n"


@pytest.mark.skipif(os.name == "nt", reason="hard links are compared by inode number on POSIX")
def test_tables_an_import_does_not_change_are_hard_linked(tmp_path):
    case_dir = tmp_path / "case"
    open_case(case_dir).import_files([payments(tmp_path / "a.csv", 3)])
    open_case(case_dir).import_files([payments(tmp_path / "b.csv", 3, first=50)])
    first, second = (case_dir / "generations" / g / "tables" for g in ("000001", "000002"))
    assert (first / "leases.parquet").stat().st_ino == (second / "leases.parquet").stat().st_ino
    assert (first / "transactions.parquet").stat().st_ino != (second / "transactions.parquet").stat().st_ino


def test_a_reader_keeps_its_generation_while_a_writer_commits(tmp_path):
    case_dir = tmp_path / "case"
    open_case(case_dir).import_files([payments(tmp_path / "a.csv", 4)])
    reader = open_case(case_dir)
    assert len(reader.manifest) == 1  # pins generation 1
    open_case(case_dir).import_files([payments(tmp_path / "b.csv", 6, first=100)])
    assert len(reader.data().transactions) == 4 and len(reader.manifest) == 1
    assert len(open_case(case_dir).data().transactions) == 10


def test_a_reader_whose_generation_was_removed_starts_again_on_the_newest(tmp_path):
    case_dir = tmp_path / "case"
    open_case(case_dir).import_files([payments(tmp_path / "a.csv", 4)])
    reader = open_case(case_dir)
    assert reader.generation.number == 1
    for n in (1, 2):  # generation 1 is removed by the second of these commits
        open_case(case_dir).import_files([payments(tmp_path / f"b{n}.csv", 2, first=100 * n)])
    assert not (case_dir / "generations" / "000001").exists()
    data = reader.data()
    assert reader.generation.number == 3 and len(data.transactions) == 8 and len(reader.manifest) == 3


def test_a_case_in_the_flat_layout_opens_and_moves_to_generations_on_its_first_write(tmp_path):
    open_case(tmp_path / "new").import_files([payments(tmp_path / "a.csv", 4, bad=1)])
    flat = flatten(tmp_path / "new", tmp_path / "flat")
    (flat / "case.key").write_text("not finflow's to touch\n", encoding="utf-8")
    before = state(flat)
    assert current_generation(flat).flat and case_exists(flat)
    assert before == state(tmp_path / "new") and check_case(flat).ok
    open_case(flat).import_files([payments(tmp_path / "b.csv", 2, first=100)])
    assert (flat / "CURRENT").read_text(encoding="utf-8") == "000001\n"
    assert (flat / "manifest.json").is_file()  # the flat files are the state before, kept for repair
    assert check_case(flat).ok and len(open_case(flat).manifest) == 2
    open_case(flat).import_files([payments(tmp_path / "c.csv", 2, first=200)])
    assert not (flat / "manifest.json").exists() and not (flat / "tables").exists()
    assert not (flat / "merges.parquet").exists()
    assert (flat / "case.key").read_text(encoding="utf-8") == "not finflow's to touch\n"
    assert (flat / "rejects.csv").is_file() and check_case(flat).ok
    assert [s["file"] for s in open_case(flat).manifest] == ["a.csv", "b.csv", "c.csv"]


def test_a_tables_only_case_is_read_as_it_is(tmp_path):
    open_case(tmp_path / "new").import_files([payments(tmp_path / "a.csv", 3)])
    flat = flatten(tmp_path / "new", tmp_path / "flat")
    for name in ("manifest.json", "merges.parquet", "rejects.csv"):
        (flat / name).unlink()
    assert len(open_case(flat).data().transactions) == 3 and open_case(flat).manifest == []


def test_a_missing_pointer_beside_generations_is_damage_not_an_empty_case(tmp_path):
    case_dir = tmp_path / "case"
    open_case(case_dir).import_files([payments(tmp_path / "a.csv", 3)])
    (case_dir / "CURRENT").unlink()
    with pytest.raises(CaseDamagedError, match="CURRENT: is missing"):
        open_case(case_dir).data()
    with pytest.raises(CaseDamagedError, match="CURRENT: is missing"):  # and no writer builds on nothing
        open_case(case_dir).import_files([payments(tmp_path / "b.csv", 3, first=9)])
    assert (case_dir / "generations" / "000001" / "manifest.json").is_file()
