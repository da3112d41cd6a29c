"""Which bank keeps an account: a Norwegian bank from its registration number, a foreign one
from its IBAN's country and bank code.

Names and BICs come from the bank registry that ships inside the ``schwifty`` package (Norway:
the list of registration numbers and BICs that Bits AS publishes; other countries: their
national bank-code registers), so a lookup needs no network and one schwifty release always
gives the same answer. The register is dated by that release (schwifty is calendar-versioned);
a code it does not list is "unknown bank (code NNNN)", never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from typing import Any

from schwifty import BBAN, IBAN
from schwifty.exceptions import SchwiftyException

__all__ = ["UNKNOWN_BANK", "BankOf", "BankRegister", "bank_of", "bank_register"]

UNKNOWN_BANK = "unknown bank"


@dataclass(frozen=True, slots=True)
class BankOf:
    """The bank of one account as far as the case can tell."""

    country: str  # ISO 3166 alpha-2, "" when the account scheme tells none
    bank_code: str  # Norwegian registration number or the IBAN's bank code, "" when unknown
    bank: str  # the bank's name, or "unknown bank (code NNNN)"
    bic: str = ""  # the bank's BIC in the register, "" when the register gives none

    @property
    def known(self) -> bool:
        return not self.bank.startswith(UNKNOWN_BANK)

    @property
    def label(self) -> str:
        """One production order's addressee: a known bank by name and BIC (all its registration
        numbers together), an unknown one by country and code (each code apart)."""
        if self.known:
            return f"{self.bank} ({self.bic or f'{self.country} {self.bank_code}'})"
        if self.bank_code:
            return f"{UNKNOWN_BANK} ({self.country} code {self.bank_code})"
        return f"{UNKNOWN_BANK} ({self.country or 'no bank code'})"


@dataclass(frozen=True, slots=True)
class BankRegister:
    """Where the bank names come from and how old they are."""

    source: str
    version: str  # the schwifty release
    date: str  # its year and month (YYYY-MM), "" if the version does not say

    @property
    def sentence(self) -> str:
        dated = f" (released {self.date})" if self.date else ""
        return (
            f"Banks: {self.source}, as shipped in schwifty {self.version}{dated}. Registration numbers "
            "move when banks merge: check the current register before sending an order."
        )


@cache
def bank_register() -> BankRegister:
    """The installed register's source and date."""
    release = version("schwifty")
    calver = re.match(r"(\d{4})\.(\d{1,2})\.", release)  # YYYY.0M.micro
    date = f"{calver[1]}-{int(calver[2]):02d}" if calver else ""
    source = (
        "Norwegian registration numbers from the Bits AS register (bits.no), "
        "foreign banks by their IBAN's bank code from national registers"
    )
    return BankRegister(source, release, date)


def _unknown(country: str, code: str) -> BankOf:
    return BankOf(country, code, f"{UNKNOWN_BANK} (code {code})" if code else UNKNOWN_BANK)


def _field(entry: Any, key: str) -> str:
    """A register record's field: a dict in schwifty 2026.3.0, a ``Bank`` object in later releases."""
    value = entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)
    return " ".join(str(value or "").split())  # the register pads some names with spaces


def _from_register(country: str, code: str, bban: BBAN) -> BankOf:
    entry = bban.bank  # name and BIC from one record
    name = _field(entry, "name") if entry else ""
    if not name:
        return _unknown(country, code)
    return BankOf(country, code, name, _field(entry, "bic").upper())


@cache
def bank_of(account_id: str, scheme: str) -> BankOf:
    """The bank keeping ``account_id`` (a normalised account id of ``scheme``)."""
    if scheme == "no_bban" and len(account_id) == 11 and account_id.isdigit():
        return _from_register("NO", account_id[:4], BBAN("NO", account_id))
    if scheme == "iban" and len(account_id) > 4:
        iban = IBAN(account_id.upper(), allow_invalid=True)
        country = iban.country_code
        try:
            code = iban.bank_code
            return _from_register(country, code, iban.bban)
        except SchwiftyException:  # a country without an IBAN layout in the register
            return _unknown(country, "")
    return BankOf("", "", UNKNOWN_BANK)
