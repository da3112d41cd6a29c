"""Assembling a view page: vis-network nodes and edges, options, legend, notes, one HTML file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pandas as pd

from finflow.views.layout import spring_positions
from finflow.views.render import render_template, safe_json, script_hash, static_text, vis_assets
from finflow.views.render import write_text as _write
from finflow.views.search import digits_of, search_text
from finflow.views.style import (
    CENTRE_BORDER,
    DELETED_BORDER,
    DELETED_DASHES,
    KIND_STYLE,
    ROLE_STYLE,
    VICTIM_BORDER,
    edge_width,
    legend_entries,
    node_size,
)
from finflow.views.tooltips import clip, short_amount

__all__ = ["PHYSICS_LIMIT", "Table", "ViewStats", "write_page"]

#: Above this many nodes, positions are computed here and the browser runs no physics at all.
PHYSICS_LIMIT = 100


@dataclass(frozen=True, slots=True)
class ViewStats:
    """What a view drew and what it left out (also stated on the page)."""

    path: Path
    nodes_total: int
    edges_total: int
    nodes_shown: int
    edges_shown: int
    flagged_total: int
    flagged_shown: int
    layout: str  # physics | precomputed | hierarchical

    @property
    def nodes_omitted(self) -> int:
        return self.nodes_total - self.nodes_shown

    @property
    def edges_omitted(self) -> int:
        return self.edges_total - self.edges_shown


@dataclass(frozen=True, slots=True)
class Table:
    """A plain table printed under the graph (e.g. a finding's evidence)."""

    caption: str
    columns: list[str]
    rows: list[list[str]]


def _darker(colour: str, factor: float = 0.6) -> str:
    """The same hue, darker: a border that frames the fill instead of hiding it."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{int(c * factor):02x}" for c in (r, g, b))


def _vis_nodes(
    nodes: pd.DataFrame, titles: dict[str, str], centre: str | None, labelled: set[str] | None
) -> list[dict]:
    max_volume = float(nodes["volume"].max()) if len(nodes) else 0.0
    # A big drawing opens zoomed out: labels and nodes grow with it so they stay readable.
    grow = max(1.0, (len(nodes) / 150) ** 0.5) if labelled is not None else 1.0
    out = []
    for row in nodes.astype(object).itertuples(index=False):
        kind_style = KIND_STYLE.get(row.kind, KIND_STYLE["unknown"])
        role = str(row.role or "")
        fill = ROLE_STYLE[role].color if role in ROLE_STYLE else kind_style.color
        border = VICTIM_BORDER if role == "possible_victim" else _darker(fill) if role else _darker(fill, 0.8)
        width = 2 if role else 1
        gone = getattr(row, "deleted", "")
        gone = gone if isinstance(gone, str) else ""
        if gone:
            border, width = DELETED_BORDER, 3
        if row.key == centre:
            border, width = CENTRE_BORDER, 4
        label = str(row.label)
        raw_id = str(row.raw_id)
        search = f"{label} ({raw_id})" if raw_id and raw_id != label else label
        shown = labelled is None or row.key in labelled or row.key == centre
        node = {
            "id": row.key,
            "label": clip(label, 34) if shown else "",
            "title": titles.get(row.key, label),
            "shape": kind_style.shape,
            "color": {
                "background": fill,
                "border": border,
                "highlight": {"background": fill, "border": "#000000"},
                "hover": {"background": fill, "border": "#000000"},
            },
            "borderWidth": width,
            "size": round(node_size(float(row.volume), max_volume) * grow, 2),
            "kind": row.kind,
            "role": role,
            "search": search,
            "find": search_text(search),
            "digits": digits_of(raw_id) if row.kind == "account" else "",
        }
        if gone:
            node["shapeProperties"] = {"borderDashes": DELETED_DASHES}
            node["deleted"] = gone
        if role:
            size = round(22 * grow) if labelled is not None else 15
            node["font"] = {"size": size, "strokeWidth": 5, "strokeColor": "#ffffff"}
        elif kind_style.shape == "box":
            node["font"] = {"size": round(22 * grow)}
        elif labelled is not None and shown:
            node["font"] = {"size": round(17 * grow), "strokeWidth": 4, "strokeColor": "#ffffff", "color": "#333333"}
        out.append(node)
    return out


def _vis_edges(edges: pd.DataFrame, titles: dict[tuple, str], currency: str | None, labels: int) -> list[dict]:
    money = edges["relation"] == "money"
    max_amount = float(edges.loc[money, "amount"].max()) if money.any() else 0.0
    strongest: set[int] = set()
    if currency and labels and money.any():
        ranked = edges.loc[money & (edges["amount"] > 0)].sort_values(
            ["amount", "source", "target"], ascending=[False, True, True], kind="stable"
        )
        strongest = set(ranked.index[:labels].tolist())
    out = []
    for i, row in zip(edges.index, edges.astype(object).itertuples(index=False), strict=True):
        is_money = row.relation == "money"
        colour = getattr(row, "colour", None)
        colour = colour if isinstance(colour, str) and colour.startswith("#") else None
        if row.source == "others" or row.target == "others":
            colour = colour or "#c8c8c8"
        edge = {
            "id": f"e{len(out)}",
            "from": row.source,
            "to": row.target,
            "arrows": "to" if is_money else "",
            "dashes": not is_money,
            "width": (
                min(edge_width(float(row.amount), max_amount), 2.0)
                if colour == "#c8c8c8"
                else edge_width(float(row.amount), max_amount)
            )
            if is_money
            else 1,
            "color": {"color": colour or ("#6f8aa8" if is_money else "#aaaaaa"), "highlight": "#000000"},
            "title": getattr(row, "title", None) or titles.get((row.source, row.target, row.relation), ""),
            "relation": row.relation,
        }
        if i in strongest and currency:
            edge["label"] = short_amount(int(row.amount), currency)
            edge["font"] = {"size": 17, "align": "top", "strokeWidth": 4, "strokeColor": "#ffffff"}
        out.append(edge)
    return out


def _relative(href: str) -> str:
    """A link to a file beside the view; anything with a scheme, host or absolute path is refused."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("/", "\\")):
        raise ValueError(f"view link {href!r} must be a relative path")
    return quote(href, safe="/#.")


def _options(n_nodes: int, layout: str) -> dict[str, Any]:
    big = n_nodes > 150
    options: dict[str, Any] = {
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= 50},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "multiselect": True,
        },
        "edges": {"smooth": False if big else {"type": "continuous"}},
        "nodes": {"font": {"size": 12}},
    }
    if layout == "physics":
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -6000,
                "springLength": 110,
                "springConstant": 0.04,
                "damping": 0.35,
                "avoidOverlap": 0.1,
            },
            "stabilization": {"enabled": True, "iterations": 200, "updateInterval": 50},
            "minVelocity": 1.0,
        }
    else:
        options["physics"] = {"enabled": False}
    if layout == "hierarchical":
        options["layout"]["hierarchical"] = {
            "enabled": True,
            "direction": "LR",
            "sortMethod": "directed",
            "levelSeparation": 220,
            "nodeSpacing": 90,
        }
    return options


