"""Import profiles: the built-in bank layouts are YAML files shipped with finflow, a profile is
guessed from an unfamiliar export, edited and used with ``finflow import --profile``, and
profiles are checked strictly (an unknown key or a column the file lacks is a one-line error)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from finflow.case import open_case
from finflow.cli import main
from finflow.importers import bank_csv
from finflow.importers.bank_profiles import PROFILES
from finflow.importers.base import ImportError_, Source
from finflow.importers.profile_files import load_profile
from tests.writers import bank_exports as w

OWN = "39825979194"
UNKNOWN_EXPORT = (
    "Bokføringsdag|Tekst|Motpart konto|Beløp (NOK)|Disponibelt\n"
    "2026-01-02|Vipps Kari Olsen|0404.79.66693|1,250.50|10,000.00\n"
    "2026-01-03|Husleie januar|6232.86.01295|-8,500.00|1,500.50\n"
    "2026-01-04|Reservert Varekjøp|| -99.00|1,401.50\n"
)


@pytest.fixture(autouse=True)
def _case_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINFLOW_CASE_KEY", "profiles-test-key")


def test_builtin_profiles_are_the_yaml_files_shipped_with_finflow() -> None:
    folder = resources.files("finflow.importers") / "profiles"
    files = sorted(e.name for e in folder.iterdir() if e.name.endswith(".yaml"))
    assert len(files) == len(PROFILES) >= 14
    for name, profile in zip(files, PROFILES, strict=True):
        data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        assert data["signature"] == list(profile.signature) and data["bank"] == profile.bank


def test_a_builtin_profile_given_as_a_file_reads_as_detection_does(tmp_path: Path) -> None:
    path = w.write_dnb_motkonto(
        tmp_path / f"dnb_{OWN}.csv",
        [("02.01.2026", "Vipps Kari Olsen", "500,00", ""), ("03.01.2026", "Minibank Oslo S", "-1 000,00", "")],
    )
    builtin = str(resources.files("finflow.importers") / "profiles" / "dnb_motkonto.yaml")
    source = Source(str(path), path.name, "0" * 64, "b")
    detected = bank_csv.read(str(path), source)
    given = bank_csv.read(str(path), Source(str(path), path.name, "0" * 64, "b", {"profile": builtin}))
    assert given.tables["transactions"].equals(detected.tables["transactions"])
    assert "read with profile dnb_motkonto.yaml" in given.notes[0]


def test_profile_new_then_import_with_the_edited_profile(tmp_path: Path) -> None:
    export = tmp_path / "minbank.csv"
    export.write_text(UNKNOWN_EXPORT, encoding="utf-8")
    runner = CliRunner()
    made = runner.invoke(main, ["profile", "new", str(export)])
    assert made.exit_code == 0, made.output
    profile_path = tmp_path / "minbank.profile.yaml"
    guessed = yaml.safe_load(profile_path.read_text(encoding="utf-8"))
    assert guessed["delimiter"] == "|" and guessed["date"] == "Bokføringsdag" and guessed["text"] == ["Tekst"]
    assert guessed["amount"] == "Beløp (NOK)" and guessed["counterparty_account"] == "Motpart konto"
    assert guessed["decimal"] == "."  # "1,250.50"
    # the user names the own account and imports
    guessed["own_account"] = OWN
    profile_path.write_text(yaml.safe_dump(guessed, allow_unicode=True), encoding="utf-8")
    case = tmp_path / "case"
    done = runner.invoke(main, ["import", "--case", str(case), "--profile", str(profile_path), str(export)])
    assert done.exit_code == 0, done.output
    assert "read 3 = loaded 2 + rejected 1" in done.output
    t = open_case(str(case)).data().transactions.sort_values("booking_date")
    assert t["amount_minor"].tolist() == [125_050, 850_000]
    assert t["from_account"].tolist() == ["04047966693", OWN] and t["from_name"].tolist()[0] == "Kari Olsen"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"amout": "Beløp (NOK)"}, r"^p\.yaml: unknown key 'amout'; known keys: key, bank"),
        ({"date_order": "ymd"}, r"^p\.yaml: 'date_order' is 'ymd'; expected one of 'dmy', 'mdy'$"),
        ({"channel": "crypto"}, r"^p\.yaml: 'channel' is 'crypto'; expected one of"),
    ],
)
def test_profiles_are_checked_strictly(tmp_path: Path, edit: dict, message: str) -> None:
    data = {"key": "x", "bank": "X", "signature": ["Dato"], "delimiter": ";", "date": "Dato", "text": ["Tekst"],
            "amount": "Beløp", **edit}  # fmt: skip
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ImportError_, match=message) as error:
        load_profile(str(path))
    assert "\n" not in str(error.value)


def test_a_profile_naming_a_column_the_file_lacks_is_one_line(tmp_path: Path) -> None:
    export = tmp_path / "minbank.csv"
    export.write_text(UNKNOWN_EXPORT, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["profile", "new", str(export)]).exit_code == 0
    profile_path = tmp_path / "minbank.profile.yaml"
    data = yaml.safe_load(profile_path.read_text(encoding="utf-8"))
    data["currency"] = "Valuta"
    profile_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(
        main, ["import", "--case", str(tmp_path / "c"), "--account", OWN, "--profile", str(profile_path), str(export)]
    )
    assert result.exit_code != 0
    assert "minbank.csv with profile minbank.profile.yaml: the profile names column 'Valuta', which is not in" in (
        result.output
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nbank: [unclosed\n", encoding="utf-8")
    refused = runner.invoke(main, ["import", "--case", str(tmp_path / "c"), "--profile", str(bad), str(export)])
    assert refused.exit_code != 0 and "bad.yaml: not valid YAML at line" in refused.output
