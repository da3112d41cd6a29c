"""Hand-built CaseData fixtures for the tracing tests (and a check that they load as intended)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from finflow.casedata import CaseData
from finflow.model import SCHEMAS

NOK = 100  # øre per krone


def tx(
    txn_id: str,
    date: str,
    amount_minor: int,
    frm: str | None,
    to: str | None,
    *,
    time: str | None = None,
    to_country: str | None = None,
    from_country: str | None = None,
    currency: str = "NOK",
) -> dict[str, Any]:
    """One transaction row; ``frm=None`` is a cash deposit, ``to=None`` a cash withdrawal."""
    channel = "cash_deposit" if frm is None else "cash_withdrawal" if to is None else "transfer"
    return {
        "txn_id": txn_id,
        "booking_date": pd.Timestamp(date),
        "booking_time": time,
        "amount_minor": amount_minor,
        "currency": currency,
        "from_account": frm,
        "to_account": to,
        "from_country": from_country,
        "to_country": to_country,
        "channel": channel,
        "description": None,
        "source_file": "synthetic.csv",
        "source_sha256": "0" * 64,
        "source_locator": f"row {txn_id}",
        "batch_id": "batch-test",
    }


def case(rows: list[dict[str, Any]], holders: dict[str, str] | None = None) -> CaseData:
    """A CaseData with these transactions and, optionally, account → holder party ids."""
    tx_frame = pd.DataFrame(rows)
    for column in SCHEMAS["transactions"].names:
        if column not in tx_frame.columns:
            tx_frame[column] = None
    tables = {"transactions": tx_frame}
    if holders:
        tables["accounts"] = pd.DataFrame(
            {
                "account_id": list(holders),
                "scheme": "other",
                "validated": False,
                "country": "NO",
                "holder_party_id": list(holders.values()),
                "holder_name": None,
                "source_file": "synthetic.csv",
                "source_sha256": "0" * 64,
                "source_locator": "accounts",
                "batch_id": "batch-test",
            }
        )
    return CaseData.from_tables(tables)


def worked_example() -> CaseData:
    """The worked example of the domain notes (section 4), amounts in øre.

    Account MIX: salary C 10 000, proceeds T 30 000, 25 000 to the car dealer (asset A),
    salary C 5 000, 15 000 abroad (B).
    """
    return case(
        [
            tx("t1", "2024-01-01", 10_000 * NOK, "EMPLOYER", "MIX"),
            tx("t2", "2024-01-02", 30_000 * NOK, "VICTIM", "MIX"),
            tx("t3", "2024-01-03", 25_000 * NOK, "MIX", "CARDEALER"),
            tx("t4", "2024-01-04", 5_000 * NOK, "EMPLOYER", "MIX"),
            tx("t5", "2024-01-05", 15_000 * NOK, "MIX", "LT123", to_country="LT"),
        ]
    )


def test_worked_example_loads_with_dates_and_exact_amounts() -> None:
    data = worked_example()
    tx_frame = data.transactions
    assert tx_frame["amount_minor"].dtype == "int64"
    assert tx_frame["amount_minor"].sum() == 85_000 * NOK
    assert list(tx_frame["ts"].dt.day) == [1, 2, 3, 4, 5]
    assert not tx_frame["has_time"].any()
