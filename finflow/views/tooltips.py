"""Tooltip text for drawn nodes and edges: plain strings, never markup.

vis-network 9 shows a string ``title`` with ``innerText``, so whatever an extract contains is
shown as text. Totals are exact (integer minor units formatted per currency); personal
identifiers (birth dates, id numbers, phones, e-mails) appear only when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from finflow.casedata import CaseData
from finflow.money import format_minor
from finflow.views.graph import CaseGraph

__all__ = ["ROLE_TEXT", "clip", "edge_titles", "node_titles", "short_amount", "totals_text"]

ROLE_TEXT = {
    "possible_victim": "possible victim (for protection, not suspicion)",
    "controller": "controller (suspected)",
    "facilitator": "facilitator (suspected)",
    "front": "front (suspected)",
    "sink": "sink: where the money leaves (suspected)",
    "unknown": "flagged, role unclear",
    "context": "context (a counterparty, not suspected)",
}

_MAX_MARKS = 5
_MAX_EXAMPLES = 3


def clip(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters (extract text can be long or multi-line)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _money_by(flows: pd.DataFrame, by: list[str]) -> dict[tuple, tuple[int, list[str]]]:
    """Per group of ``by`` columns: transaction count and exact per-currency totals.

    Plain Python over sorted lists: one pass, no per-group pandas objects (thousands of groups).
    """
    grouped = flows.groupby([*by, "currency"], sort=True)[["amount", "txn_count"]].sum().reset_index()
    out: dict[tuple, tuple[int, list[str]]] = {}
    columns = [grouped[c].tolist() for c in by]
    for i, (currency, amount, count) in enumerate(
        zip(
            grouped["currency"].tolist(),
            grouped["amount"].tolist(),
            grouped["txn_count"].tolist(),
            strict=True,
        )
    ):
        key = tuple(col[i] for col in columns)
        total, parts = out.get(key, (0, []))
        parts.append(format_minor(amount, currency))
        out[key] = (total + int(count), parts)
    return out


def totals_text(flows: pd.DataFrame, by: str) -> dict[str, str]:
    """``key → "12 txns: 1 000.00 NOK; 5.00 EUR"`` from rows of ``by``, currency, amount, count."""
    return {
        key[0]: f"{_plural(count, 'txn')}: {'; '.join(parts)}" for key, (count, parts) in _money_by(flows, [by]).items()
    }


def _records(frame: pd.DataFrame, key: str) -> dict[str, dict]:
    """Rows by key (first row wins), as plain dicts with missing values as None."""
    frame = frame.drop_duplicates(key)
    frame = frame.astype(object).where(frame.notna(), None)
    return {str(r[key]): r for r in frame.to_dict("records")}


def node_titles(
    graph: CaseGraph,
    data: CaseData,
    keys: pd.Index,
    *,
    include_personal_ids: bool = False,
) -> dict[str, str]:
    """Tooltip per drawn node key.

    Titles are kept with the graph, so views sharing one graph (the subject views) compute each
    node's title once.
    """
    known: dict[str, str] = graph.cache.setdefault(("node_titles", include_personal_ids), {})
    wanted = [str(k) for k in keys]
    missing = [k for k in wanted if k not in known]
    if missing:
        known.update(_node_titles(graph, data, pd.Index(missing), include_personal_ids=include_personal_ids))
    titles = {k: known[k] for k in wanted if k in known}
    if graph.centre in titles:
        titles[graph.centre] += "\n(centre of this view)"
    return titles


def _node_titles(
    graph: CaseGraph,
    data: CaseData,
    keys: pd.Index,
    *,
    include_personal_ids: bool = False,
) -> dict[str, str]:
    flows = graph.flows
    out_tot = totals_text(flows[flows["source"].isin(keys)], "source")
    in_tot = totals_text(flows[flows["target"].isin(keys)], "target")
    nodes = graph.nodes[graph.nodes["key"].isin(keys)]
    raw_ids = nodes["raw_id"]
    parties = _records(data.parties[data.parties["party_id"].isin(raw_ids)], "party_id")
    accounts = _records(data.accounts[data.accounts["account_id"].isin(raw_ids)], "account_id")
    idents: dict[str, list[tuple[str, str]]] = {}
    if include_personal_ids:
        for pid, kind, value in zip(
            data.identifiers["party_id"].tolist(),
            data.identifiers["kind"].tolist(),
            data.identifiers["value"].tolist(),
            strict=True,
        ):
            idents.setdefault(str(pid), []).append((str(kind), str(value)))
    titles: dict[str, str] = {}
    deleted = nodes["deleted"].tolist() if "deleted" in nodes.columns else [""] * len(nodes)
    for key, kind, raw_id, label, gone in zip(
        nodes["key"].tolist(),
        nodes["kind"].tolist(),
        nodes["raw_id"].tolist(),
        nodes["label"].tolist(),
        deleted,
        strict=True,
    ):
        key, kind, raw_id, label = str(key), str(kind), str(raw_id), str(label)
        lines = [f"{kind}: {clip(label)}"]
        if isinstance(gone, str) and gone:
            lines.append(f"deleted from the register on {gone} (no longer exists)")
        if raw_id and raw_id != label:
            lines.append(f"id: {clip(raw_id)}")
        acct = accounts.get(raw_id) if kind == "account" else None
        if acct is not None:
            if acct.get("holder_name"):
                lines.append(f"holder: {clip(acct['holder_name'])}")
            if acct.get("scheme"):
                checked = "validated" if acct.get("validated") else "not validated"
                lines.append(f"scheme: {acct['scheme']} ({checked})")
            if acct.get("country"):
                lines.append(f"country: {acct['country']}")
        party = parties.get(raw_id) if kind in ("person", "company") else None
        if party is not None:
            if party.get("org_number"):
                lines.append(f"organisation number: {party['org_number']}")
            if party.get("country"):
                lines.append(f"country: {party['country']}")
            if include_personal_ids and party.get("birth_date") is not None:
                lines.append(f"birth date: {pd.Timestamp(party['birth_date']):%Y-%m-%d}")
        if kind in ("person", "company"):
            for ident_kind, value in sorted(idents.get(raw_id, [])):
                lines.append(f"{ident_kind}: {clip(value)}")
        if key in in_tot:
            lines.append(f"in: {in_tot[key]}")
        if key in out_tot:
            lines.append(f"out: {out_tot[key]}")
        marks = graph.marks.get(key, [])
        for mark in marks[:_MAX_MARKS]:
            lines.append(
                f"{ROLE_TEXT.get(mark.role, mark.role)} — {mark.detector}, score {mark.score:.2f}: "
                f"{clip(mark.summary, 200)}"
            )
        if len(marks) > _MAX_MARKS:
            lines.append(f"… and {len(marks) - _MAX_MARKS} more findings")
        titles[key] = "\n".join(lines)
    return titles


def _pair_texts(graph: CaseGraph) -> tuple[dict[tuple, list[str]], dict[tuple, set[str]]]:
    """Per source → target pair: the first few distinct descriptions (in time order) and the
    channels used. Computed once per graph over all its transactions, then shared by every view."""
    if "pair_texts" in graph.cache:
        return graph.cache["pair_texts"]
    txns = graph.txns
    described = txns.dropna(subset=["description"]).drop_duplicates(["source", "target", "description"])
    described = described.groupby(["source", "target"], sort=False).head(_MAX_EXAMPLES)
    examples: dict[tuple, list[str]] = {}
    for source, target, text in zip(
        described["source"].tolist(), described["target"].tolist(), described["description"].tolist(), strict=True
    ):
        examples.setdefault((source, target), []).append(f'"{clip(text, 80)}"')
    used = txns.dropna(subset=["channel"]).drop_duplicates(["source", "target", "channel"])
    channels: dict[tuple, set[str]] = {}
    for source, target, channel in zip(
        used["source"].tolist(), used["target"].tolist(), used["channel"].tolist(), strict=True
    ):
        channels.setdefault((source, target), set()).add(str(channel))
    graph.cache["pair_texts"] = (examples, channels)
    return examples, channels


def edge_titles(graph: CaseGraph, pairs: Iterable[tuple[str, str, str]]) -> dict[tuple, str]:
    """Tooltip per drawn edge ``(source, target, relation)`` (kept with the graph, like node titles)."""
    known: dict[tuple, str] = graph.cache.setdefault("edge_titles", {})
    wanted = [tuple(p) for p in pairs]
    missing = [p for p in wanted if p not in known]
    if missing:
        known.update(_edge_titles(graph, missing))
    return {p: known[p] for p in wanted if p in known}


def _edge_titles(graph: CaseGraph, pairs: Iterable[tuple[str, str, str]]) -> dict[tuple, str]:
    wanted = pd.DataFrame(list(pairs), columns=["source", "target", "relation"])
    labels = dict(zip(graph.nodes["key"].tolist(), graph.nodes["label"].tolist(), strict=True))
    money_pairs = wanted[wanted["relation"] == "money"][["source", "target"]]
    # Narrow by endpoint first: merging every transaction on two string keys is slow.
    drawn = pd.Index(money_pairs["source"]).union(pd.Index(money_pairs["target"]))
    flows = graph.flows[graph.flows["source"].isin(drawn) & graph.flows["target"].isin(drawn)]
    flows = flows.merge(money_pairs, on=["source", "target"])
    examples, channels = _pair_texts(graph)
    span = flows.groupby(["source", "target"], sort=True).agg(first=("first", "min"), last=("last", "max"))
    dates = dict(zip(span.index, zip(span["first"], span["last"], strict=True), strict=True))
    titles: dict[tuple, str] = {}
    for pair, (count, parts) in _money_by(flows, ["source", "target"]).items():
        first, last = dates[pair]
        lines = [
            f"{clip(labels.get(pair[0], pair[0]), 60)} → {clip(labels.get(pair[1], pair[1]), 60)}",
            f"{_plural(count, 'transaction')}, first {first}, last {last}",
            "total: " + "; ".join(parts),
        ]
        if channels.get(pair):
            lines.append(f"channels: {', '.join(sorted(channels[pair]))}")
        if pair in examples:
            lines.append(f"e.g. {' | '.join(examples[pair])}")
        titles[(pair[0], pair[1], "money")] = "\n".join(lines)
    for row in wanted[wanted["relation"] != "money"].itertuples(index=False):
        verb = "holds" if row.relation == "holds" else "registered at"
        titles[(row.source, row.target, row.relation)] = (
            f"{clip(labels.get(row.source, row.source), 60)} {verb} {clip(labels.get(row.target, row.target), 60)}"
        )
    return titles


def short_amount(amount_minor: int, currency: str) -> str:
    """A rounded amount for a label on the graph ("NOK 3.1 M"); tooltips keep the exact figure."""
    from finflow.money import is_currency, minor_units

    exp = minor_units(currency) if is_currency(currency) else 2
    whole = abs(int(amount_minor)) / 10**exp
    sign = "-" if amount_minor < 0 else ""
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if whole >= limit:
            value = whole / limit
            text = f"{value:.1f}" if value < 100 else f"{value:.0f}"
            return f"{currency} {sign}{text} {suffix}"
    return f"{currency} {sign}{whole:.0f}"
