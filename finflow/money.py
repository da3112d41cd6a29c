"""Exact money: decimal text to integer minor units, per ISO 4217 currency.

Amounts are never floats. The minor-unit exponents come from ``data/iso4217.csv`` (ISO 4217
active codes; NOK, EUR, USD have 2, JPY and ISK 0, KWD and BHD 3).

Amounts of different currencies are never added: a total is a mapping currency → minor units
(:func:`totals_by_currency`), shown as ``NOK 797 394.00 + EUR 14 000.00``
(:func:`format_totals`). Totals are Python integers, so they cannot overflow; a case whose
amounts could overflow an int64 sum anywhere is refused once, when it is loaded
(:func:`check_totals_fit`), so the vectorised sums elsewhere are safe.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from finflow.arrowcol import arrow_text
from finflow.errors import FinflowError

__all__ = [
    "INT64_MAX",
    "MoneyOverflowError",
    "active_currencies",
    "check_totals_fit",
    "digits_to_minor",
    "format_minor",
    "format_totals",
    "is_currency",
    "main_currency",
    "minor_units",
    "parse_amounts",
    "row_exponents",
    "totals_by_currency",
]

#: The largest amount in minor units an int64 column (and an int64 sum) can hold.
INT64_MAX = 2**63 - 1


class MoneyOverflowError(FinflowError, OverflowError):
    """Amounts add up to more than an int64 sum can hold; the message says where."""


@cache
def _exponents() -> dict[str, int]:
    text = files("finflow").joinpath("data/iso4217.csv").read_text(encoding="utf-8")
    return {row["code"]: int(row["minor_units"]) for row in csv.DictReader(text.splitlines())}


def active_currencies() -> frozenset[str]:
    """The active ISO 4217 codes."""
    return frozenset(_exponents())


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 code."""
    return code in _exponents()


def minor_units(code: str) -> int:
    """Number of decimal places of the currency's minor unit (2 for NOK)."""
    return _exponents()[code]


def _text(values: pd.Series) -> pa.Array:
    """Stripped Arrow text of a column (nulls stay null)."""
    return pc.utf8_trim_whitespace(arrow_text(values))


def row_exponents(currencies: pd.Series, unknown: int = -1) -> np.ndarray:
    """Minor-unit exponent per row, ``unknown`` for a code that is not ISO 4217 (or null).

    Looked up once per distinct code.
    """
    encoded = pc.dictionary_encode(_text(currencies))
    known = _exponents()
    codes = encoded.dictionary.to_pylist()
    table = np.array([known.get(code, unknown) for code in codes] + [unknown], dtype=np.int64)
    indices = pc.fill_null(encoded.indices, len(table) - 1).to_numpy(zero_copy_only=False)
    return table[indices]


