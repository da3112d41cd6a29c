"""What the labelled benchmark formats share: exact amounts and the ground truth they carry.

Public AML benchmark data (IBM AMLworld, AMLGentex) comes with a label per transaction. The
adapters import the transactions like any other source; the label stays out of the case (an
investigator's data has none) and is read, by the same adapter, into a *truth document* that
``finflow evaluate`` scores findings against::

    {"source": "HI-Small_Trans.csv",
     "roles": {"fan_in": ["10/8000EBD30", ...], ...},   # per typology, where the data says which
     "laundering_accounts": [...],
     "laundering_txn_ids": [...]}                        # the ids finflow gives those transactions

This is the shape of the AMLGentex development set's ``truth.json`` (its ``roles``), plus the
transaction-level labels.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from finflow.money import minor_units, parse_amounts

from .base import Source

__all__ = ["TRUTH_SOURCE", "amounts_to_minor", "truth_document"]

_TOO_MANY_DECIMALS = "amount has more decimals than the currency"

#: A placeholder source for computing transaction ids outside an import (ids depend on content only).
TRUTH_SOURCE = Source(path="", name="truth", sha256="", batch_id="truth")


def amounts_to_minor(amounts: pd.Series, currencies: pd.Series) -> tuple[pd.Series, pd.Series, int]:
    """Decimal amount text to integer minor units of each row's ISO currency.

    Exact wherever the text has no more decimals than the currency (Arrow kernels over the whole
    column). Simulators write floats with more decimals than money has; those amounts are
    rounded to the currency's minor unit, half to even, with :class:`decimal.Decimal` (never a
    float). Returns ``(amount_minor, error, rounded)``: Int64 amounts (null where invalid), the
    reason per invalid row, and how many amounts were rounded.
    """
    amount, error = parse_amounts(amounts, currencies)
    fix = (error == _TOO_MANY_DECIMALS).fillna(False).to_numpy(dtype=bool)
    if not fix.any():
        return amount, error, 0
    values = amount.astype("object").to_numpy(copy=True)
    reasons = error.astype("object").to_numpy(copy=True)
    texts = amounts.astype("string").str.strip().to_numpy(dtype=object)
    codes = currencies.astype("string").str.strip().to_numpy(dtype=object)
    rounded = 0
    for i in np.flatnonzero(fix):
        exp = minor_units(str(codes[i]))
        try:
            quantum = Decimal(str(texts[i]).replace(",", ".")).quantize(Decimal(1).scaleb(-exp), ROUND_HALF_EVEN)
        except InvalidOperation:
            reasons[i] = "amount is not a positive decimal number"
            continue
        minor = int(quantum.scaleb(exp))
        if minor <= 0:
            reasons[i] = "amount must be greater than zero"
            continue
        values[i], reasons[i] = minor, None
        rounded += 1
    out = pd.Series(pd.array(list(values), dtype="Int64"), index=amounts.index)
    return out, pd.Series(list(reasons), index=amounts.index, dtype="string"), rounded


def truth_document(
    source: str,
    txn_ids: pd.Series,
    froms: pd.Series,
    tos: pd.Series,
    typologies: pd.Series | None = None,
) -> dict:
    """The truth document of the labelled transactions (ids, payer and payee, typology or null)."""
    accounts = sorted({str(a) for a in pd.concat([froms, tos]).dropna()})
    roles: dict[str, list[str]] = {}
    if typologies is not None:
        frame = pd.DataFrame({"t": typologies.to_numpy(), "f": froms.to_numpy(), "o": tos.to_numpy()})
        for typology, group in frame.dropna(subset=["t"]).groupby("t", sort=True):
            roles[str(typology)] = sorted({str(a) for a in pd.concat([group["f"], group["o"]]).dropna()})
    return {
        "source": source,
        "roles": roles,
        "laundering_accounts": accounts,
        "laundering_txn_ids": sorted(str(t) for t in txn_ids),
    }
