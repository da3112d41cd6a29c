"""The case as networkx graphs.

Transactions are aggregated before they become edges: one edge per (payer, payee) pair carrying
the count, total and first/last date of the transactions between them. That keeps a 1M-row case
to a graph networkx handles in seconds (see docs on performance) while every edge still leads
back to its transactions through ``txn_id`` in the transactions table.

Node ids: account ids as they are; ``cash`` for the cash side of deposits and withdrawals.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from finflow.casedata import CaseData
from finflow.normalize import guess_party_kind

__all__ = ["CASH_NODE", "account_holders", "flows", "money_graph", "money_weights"]

CASH_NODE = "cash"


def account_holders(data: CaseData) -> pd.DataFrame:
    """Per account: holder party id, name and kind (person, company or unknown).

    The kind comes from the holder party when one is known, else from the name's legal-form
    suffix (``AS``, ``ASA``, ``Ltd`` …).
    """
    accounts = data.accounts[["account_id", "holder_party_id", "holder_name", "country"]].copy()
    parties = data.parties.drop_duplicates("party_id").set_index("party_id")
    kind = accounts["holder_party_id"].map(parties["kind"]).astype("string")
    guessed = pd.Series(
        [guess_party_kind(n if isinstance(n, str) else None) for n in accounts["holder_name"]],
        index=accounts.index,
        dtype="string",
    )
    accounts["kind"] = kind.where(kind.notna() & (kind != "unknown"), guessed)
    return accounts.set_index("account_id")


def flows(data: CaseData) -> pd.DataFrame:
    """Transactions aggregated per (from_node, to_node, currency)."""
    tx = data.transactions
    frame = pd.DataFrame(
        {
            "from_node": tx["from_account"].astype("string").fillna(CASH_NODE),
            "to_node": tx["to_account"].astype("string").fillna(CASH_NODE),
            "currency": tx["currency"].astype("string"),
            "amount_minor": tx["amount_minor"],
            "booking_date": tx["booking_date"],
        }
    )
    grouped = frame.groupby(["from_node", "to_node", "currency"], observed=True, sort=True)
    return grouped.agg(
        amount_minor=("amount_minor", "sum"),
        txn_count=("amount_minor", "size"),
        first_date=("booking_date", "min"),
        last_date=("booking_date", "max"),
    ).reset_index()


def money_weights(agg: pd.DataFrame, currency: str) -> pd.DataFrame:
    """One weight per (from_node, to_node) of :func:`flows` rows, for graph algorithms.

    The weight is the money in ``currency`` (the case's main currency) between the pair: minor
    units of different currencies never add up. A pair that only moved other currencies weighs
    one minor unit — it stays connected without claiming an amount it cannot be compared by.
    """
    in_currency = agg["amount_minor"].where(agg["currency"] == currency, 0)
    pairs = agg.assign(weight=in_currency).groupby(["from_node", "to_node"], sort=True)["weight"].sum()
    pairs = pairs.clip(lower=1).astype("int64")
    return pairs.reset_index()


def money_graph(data: CaseData) -> nx.DiGraph:
    """Directed graph of aggregated flows; node attributes from the account holders."""
    graph = nx.DiGraph()
    holders = account_holders(data)
    for account_id, row in holders.iterrows():
        graph.add_node(account_id, kind="account", holder=row["holder_name"], holder_kind=row["kind"])
    graph.add_node(CASH_NODE, kind="cash")
    agg = flows(data)
    for row in agg.itertuples(index=False):
        if graph.has_edge(row.from_node, row.to_node):
            # several currencies between one pair: keep per-currency totals
            graph[row.from_node][row.to_node]["by_currency"][row.currency] = int(row.amount_minor)
            graph[row.from_node][row.to_node]["txn_count"] += int(row.txn_count)
            continue
        graph.add_edge(
            row.from_node,
            row.to_node,
            by_currency={row.currency: int(row.amount_minor)},
            txn_count=int(row.txn_count),
            first_date=row.first_date,
            last_date=row.last_date,
        )
    return graph
