"""The ``encoding`` key of an import profile: the file is decoded as the profile says, strictly.

Norwegian bank exports often come in a legacy code page (cp1252, latin-1, or the old Nordic DOS
page cp865). Without the key finflow reads each line as UTF-8, else cp1252; with it, the whole
file is read in the named encoding, and a byte that encoding does not define, a UTF-8 file under
a code page, or an encoding name Python does not know is a one-line error naming the profile.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from finflow.case import open_case
from finflow.cli import main
from finflow.importers import bank_csv
from finflow.importers.base import ImportError_, Source
from finflow.importers.profile_files import load_profile

OWN = "39825979194"
HEADER = "Bokføringsdag|Tekst|Motpart konto|Beløp (NOK)"
ROWS = [
    "2026-01-02|Vipps Åse Ødegård|0404.79.66693|1250,50",
    "2026-01-03|Husleie Økern – januar|6232.86.01295|-8500,00",
]
PROFILE = {
    "key": "minbank",
    "bank": "Min bank",
    "signature": ["Bokføringsdag", "Tekst", "Motpart konto", "Beløp (NOK)"],
    "delimiter": "|",
    "date": "Bokføringsdag",
    "text": ["Tekst"],
    "amount": "Beløp (NOK)",
    "counterparty_account": "Motpart konto",
    "decimal": ",",
    "own_account": OWN,
}


@pytest.fixture(autouse=True)
def _case_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINFLOW_CASE_KEY", "profile-encoding-test-key")


def _export(tmp_path: Path, data: bytes, name: str = "minbank.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _profile(tmp_path: Path, **edit: object) -> Path:
    path = tmp_path / "minbank.yaml"
    path.write_text(yaml.safe_dump({**PROFILE, **edit}, allow_unicode=True), encoding="utf-8")
    return path


def _text(encoding: str, rows: list[str] = ROWS) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding)


def _import(tmp_path: Path, export: Path, profile: Path) -> tuple[object, Path]:
    case = tmp_path / "case"
    result = CliRunner().invoke(main, ["import", "--case", str(case), "--profile", str(profile), str(export)])
    return result, case


def _read(export: Path, profile: Path) -> bank_csv.ImportResult:
    source = Source(str(export), export.name, "0" * 64, "b", {"profile": str(profile)})
    return bank_csv.read(str(export), source)


def test_a_cp1252_export_with_aeoa_is_read_as_the_profile_says(tmp_path: Path) -> None:
    export = _export(tmp_path, _text("cp1252"))
    assert "Ø".encode("cp1252") in export.read_bytes()  # a legacy file: not UTF-8
    result, case = _import(tmp_path, export, _profile(tmp_path, encoding="cp1252"))
    assert result.exit_code == 0, result.output
    assert "(cp1252, as the profile says)" in result.output
    t = open_case(str(case)).data().transactions.sort_values("booking_date")
    assert t["from_name"].tolist()[0] == "Åse Ødegård"
    assert t["description"].tolist() == ["Vipps Åse Ødegård", "Husleie Økern – januar"]
    assert t["amount_minor"].tolist() == [125_050, 850_000]


def test_the_named_encoding_is_used_not_the_detected_one(tmp_path: Path) -> None:
    # cp865, the Nordic DOS code page of old banking software: æøå are bytes that cp1252 (the
    # guess without the key) reads as other characters
    rows = [ROWS[0], ROWS[1].replace("–", "-")]  # cp865 has no en dash
    export = _export(tmp_path, _text("cp865", rows))
    guessed = _read(export, _profile(tmp_path)).tables["transactions"].sort_values("booking_date")
    assert not any("Ø" in text for text in guessed["description"].tolist())  # mis-read without the key
    named = _read(export, _profile(tmp_path, encoding="cp865"))
    tx = named.tables["transactions"].sort_values("booking_date")
    assert tx["from_name"].tolist()[0] == "Åse Ødegård"
    assert tx["description"].tolist() == ["Vipps Åse Ødegård", "Husleie Økern - januar"]
    assert "cp865, as the profile says" in named.notes[0]


def test_latin_1_is_accepted_under_its_usual_names(tmp_path: Path) -> None:
    rows = [HEADER, "2026-01-02|Vipps Åse Ødegård|0404.79.66693|1250,50"]
    export = _export(tmp_path, ("\n".join(rows) + "\n").encode("latin-1"))
    for name in ("latin-1", "ISO-8859-1", "latin1"):
        assert load_profile(str(_profile(tmp_path, encoding=name))).encoding == "iso8859-1"
        result = _read(export, _profile(tmp_path, encoding=name))
        assert result.tables["transactions"]["from_name"].tolist() == ["Åse Ødegård"]


def test_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    export = _export(tmp_path, b"\xef\xbb\xbf" + _text("utf-8"))
    result, case = _import(tmp_path, export, _profile(tmp_path, encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert "(utf-8-sig, as the profile says)" in result.output
    t = open_case(str(case)).data().transactions.sort_values("booking_date")
    assert t["from_name"].tolist()[0] == "Åse Ødegård"
    assert t["amount_minor"].tolist() == [125_050, 850_000]


@pytest.mark.parametrize("name", ["cp1252x", "latin-9000", "base64", "rot13"])
def test_an_unknown_encoding_is_one_line_naming_the_profile_and_the_key(tmp_path: Path, name: str) -> None:
    profile = _profile(tmp_path, encoding=name)
    with pytest.raises(ImportError_) as error:
        load_profile(str(profile))
    message = str(error.value)
    assert message == (
        f"minbank.yaml: 'encoding' is {name!r}, which is not a text encoding Python knows "
        "(for example utf-8, cp1252, latin-1)"
    )
    export = _export(tmp_path, _text("cp1252"))
    result, case = _import(tmp_path, export, profile)
    assert result.exit_code != 0
    assert f"minbank.yaml: 'encoding' is {name!r}" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not case.exists()  # refused before the case is touched


def test_a_byte_the_named_encoding_does_not_define_names_its_row(tmp_path: Path) -> None:
    data = _text("cp1252").replace("Økern".encode("cp1252"), b"\x81kern")  # 0x81 is undefined in cp1252
    export = _export(tmp_path, data)
    with pytest.raises(ImportError_) as error:
        _read(export, _profile(tmp_path, encoding="cp1252"))
    assert str(error.value) == (
        "minbank.csv: row 3 is not valid cp1252 text (byte 0x81); check 'encoding' in profile minbank.yaml"
    )


def test_a_utf8_file_under_a_legacy_code_page_is_refused(tmp_path: Path) -> None:
    export = _export(tmp_path, _text("utf-8"))
    with pytest.raises(ImportError_) as error:
        _read(export, _profile(tmp_path, encoding="cp1252"))
    assert str(error.value) == (
        "minbank.csv: row 1 is UTF-8 text, but profile minbank.yaml says 'encoding: cp1252'; "
        "write utf-8 there or remove the key"
    )
    bom = _export(tmp_path, b"\xef\xbb\xbf" + _text("cp1252"), "bom.csv")
    with pytest.raises(ImportError_, match=r"^bom\.csv: the file starts with a UTF-8 byte-order mark, but profile"):
        _read(bom, _profile(tmp_path, encoding="cp1252"))


def test_a_legacy_file_under_utf8_names_the_first_bad_row(tmp_path: Path) -> None:
    data = ("\n".join([ROWS[0].replace("Ø", "O").replace("Å", "A").replace("å", "a"), ROWS[1]])).encode("cp1252")
    export = _export(tmp_path, (b"Bokforingsdag|Tekst|Motpart konto|Belop (NOK)\n") + data)
    profile = _profile(
        tmp_path, encoding="utf-8", signature=["Bokforingsdag", "Tekst", "Motpart konto", "Belop (NOK)"],
        date="Bokforingsdag", amount="Belop (NOK)",
    )  # fmt: skip
    with pytest.raises(ImportError_) as error:
        _read(export, profile)
    assert str(error.value) == (
        "minbank.csv: row 3 is not valid UTF-8 text, but profile minbank.yaml says 'encoding: utf-8'"
    )


def test_without_the_key_mixed_lines_are_still_read_line_by_line(tmp_path: Path) -> None:
    data = (HEADER + "\n" + ROWS[0] + "\n").encode("utf-8") + (ROWS[1] + "\n").encode("cp1252")
    result = _read(_export(tmp_path, data), _profile(tmp_path))
    tx = result.tables["transactions"].sort_values("booking_date")
    assert tx["description"].tolist() == ["Vipps Åse Ødegård", "Husleie Økern – januar"]
    assert "with 1 line(s) in cp1252: 3" in result.notes[0]
