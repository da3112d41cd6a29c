"""The embedded case store: a directory of Parquet tables plus a manifest of imported sources.

::

    case/
      manifest.json          one entry per imported source: name, sha256, format, counts, time
      rejects.csv            every row that could not be imported, with file, row and reason
      merges.parquet         parties joined on strong keys (org number, name + birth date, id
                             number, KYC holder), each reversible with ``undo_merge``
      tables/<name>.parquet  the canonical tables of finflow.model

Importing is idempotent: a file whose SHA-256 is in the manifest is not imported again, and
records whose content id is already in the case are counted as duplicates (their provenance is
kept in the ``sightings`` table). For every source, rows read = loaded + rejected + duplicates.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from finflow.casedata import CaseData
from finflow.casekey import case_key
from finflow.ids import file_sha256
from finflow.importers import registry
from finflow.importers.base import ImportError_, ImportResult, Source
from finflow.model import KEYS, SCHEMAS, TABLES, conform
from finflow.resolve import MERGES_SCHEMA, resolve_parties, undo_merge
from finflow.safecsv import write_csv

__all__ = ["Case", "ImportReport", "open_case"]

MANIFEST = "manifest.json"
MERGES = "merges.parquet"


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


class Case:
    """A case directory. Tables are read lazily and written once per :meth:`import_files`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._tables: dict[str, pa.Table] = {}
        self._resolution: tuple[dict[str, pd.DataFrame], pd.DataFrame] | None = None

    # -- reading ---------------------------------------------------------------------------
    @property
    def manifest(self) -> list[dict]:
        file = self.path / MANIFEST
        if not file.exists():
            return []
        return json.loads(file.read_text(encoding="utf-8"))["sources"]

    def table(self, name: str) -> pa.Table:
        """One canonical table as Arrow (empty when the case has none)."""
        if name not in self._tables:
            file = self.path / "tables" / f"{name}.parquet"
            self._tables[name] = pq.read_table(file) if file.exists() else SCHEMAS[name].empty_table()
        return self._tables[name]

    def imported_tables(self) -> dict[str, pd.DataFrame]:
        """The tables as imported, before parties are resolved."""
        return {name: self.table(name).to_pandas(types_mapper=pd.ArrowDtype) for name in TABLES}

    def _resolve(self) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
        """Resolved tables and merges, computed once per state of the case."""
        if self._resolution is None:
            self._resolution = resolve_parties(self.imported_tables(), previous=self._stored_merges())
        return self._resolution

    def merges(self) -> pd.DataFrame:
        """Party merges on strong keys (see :mod:`finflow.resolve`), with their status."""
        return self._resolve()[1]

    def data(self) -> CaseData:
        """The whole case, parties resolved on strong keys, ready for analysis."""
        return CaseData.from_tables(self._resolve()[0])

    def undo_merge(self, merge_id: str) -> pd.DataFrame:
        """Undo one merge (it stays undone after later imports); returns the merges table."""
        _, merges = undo_merge(self.imported_tables(), self.merges(), merge_id)
        self._write_merges(merges)
        self._resolution = None
        return merges

    def _stored_merges(self) -> pd.DataFrame | None:
        file = self.path / MERGES
        return pq.read_table(file).to_pandas() if file.exists() else None

    def _write_merges(self, merges: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(merges, preserve_index=False).cast(MERGES_SCHEMA)
        table = table.sort_by([("merge_id", "ascending"), ("party_id", "ascending")])
        pq.write_table(table, self.path / MERGES)

    # -- importing -------------------------------------------------------------------------
    def import_files(
        self,
        paths: Iterable[str | Path],
        *,
        format: str | None = None,
        options: dict[str, str] | None = None,
        on_report: Callable[[ImportReport], None] | None = None,
    ) -> list[ImportReport]:
        """Import files (in the order given) and save the case once at the end.

        A file that cannot be imported as a whole gives a ``failed`` report with a one-line
        ``error``; the other files still import.
        """
        manifest = self.manifest
        known = {entry["sha256"]: entry for entry in manifest}
        reports = []
        changed = False
        for path in paths:
            report = self._import_one(Path(path), format, options or {}, known)
            if report.status == "imported":
                entry = asdict(report)
                entry.pop("status")
                entry.pop("error")
                manifest.append(entry)
                known[report.sha256] = entry
                changed = True
            reports.append(report)
            if on_report:
                on_report(report)
        if changed:
            self._resolution = None
            self._save(manifest)
        return reports

    def _import_one(
        self, path: Path, format: str | None, options: dict[str, str], known: dict[str, dict]
    ) -> ImportReport:
        name = path.name
        try:
            sha = file_sha256(str(path))
        except OSError as exc:
            return ImportReport(name, "", format or "", "failed", error=f"{name}: {exc.strerror}")
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
        except (UnicodeDecodeError, ValueError, OSError) as exc:
            return ImportReport(name, sha, format or "", "failed", error=f"{name}: {exc}")
        duplicates = self._merge(result)
        loaded = result.rows_read - len(result.rejects) - duplicates
        return ImportReport(
            name, sha, result.format, "imported",
            rows_read=result.rows_read, loaded=loaded, rejected=len(result.rejects),
            duplicates=duplicates, batch_id=source.batch_id, imported_at=_now(), notes=result.notes,
        )  # fmt: skip

    def _merge(self, result: ImportResult) -> int:
        """Add the result's records; returns how many transactions were already in the case."""
        duplicates = 0
        incoming = dict(result.tables)
        incoming["rejects"] = result.rejects
        for name, frame in incoming.items():
            if frame is None or len(frame) == 0:
                continue
            new = conform(name, frame)
            old = self.table(name)
            merged, dup_rows = _merge_table(name, old, new)
            self._tables[name] = merged
            if name == "transactions" and dup_rows is not None and dup_rows.num_rows:
                duplicates += dup_rows.num_rows
                sightings = dup_rows.select(
                    ["txn_id", "source_file", "source_sha256", "source_locator", "batch_id"]
                ).rename_columns(["record_id", "source_file", "source_sha256", "source_locator", "batch_id"])
                sightings = sightings.append_column("table", pa.array(["transactions"] * sightings.num_rows))
                self._tables["sightings"], _ = _merge_table(
                    "sightings",
                    self.table("sightings"),
                    sightings.select(SCHEMAS["sightings"].names).cast(SCHEMAS["sightings"]),
                )
        return duplicates

    def _save(self, manifest: list[dict]) -> None:
        tables_dir = self.path / "tables"
        tables_dir.mkdir(parents=True, exist_ok=True)
        for name, table in self._tables.items():
            tmp = tables_dir / f".{name}.parquet.tmp"
            pq.write_table(_sorted(name, table), tmp, compression="zstd")
            tmp.replace(tables_dir / f"{name}.parquet")
        rejects = _sorted("rejects", self.table("rejects")).to_pandas()
        write_csv(self.path / "rejects.csv", rejects)
        self._write_merges(self.merges())
        text = json.dumps({"finflow_case": 1, "sources": manifest}, indent=2, ensure_ascii=False)
        (self.path / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _key(table: pa.Table, columns: list[str]) -> pd.Series:
    """The primary key of each row as one string (columns joined by a unit separator)."""
    parts = [pc.fill_null(pc.cast(table.column(c), pa.string()), "") for c in columns]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
    return pd.Series(joined.to_numpy(zero_copy_only=False), dtype=object)


def _merge_table(name: str, old: pa.Table, new: pa.Table) -> tuple[pa.Table, pa.Table | None]:
    """Append rows of ``new`` whose key is not in ``old``; return (merged, rows already present).

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
    dup_mask = present | ~first_in_new
    return merged, new.filter(pa.array(dup_mask))


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


def open_case(path: str | Path) -> Case:
    """Open (or start) the case at ``path``."""
    return Case(path)
