"""Banks from schwifty's registry: Norwegian registration numbers, foreign IBANs, unknown codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from importlib.resources import files

from finflow.banks import UNKNOWN_BANK, bank_of, bank_register


def _norwegian_register_codes() -> set[str]:
    """Every registration number in the Norwegian file schwifty ships (v2: entries with bank_codes)."""
    (path,) = (p for p in (files("schwifty") / "bank_registry").iterdir() if p.name.startswith("generated_no."))
    data = json.loads(path.read_text(encoding="utf-8"))
    return {code for entry in data["entries"] for code in entry["bank_codes"]}


def test_norwegian_registration_numbers_come_from_the_register() -> None:
    # each checked by hand in schwifty/bank_registry/generated_no.v2.json
    for account, name, bic in [
        ("15031234567", "DNB Bank ASA", "DNBANOKK"),
        ("15061234567", "DNB Bank ASA", "DNBANOKK"),
        ("60391234567", "Nordea Bank Abp, Filial i Norge", "NDEANOKK"),
        ("86011117947", "Danske Bank", "DABANO22"),
    ]:
        bank = bank_of(account, "no_bban")
        assert (bank.country, bank.bank_code, bank.bank, bank.bic) == ("NO", account[:4], name, bic)
    # the whole register, not a hand-made table of a few codes
    codes = _norwegian_register_codes()
    assert len(codes) > 1000
    resolved = [c for c in sorted(codes) if bank_of(c + "0000000", "no_bban").known]
    assert resolved == sorted(codes)


def test_names_are_trimmed_so_one_bank_is_one_group() -> None:
    # 0530 is filed under "DNB Bank ASA " (a trailing space) in the register, 1503 without
    padded, plain = bank_of("05301234567", "no_bban"), bank_of("15031234567", "no_bban")
    assert padded.bank == plain.bank == "DNB Bank ASA"
    assert padded.label == plain.label == "DNB Bank ASA (DNBANOKK)"


def test_unknown_codes_say_so_with_their_code() -> None:
    assert "9999" not in _norwegian_register_codes()
    unknown = bank_of("99991234567", "no_bban")
    assert (unknown.country, unknown.bank_code, unknown.bank, unknown.bic) == (
        "NO",
        "9999",
        "unknown bank (code 9999)",
        "",
    )
    assert not unknown.known
    assert unknown.label != bank_of("99981234567", "no_bban").label  # two unknown codes, two orders
    german = bank_of("DE89999999990532013000", "iban")
    assert (german.country, german.bank_code, german.bank) == ("DE", "99999999", "unknown bank (code 99999999)")
    assert bank_of("card-merchant-17", "other").bank == UNKNOWN_BANK
    assert bank_of("XX29NWBK60161331926819", "iban").country == "XX"


def test_foreign_banks_by_iban_country_and_bank_code() -> None:
    german = bank_of("DE89370400440532013000", "iban")
    assert (german.country, german.bank_code, german.bank, german.bic) == (
        "DE",
        "37040044",
        "Commerzbank",
        "COBADEFFXXX",
    )
    assert bank_of("de89370400440532013000", "iban") == german
    assert bank_of("GB29NWBK60161331926819", "iban").bank_code == "NWBK"
    norwegian = bank_of("NO9386011117947", "iban")
    assert norwegian == bank_of("86011117947", "no_bban")


def test_the_register_is_named_and_dated_by_its_release() -> None:
    register = bank_register()
    assert register.version == version("schwifty")
    year, month = register.version.split(".")[:2]
    assert register.date == f"{year}-{int(month):02d}"
    assert re.fullmatch(r"\d{4}-\d{2}", register.date)
    assert "Bits AS" in register.sentence and register.version in register.sentence


def test_lookups_need_no_network() -> None:
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse\n"
        "from finflow.banks import bank_of\n"
        "print(bank_of('15031234567', 'no_bban').bank, bank_of('DE89370400440532013000', 'iban').bank)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "DNB Bank ASA Commerzbank"
