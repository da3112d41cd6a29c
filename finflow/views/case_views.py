"""The case's network views: the overview, one subject's ego network, one finding's evidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import NO_FINDINGS, Finding
from finflow.flowindex import flow_index
from finflow.money import format_minor, main_currency
from finflow.views.brief import CaseCounts, field_value
from finflow.views.evidence import EVIDENCE_COLUMNS, evidence_rows
from finflow.views.graph import CaseGraph, build_case_graph, ego_keys, select_nodes
from finflow.views.overview import (
    OTHERS,
    REDUCE_ABOVE,
    grouped_positions,
    network_groups,
    others_label,
    reduce_overview,
    whole,
)
from finflow.views.page import PHYSICS_LIMIT, Table, ViewStats, write_page
from finflow.views.tooltips import ROLE_TEXT, clip, edge_titles, node_titles

__all__ = ["DEFAULT_NODE_BUDGET", "finding_view", "overview_view", "subject_view"]

DEFAULT_NODE_BUDGET = 1500


def _draw(
    graph: CaseGraph,
    data: CaseData,
    keys: pd.Index,
    out_path: str | Path,
    *,
    title: str,
    notes: list[str],
    budget: int,
    universe: tuple[pd.DataFrame, pd.DataFrame],
    include_personal_ids: bool,
    tables: Sequence[Table] = (),
    links: Sequence[tuple[str, str]] = (),
) -> ViewStats:
    """Draw ``keys`` of ``graph``; ``universe`` is what the view could have shown."""
    all_nodes, all_edges = universe
    nodes = graph.nodes[graph.nodes["key"].isin(keys)].reset_index(drop=True)
    edges = all_edges[all_edges["source"].isin(keys) & all_edges["target"].isin(keys)]
    edges = edges.reset_index(drop=True)
    titles = node_titles(graph, data, pd.Index(nodes["key"]), include_personal_ids=include_personal_ids)
    flagged_total = int((all_nodes["role"] != "").sum())
    omitted = None
    if len(nodes) < len(all_nodes):
        flagged_left = flagged_total - int((nodes["role"] != "").sum())
        omitted = (
            f"Node budget {budget}: showing {len(nodes)} of {len(all_nodes)} nodes and "
            f"{len(edges)} of {len(all_edges)} connections; left out "
            f"{len(all_nodes) - len(nodes)} nodes and {len(all_edges) - len(edges)} connections"
            f" (of them {flagged_left} flagged subjects). Kept first: flagged subjects, their "
            "direct neighbours, then the largest money volumes."
        )
    return write_page(
        out_path,
        title=title,
        nodes=nodes,
        edges=edges,
        node_titles=titles,
        edge_titles=edge_titles(graph, zip(edges["source"], edges["target"], edges["relation"], strict=True)),
        notes=notes,
        omitted=omitted,
        tables=tables,
        centre=graph.centre,
        totals=(len(all_nodes), len(all_edges)),
        flagged_total=flagged_total,
        links=links,
        currency=main_currency(graph.txns["currency"]),
        labelled=labelled_keys(nodes),
        empty="Nothing to draw: this view has no transactions and no flagged subjects." if nodes.empty else None,
    )


def labelled_keys(nodes: pd.DataFrame, top: int = 15, always_below: int = 60) -> set[str] | None:
    """Which nodes carry a label: all in a small view; else flagged ones, the largest movers,
    cash, countries and aggregates (the rest are found by search and tooltip)."""
    if len(nodes) <= always_below:
        return None
    flagged = set(nodes.loc[nodes["role"] != "", "key"])
    special = set(nodes.loc[nodes["kind"].isin(["cash", "country", "others"]), "key"])
    biggest = nodes.sort_values(["volume", "key"], ascending=[False, True], kind="stable")["key"].head(top)
    return flagged | special | set(biggest)


def _summary_note(graph: CaseGraph, counts: CaseCounts | None = None) -> str:
    drawn = f"{len(graph.txns):,} transactions aggregated into one arrow per payer → payee pair. "
    if not graph.marks:
        return drawn + f"{NO_FINDINGS} Nothing is flagged: this is the money as imported."
    if counts is not None:
        return (
            drawn
            + counts.sentence().capitalize()
            + ("; possible victims are drawn in the protection colour: for protection, not suspicion.")
        )
    victims = sum(1 for marks in graph.marks.values() if any(m.role == "possible_victim" for m in marks))
    return (
        drawn + f"Findings flag {len(graph.marks)} nodes, {victims} of them as possible victims "
        "(drawn in the protection colour: for protection, not suspicion)."
    )


def _network_note(networks: Sequence[Any] | None) -> str | None:
    if not networks:
        return None
    parts = []
    for i, item in enumerate(networks):
        record = item if isinstance(item, Mapping) else item.to_dict()
        name = field_value(record, "name", "title", "lead_label") or f"network {i + 1}"
        parts.append(f"{clip(str(name), 60)} ({len(record.get('flagged') or [])} flagged accounts)")
    return (
        f"{len(parts)} network{'s' if len(parts) != 1 else ''}: "
        + "; ".join(parts[:6])
        + (f"; … and {len(parts) - 6} more" if len(parts) > 6 else "")
    )


def overview_view(
    data: CaseData,
    findings: Sequence[Finding],
    out_path: str | Path,
    *,
    node_budget: int = DEFAULT_NODE_BUDGET,
    title: str = "Case overview",
    home_country: str = "NO",
    include_personal_ids: bool = False,
    links: Sequence[tuple[str, str]] = (),
    counts: CaseCounts | None = None,
    networks: Sequence[Any] | None = None,
) -> ViewStats:
    """The case as an investigator reads it: flagged subjects with their direct counterparties
    and the largest movers, everything else folded into one aggregate node; positions computed
    here (physics off). Foreign counterparty accounts are drawn as their country unless a
    finding names them. ``counts`` (findings, suspects, possible victims) are stated as given,
    so that the overview, the report and the terminal agree.
    """
    graph = flow_index(data).case_graph(findings, home_country=home_country)
    if counts is None and findings:
        from finflow.subjects import rank_subjects

        ranking = rank_subjects(list(findings), data)
        counts = CaseCounts.of(findings, ranking.suspects, ranking.victims)
    reduced = reduce_overview(graph) if len(graph.nodes) > REDUCE_ABOVE else whole(graph)
    keys = select_nodes(reduced.nodes, reduced.edges, node_budget)
    nodes = reduced.nodes[reduced.nodes["key"].isin(keys)].reset_index(drop=True)
    edges = reduced.edges[reduced.edges["source"].isin(keys) & reduced.edges["target"].isin(keys)]
    edges = edges.reset_index(drop=True)
    currency = main_currency(graph.txns["currency"])
    notes = [_summary_note(graph, counts)]
    if OTHERS in set(nodes["key"]):
        label = others_label(reduced, currency)
        nodes.loc[nodes["key"] == OTHERS, "label"] = label
        nodes.loc[nodes["key"] == OTHERS, "volume"] = int(nodes["volume"].max() if len(nodes) else 0)
        notes.append(
            f"Drawn: {reduced.kept_flagged} flagged nodes, their strongest direct counterparties and the "
            f"largest money movers; everything else is one box: {label} (money among them and with the drawn nodes)."
        )
    network = _network_note(networks)
    if network:
        notes.append(network)
    notes.append(
        f"Foreign counterparties (country ≠ {home_country}) are grouped per country unless a finding names them. "
        "Labels: flagged subjects and the largest movers; hover any node or arrow for exact totals."
    )
    titles = node_titles(graph, data, pd.Index(nodes["key"]), include_personal_ids=include_personal_ids)
    e_titles = edge_titles(graph, zip(edges["source"], edges["target"], edges["relation"], strict=True))
    labels = dict(zip(nodes["key"], nodes["label"], strict=True))
    for row in edges[(edges["source"] == OTHERS) | (edges["target"] == OTHERS)].itertuples(index=False):
        e_titles[(row.source, row.target, "money")] = (
            f"{clip(labels.get(row.source, row.source), 60)} → {clip(labels.get(row.target, row.target), 60)}\n"
            f"{row.txn_count:,} transactions, first {row.first}, last {row.last}\n"
            f"total in {currency}: {format_minor(int(row.amount), currency)} (other currencies in the nodes' tooltips)"
        )
    if OTHERS in labels:
        folded = ", ".join(f"{v} {k}" for k, v in sorted(reduced.others.items()))
        titles[OTHERS] = f"aggregate: {labels[OTHERS]}\nfolded in: {folded}\nsubject views show any of them"
    positions = None
    if len(nodes) > PHYSICS_LIMIT // 4:
        group = network_groups(nodes, edges, networks or [])
        positions = grouped_positions(nodes["key"].tolist(), edges, group, weak=[OTHERS])
    omitted = None
    if len(nodes) < len(reduced.nodes):
        n_all, e_all = len(reduced.nodes), len(reduced.edges)
        omitted = (
            f"Node budget {node_budget}: showing {len(nodes)} of {n_all} nodes and {len(edges)} of {e_all} "
            f"connections; left out {n_all - len(nodes)} nodes and {e_all - len(edges)} connections (of them "
            f"{reduced.kept_flagged - int((nodes['role'] != '').sum())} flagged subjects). Kept first: flagged "
            "subjects, their direct neighbours, then the largest money volumes."
        )
    return write_page(
        out_path,
        title=title,
        nodes=nodes,
        edges=edges,
        node_titles=titles,
        edge_titles=e_titles,
        notes=notes,
        omitted=omitted,
        totals=(len(reduced.nodes), len(reduced.edges)),
        flagged_total=int((graph.nodes["role"] != "").sum()),
        links=links,
        currency=currency,
        labelled=labelled_keys(nodes),
        positions=positions,
        empty="Nothing to draw: the case has no transactions." if nodes.empty else None,
    )


def _present(graph: CaseGraph, subject_id: str) -> bool:
    keys = graph.cache.get("keys")
    if keys is None:
        keys = graph.cache["keys"] = frozenset(graph.nodes["key"].tolist())
    return any(k in keys for k in [subject_id] + [f"{p}:{subject_id}" for p in ("account", "party", "address")])


def _resolve_subject(graph: CaseGraph, subject_id: str) -> str:
    """The node key for an account, party or address id (or an already namespaced key)."""
    present = set(graph.nodes["key"])
    candidates = [subject_id] + [f"{p}:{subject_id}" for p in ("account", "party", "address")]
    for key in candidates:
        if key in present:
            return key
    raise ValueError(f"subject {subject_id!r} is not an account, party or address of this case")


def subject_view(
    data: CaseData,
    findings: Sequence[Finding],
    subject_id: str,
    out_path: str | Path,
    *,
    hops: int = 2,
    node_budget: int = DEFAULT_NODE_BUDGET,
    home_country: str = "NO",
    include_personal_ids: bool = False,
    links: Sequence[tuple[str, str]] = (),
) -> ViewStats:
    """Everything within ``hops`` connections of one account, party or address.

    ``links`` (text, relative href) are printed above the graph (the report, the timeline)."""
    graph = flow_index(data).case_graph(findings, home_country=home_country, collapse_foreign=False)
    if not _present(graph, subject_id):
        # a subject without money or findings of its own: draw it with its holder and addresses
        extra = [f"{p}:{subject_id}" for p in ("account", "party", "address")]
        graph = build_case_graph(
            data,
            findings,
            home_country=home_country,
            collapse_foreign=False,
            extra_keys=[k for k in extra if _known(data, k)],
        )
    centre = _resolve_subject(graph, subject_id)
    graph = replace(graph, centre=centre)
    hop = ego_keys(graph.edges, centre, hops)
    ego_nodes = graph.nodes[graph.nodes["key"].isin(hop.index)]
    ego_edges = graph.edges[graph.edges["source"].isin(hop.index) & graph.edges["target"].isin(hop.index)]
    keys = select_nodes(ego_nodes, ego_edges, node_budget, hop=hop)
    label = graph.nodes.set_index("key").at[centre, "label"]
    notes = [
        f"Everything within {hops} connection{'s' if hops != 1 else ''} of {clip(label, 80)} "
        f"({centre}), in either direction; nearer nodes are kept first.",
        "Colour: the role findings suggest (legend); possible victims in the protection colour — for "
        "protection, not suspicion. Hover a node for its findings.",
    ]
    return _draw(
        graph,
        data,
        keys,
        out_path,
        title=f"Subject: {clip(label, 80)}",
        notes=notes,
        budget=node_budget,
        universe=(ego_nodes, ego_edges),
        include_personal_ids=include_personal_ids,
        links=links,
    )


def _known(data: CaseData, key: str) -> bool:
    kind, _, raw = key.partition(":")
    table, column = {
        "account": (data.accounts, "account_id"),
        "party": (data.parties, "party_id"),
        "address": (data.addresses, "address_id"),
    }[kind]
    return bool((table[column].astype("string") == raw).any())


def finding_view(
    data: CaseData,
    finding: Finding,
    out_path: str | Path,
    *,
    node_budget: int = DEFAULT_NODE_BUDGET,
    include_personal_ids: bool = False,
    links: Sequence[tuple[str, str]] = (),
    review: str | None = None,
) -> ViewStats:
    """One finding: its subjects and the transactions it rests on, with the evidence table.

    ``review`` is the sentence on its latest review (see :meth:`finflow.reviews.ReviewState.sentence`).
    """
    evidence = flow_index(data).rows(finding.evidence_txn_ids)
    graph = build_case_graph(data, [finding], transactions=evidence, collapse_foreign=False)
    keys = select_nodes(graph.nodes, graph.edges, node_budget)
    subjects = "; ".join(f"{clip(s.label or s.id, 60)} — {ROLE_TEXT.get(s.role, s.role)}" for s in finding.subjects)
    missing = sorted(set(finding.evidence_txn_ids) - set(graph.txns["txn_id"]))
    notes = [
        f"Detector {finding.detector}, score {finding.score:.2f}: {finding.summary}",
        f"Subjects: {subjects}",
        "Parameters: " + ", ".join(f"{k}={v}" for k, v in sorted(finding.parameters.items())),
    ]
    if missing:
        notes.append(f"{len(missing)} evidence transactions are not in this case's data.")
    notes.append(clip(review, 500) if review else "Review: not reviewed (open).")
    table = Table(
        caption=f"Evidence: {len(graph.txns)} transactions",
        columns=EVIDENCE_COLUMNS,
        rows=evidence_rows(evidence, finding.evidence_txn_ids),
    )
    return _draw(
        graph,
        data,
        keys,
        out_path,
        title=f"Finding: {clip(finding.summary, 100)}",
        notes=notes,
        budget=node_budget,
        universe=(graph.nodes, graph.edges),
        include_personal_ids=include_personal_ids,
        tables=[table],
        links=links,
    )
