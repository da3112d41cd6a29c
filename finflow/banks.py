"""Which bank keeps an account: a Norwegian bank from its registration number, a foreign one
from its IBAN's country and bank code.

The Norwegian table is a dated package file (``finflow/data/no_bank_codes.csv``) that states
its source; a code it does not list is "unknown bank", never a guess.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["UNKNOWN_BANK", "BankOf", "BankTable", "bank_of", "bank_table"]

UNKNOWN_BANK = "unknown bank"
TABLE_FILE = "no_bank_codes.csv"

#: Where the bank code sits in a country's IBAN, after the four characters of country and check
#: digits: (start, length) in the BBAN (ECBS/SWIFT IBAN registry layouts).
IBAN_BANK_CODE: dict[str, tuple[int, int]] = {
    "AT": (0, 5), "BE": (0, 3), "BG": (0, 4), "CH": (0, 5), "CZ": (0, 4), "DE": (0, 8), "DK": (0, 4),
    "EE": (0, 2), "ES": (0, 4), "FI": (0, 3), "FR": (0, 5), "GB": (0, 4), "HU": (0, 3), "IE": (0, 4),
    "IT": (1, 5), "LT": (0, 5), "LV": (0, 4), "NL": (0, 4), "NO": (0, 4), "PL": (0, 8), "PT": (0, 4),
    "RO": (0, 4), "SE": (0, 3), "SK": (0, 4), "UA": (0, 6),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class BankOf:
    """The bank of one account as far as the case can tell."""

    country: str  # ISO 3166 alpha-2, "" when the account scheme tells none
    bank_code: str  # Norwegian registration number or the IBAN's bank code, "" when unknown
    bank: str  # the bank's name, or UNKNOWN_BANK

    @property
    def label(self) -> str:
        code = f" {self.bank_code}" if self.bank_code else ""
        return f"{self.bank} ({self.country or '?'}{code})"


@dataclass(frozen=True, slots=True)
class BankTable:
    """Norwegian registration-number ranges and the table's own source and date lines."""

    ranges: tuple[tuple[int, int, str], ...]
    source: str
    date: str

    def name(self, code: str) -> str:
        if not code.isdigit():
            return UNKNOWN_BANK
        number = int(code)
        return next((bank for low, high, bank in self.ranges if low <= number <= high), UNKNOWN_BANK)


@cache
def bank_table() -> BankTable:
    """The shipped table (read once)."""
    text = resources.files("finflow.data").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    source_lines, in_source, date = [], False, ""
    for comment in comments:  # "source:" may run on over indented lines, up to "date:"
        if comment.startswith("date:"):
            in_source, date = False, comment.removeprefix("date:").strip()
        elif comment.startswith("source:"):
            in_source = True
            source_lines.append(comment.removeprefix("source:").strip())
        elif in_source:
            source_lines.append(comment)
    source = " ".join(source_lines)
    rows = csv.DictReader(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#"))))
    ranges = tuple((int(r["code_from"]), int(r["code_to"]), r["bank"]) for r in rows)
    return BankTable(ranges, source, date)


def bank_of(account_id: str, scheme: str) -> BankOf:
    """The bank keeping ``account_id`` (a normalised account id of ``scheme``)."""
    if scheme == "no_bban" and len(account_id) == 11:
        code = account_id[:4]
        return BankOf("NO", code, bank_table().name(code))
    if scheme == "iban" and len(account_id) > 4:
        country, bban = account_id[:2].upper(), account_id[4:]
        start, length = IBAN_BANK_CODE.get(country, (0, 4))
        code = bban[start : start + length]
        bank = bank_table().name(code) if country == "NO" else UNKNOWN_BANK
        return BankOf(country, code, bank)
    return BankOf("", "", UNKNOWN_BANK)
