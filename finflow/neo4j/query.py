"""Running a library query by name and turning its result into plain, printable values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import neo4j

from finflow.neo4j.graphmodel import QUIET
from finflow.neo4j.library import load_query
from finflow.safecsv import csv_text
from finflow.terminal import clean

__all__ = ["QueryResult", "plain", "render", "run_query"]


@dataclass(frozen=True)
class QueryResult:
    """Column names and rows of plain Python values (dates as ISO strings)."""

    name: str
    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def plain(value: Any) -> Any:
    """A JSON-ready value: temporal types as ISO text, graph elements as property maps."""
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, neo4j.graph.Node | neo4j.graph.Relationship):
        return {k: plain(v) for k, v in dict(value).items()}
    iso = getattr(value, "iso_format", None)
    if iso is not None:
        return iso()
    return value


def run_query(
    driver: neo4j.Driver,
    name: str,
    params: dict[str, Any] | None = None,
    *,
    database: str | None = None,
) -> QueryResult:
    """Run ``queries/<name>.cypher`` with ``params`` (checked against its header) as a read."""
    query = load_query(name)
    bound = query.bind(dict(params or {}))
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS, **QUIET) as s:
        result = s.run(query.text, bound)
        keys = result.keys()
        rows = [[plain(v) for v in record.values()] for record in result]
    return QueryResult(name, list(keys), rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def render(result: QueryResult, fmt: str) -> str:
    """The result as ``table`` (aligned text), ``csv`` or ``json`` (a list of objects)."""
    if fmt == "json":
        return json.dumps(result.records(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    if fmt == "csv":
        # standard output, often piped on: formulas defused, numbers kept numbers, no byte-order mark
        numbers = [[v if isinstance(v, int | float) and not isinstance(v, bool) else _cell(v) for v in row]
                   for row in result.rows]  # fmt: skip
        return csv_text(result.columns, numbers, bom=False)
    cells = [[clean(_cell(v)) for v in row] for row in result.rows]  # widths of what the terminal shows
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}")
    widths = [len(c) for c in result.columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(result.columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"
