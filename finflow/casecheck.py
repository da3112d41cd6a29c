"""Checking a case store, and repairing a damaged one: the library behind ``finflow case``.

:func:`check_case` verifies what the store promises — the pointer names a generation that
exists, every file has the size and SHA-256 its manifest recorded, every table opens with its
schema, the manifest's counts agree with the tables (each source's loaded rows and rejects are
there, no record comes from a source the manifest does not list), sightings point at records
that exist, and the merges are readable and name imported parties — and reports one line per
problem. :func:`repair_case` restores the newest generation that passes the check when the
current one does not (setting the damaged one aside, never deleting it), says which sources
that drops, and tidies what an interrupted command left behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from finflow.case import SIGHTED_TABLES, Case, case_exists
from finflow.caselock import CaseLock, describe_holder, lock_holder
from finflow.casestore import (
    GENERATIONS,
    MANIFEST,
    MERGES,
    POINTER,
    REJECTS_CSV,
    CaseDamagedError,
    Generation,
    current_generation,
    generation_numbers,
    has_flat_layout,
    read_manifest,
    read_merges,
    read_pointer,
    read_table,
    refresh_rejects_copy,
    switch_pointer,
    table_file,
    tidy,
)
from finflow.durable import fsync_dir, fsync_file
from finflow.model import KEYS, TABLES

__all__ = ["CaseCheck", "RepairReport", "check_case", "check_generation", "repair_case"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_COUNTS = ("rows_read", "loaded", "rejected", "duplicates")
#: Tables whose records carry the provenance of the source row that first brought them.
#: Tables whose records come from a source's rows (a statement record describes a whole file or
#: ``Stmt``, not a row, so it is not counted among the loaded rows).
_RECORD_TABLES = tuple(name for name in TABLES if name not in ("sightings", "rejects", "statements"))


@dataclass
class CaseCheck:
    """What :func:`check_case` found; ``problems`` are one line each, ``notes`` are not problems."""

    case_dir: Path
    generation: Generation | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: int = 0
    transactions: int = 0
    #: Whether the case's own state is damaged (not only the readers' copy of rejects.csv).
    damaged: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        where = str(self.generation) if self.generation else "an empty case"
        if self.problems:
            return f"{self.case_dir}: {len(self.problems)} problem(s)" + (f" in {where}" if self.generation else "")
        counts = f"{self.sources:,} source(s), {self.transactions:,} transactions"
        return f"{self.case_dir}: no problems in {where} ({counts})"


def _problem(file: Path, message: str) -> str:
    return f"{file}: {message}"


def _source_problems(file: Path, sources: list[dict]) -> list[str]:
    problems = []
    seen: set[str] = set()
    for index, entry in enumerate(sources, start=1):
        name = f"source {index} ({str(entry.get('file', '?'))[:80]})"
        sha = entry.get("sha256")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            problems.append(_problem(file, f"{name}: sha256 is not a SHA-256 ({str(sha)[:70]!r})"))
        elif sha in seen:
            problems.append(_problem(file, f"{name}: listed twice"))
        seen.add(str(sha))
        if not isinstance(entry.get("batch_id"), str):
            problems.append(_problem(file, f"{name}: batch_id is missing"))
        counts = [entry.get(key) for key in _COUNTS]
        if not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts):
            given = dict(zip(_COUNTS, counts, strict=True))
            problems.append(_problem(file, f"{name}: counts {given} are not all whole numbers"))
        elif counts[0] != sum(counts[1:]):
            total = sum(counts[1:])
            problems.append(_problem(file, f"{name}: read {counts[0]} ≠ loaded + rejected + duplicates ({total})"))
    return problems


def _file_problems(generation: Generation, doc: dict) -> list[str]:
    """Every file the generation must hold, with the size and digest its manifest recorded."""
    recorded = doc.get("files")
    manifest = generation.file(MANIFEST)
    if not isinstance(recorded, dict):
        return [_problem(manifest, "records no file digests")]
    problems = []
    for relative in [*(table_file(n) for n in TABLES), MERGES, REJECTS_CSV]:
        file = generation.file(relative)
        entry = recorded.get(relative)
        if not file.is_file() and relative != MERGES and relative != REJECTS_CSV and relative not in recorded:
            continue  # a table finflow added after this generation was written: read as empty
        if not file.is_file():
            problems.append(_problem(file, "is missing"))
        elif not isinstance(entry, dict):
            problems.append(_problem(file, "is not recorded in the manifest"))
        elif file.stat().st_size != entry.get("bytes"):
            size, expected = file.stat().st_size, entry.get("bytes")
            problems.append(_problem(file, f"is {size:,} bytes, the manifest recorded {expected} (truncated?)"))
        elif fsync_file(file, digest=True) != entry.get("sha256"):
            problems.append(_problem(file, "content differs from the SHA-256 recorded in the manifest"))
    return problems


def _count_problems(generation: Generation, doc: dict, tables: dict[str, pa.Table]) -> list[str]:
    """The manifest against the tables: sources, loaded rows, rejects, sightings."""
    problems = []
    sources = doc["sources"]
    pairs = {(e.get("sha256"), e.get("batch_id")) for e in sources}
    legacy = set(doc.get("legacy_counts") or ([e.get("sha256") for e in sources] if generation.flat else []))
    rows = []
    for name, table in tables.items():
        if not table.num_rows:
            continue
        frame = table.select(["source_sha256", "batch_id", "source_locator"]).to_pandas()
        per_source = frame.groupby(["source_sha256", "batch_id"]).size()
        unknown = per_source[[pair not in pairs for pair in per_source.index]]
        if len(unknown):
            sha = unknown.index[0][0]
            problems.append(
                _problem(
                    generation.file(table_file(name)),
                    f"{int(unknown.sum()):,} row(s) from a source the manifest does not list (sha256 {sha[:16]}…)",
                )
            )
        if name in _RECORD_TABLES:
            rows.append(frame[["batch_id", "source_locator"]])
    loaded = pd.concat(rows).drop_duplicates().groupby("batch_id").size() if rows else pd.Series(dtype=int)
    rejects = tables["rejects"].column("source_sha256").to_pandas().value_counts()
    manifest = generation.file(MANIFEST)
    for entry in sources:
        name, sha = str(entry.get("file", "?"))[:80], entry.get("sha256")
        found = int(loaded.get(entry.get("batch_id"), 0))
        expected = entry.get("loaded")
        if isinstance(expected, int) and (found > expected if sha in legacy else found != expected):
            problems.append(_problem(manifest, f"{name}: {expected:,} row(s) loaded, the tables hold {found:,}"))
        if isinstance(entry.get("rejected"), int) and int(rejects.get(sha, 0)) != entry["rejected"]:
            held, said = int(rejects.get(sha, 0)), entry["rejected"]
            problems.append(_problem(manifest, f"{name}: {said:,} row(s) rejected, the tables hold {held:,}"))
    problems += _sighting_problems(generation, tables)
    return problems


def _sighting_problems(generation: Generation, tables: dict[str, pa.Table]) -> list[str]:
    sightings = tables["sightings"].select(["table", "record_id"]).to_pandas()
    file = generation.file(table_file("sightings"))
    problems = []
    for name, group in sightings.groupby("table", sort=True):
        if name not in SIGHTED_TABLES:
            problems.append(_problem(file, f"{len(group):,} sighting(s) of records in an unknown table {name!r}"))
            continue
        ids = set(tables[name].column(KEYS[name][0]).to_pylist())
        missing = group.loc[~group["record_id"].isin(ids), "record_id"]
        if len(missing):
            problems.append(
                _problem(file, f"{len(missing):,} sighting(s) point at {name} not in the case (e.g. {missing.iloc[0]})")
            )
    return problems


def _merge_problems(generation: Generation, parties: pa.Table | None, known: list[str]) -> list[str]:
    try:
        merges = read_merges(generation)
    except CaseDamagedError as exc:
        return [] if any(p.startswith(f"{exc.file}:") for p in known) else [_problem(exc.file, exc.problem)]
    if merges is None or merges.empty:
        return []
    file = generation.file(MERGES)
    problems = []
    status = set(merges["status"]) - {"active", "undone"}
    if status:
        problems.append(_problem(file, f"unknown merge status {sorted(status)[0]!r}"))
    if parties is not None:
        known = set(parties.column("party_id").to_pylist())
        strangers = merges.loc[~merges["party_id"].isin(known)]
        if len(strangers):
            merge, party = strangers.iloc[0]["merge_id"], strangers.iloc[0]["party_id"]
            problems.append(_problem(file, f"merge {merge} names party {party}, which is not in the case"))
    return problems


def check_generation(generation: Generation) -> list[str]:
    """Problems of one generation (its files, tables, counts and merges), one line each."""
    try:
        doc = read_manifest(generation)
    except CaseDamagedError as exc:
        return [_problem(exc.file, exc.problem)]
    manifest = generation.file(MANIFEST)
    if generation.flat and not manifest.is_file():
        return [_problem(manifest, "is missing")]
    problems = _source_problems(manifest, doc["sources"])
    if not generation.flat:
        problems += _file_problems(generation, doc)
    tables: dict[str, pa.Table] = {}
    for name in TABLES:
        try:
            tables[name] = read_table(generation, name)
        except CaseDamagedError as exc:
            if not any(p.startswith(f"{exc.file}:") for p in problems):  # one line per damaged file
                problems.append(_problem(exc.file, exc.problem))
    if len(tables) == len(TABLES) and not problems:
        problems += _count_problems(generation, doc, tables)
    problems += _merge_problems(generation, tables.get("parties"), problems)
    return problems


def check_case(path: str | Path) -> CaseCheck:
    """Verify the case at ``path``; see the module docstring for what is checked."""
    case_dir = Path(path)
    report = CaseCheck(case_dir)
    if not case_dir.is_dir() or not (case_exists(case_dir) or (case_dir / GENERATIONS).is_dir()):
        report.problems.append(_problem(case_dir, "no case here (no CURRENT, generations or manifest.json)"))
        report.damaged = True
        return report
    try:
        generation = current_generation(case_dir)
    except CaseDamagedError as exc:
        report.problems.append(_problem(exc.file, exc.problem))
        report.damaged = True
        return report
    report.generation = generation
    if generation is not None:
        report.problems += check_generation(generation)
        report.damaged = bool(report.problems)
        if not report.damaged:
            doc = read_manifest(generation)
            report.sources = len(doc["sources"])
            report.transactions = read_table(generation, "transactions").num_rows
            copy = case_dir / REJECTS_CSV
            fresh = copy.is_file() and copy.read_bytes() == generation.file(REJECTS_CSV).read_bytes()
            if not generation.flat and not fresh:
                report.problems.append(
                    _problem(copy, f"is not a copy of {generation}'s rejects.csv (`finflow case repair` rewrites it)")
                )
    report.notes += _leftovers(case_dir, read_pointer(case_dir) or 0)
    if (case_dir / "lock.owner").is_file():
        report.notes.append(f"a writer may be at work: {describe_holder(lock_holder(case_dir))}")
    return report


def _leftovers(case_dir: Path, current: int) -> list[str]:
    notes = []
    unfinished = [n for n in generation_numbers(case_dir) if n > current]
    if unfinished:
        notes.append(
            f"{len(unfinished)} unfinished generation(s) left by an interrupted command "
            f"({', '.join(map(str, unfinished))}); the next import removes them"
        )
    root = case_dir / GENERATIONS
    aside = sorted(p.name for p in root.iterdir() if p.name.endswith(".damaged")) if root.is_dir() else []
    if aside:
        notes.append(f"damaged generation(s) set aside by repair: {', '.join(aside)}")
    return notes


@dataclass
class RepairReport:
    """What :func:`repair_case` did (one sentence each) and what is still wrong afterwards."""

    case_dir: Path
    actions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sources(generation: Generation | None) -> list[dict]:
    if generation is None:
        return []
    try:
        return read_manifest(generation)["sources"]
    except CaseDamagedError:
        return []


def _set_aside(case_dir: Path, number: int) -> str:
    damaged = Generation(case_dir, number).path
    target = damaged.with_name(f"{damaged.name}.damaged")
    suffix = 1
    while target.exists():
        suffix += 1
        target = damaged.with_name(f"{damaged.name}.damaged-{suffix}")
    damaged.rename(target)
    fsync_dir(damaged.parent)
    return f"set the damaged generation {number} aside as {target}"


def _restore(case_dir: Path, check: CaseCheck, report: RepairReport) -> bool:
    """Switch to the newest generation that passes the check; whether one was found."""
    try:
        current = read_pointer(case_dir)
    except CaseDamagedError:
        current = None
    numbers = [n for n in reversed(generation_numbers(case_dir)) if n != current and (current is None or n < current)]
    candidates = [Generation(case_dir, n) for n in numbers]
    if has_flat_layout(case_dir) and not (check.generation is not None and check.generation.flat):
        candidates.append(Generation(case_dir, None))
    for candidate in candidates:
        if check_generation(candidate):
            continue
        lost_from = _sources(check.generation)
        if current and Generation(case_dir, current).path.is_dir():
            report.actions.append(_set_aside(case_dir, current))
        elif current is None:  # the pointer is lost: keep every complete-looking newer generation
            for number in numbers:
                newer = Generation(case_dir, number)
                if (candidate.number is None or number > candidate.number) and newer.file(MANIFEST).is_file():
                    report.actions.append(_set_aside(case_dir, number))
        switch_pointer(case_dir, candidate.number)
        sources = _sources(candidate)
        report.actions.append(f"restored {candidate}, the last complete state ({len(sources)} source(s))")
        kept = {e.get("sha256") for e in sources}
        lost = [str(e.get("file")) for e in lost_from if e.get("sha256") not in kept]
        if lost:
            report.actions.append(f"no longer in the case, import again: {', '.join(lost)}")
        elif not lost_from:
            report.actions.append(
                "which sources the damaged state held is unknown: import your files again (nothing is imported twice)"
            )
        return True
    return False


def _only_merges(check: CaseCheck) -> bool:
    generation = check.generation
    return generation is not None and all(p.startswith(f"{generation.file(MERGES)}:") for p in check.problems)


def repair_case(path: str | Path, *, wait: float | None = None) -> RepairReport:
    """Restore the last complete state of a damaged case, and tidy what interrupted commands left.

    Holds the case lock. When no earlier generation is complete and only ``merges.parquet`` is
    damaged, the merges are computed again from the tables (merges undone before are active again).
    """
    case_dir = Path(path)
    report = RepairReport(case_dir)
    with CaseLock(case_dir, wait):
        check = check_case(case_dir)
        if check.damaged:
            report.actions += [f"found: {problem}" for problem in check.problems]
            if not _restore(case_dir, check, report):
                if _only_merges(check):
                    Case(case_dir, wait=wait).rebuild_merges()
                    report.actions.append(
                        "no complete earlier state; computed the merges again from the tables "
                        "(merges undone before are active again: see `finflow merges list`)"
                    )
                else:
                    report.actions.append("no complete earlier state to restore")
        pointer = _pointer_or_none(case_dir)
        if pointer is not None:
            report.actions += tidy(case_dir, pointer)
        after = check_case(case_dir)
        if not after.damaged and after.generation is not None and refresh_rejects_copy(after.generation):
            report.actions.append(f"rewrote {case_dir / REJECTS_CSV} from {after.generation}")
            after = check_case(case_dir)
        report.problems = after.problems
    return report


def _pointer_or_none(case_dir: Path) -> int | None:
    try:
        return read_pointer(case_dir) if (case_dir / POINTER).is_file() else None
    except CaseDamagedError:
        return None
