"""Networks of flagged subjects, and each subject's place in the money graph.

A network is a connected group of flagged accounts — linked by money flowing between them, by a
finding naming both, or by a payee they share — split into Louvain communities
(``nx.community.louvain_communities``, fixed seed, money as edge weight) when it grows too large
to read. Money links must matter to the accounts they join: a pair counts only when its money
is at least ``min_link_share`` of the flagged account's volume (of the smaller one's, for two
flagged accounts), so two rings stay apart when only a few ordinary clients paid into both.
With a role resolution (:mod:`finflow.roles`), context subjects (landlords, clients) are not
flagged members and overruled findings link nobody. Each network is named after its lead
subject (:func:`finflow.leads.analyse`). For each network we report its flagged accounts, the
shared payees that tie them, the money flowing between members (per currency, exact minor units) and the findings
inside it.

Graph context per flagged account: volume in and out, distinct counterparties, PageRank on the
whole aggregated graph (explicit ``tol``: networkx's default is loose on large graphs) and
betweenness on the flagged neighbourhood (sampled from ``k`` sources with the fixed seed when
the neighbourhood is large — exact betweenness on a whole case is out of reach).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect.base import Finding
from finflow.detect.util import AccountInfo
from finflow.graph import CASH_NODE, flows, money_weights
from finflow.ids import content_id
from finflow.money import main_currency
from finflow.roles import RoleResolution

__all__ = ["Network", "find_networks", "flagged_accounts", "subject_context"]


@dataclass
class Network:
    """One group of connected flagged subjects and their counterparties."""

    network_id: str
    members: list[str]
    flagged: list[str]
    flows_minor: dict[str, int]
    txn_count: int
    finding_ids: list[str]
    detectors: list[str] = field(default_factory=list)
    name: str | None = None  # "network of <lead subject>"
    lead: str | None = None  # subject id of the lead (the top-ranked controller in it)
    lead_role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "network_id": self.network_id,
            "name": self.name,
            "lead": self.lead,
            "lead_role": self.lead_role,
            "members": self.members,
            "flagged": self.flagged,
            "flows_minor": self.flows_minor,
            "txn_count": self.txn_count,
            "finding_ids": self.finding_ids,
            "detectors": self.detectors,
        }


def _counts(subject, info: AccountInfo, roles: RoleResolution | None) -> bool:
    """Whether a finding's subject is a member (suspect or victim) rather than context."""
    return roles is None or roles.subject_role(subject, info) != "context"


def flagged_accounts(
    data: CaseData, findings: list[Finding], roles: RoleResolution | None = None
) -> dict[str, set[str]]:
    """Account → ids of the findings naming it (party subjects count through their accounts)."""
    info = AccountInfo(data)
    known = set(info.frame.index.astype(str))
    out: dict[str, set[str]] = {}
    for finding in findings:
        if roles is not None and finding.finding_id in roles.overruled:
            continue
        for subject in finding.subjects:
            if not _counts(subject, info, roles):
                continue
            if subject.kind == "account" and subject.id in known:
                out.setdefault(subject.id, set()).add(finding.finding_id)
            elif subject.kind == "party":
                for account in info.accounts_of(subject.id):
                    out.setdefault(account, set()).add(finding.finding_id)
    for key, claim in roles.derived if roles is not None else []:
        if key[0] == "account":  # an advertising site or a chain's sink, named from this finding
            out.setdefault(key[1], set()).add(claim.finding.finding_id)
    return out


def _neighbourhood(data: CaseData, flagged: set[str], agg: pd.DataFrame | None = None) -> pd.DataFrame:
    agg = flows(data) if agg is None else agg
    agg = agg[(agg["from_node"] != CASH_NODE) & (agg["to_node"] != CASH_NODE)]
    return agg[agg["from_node"].isin(flagged) | agg["to_node"].isin(flagged)]


def _undirected(edges: pd.DataFrame, currency: str) -> nx.Graph:
    """Pairs as an undirected graph weighted by money in ``currency`` (:func:`money_weights`)."""
    graph = nx.Graph()
    weights = money_weights(edges, currency)
    for a, b, amount in weights.itertuples(index=False, name=None):
        if a == b:
            continue
        w = float(amount) + (graph[a][b]["weight"] if graph.has_edge(a, b) else 0.0)
        graph.add_edge(a, b, weight=w)
    return graph


def _finding_links(data: CaseData, findings: list[Finding], roles: RoleResolution | None) -> list[list[str]]:
    """Per finding, the member accounts it names (directly or through a party subject)."""
    info = AccountInfo(data)
    known = set(info.frame.index.astype(str))
    groups = []
    for finding in findings:
        if roles is not None and finding.finding_id in roles.overruled:
            continue
        accounts = set()
        for subject in finding.subjects:
            if not _counts(subject, info, roles):
                continue
            if subject.kind == "account" and subject.id in known:
                accounts.add(subject.id)
            elif subject.kind == "party":
                accounts.update(info.accounts_of(subject.id))
        groups.append(sorted(accounts))
    for key, claim in roles.derived if roles is not None else []:
        lead = claim.finding.subjects[0]
        if key[0] == "account" and lead.kind == "account":
            groups.append(sorted({key[1], lead.id}))
    return groups


