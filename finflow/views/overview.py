"""The case overview reduced to what an investigator reads: the flagged subjects, their direct
counterparties, and everything else folded into one node ("412 other accounts, NOK 3.1 M").

A whole case drawn node by node is a hairball at any zoom. Here every flagged node is kept with
its strongest direct counterparties (holders always), plus the few largest money movers of the
case; the rest becomes one aggregate node whose arrows carry the money between it and what is
drawn. Positions are computed here (networkx spring layout on the reduced graph only, seeded),
so the page opens settled with physics off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from finflow.views.graph import CaseGraph
from finflow.views.layout import spring_positions
from finflow.views.tooltips import short_amount

__all__ = [
    "OTHERS", "REDUCE_ABOVE", "Reduced", "grouped_positions", "network_groups", "nx_positions",
    "reduce_overview", "whole",
]  # fmt: skip

#: Node key of the aggregate of everything not drawn one by one.
OTHERS = "others"

#: Graphs up to this many nodes are drawn whole; larger ones are reduced.
REDUCE_ABOVE = 150

#: Direct counterparties kept per flagged node (strongest money first; holders always).
PER_FLAGGED = 12
#: Largest money movers kept besides the flagged subjects and their counterparties.
TOP_VOLUME = 10


@dataclass
class Reduced:
    nodes: pd.DataFrame
    edges: pd.DataFrame
    others: dict[str, int]  # node kind → how many were folded into the aggregate
    others_amount: int  # money (main currency, minor units) moved by the folded nodes
    kept_flagged: int


def _counterparties(edges: pd.DataFrame, flagged: pd.Index, per_node: int) -> pd.Index:
    """The strongest direct money counterparties of each flagged node (accounts carry their holder's
    name, so unflagged holders are not drawn beside them)."""
    money = edges[edges["relation"] == "money"]
    out = money[money["source"].isin(flagged)].assign(f=lambda e: e["source"], o=lambda e: e["target"])
    inc = money[money["target"].isin(flagged)].assign(f=lambda e: e["target"], o=lambda e: e["source"])
    pairs = pd.concat([out, inc], ignore_index=True)
    if pairs.empty:
        return pd.Index([], dtype="string")
    per = (
        pairs.groupby(["f", "o"], sort=True)
        .agg(amount=("amount", "sum"))
        .reset_index()
        .sort_values(["f", "amount", "o"], ascending=[True, False, True], kind="stable")
    )
    return pd.Index(per.groupby("f", sort=True).head(per_node)["o"].unique())


#: Largest movers drawn when no finding flags anything.
UNFLAGGED_MOVERS = 80
#: About how many counterparties the overview draws in all (fewer per flagged node in a big case).
COUNTERPARTY_BUDGET = 360
#: Arrows between two unflagged drawn nodes kept (the largest); the rest of that web is noise here.
BACKGROUND_EDGES = 150


def reduce_overview(graph: CaseGraph, *, per_flagged: int = PER_FLAGGED, top_volume: int = TOP_VOLUME) -> Reduced:
    """Flagged nodes, their direct counterparties and the largest movers; the rest aggregated."""
    nodes, edges = graph.nodes, graph.edges
    flagged = pd.Index(nodes.loc[nodes["role"] != "", "key"])
    per_flagged = max(2, min(per_flagged, COUNTERPARTY_BUDGET // max(len(flagged), 1)))
    if flagged.empty:  # nothing flagged: the money itself is the picture, so draw more of its movers
        top_volume = max(top_volume, UNFLAGGED_MOVERS)
    keep = flagged.union(_counterparties(edges, flagged, per_flagged))
    movers = nodes[nodes["kind"] != "person"].sort_values(["volume", "key"], ascending=[False, True], kind="stable")
    movers = movers[~movers["key"].str.startswith("party:")]
    keep = keep.union(pd.Index(movers.loc[~movers["key"].isin(keep), "key"].head(top_volume)))
    kept_nodes = nodes[nodes["key"].isin(keep)].reset_index(drop=True)
    rest = nodes[~nodes["key"].isin(keep)]
    inner = edges[edges["source"].isin(keep) & edges["target"].isin(keep)]
    touches = inner["source"].isin(flagged) | inner["target"].isin(flagged) | (inner["relation"] != "money")
    background = inner[~touches].sort_values(["amount", "source", "target"], ascending=[False, True, True])
    inner = pd.concat([inner[touches], background.head(BACKGROUND_EDGES)]).sort_index()
    money = edges[edges["relation"] == "money"]
    src_in, dst_in = money["source"].isin(keep), money["target"].isin(keep)
    outward = money[src_in & ~dst_in].assign(target=OTHERS)
    inward = money[~src_in & dst_in].assign(source=OTHERS)
    folded = money[~src_in & ~dst_in]
    bridge = (
        pd.concat([outward, inward], ignore_index=True)
        .groupby(["source", "target"], sort=True)
        .agg(amount=("amount", "sum"), txn_count=("txn_count", "sum"), first=("first", "min"), last=("last", "max"))
        .reset_index()
        .assign(relation="money")
    )
    others = rest["kind"].value_counts().sort_index().to_dict() if len(rest) else {}
    others_amount = int(folded["amount"].sum() + bridge["amount"].sum()) if len(rest) else 0
    if len(rest):
        aggregate = pd.DataFrame(
            [{"key": OTHERS, "kind": "others", "label": "", "raw_id": "", "volume": 0, "score": 0.0, "role": ""}]
        )
        kept_nodes = pd.concat([kept_nodes, aggregate.astype({"volume": "int64"})], ignore_index=True)
        out_edges = pd.concat([inner, bridge], ignore_index=True)
    else:
        out_edges = inner.reset_index(drop=True)
    out_edges["amount"] = out_edges["amount"].fillna(0).astype("int64")
    out_edges["txn_count"] = out_edges["txn_count"].fillna(0).astype("int64")
    out_edges = out_edges.sort_values(["source", "target", "relation"], kind="stable").reset_index(drop=True)
    return Reduced(kept_nodes, out_edges, {str(k): int(v) for k, v in others.items()}, others_amount, len(flagged))


def whole(graph: CaseGraph) -> Reduced:
    """A small case drawn as it is: nothing folded."""
    flagged = int((graph.nodes["role"] != "").sum())
    return Reduced(graph.nodes.reset_index(drop=True), graph.edges.reset_index(drop=True), {}, 0, flagged)


def others_label(reduced: Reduced, currency: str) -> str:
    """ "412 other accounts, NOK 3.1 M" (and the other kinds folded in, when there are any)."""
    accounts = reduced.others.get("account", 0)
    return f"{accounts} other account{'s' if accounts != 1 else ''}, {short_amount(reduced.others_amount, currency)}"


def nx_positions(
    keys: Iterable[str], edges: pd.DataFrame, *, seed: int = 7, weak: Iterable[str] = (), scale: float = 380.0
) -> dict[str, tuple[int, int]]:
    """Seeded spring layout of a reduced graph, in whole canvas pixels.

    Arrows touching ``weak`` nodes pull little (the aggregate would otherwise drag every node
    to the middle). networkx's dense layout needs no scipy below 500 nodes; beyond that the
    numpy layout of :mod:`finflow.views.layout` is used.
    """
    keys = list(keys)
    weak = set(weak)
    placed = [k for k in keys if k not in weak]
    if len(placed) >= 500:
        pos = spring_positions(placed, list(zip(edges["source"], edges["target"], strict=True)))
        return _beside(pos, keys, weak)
    graph = nx.Graph()
    graph.add_nodes_from(placed)
    max_amount = float(edges["amount"].max()) if len(edges) else 0.0
    for source, target, amount in zip(edges["source"], edges["target"], edges["amount"], strict=True):
        if source == target or source in weak or target in weak:
            continue
        weight = 0.5 + (float(amount) / max_amount if max_amount else 0)
        if graph.has_edge(source, target):
            graph[source][target]["weight"] += weight
        else:
            graph.add_edge(source, target, weight=weight)
    # A weak pull to a hidden centre keeps separate components from drifting off the canvas.
    hub = "\x00centre"
    graph.add_edges_from(((hub, k) for k in placed), weight=0.02)
    n = max(len(placed), 1)
    pos = nx.spring_layout(graph, seed=seed, k=2.4 / np.sqrt(n), iterations=200, weight="weight")
    pos.pop(hub)
    span = max((abs(c) for xy in pos.values() for c in xy), default=1.0) or 1.0
    size = scale * max(1.0, np.sqrt(n / 30.0))
    out = {k: (round(float(pos[k][0]) / span * size), round(float(pos[k][1]) / span * size)) for k in placed}
    return _beside(out, keys, weak)


def _beside(pos: dict[str, tuple[int, int]], keys: list[str], weak: set[str]) -> dict[str, tuple[int, int]]:
    """The aggregate nodes to the right of the drawing, one under the other, so they do not
    pull everything into a knot or hide in it."""
    right = max((x for x, _ in pos.values()), default=0) + 250
    for i, key in enumerate(k for k in keys if k in weak):
        pos[key] = (right, 120 * i)
    return pos


def network_groups(nodes: pd.DataFrame, edges: pd.DataFrame, networks: Iterable[Any]) -> dict[str, int]:
    """Node key → index of the network it belongs to (members first, then the drawn node each
    counterparty shares most money with); nodes tied to no network are left out."""
    group: dict[str, int] = {}
    for index, item in enumerate(networks):
        record = item if isinstance(item, dict) else item.to_dict()
        for account in [*(record.get("flagged") or []), *(record.get("members") or [])]:
            group.setdefault(f"account:{account}", index)
    present = set(nodes["key"])
    group = {k: v for k, v in group.items() if k in present}
    links = pd.concat(
        [
            edges[["source", "target", "amount"]].rename(columns={"source": "a", "target": "b"}),
            edges[["target", "source", "amount"]].rename(columns={"target": "a", "source": "b"}),
        ],
        ignore_index=True,
    )
    for _ in range(2):  # counterparties, then their holders
        known = links[links["b"].isin(list(group)) & ~links["a"].isin(list(group)) & (links["a"] != OTHERS)]
        if known.empty:
            break
        best = known.assign(g=known["b"].map(group)).groupby(["a", "g"], sort=True)["amount"].sum().reset_index()
        best = best.sort_values(["a", "amount", "g"], ascending=[True, False, True], kind="stable").drop_duplicates("a")
        group.update(dict(zip(best["a"], best["g"].astype(int), strict=True)))
    return group


def grouped_positions(
    keys: list[str], edges: pd.DataFrame, group: dict[str, int], *, weak: Iterable[str] = ()
) -> dict[str, tuple[int, int]]:
    """Each network laid out on its own and the networks placed side by side (then whatever
    belongs to none), so one network's counterparties do not bury another's."""
    weak = set(weak)
    buckets: dict[int, list[str]] = {}
    for key in keys:
        if key not in weak:
            buckets.setdefault(group.get(key, 10**6), []).append(key)
    laid = []
    for _, members in sorted(buckets.items()):
        inside = set(members)
        sub = edges[edges["source"].isin(inside) & edges["target"].isin(inside)]
        pos = nx_positions(members, sub)
        if pos:
            xs, ys = [x for x, _ in pos.values()], [y for _, y in pos.values()]
            laid.append((pos, min(xs), max(xs), min(ys), max(ys)))
    # A grid of groups, about as wide as high, so the whole fits the screen at a readable zoom.
    columns = max(1, int(np.ceil(np.sqrt(len(laid)))))
    out: dict[str, tuple[int, int]] = {}
    y_offset = 0
    for row_start in range(0, len(laid), columns):
        row = laid[row_start : row_start + columns]
        x_offset = 0
        height = max(bottom - top for _, _, _, top, bottom in row)
        for pos, left, right, top, bottom in row:
            for key, (x, y) in pos.items():
                out[key] = (x - left + x_offset, y - top + y_offset + (height - (bottom - top)) // 2)
            x_offset += right - left + 220
        y_offset += height + 220
    return _beside(out, keys, weak)
