"""The embedded case store: Parquet tables plus a manifest of imported sources, committed whole.

::

    case/
      CURRENT                      which generation is the case's state
      generations/<n>/             one committed state (see finflow.casestore):
        manifest.json              one entry per imported source: name, sha256, format, counts, time
        tables/<name>.parquet      the canonical tables of finflow.model
        merges.parquet             parties joined on strong keys (org number, name + birth date, id
                                   number, KYC holder), each reversible with ``undo_merge``
        rejects.csv                every row that could not be imported, with file, row and reason
      rejects.csv                  a copy of the current generation's rejects.csv, for reading
      lock, lock.owner             the writers' lock (finflow.caselock)

An import (of one file or many) and ``undo_merge`` commit all of it — tables, rejects, merges and
manifest — as one new generation, or nothing: a crash or ``kill -9`` at any moment leaves the case
exactly as before or exactly as after. Writers hold the case lock, so two imports into one case
run one after the other and both end in the manifest; readers take no lock and read one
committed generation throughout.

Importing is idempotent: a file whose SHA-256 is in the manifest is not imported again, and a
source row all of whose records (by content id) are already in the case counts as a duplicate,
in every table; the provenance of those records is kept in the ``sightings`` table. For every
source, rows read = loaded + rejected + duplicates.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from finflow.casedata import CaseData
from finflow.casekey import case_key
from finflow.caselock import CaseLock, CaseLockedError, lock_wait
from finflow.casestore import (
    MERGES,
    POINTER,
    REJECTS_CSV,
    CaseDamagedError,
    Generation,
    GenerationBuilder,
    GenerationGoneError,
    current_generation,
    has_flat_layout,
    next_generation_number,
    read_manifest,
    read_merges,
    read_pointer,
    read_table,
    refresh_rejects_copy,
    switch_pointer,
    table_file,
    tidy,
)
from finflow.errors import debugging, one_line, os_error_line
from finflow.ids import file_sha256
from finflow.importers import registry
from finflow.importers.base import ImportError_, ImportResult, Source
from finflow.inputs import not_regular
from finflow.model import KEYS, SCHEMAS, TABLES, conform
from finflow.resolve import MERGES_SCHEMA, resolve_parties, undo_merge
from finflow.safecsv import frame_text

__all__ = ["Case", "CaseDamagedError", "CaseLockedError", "ImportReport", "case_exists", "open_case"]

#: Tables whose duplicate records keep their further provenance in ``sightings`` (one id column
#: each; the same tables a Sighting links to in Neo4j, finflow.neo4j.graphmodel.RECORD_NODES).
SIGHTED_TABLES: tuple[str, ...] = ("transactions", "parties", "accounts", "addresses", "leases")
_UNPINNED = object()
#: Tables whose records describe a whole statement, not one of the source's rows.
_WHOLE_STATEMENT_TABLES: tuple[str, ...] = ("statements",)


@dataclass(slots=True)
class ImportReport:
    """What one import did. ``status`` is ``imported``, ``already imported`` or ``failed``."""

    file: str
    sha256: str
    format: str
    status: str
    rows_read: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    batch_id: str = ""
    imported_at: str = ""
    notes: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.loaded + self.rejected + self.duplicates


def _now() -> str:
    """UTC time of the import; ``SOURCE_DATE_EPOCH`` pins it for reproducible outputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else int(time.time())
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _rejects_csv(rejects: pa.Table) -> bytes:
    """``rejects.csv`` as users read it: one row per reject, in key order."""
    return frame_text(_sorted("rejects", rejects).to_pandas()).encode("utf-8")


