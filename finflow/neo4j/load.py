"""Writing a case into Neo4j: batched, parameterised, idempotent and resumable.

Every table goes through one fixed ``UNWIND $rows AS r MERGE …`` statement
(:data:`finflow.neo4j.graphmodel.LOAD_STATEMENTS`), one managed write transaction per batch.
Because every write MERGEs on a unique key, loading the same case twice changes nothing, and a
load interrupted after any batch completes without duplicates when it is simply run again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import neo4j
import pyarrow as pa
import pyarrow.compute as pc

from finflow.casedata import CaseData
from finflow.model import conform
from finflow.neo4j.graphmodel import LOAD_ORDER, LOAD_STATEMENTS, QUIET
from finflow.neo4j.library import queries_dir, statements

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "LoadReport",
    "apply_schema",
    "count_rows",
    "load_case",
    "table_rows",
]

#: Rows per transaction: large enough to amortise round trips, small enough for a laptop heap.
DEFAULT_BATCH_SIZE = 10_000


@dataclass
class LoadReport:
    """What a load wrote: rows and batches per table, and the time it took."""

    rows: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def apply_schema(
    driver: neo4j.Driver, *, database: str | None = None, path: Path | None = None
) -> int:
    """Create the constraints and indexes of ``queries/schema.cypher`` (idempotent).

    Waits until the indexes are online, so the MERGEs that follow are index look-ups.
    Returns the number of statements applied.
    """
    script = (path or queries_dir() / "schema.cypher").read_text(encoding="utf-8")
    parts = statements(script)
    with driver.session(database=database) as session:
        for statement in parts:
            session.run(statement).consume()
        session.run("CALL db.awaitIndexes(300)").consume()
    return len(parts)


def table_rows(data: CaseData, name: str) -> pa.Table:
    """The table as Arrow in the model's schema, plus any derived key the graph needs."""
    table = conform(name, getattr(data, name))
    if name == "identifiers":
        ident = pc.binary_join_element_wise(table["kind"], table["value"], ":")
        table = table.append_column("identifier_id", ident)
    elif name == "sightings":
        parts = [table[c] for c in ("table", "record_id", "source_sha256", "source_locator")]
        table = table.append_column("sighting_id", pc.binary_join_element_wise(*parts, ":"))
    elif name == "rejects":
        reject = pc.binary_join_element_wise(table["source_sha256"], table["source_locator"], ":")
        table = table.append_column("reject_id", reject)
    return table


def count_rows(data: CaseData) -> int:
    """How many rows :func:`load_case` will write (for a progress bar's length)."""
    return sum(len(getattr(data, name)) for name in LOAD_ORDER)


def _batches(table: pa.Table, size: int) -> Iterator[list[dict[str, object]]]:
    for offset in range(0, table.num_rows, size):
        yield table.slice(offset, size).to_pylist()


def load_case(
    driver: neo4j.Driver,
    data: CaseData,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    database: str | None = None,
    schema: bool = True,
) -> LoadReport:
    """Write every table of ``data`` into the graph.

    ``progress`` is called after each committed batch with the number of rows it wrote (wire it
    to ``click.progressbar(...).update``). Each batch is one transaction, retried by the driver
    on transient errors; a batch that fails leaves nothing behind, and re-running the load
    completes it. ``schema=False`` skips :func:`apply_schema` (already applied).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    if schema:
        apply_schema(driver, database=database)
    report = LoadReport()
    with driver.session(database=database, **QUIET) as session:
        for name in LOAD_ORDER:
            table = table_rows(data, name)
            report.rows[name] = table.num_rows
            statement = LOAD_STATEMENTS[name]
            for rows in _batches(table, batch_size):
                session.execute_write(_write, statement, rows)
                report.batches += 1
                if progress is not None:
                    progress(len(rows))
    report.seconds = time.perf_counter() - started
    return report


def _write(tx: neo4j.ManagedTransaction, statement: str, rows: list[dict[str, object]]) -> None:
    tx.run(statement, rows=rows).consume()
