"""How things look: one shape per entity kind, one colour per suggested role, and the legend.

A possible victim is drawn in a protective colour with its own legend entry, never in the red
used for controllers: a view must not present a person the case should protect as a suspect.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DELETED_BORDER",
    "DELETED_DASHES",
    "DELETED_LEGEND",
    "KIND_STYLE",
    "ROLE_ORDER",
    "ROLE_STYLE",
    "NodeStyle",
    "edge_width",
    "legend_entries",
    "node_size",
]


@dataclass(frozen=True, slots=True)
class NodeStyle:
    """A legend entry: what it means, the vis-network shape and the fill colour."""

    label: str
    shape: str
    color: str


#: Shape and base colour per node kind (unflagged nodes).
KIND_STYLE: dict[str, NodeStyle] = {
    "account": NodeStyle("account", "dot", "#7f9cc0"),
    "person": NodeStyle("person", "diamond", "#8c8c8c"),
    "company": NodeStyle("company", "square", "#a58b6f"),
    "address": NodeStyle("address", "triangle", "#9fb58a"),
    "country": NodeStyle("country (foreign counterparties)", "hexagon", "#c7b7d9"),
    "cash": NodeStyle("cash deposits / withdrawals", "star", "#e0c341"),
    "unknown": NodeStyle("unrecorded counterparty", "triangleDown", "#cccccc"),
    "others": NodeStyle("everything else, aggregated", "box", "#ececec"),
}

#: Fill colour per role suggested by findings; overrides the kind colour, keeps the shape.
ROLE_STYLE: dict[str, NodeStyle] = {
    "controller": NodeStyle("controller (suspected)", "dot", "#d62728"),
    "facilitator": NodeStyle("facilitator (suspected)", "dot", "#ff7f0e"),
    "front": NodeStyle("front (suspected)", "dot", "#9467bd"),
    "possible_victim": NodeStyle("possible victim (protection)", "dot", "#17a2b8"),
    "unknown": NodeStyle("flagged, role unclear", "dot", "#f2d024"),
}

#: Tie-break between roles of equal score (first wins).
ROLE_ORDER: tuple[str, ...] = ("controller", "facilitator", "front", "possible_victim", "unknown")

#: Border of a company the register has deleted: dashed grey, whatever its fill (role or kind).
DELETED_BORDER = "#808080"
DELETED_DASHES = [6, 4]
DELETED_LEGEND = "deleted company (dashed grey border: deleted from the register)"

#: Border colour of a possible victim: a second cue besides the fill, for colour-blind readers.
VICTIM_BORDER = "#0b5394"
FLAGGED_BORDER = "#222222"
CENTRE_BORDER = "#000000"


def legend_entries(kinds: set[str], roles: set[str], deleted: bool = False) -> list[dict[str, str]]:
    """Legend rows for the kinds and roles present in a view, in a fixed order (``deleted``: a
    deleted company is drawn)."""
    rows = [
        {"label": s.label, "shape": s.shape, "color": s.color, "group": "kind"}
        for k, s in KIND_STYLE.items()
        if k in kinds
    ]
    rows += [
        {"label": s.label, "shape": "dot", "color": s.color, "group": "role"}
        for r, s in ROLE_STYLE.items()
        if r in roles
    ]
    if deleted:
        company = KIND_STYLE["company"]
        rows.append(
            {"label": DELETED_LEGEND, "shape": company.shape, "color": "#ffffff", "group": "status", "dashed": "yes"}
        )
    return rows


def node_size(volume: float, max_volume: float) -> float:
    """Area grows with money moved (relative to the largest node in the view)."""
    if max_volume <= 0:
        return 12.0
    return round(10.0 + 30.0 * (max(volume, 0.0) / max_volume) ** 0.5, 2)


def edge_width(amount: float, max_amount: float) -> float:
    """Width grows with the amount on the edge (relative to the largest edge in the view)."""
    if max_amount <= 0:
        return 1.0
    return round(1.0 + 7.0 * (max(amount, 0.0) / max_amount) ** 0.5, 2)
