"""Exact money: decimal text to integer minor units, per ISO 4217 currency.

Amounts are never floats. The minor-unit exponents come from ``data/iso4217.csv`` (ISO 4217
active codes; NOK, EUR, USD have 2, JPY and ISK 0, KWD and BHD 3).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["format_minor", "is_currency", "minor_units", "parse_amounts"]

# digits, optionally one decimal mark ("." or ",") followed by digits
_AMOUNT = r"^(\d+)(?:[.,](\d+))?$"


@cache
def _exponents() -> dict[str, int]:
    text = files("finflow").joinpath("data/iso4217.csv").read_text(encoding="utf-8")
    return {row["code"]: int(row["minor_units"]) for row in csv.DictReader(text.splitlines())}


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 code."""
    return code in _exponents()


def minor_units(code: str) -> int:
    """Number of decimal places of the currency's minor unit (2 for NOK)."""
    return _exponents()[code]


def _extract(text: pd.Series) -> pd.DataFrame:
    """Whole and fractional digits of each amount (null where the text is not an amount)."""
    array = pa.array(text.astype(object).where(text.notna(), None).tolist(), type=pa.string())
    struct = pc.extract_regex(array, r"^(?P<whole>\d+)(?:[.,](?P<frac>\d+))?$")
    matched = struct.is_valid().to_numpy(zero_copy_only=False)
    whole = pd.Series(struct.field("whole").to_pandas(), dtype="string").where(matched)
    frac = pd.Series(struct.field("frac").to_pandas(), dtype="string").where(matched)
    frac = frac.mask(frac == "")
    return pd.DataFrame({0: whole.to_numpy(), 1: frac.to_numpy()}, index=text.index, dtype="string")


def parse_amounts(amounts: pd.Series, currencies: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse positive decimal strings to minor units for each row's currency.

    Returns ``(amount_minor, error)``: ``amount_minor`` is Int64 (null where invalid) and
    ``error`` is a string reason (null where valid). Accepts ``.`` or ``,`` as the decimal mark,
    no thousands separators; more decimals than the currency has is an error, not a rounding.
    """
    text = amounts.astype("string").str.strip()
    parts = _extract(text)
    exps = currencies.astype("string").map(_exponents()).astype("Int64")
    error = pd.Series(pd.NA, index=amounts.index, dtype="string")
    error = error.mask(text.isna() | (text == ""), "amount is empty")
    error = error.mask(error.isna() & parts[0].isna(), "amount is not a positive decimal number")
    error = error.mask(error.isna() & exps.isna(), "unknown currency code")
    frac = parts[1].fillna("")
    too_precise = frac.str.len().astype("Int64") > exps
    error = error.mask(error.isna() & too_precise.fillna(False), "amount has more decimals than the currency")
    ok = error.isna().to_numpy()
    result = pd.Series(pd.NA, index=amounts.index, dtype="Int64")
    if ok.any():
        whole = parts[0][ok].astype("string")
        too_long = whole.str.len() > 15
        exp = exps[ok].astype("int64").to_numpy()
        padded = frac[ok].astype("string").to_numpy(dtype=object)
        fracs = np.array([f + "0" * (e - len(f)) if e else "0" for f, e in zip(padded, exp, strict=True)])
        values = whole.mask(too_long, "0").astype("int64").to_numpy() * (10**exp) + fracs.astype("int64")
        result[ok] = values
        result = result.mask(result.fillna(1) <= 0)
        error = error.mask(error.isna() & result.isna(), "amount must be greater than zero")
        overflow = pd.Series(False, index=amounts.index)
        overflow[ok] = too_long.to_numpy()
        error = error.mask(overflow, "amount is too large")
        result = result.mask(overflow)
    return result, error


def format_minor(amount_minor: int, currency: str) -> str:
    """``123456, 'NOK'`` → ``'NOK 1 234.56'`` (exact, thin-space free for terminals)."""
    exp = minor_units(currency) if is_currency(currency) else 2
    sign = "-" if amount_minor < 0 else ""
    whole, frac = divmod(abs(int(amount_minor)), 10**exp)
    whole_text = f"{whole:,}".replace(",", " ")
    return f"{currency} {sign}{whole_text}" + (f".{frac:0{exp}d}" if exp else "")
