"""Writing an investigation's outputs: subjects, networks, views and the case report.

Kept apart from :mod:`finflow.investigate` so a notebook user can re-render outputs for a case
and a set of findings without importing anything again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finflow.accountid import resolve_id
from finflow.casedata import CaseData
from finflow.detect.base import Finding
from finflow.detect.util import account_info
from finflow.errors import FinflowError
from finflow.leads import CaseAnalysis, analyse
from finflow.money import format_minor
from finflow.networks import Network
from finflow.progress import Steps, no_steps
from finflow.safecsv import write_csv
from finflow.subjects import SubjectRanking
from finflow.timeline import build_timeline
from finflow.trace.paths import trace_paths
from finflow.views import finding_view, overview_view, subject_view, trail_view
from finflow.views.labels import holder_labels
from finflow.views.report import write_report
from finflow.views.timeline import write_timeline

__all__ = ["OutputSettings", "write_outputs"]


@dataclass(frozen=True, slots=True)
class OutputSettings:
    """How much to draw: views for the top subjects and findings, and each view's node budget."""

    subject_views: int = 10
    finding_views: int = 25
    traces: int = 3  # forward trails from the top-ranked controllers' accounts
    node_budget: int = 1500
    include_personal_ids: bool = False
    show_dismissed: bool = False  # dismissed findings still count in the subjects' ranking


def _safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:80]


