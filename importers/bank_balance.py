"""The statements a bank CSV export gives: its period and, where it has a balance column, balances.

A bank export has no declared period, so its period is the first to last booking date of its
booked rows (``period_basis`` "entries"). Where the export has a running balance column
(Nordea's ``Saldo``), each row's balance must be the previous row's plus its amount; a row where
that fails starts a new statement, so rows missing from the middle of an export (a month cut
out) show as a gap between two statements and a balance break with its amounts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from . import bank_text as bt
from .bank_profiles import header_key
from .base import Source
from .statements import statement_frame

__all__ = ["BALANCE_HEADERS", "balance_position", "export_statements"]

#: Header keys (finflow.importers.bank_profiles.header_key) of a booked running-balance column.
BALANCE_HEADERS: frozenset[str] = frozenset({"saldo", "balance", "bokfrtsaldo", "bokfortsaldo"})
#: More breaks than this in one export: the rows are not in booking order, so the balances say
#: nothing about missing rows and the export is kept as one statement without balances.
MAX_BREAKS = 12


def balance_position(columns: list[str]) -> int | None:
    """Position of the running-balance column among the export's header cells, if it has one."""
    for position, column in enumerate(columns):
        if column != "source_locator" and header_key(column) in BALANCE_HEADERS:
            return position
    return None


def _balances(text: pd.Series, currency: pd.Series) -> np.ndarray | None:
    """Minor units of every balance cell, or None when one is blank or unreadable."""
    values = bt.arrow(text.fillna("").str.strip())
    if bool(pc.any(pc.equal(values, "")).as_py()):
        return None
    negative, whole, frac = bt.parse_money(values)
    minor, error = bt.to_minor(whole, frac, currency, "balance")
    if error.notna().any():
        return None
    return np.where(negative, -minor, minor).astype(np.int64)


def export_statements(good: pd.DataFrame, own: str, balance_text: pd.Series | None, source: Source) -> pd.DataFrame:
    """The export's statements (``statements`` table rows) from its booked rows in file order."""
    if good.empty:
        return statement_frame([], source)
    dates = pd.to_datetime(good["booking_date"]).dt.date.to_numpy()
    currencies = good["currency"].astype("string")
    single = currencies.nunique() == 1
    currency = str(currencies.iloc[0]) if single else None
    credit = (good["to_account"] == own).fillna(False).to_numpy(dtype=bool)
    amounts = good["amount_minor"].to_numpy(dtype=np.int64)
    signed = np.where(credit, amounts, -amounts)
    balances = None
    if single and balance_text is not None:
        balances = _balances(balance_text, currencies.reset_index(drop=True))
    if dates[0] > dates[-1]:  # newest first: read from the oldest row
        dates, signed = dates[::-1], signed[::-1]
        balances = balances[::-1] if balances is not None else None
    locators = good["source_locator"].astype("string").to_numpy()
    if len(locators) and dates[0] != min(dates):
        balances = None
    cuts = [0]
    if balances is not None:
        breaks = np.flatnonzero(balances[1:] != balances[:-1] + signed[1:]) + 1
        if len(breaks) > MAX_BREAKS:
            balances = None
        else:
            cuts += breaks.tolist()
    bounds = list(zip(cuts, [*cuts[1:], len(dates)], strict=True))
    periods = []
    for start, end in bounds:
        part = slice(start, end)
        ins, outs = signed[part][signed[part] > 0].sum(), -signed[part][signed[part] < 0].sum()
        first, last = locators[part][0], locators[part][-1]
        where = "file" if len(bounds) == 1 else f"{first}..{last}"
        periods.append(
            (
                where, own, None, min(dates[part]).isoformat(), max(dates[part]).isoformat(), "entries", currency,
                int(balances[start] - signed[start]) if balances is not None else None,
                int(balances[end - 1]) if balances is not None else None,
                int(ins) if single else None, int(outs) if single else None, end - start,
            )
        )
    return statement_frame(periods, source)