def _volumes(edges: pd.DataFrame, currency: str) -> tuple[pd.Series, pd.Series]:
    """Money in ``currency`` per unordered pair (a, b) both ways, and each node's in + out volume."""
    main = edges[edges["currency"] == currency]
    pair = pd.concat(
        [
            main[["from_node", "to_node", "amount_minor"]].set_axis(["a", "b", "m"], axis=1),
            main[["to_node", "from_node", "amount_minor"]].set_axis(["a", "b", "m"], axis=1),
        ]
    )
    return pair.groupby(["a", "b"])["m"].sum(), pair.groupby("a")["m"].sum()


def ordered_subgraph(graph: nx.Graph, nodes: Iterable[str]) -> nx.Graph:
    """A copy of ``graph`` on ``nodes`` with nodes in sorted order and edges in the graph's order.

    ``Graph.subgraph`` of a small node set iterates that set, and a set of strings changes its order
    with the interpreter's hash seed; Louvain visits nodes in that order, so without this copy the
    same case could be split into different networks by two runs.
    """
    keep = sorted(n for n in set(nodes) if n in graph)
    inside = set(keep)
    sub = nx.Graph()
    sub.add_nodes_from(keep)
    sub.add_edges_from((a, b, d) for a, b, d in graph.edges(keep, data=True) if b in inside)
    return sub


def louvain_split(graph: nx.Graph, nodes: Iterable[str], params: Mapping[str, Any]) -> list[set[str]]:
    """Louvain communities of ``graph`` restricted to ``nodes`` (money as weight, the fixed seed)."""
    sub = ordered_subgraph(graph, nodes)
    return nx.community.louvain_communities(sub, weight="weight", resolution=params["resolution"], seed=params["seed"])


def find_networks(
    data: CaseData,
    findings: list[Finding],
    config: Mapping[str, Any] | None = None,
    roles: RoleResolution | None = None,
) -> list[Network]:
    """Connected groups of flagged accounts, split by Louvain when large; largest first.

    Two flagged accounts are connected when money that matters to them flows between them, when
    one finding names both, or when both pay a counterparty that matters to each (a common
    landlord, a common beneficiary; see ``min_link_share``) — not when both are paid by one
    (customers and clients pay many businesses and people). A group
    larger than ``max_network_size`` is split into Louvain communities (fixed seed, money as
    weight) so one busy counterparty cannot glue a whole case together.
    """
    params = (config if config is not None else load_config())["networks"]
    by_account = flagged_accounts(data, findings, roles)
    flagged = set(by_account)
    if not flagged:
        return []
    edges = _neighbourhood(data, flagged)
    currency = main_currency(data.transactions["currency"])
    pair_money, volume = _volumes(edges, currency)
    share = float(params["min_link_share"])
    links = nx.Graph()
    links.add_nodes_from(sorted(flagged))
    for accounts in _finding_links(data, findings, roles):
        links.add_edges_from((a, b) for a, b in pairwise(accounts))
    direct = edges[edges["from_node"].isin(flagged) & edges["to_node"].isin(flagged)]
    direct = direct[["from_node", "to_node"]].drop_duplicates()
    if len(direct):
        money = (
            pair_money.reindex(pd.MultiIndex.from_frame(direct.set_axis(["a", "b"], axis=1))).fillna(np.inf).to_numpy()
        )
        smaller = np.minimum(
            volume.reindex(direct["from_node"]).fillna(0).to_numpy(),
            volume.reindex(direct["to_node"]).fillna(0).to_numpy(),
        )
        direct = direct[money >= share * smaller]
    links.add_edges_from(direct.itertuples(index=False, name=None))
    # a shared payee (a landlord, a beneficiary, a boss) links flagged accounts, unless it is a hub
    # many accounts use (a shop); a shared payer does not: customers and clients pay many businesses
    sides = edges[["from_node", "to_node"]].set_axis(["flagged", "other"], axis=1)
    sides = sides[sides["flagged"].isin(flagged) & ~sides["other"].isin(flagged)].drop_duplicates()
    if len(sides):  # the counterparty must matter to the flagged account, not be one client of many
        money = (
            pair_money.reindex(pd.MultiIndex.from_frame(sides.set_axis(["a", "b"], axis=1))).fillna(np.inf).to_numpy()
        )
        sides = sides[money >= share * volume.reindex(sides["flagged"]).fillna(0).to_numpy()]
    degree = flows(data).pipe(lambda f: pd.concat([f["from_node"], f["to_node"]])).value_counts()
    shared = sides.groupby("other")["flagged"].agg(sorted)
    shared_counterparties: dict[str, list[str]] = {}
    for other, accounts in shared.items():
        if len(accounts) >= 2 and degree.get(other, 0) <= params["max_shared_counterparty_degree"]:
            links.add_edges_from(pairwise(accounts))
            for a in accounts:
                shared_counterparties.setdefault(a, []).append(str(other))
    weighted = _undirected(edges, currency)
    groups: list[set[str]] = []
    for component in sorted(nx.connected_components(links), key=lambda c: sorted(c)):
        if len(component) <= params["max_network_size"]:
            groups.append(set(component))
            continue
        around = component | {o for a in component for o in shared_counterparties.get(a, [])}
        for community in louvain_split(weighted, around, params):
            if community & component:
                groups.append(community & component)
    detector_of = {f.finding_id: f.detector for f in findings}
    networks = []
    for group in groups:
        hits = sorted(group)
        if len(hits) < params["min_members"]:
            continue
        context = {o for a in hits for o in shared_counterparties.get(a, [])}
        members = sorted(set(hits) | context)
        inside = edges[edges["from_node"].isin(members) & edges["to_node"].isin(members)]
        per_currency = inside.groupby("currency")["amount_minor"].sum()
        finding_ids = sorted({f for a in hits for f in by_account[a]})
        networks.append(
            Network(
                network_id=content_id("network", *hits),
                members=members,
                flagged=hits,
                flows_minor={str(c): int(v) for c, v in per_currency.items()},
                txn_count=int(inside["txn_count"].sum()),
                finding_ids=finding_ids,
                detectors=sorted({detector_of[f] for f in finding_ids}),
            )
        )
    # largest first: flagged accounts, then money in the main currency (never a sum over currencies)
    return sorted(networks, key=lambda n: (-len(n.flagged), -n.flows_minor.get(currency, 0), n.network_id))


