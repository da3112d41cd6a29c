"""The case key: ids that do not give birth dates away, phones hidden, same case + key → same bytes."""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from casebuilder import account, write_generic_csv

from finflow.casekey import ENV_VAR, KEY_FILE, CaseKeyError, case_key
from finflow.ids import content_id, person_party_id
from finflow.importers.kyc_accounts import COLUMNS as KYC_COLUMNS
from finflow.importers.persons import COLUMNS as PERSON_COLUMNS
from finflow.investigate import investigate
from finflow.normalize import normalize_name
from finflow.outputs import OutputSettings

PEOPLE = [("Ana Lupu", "1990-02-02"), ("Ioana Rusu", "1991-03-14"), ("Maria Stoica", "1987-11-30")]
PHONE, PHONE_DIGITS = "+47 412 34 567", "41234567"
ID_NUMBER = "RO7788123"
HOLDER = ("Mona Holder", "1984-07-12")
FEW_VIEWS = OutputSettings(subject_views=3, finding_views=3)


# -- the key file ---------------------------------------------------------------------------------
def test_a_case_gets_one_random_key_written_once(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    key = case_key(tmp_path / "case")
    path = tmp_path / "case" / KEY_FILE
    assert len(key) == 64 and int(key, 16) >= 0  # 32 random bytes as hex
    assert path.read_bytes() == key + b"\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert case_key(tmp_path / "case") == key  # read, never replaced
    assert case_key(tmp_path / "other") != key  # every case its own
    assert not list((tmp_path / "case").glob(".*tmp"))


def _key_in_process(path: str, queue) -> None:
    queue.put(case_key(path))


def test_processes_starting_a_case_together_share_one_key(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_key_in_process, args=(str(tmp_path / "case"), queue)) for _ in range(4)]
    for p in procs:
        p.start()
    keys = {queue.get(timeout=60) for _ in procs}
    for p in procs:
        p.join(60)
    assert keys == {(tmp_path / "case" / KEY_FILE).read_bytes().strip()}


def test_a_pinned_key_is_stored_and_a_different_one_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "pinned-for-this-test")
    assert case_key(tmp_path / "case") == b"pinned-for-this-test"
    assert (tmp_path / "case" / KEY_FILE).read_text(encoding="utf-8") == "pinned-for-this-test\n"
    monkeypatch.setenv(ENV_VAR, "another-key")
    with pytest.raises(CaseKeyError, match="differs from FINFLOW_CASE_KEY"):
        case_key(tmp_path / "case")
    monkeypatch.delenv(ENV_VAR)
    assert case_key(tmp_path / "case") == b"pinned-for-this-test"


def test_an_empty_key_file_is_an_error_not_a_new_key(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / KEY_FILE).write_text("", encoding="utf-8")
    with pytest.raises(CaseKeyError, match="empty; restore it"):
        case_key(tmp_path / "case")
    assert (tmp_path / "case" / KEY_FILE).read_text(encoding="utf-8") == ""


