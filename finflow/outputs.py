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

from finflow.casedata import CaseData
from finflow.detect.base import Finding
from finflow.money import format_minor
from finflow.networks import Network, find_networks
from finflow.safecsv import write_csv
from finflow.subjects import SubjectRanking, rank_subjects
from finflow.trace.paths import trace_paths
from finflow.views import finding_view, overview_view, subject_view, trail_view
from finflow.views.labels import holder_labels
from finflow.views.report import write_report

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
    ranking: SubjectRanking | None = None,
    reviews: Mapping[str, Any] | None = None,
    changes: Sequence[str] | None = None,
) -> tuple[dict[str, Path], SubjectRanking, list[Network]]:
    """Write subjects.csv, possible_victims.csv, networks.json, the views and the report.

    ``ranking`` (default: every finding ranked) lets the caller leave dismissed findings out;
    ``reviews`` (finding id -> :class:`finflow.reviews.ReviewState`) and ``changes`` (sentences
    on what changed since the previous run) are shown in the report and the finding views.
    """
    settings = settings or OutputSettings()
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, Path] = {}
    progress("ranking subjects and grouping networks")
    ranking = ranking if ranking is not None else rank_subjects(list(findings), data, config)
    networks = find_networks(data, list(findings), config)
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
    progress(f"drawing {len(subject_rows)} subject views and {n_findings} finding views")
    for row in subject_rows:
        name = f"views/subject-{_safe_name(row.subject_id)}.html"
        subject_view(data, findings, row.subject_id, out_dir / name, node_budget=settings.node_budget, **common)
        kind = "possible victim" if row.role == "possible_victim" else row.role
        views[f"Subject {row.label or row.subject_id} ({kind})"] = name
    for rank, finding in enumerate(findings[: settings.finding_views], start=1):
        name = f"views/finding-{rank:03d}-{finding.finding_id}.html"
        review = (reviews or {}).get(finding.finding_id)
        finding_view(
            data, finding, out_dir / name, node_budget=settings.node_budget,
            review=review.sentence() if review is not None else None, **common,
        )  # fmt: skip
        views[f"Finding {rank}: {finding.detector} — {finding.subjects[0].label or finding.subjects[0].id}"] = name

    traces = _controller_traces(out_dir, data, ranking, settings, views, progress)

    progress("writing the case report")
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
        reviews=reviews,
        changes=changes,
    )
    outputs["report.html"] = html
    outputs["report.md"] = md
    outputs["overview.html"] = out_dir / "overview.html"
    return outputs, ranking, networks


def _controller_traces(
    out_dir: Path,
    data: CaseData,
    ranking: SubjectRanking,
    settings: OutputSettings,
    views: dict[str, str],
    progress: Callable[[str], None],
) -> list[dict[str, Any]]:
    """Forward trails from the accounts of the top-ranked controllers: where did their money go?"""
    controllers = ranking.suspects[ranking.suspects["role"] == "controller"].head(settings.traces)
    if controllers.empty:
        return []
    progress(f"tracing the money of {len(controllers)} controller(s)")
    labels = holder_labels(data)
    traces = []
    for row in controllers.itertuples(index=False):
        accounts = [a for a in str(row.accounts or "").split(",") if a] or [row.subject_id]
        start = accounts[0] if row.subject_kind == "account" or not row.accounts else row.subject_id
        try:
            result = trace_paths(data, start, direction="forward", max_hops=3)
        except ValueError:
            continue
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
        traces.append(
            {
                "start": f"{row.label or ''} ({start})".strip(),
                "method": result.method_note,
                "largest first-hop destinations": "; ".join(
                    f"{labels.get(str(n), n)}: {format_minor(int(a), result.currency)}"
                    for n, a in zip(top["to_node"], top["amount_minor"], strict=True)
                ),
                "files": f"traces/{name}/trace.json, traces/{name}/trace.csv",
                "view": view,
            }
        )
    return traces
