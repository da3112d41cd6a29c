"""Exact money text for views and reports: integer minor units in, a string out, no floats."""

from __future__ import annotations

__all__ = ["format_minor", "minor_exponent"]

#: ISO 4217 currencies whose minor unit is not 1/100 (all others: 2 decimals).
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}


def minor_exponent(currency: str) -> int:
    """Number of decimals of ``currency``'s minor unit (2 when unknown)."""
    return _EXPONENTS.get(str(currency).upper(), 2)


def format_minor(amount_minor: int, currency: str) -> str:
    """``123456789, "NOK"`` → ``"1 234 567.89 NOK"``: exact, thousands grouped by spaces."""
    amount = int(amount_minor)
    exponent = minor_exponent(currency)
    sign = "-" if amount < 0 else ""
    units, fraction = divmod(abs(amount), 10**exponent)
    text = f"{units:,}".replace(",", " ")
    if exponent:
        text += "." + str(fraction).zfill(exponent)
    return f"{sign}{text} {currency}"