def _flag(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def parse_amounts(amounts: pd.Series, currencies: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse positive decimal strings to minor units for each row's currency.

    Returns ``(amount_minor, error)``: ``amount_minor`` is Int64 (null where invalid) and
    ``error`` is a string reason (null where valid). Accepts ``.`` or ``,`` as the decimal mark,
    no thousands separators; more decimals than the currency has is an error, not a rounding.
    Runs as Arrow kernels over the whole column: an import parses a million amounts.
    """
    text = _text(amounts)
    parts = pc.extract_regex(text, r"^(?P<whole>\d+)(?:[.,](?P<frac>\d+))?$")
    matched = _flag(pc.is_valid(parts))
    whole = pc.if_else(matched, parts.field("whole"), "0")
    frac = pc.if_else(matched, parts.field("frac"), "")
    exps = row_exponents(currencies)
    whole_len = pc.utf8_length(whole).to_numpy(zero_copy_only=False)
    frac_len = pc.utf8_length(frac).to_numpy(zero_copy_only=False)
    reasons = [
        (_flag(pc.equal(pc.fill_null(text, ""), "")), "amount is empty"),
        (~matched, "amount is not a positive decimal number"),
        (exps < 0, "unknown currency code"),
        (frac_len > exps, "amount has more decimals than the currency"),
        (whole_len > 15, "amount is too large"),
    ]
    failed = np.zeros(len(exps), dtype=bool)
    error = np.full(len(exps), None, dtype=object)
    for mask, reason in reasons:
        error[mask & ~failed] = reason
        failed |= mask
    ok = ~failed
    values = digits_to_minor(whole, frac, exps, ok)
    positive = ok & (values > 0)
    error[ok & ~positive] = "amount must be greater than zero"
    result = pd.Series(pd.array(values, dtype="Int64"), index=amounts.index).where(positive)
    return result, pd.Series(error, index=amounts.index, dtype="string")


def digits_to_minor(whole: pa.Array, frac: pa.Array, exps: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Minor units of ``whole``.``frac`` digit strings at each row's exponent; 0 where not ``valid``.

    The caller has checked the digits (digits only, at most ``exps`` decimals); an empty whole
    part reads as 0. Runs as Arrow casts, one per distinct exponent.
    """
    values = np.zeros(len(exps), dtype=np.int64)
    if not valid.any():
        return values
    safe_exps = np.where(valid, exps, 0)
    has_whole = valid & _flag(pc.greater(pc.utf8_length(whole), 0))
    values = _integers(pc.if_else(has_whole, whole, "0")) * 10**safe_exps
    for exp in np.unique(safe_exps[valid]):
        if exp:
            rows = valid & (safe_exps == exp)
            padded = pc.if_else(rows, pc.utf8_rpad(frac, width=int(exp), padding="0"), "0")
            values += np.where(rows, _integers(padded), 0)
    return values


def _integers(digits: pa.Array) -> np.ndarray:
    return np.asarray(pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def format_minor(amount_minor: int, currency: str) -> str:
    """``123456, 'NOK'`` → ``'NOK 1 234.56'`` (exact, thin-space free for terminals)."""
    exp = minor_units(currency) if is_currency(currency) else 2
    sign = "-" if amount_minor < 0 else ""
    whole, frac = divmod(abs(int(amount_minor)), 10**exp)
    whole_text = f"{whole:,}".replace(",", " ")
    return f"{currency} {sign}{whole_text}" + (f".{frac:0{exp}d}" if exp else "")


def totals_by_currency(amounts: pd.Series, currencies: pd.Series) -> dict[str, int]:
    """Exact total per currency (Python integers, never an overflow), currencies in code order."""
    totals: dict[str, int] = {}
    for amount, currency in zip(amounts.tolist(), currencies.astype("string").tolist(), strict=True):
        if amount is None or amount is pd.NA or currency is None or currency is pd.NA:
            continue
        totals[str(currency)] = totals.get(str(currency), 0) + int(amount)
    return dict(sorted(totals.items()))


def format_totals(totals: dict[str, int], *, whole: bool = False, empty: str = "nothing") -> str:
    """``{"EUR": 1400000, "NOK": 79739400}`` → ``'NOK 797 394.00 + EUR 14 000.00'``.

    NOK (the home currency) first, then the others in code order: a fixed order that implies
    nothing about which is worth more. ``whole`` drops a ``.00`` for sentences.
    """
    if not totals:
        return empty
    order = sorted(totals, key=lambda c: (c != "NOK", c))
    parts = []
    for currency in order:
        text = format_minor(totals[currency], currency)
        if whole and text.endswith(".00"):
            text = text[:-3]
        parts.append(text)
    return " + ".join(parts)


def check_totals_fit(amounts: np.ndarray, what: str = "the amounts") -> None:
    """Refuse amounts whose absolute values add up to more than an int64 can hold.

    If the sum of all absolute amounts fits, every sum of any subset fits too, so the int64 sums
    of the analysis (per account, per month, per currency) cannot wrap around. The check is a
    float sum first (exact enough far below the limit), an exact Python sum near it.
    """
    if len(amounts) == 0:
        return
    values = np.asarray(amounts, dtype=np.int64)
    if np.abs(values.astype(np.float64)).sum() < 2.0**62:
        return
    total = sum(abs(a) for a in values.tolist())
    if total > INT64_MAX:
        largest = max(abs(a) for a in values.tolist())
        raise MoneyOverflowError(
            f"{what} add up to {total:,} minor units, more than the {INT64_MAX:,} a total can hold "
            f"(largest single amount {largest:,}); check the extracts for amounts that are not real"
        )


def main_currency(currencies: pd.Series, default: str = "NOK") -> str:
    """The currency most transactions are in (ties by code; ``default`` when there are none).

    Where one figure must stand for money (an arrow's width, a node's volume, a graph weight),
    it is the amount in this currency alone, never a sum over currencies.
    """
    counts = currencies.dropna().astype(str).value_counts()
    if counts.empty:
        return default
    top = counts.max()
    return sorted(c for c, n in counts.items() if n == top)[0]
