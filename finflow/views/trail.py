"""A trace drawn left to right, one column per hop, from the tracer's trail edges (positions
computed here: a column too long for the screen wraps into several)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from finflow.money import format_minor
from finflow.views.page import ViewStats, write_page
from finflow.views.tooltips import clip, totals_text

__all__ = ["TRAIL_COLUMNS", "trail_view"]

#: The frame the tracer produces (``TraceResult.trail_edges()``).
TRAIL_COLUMNS = [
    "from_node",
    "to_node",
    "amount_minor",
    "currency",
    "txn_count",
    "first_date",
    "last_date",
    "hop",
]


def _kind(key: str) -> str:
    if key == "cash":
        return "cash"
    if key.startswith("country:"):
        return "country"
    if key.startswith("party:"):
        return "person"
    return "account"


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d")


def trail_view(
    trail_edges: pd.DataFrame,
    out_path: str | Path,
    *,
    title: str,
    method_note: str,
    labels: Mapping[str, str] | None = None,
    roles: Mapping[str, str] | None = None,
    links: Sequence[tuple[str, str]] = (),
    empty_reason: str | None = None,
    direction: str = "forward",
) -> ViewStats:
    """Draw a trace. Several rows for one from→to pair (other hops or currencies) become one
    arrow whose tooltip lists each currency's total and the hops. ``labels`` maps node ids to
    display names; ``roles`` node ids to a finding role (fill colour, as in every view).

    With a ``colour`` column (proceeds traced per tainted source), each source gets its own
    arrow colour and legend entry. An empty trail draws a page that says why (``empty_reason``,
    or the method's conditions). ``direction="backward"`` puts the start in the last column."""
    missing = [c for c in TRAIL_COLUMNS if c not in trail_edges.columns]
    if missing:
        raise ValueError(f"trail_view: trail_edges lacks columns {missing}")
    sources = "colour" in trail_edges.columns
    frame = trail_edges[TRAIL_COLUMNS + (["colour"] if sources else [])].copy()
    if not sources:
        frame["colour"] = ""
    frame["colour"] = frame["colour"].astype("string").fillna("")
    frame["from_node"] = frame["from_node"].astype("string")
    frame["to_node"] = frame["to_node"].astype("string")
    frame["first_date"] = _dates(frame["first_date"])
    frame["last_date"] = _dates(frame["last_date"])
    frame["amount_minor"] = frame["amount_minor"].astype("int64")
    frame["txn_count"] = frame["txn_count"].astype("int64")
    frame["hop"] = frame["hop"].astype("int64")
    labels = dict(labels or {})
    roles = dict(roles or {})

    per_currency = (
        frame.groupby(["from_node", "to_node", "colour", "currency"], sort=True)
        .agg(amount=("amount_minor", "sum"), txn_count=("txn_count", "sum"))
        .reset_index()
    )
    pairs = (
        frame.groupby(["from_node", "to_node", "colour"], sort=True)
        .agg(
            amount=("amount_minor", "sum"),
            txn_count=("txn_count", "sum"),
            first=("first_date", "min"),
            last=("last_date", "max"),
            hops=("hop", lambda h: ", ".join(str(x) for x in sorted(set(h)))),
        )
        .reset_index()
        .rename(columns={"from_node": "source", "to_node": "target"})
    )
    pairs["relation"] = "money"

    base = int(frame["hop"].min()) if len(frame) else 0
    # Columns follow the money left to right: forward, hop 1 leaves the start (column 0);
    # backward, hop 1 arrives at the start (last column) and earlier hops stand to its left.
    step = (
        frame["hop"] - base if direction != "backward" else int(frame["hop"].max() if len(frame) else 0) - frame["hop"]
    )
    levels = pd.concat(
        [
            pd.Series(step.to_numpy(), index=frame["from_node"].to_numpy()),
            pd.Series((step + 1).to_numpy(), index=frame["to_node"].to_numpy()),
        ]
    )
    grouped = levels.groupby(level=0)
    level = (grouped.max() if direction == "backward" else grouped.min()).sort_index()
    volume = pairs.groupby("source")["amount"].sum().add(pairs.groupby("target")["amount"].sum(), fill_value=0)
    keys = list(level.index)
    nodes = pd.DataFrame(
        {
            "key": keys,
            "kind": [_kind(k) for k in keys],
            "label": [labels.get(k, k.removeprefix("country:")) for k in keys],
            "raw_id": keys,
            "volume": [int(volume.get(k, 0)) for k in keys],
            "role": [roles.get(k, "") for k in keys],
            "level": level.to_numpy(),
        }
    )
    flows = per_currency.rename(columns={"from_node": "source", "to_node": "target"})
    flows = flows.groupby(["source", "target", "currency"], sort=True)[["amount", "txn_count"]].sum().reset_index()
    out_tot = totals_text(flows, "source")
    in_tot = totals_text(flows, "target")
    node_titles = {}
    for key, kind, label in zip(nodes["key"], nodes["kind"], nodes["label"], strict=True):
        lines = [f"{kind}: {clip(label)}"]
        if label != key:
            lines.append(f"id: {clip(key)}")
        if key in in_tot:
            lines.append(f"traced in: {in_tot[key]}")
        if key in out_tot:
            lines.append(f"traced on: {out_tot[key]}")
        node_titles[key] = "\n".join(lines)
    shown = dict(zip(nodes["key"], nodes["label"], strict=True))
    palette = {c: SOURCE_COLOURS[i % len(SOURCE_COLOURS)] for i, c in enumerate(sorted(set(pairs["colour"]) - {""}))}
    pairs["colour_name"] = pairs["colour"]
    pairs["colour"] = pairs["colour_name"].map(lambda c: palette.get(c, ""))
    edge_titles = {}
    for pair in pairs.itertuples(index=False):
        rows = per_currency[
            (per_currency["from_node"] == pair.source)
            & (per_currency["to_node"] == pair.target)
            & (per_currency["colour"] == pair.colour_name)
        ]
        money = "; ".join(format_minor(a, c) for c, a in zip(rows["currency"], rows["amount"], strict=True))
        source = f" from source {clip(labels.get(pair.colour_name, pair.colour_name), 60)}" if pair.colour_name else ""
        edge_titles[(pair.source, pair.target, pair.colour_name or "money")] = "\n".join(
            [
                f"{clip(shown[pair.source], 60)} → {clip(shown[pair.target], 60)}",
                f"traced{source}: {money}",
                f"{pair.txn_count} transaction{'s' if pair.txn_count != 1 else ''}, "
                f"first {pair.first}, last {pair.last}; hop {pair.hops}",
            ]
        )
    # one arrow per pair and source: the tooltip key carries the source
    keyed = {
        (p.source, p.target, "money"): edge_titles[(p.source, p.target, p.colour_name or "money")]
        for p in pairs.itertuples(index=False)
        if not p.colour_name
    }
    titles_by_row = [edge_titles[(p.source, p.target, p.colour_name or "money")] for p in pairs.itertuples(index=False)]
    pairs = pairs.drop(columns="colour_name")
    pairs["title"] = titles_by_row
    legend = [
        {"label": f"from {clip(labels.get(name, name), 50)}", "shape": "line", "color": colour, "group": "source"}
        for name, colour in palette.items()
    ]
    empty = empty_reason or (
        "Nothing traced: no transaction matches the start, direction, dates, currency and minimum amount "
        "of this trace (see the method above)."
    )
    note = "One column per hop, left to right; arrow width: amount traced."
    if palette:
        note += " Arrow colour: the tainted source the money came from (legend)."
    return write_page(
        out_path,
        title=title,
        nodes=nodes,
        positions=column_positions(nodes),
        edges=pairs,
        node_titles=node_titles,
        edge_titles=keyed,
        notes=[method_note, note],
        links=links,
        empty=empty,
        currency=str(frame["currency"].mode().iloc[0]) if len(frame) and frame["currency"].nunique() == 1 else None,
        legend_extra=legend,
        edge_labels=5,
    )


#: A hop's column wraps into several side by side beyond this many nodes, so a wide backward
#: trail (many payers into one account) fills the screen instead of a thin tall sliver.
COLUMN_ROWS = 14


def column_positions(nodes: pd.DataFrame, gap_x: int = 320, gap_y: int = 80) -> dict[str, tuple[int, int]]:
    """One column per hop, left to right; in each, the largest amounts first, centred vertically."""
    out: dict[str, tuple[int, int]] = {}
    x = 0
    ordered = nodes.sort_values(["level", "volume", "key"], ascending=[True, False, True], kind="stable")
    for _, part in ordered.groupby("level", sort=True):
        keys = part["key"].tolist()
        columns = -(-len(keys) // COLUMN_ROWS)
        rows = -(-len(keys) // columns)
        for i, key in enumerate(keys):
            col, row = divmod(i, rows)
            height = min(rows, len(keys) - col * rows)
            out[key] = (x + col * (gap_x // 2), round((row - (height - 1) / 2) * gap_y))
        x += (columns - 1) * (gap_x // 2) + gap_x
    return out


#: Arrow colours for proceeds sources: distinct from the role fills and from each other.
SOURCE_COLOURS = ["#1f77b4", "#2ca02c", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f", "#393b79"]