def write_outputs(
    out_dir: Path,
    data: CaseData,
    findings: Sequence[Finding],
    config: dict[str, Any],
    *,
    case_name: str,
    sources: Sequence[dict],
    settings: OutputSettings | None = None,
    progress: Callable[[str], None] = lambda message: None,
    steps: Steps = no_steps,
    analysis: CaseAnalysis | None = None,
    reviews: Mapping[str, Any] | None = None,
    changes: Sequence[str] | None = None,
) -> tuple[dict[str, Path], SubjectRanking, list[Network]]:
    """Write subjects.csv, possible_victims.csv, networks.json, the views and the report.

    ``progress`` gets one line per stage; ``steps`` counts the timelines, views and traces.
    ``analysis`` (default: every finding analysed) lets the caller leave dismissed findings out of
    the ranking; ``reviews`` (finding id -> :class:`finflow.reviews.ReviewState`) and ``changes``
    (sentences on what changed since the previous run) are shown in the report and finding views.
    """
    settings = settings or OutputSettings()
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, Path] = {}
    progress("resolving roles, ranking subjects and grouping networks")
    analysis = analysis if analysis is not None else analyse(list(findings), data, config)
    ranking, networks = analysis.ranking, analysis.networks
    for name, table in (("subjects.csv", ranking.suspects), ("possible_victims.csv", ranking.victims)):
        write_csv(out_dir / name, table)
        outputs[name] = out_dir / name
    networks_doc = [n.to_dict() for n in networks]
    (out_dir / "networks.json").write_text(json.dumps(networks_doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
    outputs["networks.json"] = out_dir / "networks.json"

    views: dict[str, str] = {}
    progress("drawing the case overview")
    common = {"include_personal_ids": settings.include_personal_ids}
    overview_view(data, findings, out_dir / "overview.html", node_budget=settings.node_budget, **common)
    views["Case overview"] = "overview.html"
    view_dir = out_dir / "views"
    view_dir.mkdir(exist_ok=True)
    subject_rows = [
        *ranking.suspects.head(settings.subject_views).itertuples(index=False),
        *ranking.victims.head(settings.subject_views).itertuples(index=False),
    ]
    n_findings = min(len(findings), settings.finding_views)
    shown_findings = list(findings[: settings.finding_views])
    wanted = [(row.subject_id, row.label) for row in subject_rows]
    wanted += [(s.id, s.label) for f in shown_findings for s in f.subjects if s.kind in ("account", "party")]
    timelines = _timelines(out_dir, data, findings, wanted, progress, steps)
    progress(f"drawing {len(subject_rows)} subject views and {n_findings} finding views")
    home = ("Case report", "../report.html")
    with steps("drawing views", len(subject_rows) + n_findings) as advance:
        for row in subject_rows:
            name = f"views/subject-{_safe_name(row.subject_id)}.html"
            links = [home] + ([("Timeline", timelines[row.subject_id])] if row.subject_id in timelines else [])
            subject_view(
                data, findings, row.subject_id, out_dir / name, node_budget=settings.node_budget, links=links,
                **common,
            )  # fmt: skip
            kind = "possible victim" if row.role == "possible_victim" else row.role
            views[f"Subject {row.label or row.subject_id} ({kind})"] = name
            if row.subject_id in timelines:
                views[f"Timeline of {row.label or row.subject_id} ({kind})"] = f"views/{timelines[row.subject_id]}"
            advance()
        for rank, finding in enumerate(shown_findings, start=1):
            name = f"views/finding-{rank:03d}-{finding.finding_id}.html"
            links = [home] + [(f"Timeline of {s.label or s.id}", timelines[s.id]) for s in finding.subjects
                              if s.id in timelines]  # fmt: skip
            review = (reviews or {}).get(finding.finding_id)
            finding_view(
                data, finding, out_dir / name, node_budget=settings.node_budget, links=links,
                review=review.sentence() if review is not None else None, **common,
            )  # fmt: skip
            first = finding.subjects[0]
            views[f"Finding {rank}: {finding.detector} — {first.label or first.id}"] = name
            advance()

    traces = _controller_traces(out_dir, data, ranking, settings, views, progress, steps)

    progress("statement coverage, next data requests, source and application of funds")
    extra = _casework(out_dir, data, findings, config, ranking, networks, settings, outputs)
    progress("writing the case report")
    info = account_info(data)
    html, md = write_report(
        out_dir,
        case_name=case_name,
        sources=sources,
        rejects=data.rejects,
        findings=findings,
        subjects=ranking.suspects,
        networks=networks_doc,
        traces=traces,
        views=views,
        data=data,
        include_personal_ids=settings.include_personal_ids,
        victims=ranking.victims,
        reading=(
            lambda subject: analysis.roles.subject_role(subject, info),
            {**analysis.roles.overruled, **analysis.roles.notes},
        ),
        extra_sections=extra,
        reviews=reviews,
        changes=changes,
    )
    outputs["report.html"] = html
    outputs["report.md"] = md
    outputs["overview.html"] = out_dir / "overview.html"
    return outputs, ranking, networks


def _timelines(
    out_dir: Path,
    data: CaseData,
    findings: Sequence[Finding],
    wanted: Sequence[tuple[str, str | None]],
    progress: Callable[[str], None],
    steps: Steps = no_steps,
) -> dict[str, str]:
    """A timeline page per account or party in ``wanted`` (once each); subject id → file name in views/."""
    from finflow.account_command import timeline_name

    ids = list(dict.fromkeys(subject_id for subject_id, _label in wanted))
    progress(f"writing {len(ids)} account timelines")
    written: dict[str, str] = {}
    with steps("writing timelines", len(ids)) as advance:
        for subject_id in ids:
            advance()
            try:
                ref = resolve_id(data, subject_id)
            except FinflowError:
                continue  # an address or identifier subject: no account of its own
            if ref.matched != "id":
                continue
            name = timeline_name(subject_id)
            timeline = build_timeline(data, ref, findings)
            write_timeline(timeline, out_dir / "views" / name, back_links={"Case report": "../report.html"})
            written[subject_id] = name
    return written


def _controller_traces(
    out_dir: Path,
    data: CaseData,
    ranking: SubjectRanking,
    settings: OutputSettings,
    views: dict[str, str],
    progress: Callable[[str], None],
    steps: Steps = no_steps,
) -> list[dict[str, Any]]:
    """Forward trails from the accounts of the top-ranked controllers: where did their money go?"""
    controllers = ranking.suspects[ranking.suspects["role"] == "controller"].head(settings.traces)
    if controllers.empty:
        return []
    progress(f"tracing the money of {len(controllers)} controller(s)")
    labels = holder_labels(data)
    traces = []
    with steps("tracing controllers' money", len(controllers)) as advance:
        for row in controllers.itertuples(index=False):
            advance()
            trace = _controller_trace(out_dir, data, row, labels, views)
            if trace is not None:
                traces.append(trace)
    return traces


def _casework(
    out_dir: Path,
    data: CaseData,
    findings: Sequence[Finding],
    config: dict[str, Any],
    ranking: SubjectRanking,
    networks: list[Network],
    settings: OutputSettings,
    outputs: dict[str, Path],
) -> list:
    """coverage*.csv, balance_breaks.csv, requests.csv and their report sections (finflow.views.casework)."""
    from finflow.analysis import from_parts
    from finflow.coverage import compute_coverage, write_coverage
    from finflow.requests import compute_requests, write_requests
    from finflow.views.casework import casework_sections

    analysis = from_parts(data, config, list(findings), ranking, networks)
    coverage = compute_coverage(data)
    outputs.update(write_coverage(coverage, out_dir))
    requests = compute_requests(analysis, config)
    outputs["requests.csv"] = write_requests(requests, out_dir)
    return casework_sections(analysis, coverage, requests, top=max(settings.traces, 3))
def _controller_trace(
    out_dir: Path, data: CaseData, row: Any, labels: dict[str, str], views: dict[str, str]
) -> dict[str, Any] | None:
    """One controller's forward trail: trace files, view, and its largest first-hop destinations."""
    accounts = [a for a in str(row.accounts or "").split(",") if a] or [row.subject_id]
    start = accounts[0] if row.subject_kind == "account" or not row.accounts else row.subject_id
    try:
        result = trace_paths(data, start, direction="forward", max_hops=3)
    except ValueError:
        return None
    name = _safe_name(row.subject_id)
    result.write(out_dir / "traces" / name)
    view = f"views/trail-{name}.html"
    trail_view(
        result.trail_edges(), out_dir / view, title=f"Where the money of {row.label or start} went",
        method_note=result.method_note, labels=labels,
    )  # fmt: skip
    views[f"Trail from {row.label or start} (controller)"] = view
    edges = result.trail_edges()
    first_hop = edges[edges["hop"] == edges["hop"].min()] if len(edges) else edges
    top = first_hop.sort_values(["amount_minor", "to_node"], ascending=[False, True]).head(5)
    return {
        "start": f"{row.label or ''} ({start})".strip(),
        "method": result.method_note,
        "largest first-hop destinations": "; ".join(
            f"{labels.get(str(n), n)}: {format_minor(int(a), result.currency)}"
            for n, a in zip(top["to_node"], top["amount_minor"], strict=True)
        ),
        "files": f"traces/{name}/trace.json, traces/{name}/trace.csv",
        "view": view,
    }