class Case:
    """A case directory.

    A ``Case`` reads one committed generation (pinned on first use) and reads its tables lazily;
    :meth:`import_files` and :meth:`undo_merge` take the case lock (waiting at most ``wait``
    seconds, see :mod:`finflow.caselock`), move to the newest generation and commit a new one.
    """

    def __init__(self, path: str | Path, *, wait: float | None = None) -> None:
        self.path = Path(path)
        self.wait = lock_wait(wait)
        self._unpin()

    def _unpin(self) -> None:
        self._generation: Generation | object | None = _UNPINNED
        self._doc: dict | None = None
        self._tables: dict[str, pa.Table] = {}
        self._changed: set[str] = set()
        self._resolution: tuple[dict[str, pd.DataFrame], pd.DataFrame] | None = None

    # -- reading ---------------------------------------------------------------------------
    @property
    def generation(self) -> Generation | None:
        """The committed state this object reads (``None``: an empty case)."""
        if self._generation is _UNPINNED:
            self._generation = current_generation(self.path)
        return self._generation  # type: ignore[return-value]

    def _manifest_doc(self) -> dict:
        if self._doc is None:
            generation = self.generation
            self._doc = read_manifest(generation) if generation else {"sources": []}
        return self._doc

    def _consistent(self, read: Callable[[], object]):
        """Run ``read``; if later commits removed the generation meanwhile, start again on the newest."""
        for _attempt in range(5):
            try:
                return read()
            except GenerationGoneError:
                if self._changed:
                    raise
                self._unpin()
        return read()

    @property
    def manifest(self) -> list[dict]:
        """The imported sources, one entry each, in import order."""
        return [dict(entry) for entry in self._consistent(lambda: self._manifest_doc()["sources"])]

    def table(self, name: str) -> pa.Table:
        """One canonical table as Arrow (empty when the case has none)."""
        return self._consistent(lambda: self._table(name))

    def _table(self, name: str) -> pa.Table:
        if name not in self._tables:
            generation = self.generation
            self._tables[name] = read_table(generation, name) if generation else SCHEMAS[name].empty_table()
        return self._tables[name]

    def imported_tables(self) -> dict[str, pd.DataFrame]:
        """The tables as imported, before parties are resolved."""
        return self._consistent(self._imported_tables)

    def _imported_tables(self) -> dict[str, pd.DataFrame]:
        return {name: self._table(name).to_pandas(types_mapper=pd.ArrowDtype) for name in TABLES}

    def _resolve(self) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
        """Resolved tables and merges, computed once per state of the case."""

        def resolve() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
            if self._resolution is None:
                self._resolution = resolve_parties(self._imported_tables(), previous=self._stored_merges())
            return self._resolution

        return self._consistent(resolve)

    def merges(self) -> pd.DataFrame:
        """Party merges on strong keys (see :mod:`finflow.resolve`), with their status."""
        return self._resolve()[1]

    def data(self) -> CaseData:
        """The whole case, parties resolved on strong keys, ready for analysis."""
        return CaseData.from_tables(self._resolve()[0])

    def _stored_merges(self) -> pd.DataFrame | None:
        generation = self.generation
        return read_merges(generation) if generation else None

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the lock, on the newest generation; changes not committed are dropped on error."""
        with CaseLock(self.path, self.wait):
            pointer = read_pointer(self.path)
            if pointer is None and not has_flat_layout(self.path):
                current_generation(self.path)  # generations without a pointer: damaged, refuse
                switch_pointer(self.path, 0)  # a new case: "empty" is now a committed state
                pointer = 0
            if current_generation(self.path) != self._generation:
                self._unpin()
            if pointer is not None:
                tidy(self.path, pointer)
                if self.generation is not None:
                    refresh_rejects_copy(self.generation)
            try:
                yield
            except BaseException:
                self._unpin()
                raise

    def undo_merge(self, merge_id: str) -> pd.DataFrame:
        """Undo one merge (it stays undone after later imports); returns the merges table."""
        with self._writing():
            _, merges = undo_merge(self.imported_tables(), self.merges(), merge_id)
            self._commit(self.manifest, merges)
        return merges

    def rebuild_merges(self) -> pd.DataFrame:
        """Compute the merges again from the tables, forgetting which were undone.

        For a case whose ``merges.parquet`` is lost and has no earlier complete state
        (``finflow case repair`` does this); returns the new merges table.
        """
        with self._writing():
            merges = resolve_parties(self.imported_tables(), previous=None)[1]
            self._commit(self.manifest, merges)
        return merges

    def _commit(self, sources: list[dict], merges: pd.DataFrame | None = None) -> None:
        """Write the whole state as the next generation and switch the case to it."""
        base = self.generation
        merges = self.merges() if merges is None else merges
        builder = GenerationBuilder(self.path, next_generation_number(self.path))
        recorded = self._manifest_doc().get("files", {}) if base else {}
        for name in TABLES:
            relative = table_file(name)
            if name in self._changed or base is None or not base.file(relative).is_file():
                builder.write_table(relative, _sorted(name, self._table(name)))
            else:
                builder.link(relative, base.file(relative), recorded.get(relative))
        if "rejects" in self._changed or base is None or base.flat or not base.file(REJECTS_CSV).is_file():
            builder.write_bytes(REJECTS_CSV, _rejects_csv(self._table("rejects")))
        else:
            builder.link(REJECTS_CSV, base.file(REJECTS_CSV), recorded.get(REJECTS_CSV))
        builder.write_table(MERGES, _merges_table(merges))
        doc = {"sources": sources}
        legacy = self._manifest_doc().get("legacy_counts") if base and not base.flat else None
        if base is not None and base.flat:
            legacy = [entry.get("sha256") for entry in self._manifest_doc()["sources"]]
        if legacy:
            doc["legacy_counts"] = legacy
        self._doc = builder.commit(doc)
        self._generation = builder.generation
        self._changed = set()
        self._resolution = None
        refresh_rejects_copy(builder.generation)
        tidy(self.path, builder.generation.number)

    # -- importing -------------------------------------------------------------------------
    def import_files(
        self,
        paths: Iterable[str | Path],
        *,
        format: str | None = None,
        options: dict[str, str] | None = None,
        on_report: Callable[[ImportReport], None] | None = None,
    ) -> list[ImportReport]:
        """Import files (in the order given) and commit them together at the end.

        A file that cannot be imported as a whole gives a ``failed`` report with a one-line
        ``error``; the other files still import. Nothing is committed if the import is
        interrupted; :class:`finflow.caselock.CaseLockedError` if another writer holds the case
        longer than the wait.
        """
        with self._writing():
            manifest = self.manifest
            known = {entry["sha256"]: entry for entry in manifest}
            reports = []
            for path in paths:
                report = self._import_one(Path(path), format, options or {}, known)
                if report.status == "imported":
                    entry = asdict(report)
                    entry.pop("status")
                    entry.pop("error")
                    manifest.append(entry)
                    known[report.sha256] = entry
                reports.append(report)
                if on_report:
                    on_report(report)
            if self._changed or len(manifest) != len(self.manifest):
                self._resolution = None
                self._commit(manifest)
        return reports

    def _import_one(
        self, path: Path, format: str | None, options: dict[str, str], known: dict[str, dict]
    ) -> ImportReport:
        name = path.name
        kind = not_regular(path)
        if kind is not None:  # a FIFO or device would block or never end
            return ImportReport(name, "", format or "", "failed", error=f"{name}: {kind}, not a regular file; skipped")
        try:
            sha = file_sha256(str(path))
        except OSError as exc:
            return ImportReport(name, "", format or "", "failed", error=os_error_line(exc, name))
        if sha in known:
            entry = known[sha]
            return ImportReport(
                name, sha, entry["format"], "already imported",
                rows_read=entry["rows_read"], duplicates=entry["rows_read"],
                batch_id=entry["batch_id"], imported_at=entry["imported_at"],
                notes=[f"same content as {entry['file']}, imported {entry['imported_at']}"],
            )  # fmt: skip
        source = Source(str(path), name, sha, f"batch-{sha[:16]}", dict(options), key=case_key(self.path))
        try:
            adapter = registry.by_format(format) if format else registry.detect(str(path), name)
            result: ImportResult = adapter.read(str(path), source)
        except ImportError_ as exc:
            return ImportReport(name, sha, format or "", "failed", error=str(exc))
        except OSError as exc:
            return ImportReport(name, sha, format or "", "failed", error=f"{name}: {os_error_line(exc)}")
        except Exception as exc:  # an adapter's bug fails this file in one line, the others still import
            if debugging():
                raise
            return ImportReport(name, sha, format or "", "failed", error=f"{name}: {one_line(exc)}")
        duplicates = self._merge(result)
        loaded = result.rows_read - len(result.rejects) - duplicates
        return ImportReport(
            name, sha, result.format, "imported",
            rows_read=result.rows_read, loaded=loaded, rejected=len(result.rejects),
            duplicates=duplicates, batch_id=source.batch_id, imported_at=_now(), notes=result.notes,
        )  # fmt: skip

    def _merge(self, result: ImportResult) -> int:
        """Add the result's records; returns how many source rows were already in the case.

        A row is a duplicate when every record it yields, in any table, was already in the case
        (or came from an earlier row of the same source): then it adds nothing but provenance,
        which goes to ``sightings``. A row that adds one new record is loaded.
        """
        locators: list[pa.ChunkedArray] = []
        fresh: list[pa.ChunkedArray] = []
        for name, frame in result.tables.items():
            if frame is None or len(frame) == 0:
                continue
            new = conform(name, frame)
            merged, duplicate = _merge_table(name, self._table(name), new)
            self._set(name, merged)
            if name in _WHOLE_STATEMENT_TABLES:  # describes a statement, not a row of it
                continue
            locators.append(new["source_locator"])
            fresh.append(new.filter(pa.array(~duplicate))["source_locator"])
            if name in SIGHTED_TABLES and duplicate.any():
                self._add_sightings(name, new.filter(pa.array(duplicate)))
        rejected = pa.array([], pa.string())
        if len(result.rejects):
            rejects = conform("rejects", result.rejects)
            self._set("rejects", _merge_table("rejects", self._table("rejects"), rejects)[0])
            rejected = pc.unique(rejects["source_locator"])
        if not locators:
            return 0
        rows = pc.unique(_chunks(locators))
        added = pc.unique(_chunks(fresh))
        only_seen = pc.and_(pc.invert(pc.is_in(rows, value_set=added)), pc.invert(pc.is_in(rows, value_set=rejected)))
        return pc.sum(pc.cast(only_seen, pa.int64())).as_py() or 0

    def _set(self, name: str, table: pa.Table) -> None:
        self._tables[name] = table
        self._changed.add(name)

    def _add_sightings(self, name: str, duplicates: pa.Table) -> None:
        """Keep the provenance of records that were already in the case."""
        columns = {"table": pa.array([name] * duplicates.num_rows, pa.string()), "record_id": duplicates[KEYS[name][0]]}
        columns |= {c: duplicates[c] for c in ("source_file", "source_sha256", "source_locator", "batch_id")}
        sightings = pa.table(columns).select(SCHEMAS["sightings"].names).cast(SCHEMAS["sightings"])
        self._set("sightings", _merge_table("sightings", self._table("sightings"), sightings)[0])


def _chunks(columns: list[pa.ChunkedArray]) -> pa.ChunkedArray:
    """Text columns as one column, without copying (``pa.chunked_array`` of chunked arrays
    would go through Python objects)."""
    return pa.chunked_array([chunk for column in columns for chunk in column.chunks], pa.string())


def _merges_table(merges: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(merges, preserve_index=False).cast(MERGES_SCHEMA)
    return table.sort_by([("merge_id", "ascending"), ("party_id", "ascending")])


def _key(table: pa.Table, columns: list[str]) -> pd.Series:
    """The primary key of each row as one string (columns joined by a unit separator)."""
    parts = [pc.fill_null(pc.cast(table.column(c), pa.string()), "") for c in columns]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
    return pd.Series(joined.to_numpy(zero_copy_only=False), dtype=object)


def _merge_table(name: str, old: pa.Table, new: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """Append rows of ``new`` whose key is not in ``old``; return (merged, which rows of ``new``
    were already present, in ``old`` or earlier in ``new``).

    Accounts are the exception: a strong holder (a resolved party) replaces the ``holder-…``
    placeholder that statement imports create for an account whose holder is not yet known.
    """
    keys = KEYS[name]
    new_key = _key(new, keys)
    first_in_new = ~new_key.duplicated().to_numpy()
    if old.num_rows:
        old_key = _key(old, keys)
        present = new_key.isin(set(old_key)).to_numpy()
    else:
        old_key = None
        present = pd.Series(False, index=new_key.index).to_numpy()
    fresh = new.filter(pa.array(first_in_new & ~present))
    merged = pa.concat_tables([old, fresh]) if old.num_rows else fresh
    if name == "accounts" and old_key is not None and present.any():
        merged = _upgrade_holders(merged, new.filter(pa.array(present)))
    if name in _FILL_FROM_LATER and old_key is not None and present.any():
        merged = _fill_nulls(merged, new.filter(pa.array(present)), keys)
    return merged, present | ~first_in_new


#: Tables whose records a later source may complete: a null attribute is filled from a later
#: sighting of the same record (a KYC row gives a company's name, the registry its country).
_FILL_FROM_LATER = ("parties", "companies", "addresses")


def _fill_nulls(merged: pa.Table, later: pa.Table, keys: list[str]) -> pa.Table:
    frame = merged.to_pandas(types_mapper=pd.ArrowDtype).set_index(keys)
    extra = later.to_pandas(types_mapper=pd.ArrowDtype).drop_duplicates(keys).set_index(keys)
    provenance = ["source_file", "source_sha256", "source_locator", "batch_id"]
    columns = [c for c in frame.columns if c not in provenance]
    filled = frame[columns].combine_first(extra[columns].reindex(frame.index))
    if "kind" in filled.columns:  # "unknown" is no better than null
        known = extra["kind"].reindex(frame.index)
        filled["kind"] = filled["kind"].mask((filled["kind"] == "unknown") & known.notna(), known)
    frame[columns] = filled[columns]
    table = pa.Table.from_pandas(frame.reset_index(), preserve_index=False)
    return table.select(merged.schema.names).cast(merged.schema)


def _upgrade_holders(merged: pa.Table, candidates: pa.Table) -> pa.Table:
    frame = merged.to_pandas(types_mapper=pd.ArrowDtype)
    strong = candidates.to_pandas(types_mapper=pd.ArrowDtype)
    strong = strong[~strong["holder_party_id"].astype("string").str.startswith("holder-").fillna(True)]
    if strong.empty:
        return merged
    strong = strong.drop_duplicates("account_id").set_index("account_id")
    weak = frame["holder_party_id"].astype("string").str.startswith("holder-").fillna(True)
    target = weak & frame["account_id"].isin(strong.index)
    for column in ("holder_party_id", "holder_name"):
        frame.loc[target, column] = frame.loc[target, "account_id"].map(strong[column]).to_numpy()
    return pa.Table.from_pandas(frame, preserve_index=False).cast(merged.schema)


def _sorted(name: str, table: pa.Table) -> pa.Table:
    """Rows in key order, so the same case content always gives the same files."""
    return table.sort_by([(k, "ascending") for k in KEYS[name]])


def open_case(path: str | Path, *, wait: float | None = None) -> Case:
    """Open (or start) the case at ``path``; writers wait at most ``wait`` seconds for the lock."""
    return Case(path, wait=wait)


def case_exists(path: str | Path) -> bool:
    """Whether ``path`` holds a case (in either layout), empty or not."""
    path = Path(path)
    return (path / POINTER).is_file() or has_flat_layout(path)
