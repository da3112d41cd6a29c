"""Generations of a case on disk: every commit is a complete directory, switched in by one rename.

::

    case/
      CURRENT                    the number of the committed generation ("000007")
      generations/000007/        the case as of the last commit; never changed once committed
        manifest.json            sources and their counts, and the size and SHA-256 of each file
        tables/<name>.parquet    every canonical table of finflow.model
        merges.parquet           party merges (finflow.resolve)
        rejects.csv              the rows that could not be imported, with file, row and reason
      generations/000006/        the state before the last commit, kept for ``finflow case repair``
      rejects.csv                a copy of the current generation's rejects.csv, for reading
      lock, lock.owner           the writers' lock (finflow.caselock)

A writer (holding the lock) builds generation n+1 beside n — new tables written, unchanged ones
hard-linked — flushes every file and directory to disk, and then replaces ``CURRENT`` with one
``os.replace``. A crash at any instant leaves ``CURRENT`` naming n (the case exactly as before)
or n+1 (exactly as after); a half-built generation is never named and is removed by the next
writer. Readers take no lock: they read ``CURRENT`` once and then only that generation, which
no writer changes and the next commit still keeps. Cases written before generations existed
(``manifest.json``, ``tables/``, ``merges.parquet`` at the case root) are read as they are and
become generation 1 on their first write; their flat files are removed one commit later.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from finflow.durable import fsync_dir, fsync_file, replace, step_done, write_durably
from finflow.errors import FinflowError, naming
from finflow.model import ADDED_COLUMNS, SCHEMAS, TABLES
from finflow.resolve import MERGES_SCHEMA

__all__ = [
    "GENERATIONS",
    "MANIFEST",
    "MERGES",
    "POINTER",
    "REJECTS_CSV",
    "CaseDamagedError",
    "Generation",
    "GenerationBuilder",
    "GenerationGoneError",
    "current_generation",
    "generation_numbers",
    "has_flat_layout",
    "next_generation_number",
    "read_manifest",
    "read_merges",
    "read_pointer",
    "read_table",
    "refresh_rejects_copy",
    "schema_problem",
    "switch_pointer",
    "table_file",
    "tidy",
]

POINTER = "CURRENT"
GENERATIONS = "generations"
MANIFEST = "manifest.json"
MERGES = "merges.parquet"
REJECTS_CSV = "rejects.csv"
#: Format of a generation's manifest: 1 was the flat layout, 2 adds ``generation`` and ``files``.
FORMAT = 2
_NUMBER = re.compile(r"^\d{6,9}$")
_NUMBER_PREFIX = re.compile(r"^(\d{6,9})")
_REPAIR_HINT = "`finflow case repair` restores the last complete state"


class CaseDamagedError(FinflowError):
    """A file of the case cannot be read or does not hold what the store wrote."""

    def __init__(self, file: Path, problem: str) -> None:
        super().__init__(f"{file}: {problem} ({_REPAIR_HINT})")
        self.file = file
        self.problem = problem


class GenerationGoneError(CaseDamagedError):
    """The generation a reader started on was removed by later commits (the reader starts again)."""


def table_file(name: str) -> str:
    """Where a table lives inside a generation (a path relative to it, with ``/``)."""
    return f"tables/{name}.parquet"


@dataclass(frozen=True, slots=True)
class Generation:
    """One committed state of a case; ``number`` is ``None`` for the flat layout of older cases."""

    case_dir: Path
    number: int | None

    @property
    def flat(self) -> bool:
        return self.number is None

    @property
    def path(self) -> Path:
        return self.case_dir if self.number is None else self.case_dir / GENERATIONS / f"{self.number:06d}"

    def file(self, relative: str) -> Path:
        return self.path / relative

    def __str__(self) -> str:
        return "the flat layout at the case root" if self.number is None else f"generation {self.number}"


def _damaged(file: Path, problem: str) -> CaseDamagedError:
    return CaseDamagedError(file, problem)


def has_flat_layout(case_dir: Path) -> bool:
    """Whether ``case_dir`` holds a case in the flat layout of finflow_case 1."""
    return (case_dir / MANIFEST).is_file() or (case_dir / "tables").is_dir()


def read_pointer(case_dir: Path) -> int | None:
    """The committed generation's number; ``None`` when there is no ``CURRENT`` file."""
    file = case_dir / POINTER
    try:
        text = file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise _damaged(file, f"unreadable ({exc})") from None
    if not _NUMBER.match(text):
        raise _damaged(file, f"does not name a generation ({text[:40]!r})")
    return int(text)


def current_generation(case_dir: str | Path) -> Generation | None:
    """The committed state of the case (``None``: an empty case, or no case here yet).

    ``CURRENT`` naming generation 0 is an empty case: a new case gets that pointer before its
    first generation is built, so a missing pointer next to generations always means damage.
    """
    case_dir = Path(case_dir)
    number = read_pointer(case_dir)
    if number is None:
        if has_flat_layout(case_dir):
            return Generation(case_dir, None)
        if generation_numbers(case_dir):
            raise _damaged(case_dir / POINTER, "is missing, but the case has generations")
        return None
    if number == 0:
        return None
    generation = Generation(case_dir, number)
    if not generation.path.is_dir():
        raise _damaged(case_dir / POINTER, f"names generation {number}, which does not exist")
    return generation