def pagerank_weighted(
    edges: pd.DataFrame, damping: float = 0.85, tol: float = 1e-10, max_iter: int = 200, seed_order: bool = True
) -> dict[str, float]:
    """PageRank over ``from_node → to_node`` edges weighted by ``amount_minor``, vectorised.

    Same definition as ``nx.pagerank`` (uniform teleport, dangling mass spread uniformly) and the
    same stopping rule (L1 change below ``N·tol``), computed with numpy so a million-edge case
    needs no extra dependency. ``seed_order`` sorts nodes so results never depend on row order.
    """
    if edges.empty:
        return {}
    nodes = pd.Index(pd.unique(pd.concat([edges["from_node"], edges["to_node"]]).astype(str)))
    if seed_order:
        nodes = nodes.sort_values()
    n = len(nodes)
    src = nodes.get_indexer(edges["from_node"].astype(str))
    dst = nodes.get_indexer(edges["to_node"].astype(str))
    weight = edges["amount_minor"].to_numpy(dtype=float)
    out_weight = np.bincount(src, weights=weight, minlength=n)
    share = weight / out_weight[src]
    dangling = out_weight == 0
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        previous = rank
        spread = np.bincount(dst, weights=previous[src] * share, minlength=n)
        rank = damping * (spread + previous[dangling].sum() / n) + (1.0 - damping) / n
        if np.abs(rank - previous).sum() < n * tol:
            break
    return dict(zip(nodes, rank.tolist(), strict=True))


def subject_context(data: CaseData, accounts: list[str], config: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Per account: volume in/out (in the main currency), distinct counterparties, PageRank, betweenness."""
    params = (config if config is not None else load_config())["networks"]
    agg = flows(data)
    columns = ["account", "currency", "inflow_minor", "outflow_minor", "counterparties", "pagerank", "betweenness"]
    if agg.empty or not accounts:
        return pd.DataFrame(columns=columns)
    # volumes and weights in the case's main currency only: minor units of different currencies
    # never add up
    currency = main_currency(data.transactions["currency"])
    money = agg[(agg["from_node"] != CASH_NODE) & (agg["to_node"] != CASH_NODE)]
    pair = money_weights(money, currency).rename(columns={"weight": "amount_minor"})
    pair = pair[pair["from_node"] != pair["to_node"]]
    pagerank = pagerank_weighted(pair, tol=params["pagerank_tol"], seed_order=True)
    local = _undirected(_neighbourhood(data, set(accounts), agg), currency)
    if len(local) > params["betweenness_exact_max_nodes"]:
        k = min(int(params["betweenness_k"]), len(local))
        between = nx.betweenness_centrality(local, k=k, seed=params["seed"], weight=None)
    else:
        between = nx.betweenness_centrality(local, weight=None) if len(local) else {}
    main = agg[agg["currency"] == currency]
    inflow = main.groupby("to_node")["amount_minor"].sum()
    outflow = main.groupby("from_node")["amount_minor"].sum()
    partners = pd.concat(
        [
            money[["from_node", "to_node"]].set_axis(["a", "b"], axis=1),
            money[["to_node", "from_node"]].set_axis(["a", "b"], axis=1),
        ]
    )
    distinct = partners.groupby("a")["b"].nunique()
    rows = [
        {
            "account": a,
            "currency": currency,
            "inflow_minor": int(inflow.get(a, 0)),
            "outflow_minor": int(outflow.get(a, 0)),
            "counterparties": int(distinct.get(a, 0)),
            "pagerank": round(float(pagerank.get(a, 0.0)), 8),
            "betweenness": round(float(between.get(a, 0.0)), 8),
        }
        for a in sorted(set(accounts))
    ]
    return pd.DataFrame(rows, columns=columns)
