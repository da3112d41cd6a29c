"""``finflow case check`` finds what is wrong with a case, one line each; ``case repair`` restores it."""

from __future__ import annotations

import json
import shutil

import pyarrow as pa
import pytest
from click.testing import CliRunner
from storecases import flatten, payments, state

from finflow.case import open_case
from finflow.casecheck import check_case, repair_case
from finflow.casestore import CaseDamagedError
from finflow.cli import main
from finflow.model import SCHEMAS


@pytest.fixture
def two_imports(tmp_path):
    """A case of two commits: a.csv (5 payments, 1 reject) in generation 1, b.csv (3) in 2."""
    case_dir = tmp_path / "case"
    open_case(case_dir).import_files([payments(tmp_path / "a.csv", 5, bad=1)])
    open_case(case_dir).import_files([payments(tmp_path / "b.csv", 3, first=100)])
    return case_dir


def _gen(case_dir, number=2):
    return case_dir / "generations" / f"{number:06d}"


def _truncate(file, keep=0.5):
    data = file.read_bytes()
    file.write_bytes(data[: int(len(data) * keep)])


def _flip(file):
    data = bytearray(file.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    file.write_bytes(bytes(data))


#: damage → (a fragment of the line check prints for it, the generation repair restores, what
#: repair says about the sources the damaged state held)
LOST_B = "no longer in the case, import again: b.csv"
UNKNOWN = "which sources the damaged state held is unknown: import your files again"
DAMAGE = {
    "truncated table": (lambda c: _truncate(_gen(c) / "tables" / "transactions.parquet"), "(truncated?)", 1, LOST_B),
    "garbled table": (lambda c: _flip(_gen(c) / "tables" / "accounts.parquet"), "differs from the SHA-256", 1, LOST_B),
    "missing table": (lambda c: (_gen(c) / "tables" / "parties.parquet").unlink(), "parties.parquet: is missing", 1,
                      LOST_B),
    "truncated merges": (lambda c: _truncate(_gen(c) / "merges.parquet", 0.9), "merges.parquet: is", 1, LOST_B),
    "truncated manifest": (lambda c: _truncate(_gen(c) / "manifest.json"), "manifest.json: not valid JSON", 1, UNKNOWN),
    "garbled manifest": (lambda c: (_gen(c) / "manifest.json").write_text("[1, 2]", encoding="utf-8"),
                         "not a finflow manifest", 1, UNKNOWN),
    "missing generation": (lambda c: shutil.rmtree(_gen(c)), "CURRENT: names generation 2, which does not exist", 1,
                           UNKNOWN),
    # with the pointer lost, the newest complete generation is the best state there is
    "garbled pointer": (lambda c: (c / "CURRENT").write_bytes(b"\x00\x01junk"), "CURRENT: does not name a generation",
                        2, UNKNOWN),
    "missing pointer": (lambda c: (c / "CURRENT").unlink(), "CURRENT: is missing", 2, UNKNOWN),
}  # fmt: skip


def test_a_healthy_case_checks_clean(two_imports):
    result = CliRunner().invoke(main, ["case", "check", "--case", str(two_imports)])
    assert result.exit_code == 0, result.output
    assert "no problems in generation 2 (2 source(s), 8 transactions)" in result.output
    repair = CliRunner().invoke(main, ["case", "repair", "--case", str(two_imports)])
    assert repair.exit_code == 0 and repair.output.strip() == "nothing to repair"


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_check_names_the_damage_and_repair_restores_the_last_complete_state(two_imports, tmp_path, damage):
    harm, fragment, restored, lost = DAMAGE[damage]
    reference = state(two_imports, restored)
    harm(two_imports)
    check = CliRunner().invoke(main, ["case", "check", "--case", str(two_imports)])
    assert check.exit_code == 1
    problems = [line for line in check.stdout.splitlines() if line]
    assert problems and any(fragment in line for line in problems), problems
    assert all(str(two_imports) in line for line in problems)
    repair = CliRunner().invoke(main, ["case", "repair", "--case", str(two_imports)])
    assert repair.exit_code == 0, repair.output
    assert f"restored generation {restored}, the last complete state ({restored} source(s))" in repair.output
    assert lost in repair.output
    assert check_case(two_imports).ok, check_case(two_imports).problems
    assert state(two_imports) == reference  # sources, tables and merges exactly as committed then
    assert len(open_case(two_imports).manifest) == restored
    reports = open_case(two_imports).import_files([tmp_path / "a.csv", tmp_path / "b.csv"])
    assert [r.status for r in reports][restored:] == ["imported"] * (2 - restored)
    assert len(open_case(two_imports).data().transactions) == 8 and check_case(two_imports).ok


def test_repair_sets_a_damaged_generation_aside_and_never_reuses_its_number(two_imports, tmp_path):
    _truncate(_gen(two_imports) / "tables" / "transactions.parquet")
    report = repair_case(two_imports)
    assert any("set the damaged generation 2 aside" in a for a in report.actions)
    assert (two_imports / "generations" / "000002.damaged" / "manifest.json").is_file()
    open_case(two_imports).import_files([tmp_path / "b.csv"])
    assert (two_imports / "CURRENT").read_text(encoding="utf-8") == "000003\n"
    assert (two_imports / "generations" / "000002.damaged").is_dir()  # evidence is never deleted
    assert "000002.damaged" in " ".join(check_case(two_imports).notes)


def test_reading_a_damaged_case_fails_with_one_line_naming_the_file(two_imports):
    _truncate(_gen(two_imports) / "merges.parquet", 0.9)
    with pytest.raises(CaseDamagedError) as caught:
        open_case(two_imports).data()
    message = str(caught.value)
    assert "\n" not in message and "merges.parquet" in message and "finflow case repair" in message


def _commit_with(case_dir, **changes):
    """Commit a generation whose digests are right but whose content is inconsistent."""
    case = open_case(case_dir)
    with case._writing():
        sources = changes.pop("sources", case.manifest)
        for name, table in changes.items():
            case._set(name, table)
        case._commit(sources)


def test_check_compares_the_manifest_with_the_tables(two_imports, tmp_path):
    case = open_case(two_imports)
    sightings = pa.table(
        {"table": ["transactions"], "record_id": ["txn-not-in-the-case"], "source_file": ["b.csv"],
         "source_sha256": [case.manifest[1]["sha256"]], "source_locator": ["row 9"],
         "batch_id": [case.manifest[1]["batch_id"]]},
        schema=SCHEMAS["sightings"],
    )  # fmt: skip
    _commit_with(two_imports, sightings=sightings)
    (problem,) = check_case(two_imports).problems
    assert problem.endswith("1 sighting(s) point at transactions not in the case (e.g. txn-not-in-the-case)")
    restored = repair_case(two_imports)
    assert restored.ok and "restored generation 2, the last complete state (2 source(s))" in restored.actions


def test_check_finds_records_of_a_source_the_manifest_does_not_list(two_imports):
    # what a crash between writing the tables and the manifest left behind before generations
    sources = open_case(two_imports).manifest[:1]
    _commit_with(two_imports, sources=sources)
    problems = check_case(two_imports).problems
    assert any("transactions.parquet: 3 row(s) from a source the manifest does not list" in p for p in problems)


def test_check_finds_counts_that_disagree_with_the_tables(two_imports):
    sources = open_case(two_imports).manifest
    sources[1].update(loaded=4, rows_read=4)
    _commit_with(two_imports, sources=sources)
    (problem,) = check_case(two_imports).problems
    assert problem.endswith("manifest.json: b.csv: 4 row(s) loaded, the tables hold 3")


def test_a_flat_case_with_broken_merges_gets_them_computed_again(tmp_path):
    kyc = tmp_path / "kyc.csv"
    kyc.write_text(
        "account,holder_name,holder_kind,holder_birth_date,holder_org_number,bank,opened\n"
        "12030000070,Payer 0,person,1990-04-01,,DNB,2020-01-01\n",
        encoding="utf-8",
    )
    open_case(tmp_path / "new").import_files([payments(tmp_path / "a.csv", 5), kyc])
    merges = open_case(tmp_path / "new").merges()
    assert len(merges) == 2
    flat = flatten(tmp_path / "new", tmp_path / "flat")
    _truncate(flat / "merges.parquet", 0.9)  # the footer an interrupted save used to lose
    assert not check_case(flat).ok
    report = repair_case(flat)
    assert report.ok, report.problems
    assert any("computed the merges again from the tables" in a for a in report.actions)
    assert open_case(flat).merges()["merge_id"].tolist() == merges["merge_id"].tolist()


def test_repair_rewrites_a_stale_rejects_copy_and_removes_unfinished_generations(two_imports):
    (two_imports / "rejects.csv").write_text("edited\n", encoding="utf-8")
    (two_imports / "generations" / "000003" / "tables").mkdir(parents=True)  # a writer died building it
    check = check_case(two_imports)
    assert check.problems == [f"{two_imports / 'rejects.csv'}: is not a copy of generation 2's rejects.csv "
                              "(`finflow case repair` rewrites it)"]  # fmt: skip
    assert any("unfinished generation" in note for note in check.notes)
    report = repair_case(two_imports)
    assert report.ok and "removed unfinished generation 3" in report.actions
    assert f"rewrote {two_imports / 'rejects.csv'} from generation 2" in report.actions
    assert (two_imports / "rejects.csv").read_bytes() == (_gen(two_imports) / "rejects.csv").read_bytes()


def test_a_manifest_that_does_not_reconcile_is_reported(two_imports):
    manifest = _gen(two_imports) / "manifest.json"
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    doc["sources"][0]["duplicates"] = 7
    manifest.write_text(json.dumps(doc), encoding="utf-8")
    assert any("read 6 ≠ loaded + rejected + duplicates (13)" in p for p in check_case(two_imports).problems)