def generation_numbers(case_dir: Path) -> list[int]:
    """Numbers of the generation directories present (complete or not), ascending."""
    root = case_dir / GENERATIONS
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir() if _NUMBER.match(p.name) and p.is_dir())


def next_generation_number(case_dir: Path) -> int:
    """One above every number in use, including generations set aside as damaged."""
    root = case_dir / GENERATIONS
    used = [read_pointer(case_dir) or 0]
    if root.is_dir():
        used += [int(m.group(1)) for p in root.iterdir() if (m := _NUMBER_PREFIX.match(p.name))]
    return max(used) + 1


def _missing(generation: Generation, file: Path) -> CaseDamagedError:
    if not generation.path.is_dir():
        return GenerationGoneError(generation.path, "removed while it was being read")
    return _damaged(file, "is missing")


def read_manifest(generation: Generation) -> dict:
    """The generation's manifest: ``{"sources": [...], ...}`` (checked for shape, not content)."""
    file = generation.file(MANIFEST)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        if generation.flat:
            return {"finflow_case": 1, "sources": []}
        raise _missing(generation, file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _damaged(file, f"unreadable ({exc})") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        reason = f"{exc.msg}, line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise _damaged(file, f"not valid JSON ({reason})") from None
    sources = doc.get("sources") if isinstance(doc, dict) else None
    if not isinstance(sources, list) or not all(isinstance(entry, dict) for entry in sources):
        raise _damaged(file, "not a finflow manifest (it has no list of sources)")
    return doc


def schema_problem(actual: pa.Schema, expected: pa.Schema) -> str | None:
    """What keeps a stored table's columns from being the expected ones (``None``: nothing)."""
    missing = [name for name in expected.names if name not in actual.names]
    if missing:
        return f"columns missing: {', '.join(missing)}"
    extra = [name for name in actual.names if name not in expected.names]
    if extra:
        return f"unexpected columns: {', '.join(extra)}"
    for field in expected:
        found = actual.field(field.name).type
        if found != field.type:
            return f"column {field.name} is {found}, expected {field.type}"
    return None


def _read_parquet(
    generation: Generation, relative: str, schema: pa.Schema, optional: tuple[str, ...] = ()
) -> pa.Table | None:
    """The stored table, checked against ``schema`` (``optional`` columns may be missing)."""
    file = generation.file(relative)
    if not file.is_file():
        if generation.flat:
            return None
        raise _missing(generation, file)
    try:
        table = pq.read_table(file)
    except (OSError, pa.ArrowException) as exc:
        raise _damaged(file, f"not a readable Parquet file ({_arrow_reason(exc)})") from None
    expected = pa.schema([f for f in schema if f.name not in optional or f.name in table.column_names])
    problem = schema_problem(table.schema, expected)
    if problem:
        raise _damaged(file, problem)
    return table


def _arrow_reason(exc: Exception) -> str:
    """The gist of a pyarrow error, without the file name it repeats: "magic bytes not found …"."""
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    text = re.sub(r"^Could not open Parquet input source '.*?': ", "", text)
    return text.split(". ")[0].rstrip(".")[:160]


def written_before(generation: Generation, relative: str) -> bool:
    """Whether the generation was written by a finflow that did not keep ``relative`` yet.

    Its manifest records every file it wrote; a table missing from the folder *and* from that
    record is a table added to finflow later (``statements``, say), not a lost file: it reads as
    empty, and the next import writes it.
    """
    if generation.flat or generation.file(relative).is_file():
        return False
    recorded = read_manifest(generation).get("files")
    return isinstance(recorded, dict) and bool(recorded) and relative not in recorded


def read_table(generation: Generation, name: str) -> pa.Table:
    """One canonical table of the generation (empty when the case was written before it existed;
    a column added to the table later reads as null)."""
    if written_before(generation, table_file(name)):
        return SCHEMAS[name].empty_table()
    table = _read_parquet(generation, table_file(name), SCHEMAS[name], ADDED_COLUMNS.get(name, ()))
    if table is None:
        return SCHEMAS[name].empty_table()
    for column in ADDED_COLUMNS.get(name, ()):
        if column not in table.column_names:
            field = SCHEMAS[name].field(column)
            table = table.append_column(field, pa.nulls(len(table), field.type))
    return table.select(SCHEMAS[name].names).cast(SCHEMAS[name])


def read_merges(generation: Generation) -> pd.DataFrame | None:
    """The stored merges (``None``: a flat-layout case that has none yet)."""
    table = _read_parquet(generation, MERGES, MERGES_SCHEMA)
    return None if table is None else table.to_pandas()


class GenerationBuilder:
    """Builds generation ``number`` file by file; :meth:`commit` makes it the case's state.

    Until the commit nothing names the directory, so a crash while building leaves the case
    as it was; the next writer removes the unfinished directory.
    """

    def __init__(self, case_dir: Path, number: int) -> None:
        self.generation = Generation(case_dir, number)
        path = self.generation.path
        if path.exists():  # left by a writer that died before switching to it
            shutil.rmtree(path)
        (path / "tables").mkdir(parents=True)
        self.files: dict[str, dict[str, object]] = {}

    def write_table(self, relative: str, table: pa.Table) -> None:
        file = self.generation.file(relative)
        with naming(file):
            pq.write_table(table, file, compression="zstd")
            self._flushed(relative)

    def write_bytes(self, relative: str, data: bytes) -> None:
        file = self.generation.file(relative)
        with naming(file):
            file.write_bytes(data)
            self._flushed(relative)

    def link(self, relative: str, source: Path, recorded: dict | None = None) -> None:
        """Take an unchanged file from the previous generation (a hard link where possible)."""
        target = self.generation.file(relative)
        try:
            os.link(source, target)
        except OSError:  # no hard links here (FAT, some network shares): copy
            shutil.copyfile(source, target)
            recorded = None
        if recorded and recorded.get("bytes") == target.stat().st_size:
            self.files[relative] = {"bytes": recorded["bytes"], "sha256": recorded["sha256"]}
        else:  # no digest to reuse (a flat-layout case, or a copy): read it back
            sha = fsync_file(target, digest=True)
            self.files[relative] = {"bytes": target.stat().st_size, "sha256": sha}
        step_done(f"linked {relative}")

    def _flushed(self, relative: str) -> None:
        file = self.generation.file(relative)
        sha = fsync_file(file, digest=True)
        self.files[relative] = {"bytes": file.stat().st_size, "sha256": sha}
        step_done(f"wrote {relative}")

    def commit(self, doc: dict) -> dict:
        """Write the manifest, flush the directories, switch ``CURRENT``; returns the manifest."""
        generation = self.generation
        doc = {"finflow_case": FORMAT, "generation": generation.number, **doc}
        doc["files"] = dict(sorted(self.files.items()))
        manifest = generation.file(MANIFEST)
        with naming(manifest):
            manifest.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            fsync_file(manifest)
        for directory in (generation.path / "tables", generation.path, generation.path.parent):
            fsync_dir(directory)
        step_done(f"wrote {MANIFEST}")
        switch_pointer(generation.case_dir, generation.number)
        return doc


def switch_pointer(case_dir: Path, number: int | None) -> None:
    """Make generation ``number`` the case's state with one atomic rename (``None``: the flat layout)."""
    pointer = case_dir / POINTER
    if number is None:
        pointer.unlink(missing_ok=True)
        fsync_dir(case_dir)
        step_done(f"removed {POINTER}")
        return
    tmp = case_dir / f"{POINTER}.tmp"
    with open(tmp, "w", encoding="ascii", newline="\n") as fh:
        fh.write(f"{number:06d}\n")
        fh.flush()
        os.fsync(fh.fileno())
    step_done(f"wrote {POINTER}.tmp")
    replace(tmp, pointer)
    fsync_dir(case_dir)
    step_done(f"switched {POINTER} to generation {number}")


def _remove_flat_files(case_dir: Path) -> bool:
    """Remove the flat layout's own files (never anything else at the case root)."""
    removed = False
    for file in [case_dir / MANIFEST, case_dir / MERGES, *(case_dir / "tables" / f"{n}.parquet" for n in TABLES)]:
        if file.is_file():
            file.unlink()
            removed = True
    tables = case_dir / "tables"
    if tables.is_dir():
        for tmp in tables.glob(".*.parquet.tmp"):
            tmp.unlink()
        if not any(tables.iterdir()):
            tables.rmdir()
            removed = True
    return removed


def tidy(case_dir: Path, current: int) -> list[str]:
    """Remove what the case no longer needs: unfinished and old generations (the one before
    ``current`` is kept), flat-layout files once a generation replaced them, a stale pointer file.
    Returns what it removed, one sentence each."""
    done = []
    numbers = generation_numbers(case_dir)
    older = [n for n in numbers if n < current]
    keep = {current, *older[-1:]}
    for number in numbers:
        if number in keep:
            continue
        shutil.rmtree(Generation(case_dir, number).path, ignore_errors=True)  # a reader may hold it on Windows
        done.append(f"removed {'unfinished' if number > current else 'old'} generation {number}")
        step_done(done[-1])
    if older and _remove_flat_files(case_dir):
        done.append("removed the flat-layout files that generation 1 replaced")
        step_done(done[-1])
    (case_dir / f"{POINTER}.tmp").unlink(missing_ok=True)
    if done:
        fsync_dir(case_dir / GENERATIONS)
    return done


def refresh_rejects_copy(generation: Generation) -> bool:
    """Make ``case/rejects.csv`` a copy of the generation's; returns whether it had to be rewritten."""
    if generation.flat:
        return False
    source = generation.file(REJECTS_CSV)
    target = generation.case_dir / REJECTS_CSV
    data = source.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return False
    write_durably(target, data)
    step_done(f"refreshed {REJECTS_CSV} at the case root")
    return True
