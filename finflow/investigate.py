"""The main job: import everything under a path, analyse the case, write findings and views.

``investigate`` is the library form of ``finflow investigate``; the CLI only prints what it
reports through ``progress``. Each step can be run on its own from the modules it calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finflow.case import ImportReport, open_case
from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect.base import Detector, Finding
from finflow.detect.registry import detectors, run_detectors
from finflow.errors import FinflowError
from finflow.findings_io import write_findings
from finflow.inputs import discover
from finflow.leads import analyse
from finflow.money import MoneyOverflowError
from finflow.networks import Network
from finflow.outfolder import OutputFolder
from finflow.outputs import OutputSettings, write_outputs
from finflow.progress import Steps, no_steps
from finflow.reviews import ReviewState, read_reviews, review_states
from finflow.runs import RunChanges, compare_runs, read_last_run, record_run, run_record
from finflow.subjects import SubjectRanking

__all__ = ["Investigation", "InvestigationError", "discover_files", "investigate", "ranked_findings"]


class InvestigationError(FinflowError, RuntimeError):
    """The investigation cannot go on (nothing importable, empty case); one-line message."""


@dataclass
class Investigation:
    reports: list[ImportReport]
    data: CaseData
    findings: list[Finding]
    config: dict[str, Any]
    outputs: dict[str, Path] = field(default_factory=dict)
    subjects: SubjectRanking | None = None
    networks: list[Network] = field(default_factory=list)
    reviews: dict[str, ReviewState] = field(default_factory=dict)
    changes: RunChanges | None = None

    @property
    def skipped(self) -> list[ImportReport]:
        return [r for r in self.reports if r.status == "failed"]


def discover_files(path: str | Path) -> list[Path]:
    """Regular files under ``path`` (or ``path`` itself), hidden ones and finflow's own folders excluded."""
    try:
        return discover(path).files
    except FileNotFoundError:
        raise InvestigationError(f"{path}: no such file or directory") from None


def investigate(
    path: str | Path,
    *,
    case_dir: str | Path = "case",
    out_dir: str | Path = "graphs",
    config_path: str | Path | None = None,
    options: dict[str, str] | None = None,
    settings: OutputSettings | None = None,
    case_name: str | None = None,
    progress: Callable[[str], None] = lambda message: None,
    on_report: Callable[[ImportReport], None] | None = None,
    wait: float | None = None,
    steps: Steps = no_steps,
) -> Investigation:
    """Import ``path`` into the case at ``case_dir``, run the detectors, write outputs to ``out_dir``.

    ``out_dir`` is replaced as a whole once every output is written (see :mod:`finflow.outfolder`);
    ``wait`` bounds the wait for another process writing the case; ``steps`` reports counted
    progress (files, detectors, views) — see :mod:`finflow.progress`.
    """
    config = load_config(config_path)
    out = OutputFolder(out_dir, protect=(case_dir, path))
    try:
        found = discover(path, skip={"--case": case_dir, "--out": out_dir})
    except FileNotFoundError:
        raise InvestigationError(f"{path}: no such file or directory") from None
    for skipped, why in found.skipped:
        progress(f"skipped {skipped}: {why}")
    files = found.files
    progress(f"importing {len(files)} file(s) from {path}")
    case = open_case(case_dir, wait=wait)
    with steps("importing files", len(files)) as advance:

        def imported(report: ImportReport) -> None:
            advance()
            if on_report is not None:
                on_report(report)

        reports = case.import_files(files, options=options, on_report=imported)
    try:
        data = case.data()
    except MoneyOverflowError as exc:
        raise InvestigationError(f"{case_dir}: {exc}") from None
    if data.transactions.empty:
        raise InvestigationError(f"{path}: no transactions could be imported; see the messages above")
    progress(f"case holds {len(data.transactions):,} transactions, {len(data.accounts):,} accounts")
    names = [d.name for d in detectors()]
    progress(f"running {len(names)} detectors")
    with steps("running detectors", len(names)) as advance:
        started: list[str] = []

        def starting(detector: Detector) -> None:
            if started:
                advance()
            started.append(detector.name)

        findings = run_detectors(data, config, on_start=starting)
        advance()
    sources = [{**entry, "status": "imported"} for entry in case.manifest]
    settings = settings or OutputSettings()
    reviews = review_states(read_reviews(case_dir), findings, data)
    analysis = analyse(ranked_findings(findings, reviews, settings.show_dismissed), data, config)
    ranking = analysis.ranking
    record = run_record(data, findings, sources, ranking.suspects, ranking.victims)
    changes = compare_runs(read_last_run(case_dir), record)
    for line in changes.lines():
        progress(f"since the previous run: {line}")
    with out.staging() as staging:
        json_path, csv_path = write_findings(staging, data, findings, config, reviews)
        outputs, ranking, networks = write_outputs(
            staging, data, findings, config, case_name=case_name or Path(path).resolve().name,
            sources=sources, settings=settings, progress=progress, steps=steps, analysis=analysis,
            reviews=reviews, changes=None if changes.first_run else changes.lines(),
        )  # fmt: skip
    outputs.update({"findings.json": json_path, "findings.csv": csv_path})
    outputs = {name: out.final(file) for name, file in outputs.items()}
    record_run(case_dir, record, wait=wait)
    return Investigation(reports, data, findings, config, outputs, ranking, networks, reviews, changes)


def ranked_findings(
    findings: Sequence[Finding], reviews: Mapping[str, ReviewState], show_dismissed: bool = False
) -> list[Finding]:
    """The findings that count in the subjects' ranking: all but those dismissed (unless asked).

    A dismissal whose evidence changed since counts again: the new evidence has not been reviewed.
    """
    if show_dismissed:
        return list(findings)
    out = []
    for finding in findings:
        state = reviews.get(finding.finding_id)
        if state is not None and state.status == "dismissed" and not state.changed_since_review:
            continue
        out.append(finding)
    return out
