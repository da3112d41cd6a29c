"""Assembling a view page: vis-network nodes and edges, options, legend, notes, one HTML file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from finflow.views.layout import spring_positions
from finflow.views.render import render_template, safe_json, script_hash, static_text, vis_assets
from finflow.views.render import write_text as _write
from finflow.views.style import (
    CENTRE_BORDER,
    FLAGGED_BORDER,
    KIND_STYLE,
    ROLE_STYLE,
    VICTIM_BORDER,
    edge_width,
    legend_entries,
    node_size,
)
from finflow.views.tooltips import clip

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


def _vis_nodes(nodes: pd.DataFrame, titles: dict[str, str], centre: str | None) -> list[dict]:
    max_volume = float(nodes["volume"].max()) if len(nodes) else 0.0
    out = []
    for row in nodes.astype(object).itertuples(index=False):
        kind_style = KIND_STYLE.get(row.kind, KIND_STYLE["unknown"])
        role = str(row.role or "")
        fill = ROLE_STYLE[role].color if role else kind_style.color
        border = VICTIM_BORDER if role == "possible_victim" else FLAGGED_BORDER if role else fill
        width = 4 if role else 1
        if row.key == centre:
            border, width = CENTRE_BORDER, 6
        label = str(row.label)
        raw_id = str(row.raw_id)
        out.append(
            {
                "id": row.key,
                "label": clip(label, 40),
                "title": titles.get(row.key, label),
                "shape": kind_style.shape,
                "color": {
                    "background": fill,
                    "border": border,
                    "highlight": {"background": fill, "border": "#000000"},
                    "hover": {"background": fill, "border": "#000000"},
                },
                "borderWidth": width,
                "size": node_size(float(row.volume), max_volume),
                "kind": row.kind,
                "role": role,
                "search": f"{label} ({raw_id})" if raw_id and raw_id != label else label,
            }
        )
    return out


def _vis_edges(edges: pd.DataFrame, titles: dict[tuple, str]) -> list[dict]:
    money = edges["relation"] == "money"
    max_amount = float(edges.loc[money, "amount"].max()) if money.any() else 0.0
    out = []
    for i, row in enumerate(edges.astype(object).itertuples(index=False)):
        is_money = row.relation == "money"
        out.append(
            {
                "id": f"e{i}",
                "from": row.source,
                "to": row.target,
                "arrows": "to" if is_money else "",
                "dashes": not is_money,
                "width": edge_width(float(row.amount), max_amount) if is_money else 1,
                "color": {"color": "#6f8aa8" if is_money else "#aaaaaa", "highlight": "#000000"},
                "title": titles.get((row.source, row.target, row.relation), ""),
                "relation": row.relation,
            }
        )
    return out


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
) -> ViewStats:
    """Write one view. ``nodes``/``edges`` are what is drawn; ``totals`` what there was;
    ``links`` (text, relative href) lead to related pages (the report, timelines)."""
    if hierarchical:
        layout = "hierarchical"
    elif len(nodes) > PHYSICS_LIMIT:
        layout = "precomputed"
    else:
        layout = "physics"
    vis_nodes = _vis_nodes(nodes, node_titles, centre)
    if layout == "precomputed":
        positions = spring_positions(
            nodes["key"].tolist(),
            list(zip(edges["source"].tolist(), edges["target"].tolist(), strict=True)),
        )
        for node in vis_nodes:
            node["x"], node["y"] = positions[node["id"]]
    if hierarchical:
        for node, level in zip(vis_nodes, nodes["level"], strict=True):
            node["level"] = int(level)
    payload = {
        "nodes": vis_nodes,
        "edges": _vis_edges(edges, edge_titles),
        "options": _options(len(nodes), layout),
        "layout": layout,
    }
    vis_js, vis_css = vis_assets()
    app_js = static_text("view.js")
    page_css = static_text("view.css")
    kinds = set(nodes["kind"])
    roles = {r for r in nodes["role"] if r}
    csp = (
        "default-src 'none'; "
        f"script-src {script_hash(vis_js)} {script_hash(app_js)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    html = render_template(
        "view.html.j2",
        title=title,
        links=[(str(text), str(href)) for text, href in links],
        notes=list(notes),
        omitted=omitted,
        legend=legend_entries(kinds, roles),
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
