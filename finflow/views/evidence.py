"""Evidence tables: the transactions a finding rests on, each with its source file and row."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from finflow.money import format_minor

__all__ = ["EVIDENCE_COLUMNS", "EVIDENCE_SOURCE_COLUMNS", "evidence_rows", "evidence_table"]

EVIDENCE_COLUMNS = ["date", "amount", "from", "to", "text", "source file:row"]

#: The transaction columns an evidence table reads (pass them to ``FlowIndex.rows(columns=...)``).
EVIDENCE_SOURCE_COLUMNS = [
    "txn_id", "booking_date", "amount_minor", "currency", "from_account", "from_name", "to_account",
    "to_name", "channel", "description", "source_file", "source_locator",
]  # fmt: skip


def _party(account: object, name: object, channel: object, side: str) -> str:
    if pd.isna(account):
        cash = "cash_deposit" if side == "from" else "cash_withdrawal"
        account = "cash" if channel == cash else "(no account)"
    return f"{name} ({account})" if pd.notna(name) else str(account)


def evidence_table(
    transactions: pd.DataFrame, txn_ids: Sequence[str], limit: int | None = None
) -> tuple[list[list[str]], int]:
    """The first ``limit`` rows (all when None) of :func:`evidence_rows`, and how many there are.

    Only the rows shown are formatted: a finding resting on thousands of transactions lists 50.
    """
    wanted = transactions[transactions["txn_id"].astype("string").isin(list(txn_ids)).to_numpy(dtype=bool)]
    wanted = wanted.sort_values(["booking_date", "txn_id"], kind="stable")
    shown = wanted if limit is None else wanted.iloc[:limit]
    rows = []
    for t in shown[EVIDENCE_SOURCE_COLUMNS].itertuples(index=False):
        rows.append(
            [
                f"{pd.Timestamp(t.booking_date):%Y-%m-%d}",
                format_minor(t.amount_minor, t.currency),
                _party(t.from_account, t.from_name, t.channel, "from"),
                _party(t.to_account, t.to_name, t.channel, "to"),
                "" if pd.isna(t.description) else str(t.description),
                f"{t.source_file}:{t.source_locator}",
            ]
        )
    return rows, len(wanted)


def evidence_rows(transactions: pd.DataFrame, txn_ids: Sequence[str]) -> list[list[str]]:
    """Rows of date, amount, from, to, text, source file:row — by date, then transaction id."""
    return evidence_table(transactions, txn_ids)[0]
