"""GEXF and GraphML export: the aggregated money graph for Gephi, Gephi Lite, yEd, Cytoscape.

One node per account (and one ``cash`` node), one edge per (payer account, payee account) with the
number of transactions, the exact total per currency (``total_<CUR>`` as decimal text and
``total_minor_<CUR>`` as integer minor units; currencies are never added together), the first and
last date, and ``weight``: the total in the case's main currency, in major units, only for
drawing (pairs that moved only other currencies weigh 0.01). Nodes carry ``kind`` (account, cash),
``holder``, ``holder_kind`` (person, company, unknown), ``holder_deleted`` (the date the register
deleted the holding company, or empty), ``role`` (the role the ranking gives the
account or its holder: controller, possible_victim, ...), ``score``, ``priority``, ``rank``,
``findings`` (how many) and ``finding_ids`` / ``review`` (review statuses), so Gephi can colour
by role and size by score without further work. Text is stripped of control characters (XML 1.0
cannot hold them).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from finflow.company_status import deleted_accounts
from finflow.exports.context import ExportCase, decimal_text
from finflow.graph import CASH_NODE, account_holders, flows
from finflow.money import is_currency, main_currency, minor_units
from finflow.terminal import clean

__all__ = ["money_graph_export", "write_gexf", "write_graphml"]


def _subject_rows(case: ExportCase) -> dict[str, dict[str, Any]]:
    """Per account id: the ranking row that covers it (the account itself, or its holder party)."""
    out: dict[str, dict[str, Any]] = {}
    for table in (case.ranking.victims, case.ranking.suspects):  # suspects win on overlap
        for row in table.itertuples(index=False):
            info = {"role": str(row.role), "score": float(row.score), "priority": float(row.priority),
                    "rank": int(row.rank)}  # fmt: skip
            accounts = [a for a in str(row.accounts or "").split(",") if a]
            if row.subject_kind == "account":
                accounts.append(str(row.subject_id))
            for account in accounts:
                out[account] = info
    return out


def _findings_per_account(case: ExportCase) -> dict[str, list[str]]:
    info = {str(a): str(p) for a, p in zip(case.data.accounts["account_id"], case.data.accounts["holder_party_id"],
                                           strict=True) if isinstance(p, str)}  # fmt: skip
    party_accounts: dict[str, list[str]] = {}
    for account, party in info.items():
        party_accounts.setdefault(party, []).append(account)
    out: dict[str, list[str]] = {}
    for finding in case.findings:
        for subject in finding.subjects:
            accounts = [subject.id] if subject.kind == "account" else party_accounts.get(subject.id, [])
            for account in accounts:
                if finding.finding_id not in out.setdefault(account, []):
                    out[account].append(finding.finding_id)
    return out


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return clean(str(value))


def money_graph_export(case: ExportCase) -> nx.DiGraph:
    """The aggregated money graph with the attributes above (only str, int, float, bool values)."""
    data = case.data
    graph = nx.DiGraph()
    holders = account_holders(data)
    subjects = _subject_rows(case)
    per_account = _findings_per_account(case)
    agg = flows(data)
    deleted = deleted_accounts(data)
    nodes = sorted(set(holders.index.astype(str)) | set(agg["from_node"].astype(str)) | set(agg["to_node"].astype(str)))
    for node in nodes:
        if node == CASH_NODE:
            graph.add_node(node, label="cash", kind="cash", holder="", holder_kind="", holder_deleted="", role="",
                           score=0.0, priority=0.0, rank=0, findings=0, finding_ids="", review="")  # fmt: skip
            continue
        holder = holders.loc[node] if node in holders.index else None
        name = _text(holder["holder_name"]) if holder is not None else ""
        subject = subjects.get(node, {})
        fids = per_account.get(node, [])
        graph.add_node(
            node,
            label=name or node,
            kind="account",
            holder=name,
            holder_kind=_text(holder["kind"]) if holder is not None else "",
            holder_deleted=deleted.get(node, ""),
            role=subject.get("role", "none"),
            score=subject.get("score", 0.0),
            priority=subject.get("priority", 0.0),
            rank=subject.get("rank", 0),
            findings=len(fids),
            finding_ids=" ".join(fids),
            review=" ".join(sorted({case.review_label(f) for f in fids})) if fids else "",
        )
    main = main_currency(data.transactions["currency"]) if len(data.transactions) else "NOK"
    exp = minor_units(main) if is_currency(main) else 2
    for (source, target), group in agg.groupby(["from_node", "to_node"], sort=True, observed=True):
        attrs: dict[str, Any] = {
            "txn_count": int(group["txn_count"].sum()),
            "first_date": pd.Timestamp(group["first_date"].min()).date().isoformat(),
            "last_date": pd.Timestamp(group["last_date"].max()).date().isoformat(),
            "currencies": " ".join(sorted(group["currency"].astype(str))),
        }
        weight = 0
        for currency, amount in zip(group["currency"].astype(str), group["amount_minor"], strict=True):
            attrs[f"total_{currency}"] = decimal_text(int(amount), currency)
            attrs[f"total_minor_{currency}"] = int(amount)
            if currency == main:
                weight = int(amount)
        attrs["weight"] = weight / 10**exp if weight else 0.01
        graph.add_edge(str(source), str(target), **attrs)
    return graph


def _atomic(out: Path, write: Any, graph: nx.DiGraph) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    write(graph, tmp)
    os.replace(tmp, out)
    return out


def write_gexf(case: ExportCase, out: str | Path) -> tuple[Path, int]:
    graph = money_graph_export(case)
    return _atomic(Path(out), nx.write_gexf, graph), graph.number_of_edges()


def write_graphml(case: ExportCase, out: str | Path) -> tuple[Path, int]:
    graph = money_graph_export(case)
    return _atomic(Path(out), nx.write_graphml, graph), graph.number_of_edges()
