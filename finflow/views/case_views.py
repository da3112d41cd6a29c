"""The case's network views: the overview, one subject's ego network, one finding's evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import NO_FINDINGS, Finding
from finflow.flowindex import flow_index
from finflow.views.evidence import EVIDENCE_COLUMNS, evidence_rows
from finflow.views.graph import CaseGraph, build_case_graph, ego_keys, select_nodes
from finflow.views.page import Table, ViewStats, write_page
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
        node_titles=node_titles(graph, data, pd.Index(nodes["key"]), include_personal_ids=include_personal_ids),
        edge_titles=edge_titles(graph, zip(edges["source"], edges["target"], edges["relation"], strict=True)),
        notes=notes,
        omitted=omitted,
        tables=tables,
        centre=graph.centre,
        totals=(len(all_nodes), len(all_edges)),
        flagged_total=flagged_total,
        links=links,
    )


def _summary_note(graph: CaseGraph) -> str:
    victims = sum(1 for marks in graph.marks.values() if any(m.role == "possible_victim" for m in marks))
    drawn = f"{len(graph.txns)} transactions aggregated into one arrow per payer → payee pair. "
    if not graph.marks:
        return drawn + f"{NO_FINDINGS} Nothing is flagged: this is the money as imported."
    return (
        drawn + f"Findings flag {len(graph.marks)} subjects, {victims} of them as possible victims "
        "(drawn in the protection colour: for protection, not suspicion)."
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
) -> ViewStats:
    """The whole case: accounts, their holders, cash, foreign countries; flags emphasised.

    Foreign counterparty accounts are drawn as their country unless a finding names them.
    """
    graph = flow_index(data).case_graph(findings, home_country=home_country)
    keys = select_nodes(graph.nodes, graph.edges, node_budget)
    notes = [
        _summary_note(graph),
        f"Foreign counterparties (country ≠ {home_country}) are grouped per country unless a finding names them.",
    ]
    return _draw(
        graph,
        data,
        keys,
        out_path,
        title=title,
        notes=notes,
        budget=node_budget,
        universe=(graph.nodes, graph.edges),
        include_personal_ids=include_personal_ids,
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
        _summary_note(graph),
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
