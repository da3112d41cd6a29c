"""Trail edges for the views, and deterministic ``trace.json`` / ``trace.csv`` writers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from finflow.money import format_minor
from finflow.safecsv import write_csv

__all__ = ["TRAIL_EDGE_COLUMNS", "aggregate_trail_edges", "json_ready", "write_trace"]

#: The columns of :func:`aggregate_trail_edges`, in order (the view renders this frame).
TRAIL_EDGE_COLUMNS = [
    "from_node",
    "to_node",
    "amount_minor",
    "currency",
    "txn_count",
    "first_date",
    "last_date",
    "hop",
]


def aggregate_trail_edges(moves: pd.DataFrame, currency: str) -> pd.DataFrame:
    """One edge per (from_node, to_node, hop): traced amount, count of transactions, dates.

    ``moves`` has one row per transaction part with ``txn_id, from_node, to_node,
    amount_minor, booking_date, hop``.
    """
    if moves.empty:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TRAIL_EDGE_COLUMNS})
        return frame.astype({"amount_minor": "int64", "txn_count": "int64", "hop": "int64"})
    grouped = moves.groupby(["from_node", "to_node", "hop"], sort=True)
    frame = grouped.agg(
        amount_minor=("amount_minor", "sum"),
        txn_count=("txn_id", "nunique"),
        first_date=("booking_date", "min"),
        last_date=("booking_date", "max"),
    ).reset_index()
    frame["currency"] = currency
    frame["amount_minor"] = frame["amount_minor"].astype("int64")
    frame["txn_count"] = frame["txn_count"].astype("int64")
    frame["hop"] = frame["hop"].astype("int64")
    frame = frame.sort_values(["hop", "from_node", "to_node"], kind="stable")
    return frame[TRAIL_EDGE_COLUMNS].reset_index(drop=True)


def json_ready(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON values: ints stay ints, dates become ISO strings, nulls None."""
    rows: list[dict[str, Any]] = []
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        row: dict[str, Any] = {}
        for column, value in zip(columns, values, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                row[column] = None
            elif isinstance(value, pd.Timestamp):
                row[column] = value.date().isoformat()
            elif hasattr(value, "item"):
                row[column] = value.item()
            else:
                row[column] = value
        rows.append(row)
    return rows


def with_amount_text(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Add an exact decimal ``amount`` text column next to ``amount_minor``."""
    out = frame.copy()
    text = [format_minor(int(a), currency).split(" ", 1)[1].replace(" ", "") for a in out["amount_minor"]]
    out.insert(out.columns.get_loc("amount_minor") + 1, "amount", text)
    return out


def _dates_to_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d").astype(object)
    return out


def write_trace(
    out_dir: str | Path,
    *,
    kind: str,
    method_note: str,
    parameters: dict[str, Any],
    table: pd.DataFrame,
    trail_edges: pd.DataFrame,
    summary: list[dict[str, Any]],
    currency: str,
) -> tuple[Path, Path]:
    """Write ``trace.json`` (everything) and ``trace.csv`` (the main table); same input, same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table_text = _dates_to_text(with_amount_text(table, currency))
    edges_text = _dates_to_text(trail_edges)
    document = {
        "kind": kind,
        "method_note": method_note,
        "parameters": parameters,
        "currency": currency,
        "summary": summary,
        "rows": json_ready(table_text),
        "trail_edges": json_ready(edges_text),
    }
    json_path = out / "trace.json"
    csv_path = out / "trace.csv"
    json_path.write_text(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    write_csv(csv_path, table_text)
    return json_path, csv_path
