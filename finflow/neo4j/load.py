"""Writing a case into Neo4j: batched, parameterised, idempotent and resumable.

Every table goes through one fixed ``UNWIND $rows AS r MERGE …`` statement
(:data:`finflow.neo4j.graphmodel.LOAD_STATEMENTS`), one managed write transaction per batch; the
nodes a batch points at (the accounts of its transactions; an account's holder and country) are
MERGEd first in the same transaction (:data:`~finflow.neo4j.graphmodel.LOAD_REFERENCES`).
Because every node is MERGEd on a unique key and every relationship MERGEd or created only where
its node has none of that type, loading the same case twice changes nothing, and a load
interrupted after any batch completes without duplicates when it is simply run again.

Into a graph that has none of a table's nodes yet (a first load), accounts and transactions take
:data:`~finflow.neo4j.graphmodel.FRESH_STATEMENTS` instead: each batch travels as columns and is
CREATEd, without MERGE's look-ups; the result is the same graph.

Batches of a table are written by ``workers`` threads at once, each batch in its own session and
transaction, tables one after another. The server's locks keep concurrent batches consistent,
and a deadlock between two batches is a transient error after which the driver runs the batch
again. A table whose key occurs twice is written one batch after another, so its last row still
wins.

Rows are built straight from Arrow: dates as ISO text (the statements apply ``date()``), columns
that are null throughout a batch left out. The server does most of the work; a lean Python side
leaves it the CPU.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import neo4j
import pyarrow as pa
import pyarrow.compute as pc

from finflow.casedata import CaseData
from finflow.model import KEYS, conform
from finflow.neo4j.graphmodel import (
    BATCH_UNIQUE_KEYS,
    FRESH_STATEMENTS,
    INDEX_KEYS,
    LOAD_ORDER,
    LOAD_REFERENCES,
    LOAD_STATEMENTS,
    QUIET,
    RECORD_NODES,
    index_key,
)
from finflow.neo4j.library import queries_dir, statements

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_WORKERS",
    "LoadReport",
    "apply_schema",
    "count_rows",
    "load_case",
    "table_rows",
]

#: Rows per transaction: large enough to amortise round trips, small enough for a laptop heap.
DEFAULT_BATCH_SIZE = 10_000

#: Batches written at the same time. The server does one batch's work on one core; two batches
#: keep two cores busy, and Python prepares the next batch meanwhile.
DEFAULT_WORKERS = 2


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
    """The table as Arrow in the model's schema, plus any derived key the graph needs.

    Text looked up by value gets its bounded index key (:data:`~finflow.neo4j.graphmodel.INDEX_KEYS`):
    the full text is stored unindexed, so no value is ever too large to index.
    """
    table = conform(name, getattr(data, name))
    if name in INDEX_KEYS:
        spec = INDEX_KEYS[name]
        column = table[spec.column]
        distinct = pc.unique(column).to_pylist()
        keys = {text: index_key(text, spec.normalise) for text in distinct}
        values = pa.array([keys[text] for text in column.to_pylist()], pa.string())
        table = table.append_column(spec.key, values)
    if name == "sightings":
        parts = [table[c] for c in ("table", "record_id", "source_sha256", "source_locator")]
        table = table.append_column("sighting_id", pc.binary_join_element_wise(*parts, ":"))
    elif name == "rejects":
        reject = pc.binary_join_element_wise(table["source_sha256"], table["source_locator"], ":")
        table = table.append_column("reject_id", reject)
    return table


def count_rows(data: CaseData) -> int:
    """How many rows :func:`load_case` will write (for a progress bar's length)."""
    return sum(len(getattr(data, name)) for name in LOAD_ORDER)


def _wire(table: pa.Table) -> pa.Table:
    """Date columns as ISO text, which the load statements turn into ``Date`` with ``date()``."""
    for index, spec in enumerate(table.schema):
        if pa.types.is_date(spec.type):
            table = table.set_column(index, spec.name, table.column(index).cast(pa.string()))
    return table


def _filled(part: pa.Table) -> pa.Table:
    """The batch without the columns that are null throughout it: a missing key reads as null,
    and filtering single values row by row would cost more than it saves."""
    return part.select([c for c in part.column_names if part[c].null_count < part.num_rows])


def _ids(part: pa.Table, columns: tuple[str, ...]) -> list[object]:
    """Distinct non-null values of ``columns``, sorted (a stable lock order)."""
    values = pa.chunked_array([chunk for c in columns for chunk in part[c].chunks], part[columns[0]].type)
    return values.unique().drop_null().sort().to_pylist()


def _passes(rows: list[dict[str, object]], key: str) -> list[list[dict[str, object]]]:
    """``rows`` split so that no pass names a key twice; repeats follow in their order."""
    seen: dict[object, int] = {}
    passes: list[list[dict[str, object]]] = [[]]
    for row in rows:
        n = seen.get(row[key], 0)
        seen[row[key]] = n + 1
        if n == len(passes):
            passes.append([])
        passes[n].append(row)
    return passes


Work = list[tuple[str, dict[str, object]]]


def _batches(name: str, table: pa.Table, size: int, *, fresh: bool = False) -> Iterator[tuple[int, Work]]:
    """Per batch: its row count and the statements with parameters of its transaction.

    ``fresh``: none of the table's nodes exist yet and its keys are unique, so its rows are
    CREATEd (:data:`~finflow.neo4j.graphmodel.FRESH_STATEMENTS`) rather than MERGEd.
    """
    statement = FRESH_STATEMENTS[name] if fresh else LOAD_STATEMENTS[name]
    references = LOAD_REFERENCES.get(name, ())
    key = None if fresh else BATCH_UNIQUE_KEYS.get(name)
    for offset in range(0, table.num_rows, size):
        part = table.slice(offset, size)
        work: Work = []
        for ref in references:
            ids = _ids(part, ref.columns)
            if ids:
                work.append((ref.statement, {"ids": ids}))
        if fresh:
            work.append((statement, {"cols": _filled(part).to_pydict()}))
            yield part.num_rows, work
            continue
        rows = _filled(part).to_pylist()
        if key is not None and pc.count_distinct(part[key]).as_py() < part.num_rows:
            work.extend((statement, {"rows": rows_pass}) for rows_pass in _passes(rows, key))
        else:
            work.append((statement, {"rows": rows}))
        yield part.num_rows, work


def _keys_unique(name: str, table: pa.Table) -> bool:
    """Whether no key of the table occurs twice (then the order of its batches does not matter)."""
    keys = KEYS[name]
    if table.num_rows < 2:
        return True
    if len(keys) == 1:
        return pc.count_distinct(table[keys[0]], mode="all").as_py() == table.num_rows
    return table.group_by(keys).aggregate([]).num_rows == table.num_rows


def _fresh(session: neo4j.Session, name: str, table: pa.Table, *, keys_unique: bool) -> bool:
    """Whether the table can be CREATEd: the graph has none of its nodes and its keys are unique and set.

    The label's count comes from Neo4j's count store, so asking costs nothing. A reload or a
    resumed load finds nodes and MERGEs.
    """
    if name not in FRESH_STATEMENTS or table.num_rows == 0 or not keys_unique:
        return False
    if any(table[key].null_count for key in KEYS[name]):
        return False
    label = RECORD_NODES[name][0]
    return session.run(f"MATCH (n:{label}) RETURN count(n) AS n").single(strict=True)["n"] == 0


def load_case(
    driver: neo4j.Driver,
    data: CaseData,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    database: str | None = None,
    schema: bool = True,
    workers: int = DEFAULT_WORKERS,
) -> LoadReport:
    """Write every table of ``data`` into the graph.

    ``progress`` is called after each committed batch with the number of rows it wrote (wire it
    to ``click.progressbar(...).update``); it is always called from the calling thread. Each
    batch is one transaction, retried by the driver on transient errors; a batch that fails
    leaves nothing behind, and re-running the load completes it. Up to ``workers`` batches of a
    table are written at the same time. ``schema=False`` skips :func:`apply_schema` (already
    applied).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    started = time.perf_counter()
    if schema:
        apply_schema(driver, database=database)
    report = LoadReport()

    def done(count: int) -> None:
        report.batches += 1
        if progress is not None:
            progress(count)

    with driver.session(database=database, **QUIET) as session:
        for name in LOAD_ORDER:
            table = _wire(table_rows(data, name))
            report.rows[name] = table.num_rows
            keys_unique = _keys_unique(name, table)
            fresh = _fresh(session, name, table, keys_unique=keys_unique)
            batches = _batches(name, table, batch_size, fresh=fresh)
            if workers > 1 and table.num_rows > batch_size and keys_unique:
                _write_concurrently(driver, database, batches, workers, done)
            else:
                for count, work in batches:
                    session.execute_write(_write, work)
                    done(count)
    report.seconds = time.perf_counter() - started
    return report


def _write_concurrently(
    driver: neo4j.Driver,
    database: str | None,
    batches: Iterator[tuple[int, Work]],
    workers: int,
    done: Callable[[int], None],
) -> None:
    """Write ``batches`` with ``workers`` threads, one session each; ``done`` runs in this thread.

    At most ``workers`` batches are in flight, and the next one is prepared while they run. The
    first failure (or an exception from ``done``) stops the submission; batches already running
    finish (commit or roll back) before it propagates.
    """
    local = threading.local()
    sessions: list[neo4j.Session] = []
    lock = threading.Lock()

    def write(work: Work) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = driver.session(database=database, **QUIET)
            with lock:
                sessions.append(session)
        session.execute_write(_write, work)

    pending: dict[Future[None], int] = {}

    def collect() -> None:
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            future.result()
            done(pending.pop(future))

    pool = ThreadPoolExecutor(workers, thread_name_prefix="finflow-neo4j-load")
    try:
        for count, work in batches:
            while len(pending) >= workers:
                collect()
            pending[pool.submit(write, work)] = count
        while pending:
            collect()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for session in sessions:
            session.close()


def _write(tx: neo4j.ManagedTransaction, work: Work) -> None:
    for statement, parameters in work:
        tx.run(statement, parameters).consume()