def write_page(
    out_path: str | Path,
    *,
    title: str,
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    node_titles: dict[str, str],
    edge_titles: dict[tuple, str],
    notes: Sequence[str] = (),
    omitted: str | None = None,
    tables: Sequence[Table] = (),
    centre: str | None = None,
    hierarchical: bool = False,
    totals: tuple[int, int] | None = None,
    flagged_total: int | None = None,
    links: Sequence[tuple[str, str]] = (),
    empty: str | None = None,
    currency: str | None = None,
    edge_labels: int = 12,
    labelled: set[str] | None = None,
    positions: dict[str, tuple[int, int]] | None = None,
    legend_extra: Sequence[dict[str, str]] = (),
) -> ViewStats:
    """Write one view. ``nodes``/``edges`` are what is drawn; ``totals`` what there was.

    ``links`` (text, relative href) lead back to the report and to related views; ``empty``
    says why the graph is empty when it is; the ``edge_labels`` strongest money arrows carry
    their amount in ``currency``; only ``labelled`` nodes (default all) carry a label.
    """
    if hierarchical:
        layout = "hierarchical"
    elif len(nodes) > PHYSICS_LIMIT:
        layout = "precomputed"
    else:
        layout = "physics"
    vis_nodes = _vis_nodes(nodes, node_titles, centre, labelled)
    if positions is not None and not hierarchical:
        layout = "precomputed"
        for node in vis_nodes:
            node["x"], node["y"] = positions[node["id"]]
    elif layout == "precomputed":
        positions = spring_positions(
            nodes["key"].tolist(),
            list(zip(edges["source"].tolist(), edges["target"].tolist(), strict=True)),
        )
        for node in vis_nodes:
            node["x"], node["y"] = positions[node["id"]]
    if "level" in nodes.columns:  # a trail's column (also with baked positions)
        for node, level in zip(vis_nodes, nodes["level"], strict=True):
            node["level"] = int(level)
    payload = {
        "nodes": vis_nodes,
        "edges": _vis_edges(edges, edge_titles, currency, edge_labels),
        "options": _options(len(nodes), layout),
        "layout": layout,
    }
    vis_js, vis_css = vis_assets()
    app_js = static_text("view.js")
    page_css = static_text("view.css")
    kinds = set(nodes["kind"])
    roles = {r for r in nodes["role"] if r}
    deleted = "deleted" in nodes.columns and any(isinstance(d, str) and d for d in nodes["deleted"])
    csp = (
        "default-src 'none'; "
        f"script-src {script_hash(vis_js)} {script_hash(app_js)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    html = render_template(
        "view.html.j2",
        title=title,
        notes=list(notes),
        omitted=omitted,
        legend=legend_entries(kinds, roles, deleted) + list(legend_extra),
        links=[(text, _relative(href)) for text, href in links],
        empty=empty if not len(nodes) else None,
        has_money=bool((edges["relation"] == "money").any()) if len(edges) else False,
        tables=list(tables),
        csp=csp,
        vis_js=vis_js,
        vis_css=vis_css,
        page_css=page_css,
        app_js=app_js,
        data_json=safe_json(payload),
    )
    path = _write(out_path, html)
    n_total, e_total = totals if totals is not None else (len(nodes), len(edges))
    flagged_shown = int((nodes["role"] != "").sum())
    return ViewStats(
        path=path,
        nodes_total=int(n_total),
        edges_total=int(e_total),
        nodes_shown=len(nodes),
        edges_shown=len(edges),
        flagged_total=flagged_shown if flagged_total is None else int(flagged_total),
        flagged_shown=flagged_shown,
        layout=layout,
    )