def test_a_key_that_differs_from_the_pinned_one_is_a_one_line_error(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from finflow.cli import main

    def statement(n: int) -> Path:
        row = {"date": "2026-01-01", "amount": str(n), "currency": "NOK", "from_account": account(1),
               "to_account": account(2)}  # fmt: skip
        (tmp_path / f"in{n}").mkdir()
        return write_generic_csv(tmp_path / f"in{n}" / "tx.csv", [row])

    case = str(tmp_path / "case")
    monkeypatch.setenv(ENV_VAR, "the-case-key")
    assert CliRunner().invoke(main, ["import", str(statement(1)), "--case", case]).exit_code == 0
    monkeypatch.setenv(ENV_VAR, "another-key")
    for command in (["import", str(statement(2))], ["investigate", str(statement(3).parent)]):
        result = CliRunner().invoke(main, [*command, "--case", case])
        assert result.exit_code == 1, result.output
        assert "differs from FINFLOW_CASE_KEY" in result.output and "Traceback" not in result.output
    assert (tmp_path / "case" / KEY_FILE).read_text(encoding="utf-8") == "the-case-key\n"  # never replaced


def test_person_ids_need_a_key_and_depend_on_it():
    with pytest.raises(ValueError, match="case key"):
        person_party_id("ana lupu", "1990-02-02", None)
    one, two = (person_party_id("ana lupu", "1990-02-02", k) for k in (b"k1", b"k2"))
    assert one != two and one.startswith("party-") and len(one) == len("party-") + 20
    assert one == person_party_id("ana lupu", "1990-02-02", b"k1")


# -- a case with persons, a shared phone and a KYC holder ------------------------------------------
def _write(path: Path, columns, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def _inbox(root: Path) -> Path:
    """Persons sharing a phone (a finding naming them), and a collector held by a known person."""
    inbox = root / "in"
    inbox.mkdir()
    person = {"nationality": "RO", "street": "Storgata 1", "postcode": "0150", "city": "Oslo", "country": "NO",
              "address_from": "2025-01-01"}  # fmt: skip
    persons = [{**person, "name": n, "birth_date": b, "phone": PHONE, "id_number": ID_NUMBER if i == 0 else ""}
               for i, (n, b) in enumerate(PEOPLE)]  # fmt: skip
    _write(inbox / "persons.csv", PERSON_COLUMNS, persons)
    collector = account(900)
    _write(inbox / "accounts.csv", KYC_COLUMNS, [{
        "account": collector, "holder_name": HOLDER[0], "holder_kind": "person", "holder_birth_date": HOLDER[1],
    }])  # fmt: skip
    rows, start = [], date(2026, 3, 2)
    names = ["Per Olsen", "Jon Berg", "Ali Khan", "Lars Dahl", "Tor Moe", "Erik Lie", "Nils Bakke", "Arne Vik",
             "Ole Strand", "Geir Foss", "Knut Aas"]  # fmt: skip
    for i, name in enumerate(names):
        for k in range(2):
            rows.append({
                "date": (start + timedelta(days=i * 2 + k)).isoformat(), "time": "23:15", "amount": "1200",
                "currency": "NOK", "from_account": account(i), "from_name": name, "to_account": collector,
                "to_name": HOLDER[0], "channel": "p2p", "description": "vipps", "txn_ref": f"in-{i}-{k}",
            })  # fmt: skip
    for n, row in enumerate(list(rows)):
        rows.append({
            "date": (date.fromisoformat(row["date"]) + timedelta(days=1)).isoformat(), "time": "10:00",
            "amount": "1200", "currency": "NOK", "from_account": collector, "to_account": "RO49AAAA1B31007593840000",
            "channel": "remittance", "description": "send", "txn_ref": f"out-{n}",
        })  # fmt: skip
    write_generic_csv(inbox / "tx.csv", rows)
    return inbox


def _subject_ids(out: Path) -> set[str]:
    ids = set()
    for name in ("subjects.csv", "possible_victims.csv", "findings.csv"):
        with open(out / name, encoding="utf-8-sig", newline="") as fh:
            ids |= {row["subject_id"] for row in csv.DictReader(fh)}
    return ids


def _brute_force(subject_ids: set[str], name: str, years: int = 100) -> list[str]:
    """Every birth date of ``years`` years, hashed the way an unkeyed person id was made."""
    norm, day, found = normalize_name(name), date(2026, 1, 1), []
    for _ in range(years * 366):
        day -= timedelta(days=1)
        text = f"person\x1f{norm}\x1f{day.isoformat()}".encode()
        if f"party-{hashlib.sha256(text).hexdigest()[:20]}" in subject_ids:
            found.append(day.isoformat())
    return found


@pytest.fixture(scope="module")
def investigated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("keyed")
    investigate(_inbox(root), case_dir=root / "case", out_dir=root / "out", settings=FEW_VIEWS)
    return root


def test_the_attack_works_on_unkeyed_ids():
    """The brute force below is a real attack: it recovers a birth date from an unkeyed id at once."""
    unkeyed = content_id("party", "person", "ana lupu", "1990-02-02")
    assert _brute_force({unkeyed}, "Ana Lupu") == ["1990-02-02"]


def test_no_birth_date_is_recovered_from_the_outputs(investigated):
    ids = _subject_ids(investigated / "out")
    key = (investigated / "case" / KEY_FILE).read_bytes().strip()
    persons = {person_party_id(normalize_name(n), b, key) for n, b in [*PEOPLE, HOLDER]}
    assert persons <= ids, "the persons must be subjects, or this test proves nothing"
    for name, _birth in [*PEOPLE, HOLDER]:
        assert _brute_force(ids, name) == [], name


def _output_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(out.rglob("*")) if p.is_file())


def test_phones_birth_dates_and_id_numbers_are_hidden_by_default(investigated):
    text = _output_text(investigated / "out")
    assert "registered for 3 different persons" in text  # the shared-phone finding is there …
    for secret in (PHONE, PHONE_DIGITS, "412 34 567", ID_NUMBER, HOLDER[1], *(b for _, b in PEOPLE)):
        assert secret not in text, secret  # … without the number, and no birth date or id number anywhere


def test_include_personal_ids_shows_them(investigated, tmp_path):
    investigate(
        investigated / "in", case_dir=investigated / "case", out_dir=tmp_path / "out",
        settings=OutputSettings(subject_views=3, finding_views=3, include_personal_ids=True),
    )  # fmt: skip
    text = _output_text(tmp_path / "out")
    assert f"phone: +47{PHONE_DIGITS}" in text and f"birth date: {PEOPLE[0][1]}" in text


def test_same_case_and_key_give_the_same_bytes_and_another_key_other_ids(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    outputs = []
    for run, key in (("a", "key-one"), ("b", "key-one"), ("c", "key-two")):
        monkeypatch.setenv(ENV_VAR, key)
        root = tmp_path / run
        root.mkdir()
        investigate(_inbox(root), case_dir=root / "case", out_dir=root / "out", settings=FEW_VIEWS)
        outputs.append({p.relative_to(root / "out").as_posix(): p.read_bytes()
                        for p in sorted((root / "out").rglob("*")) if p.is_file()})  # fmt: skip
    assert outputs[0] == outputs[1]
    assert outputs[0]["subjects.csv"] != outputs[2]["subjects.csv"]
    assert _subject_ids(tmp_path / "a" / "out") != _subject_ids(tmp_path / "c" / "out")


def test_a_case_from_before_keyed_identifiers_is_refused_with_the_remedy():
    import pandas as pd

    from finflow.casedata import CaseData

    old = pd.DataFrame({"party_id": ["p"], "kind": ["phone"], "value": ["+4741234567"]})
    with pytest.raises(ValueError, match=r"earlier finflow.*import its files into a new case"):
        CaseData(identifiers=old)
