"""Writing an investigation's outputs: subjects, networks, views and the case report.

Kept apart from :mod:`finflow.investigate` so a notebook user can re-render outputs for a case
and a set of findings without importing anything again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
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
from finflow.views.brief import CaseCounts, network_name
from finflow.views.graph import account_roles
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


def _safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:80]


def _kind(role: str) -> str:
    return "possible victim" if role == "possible_victim" else str(role)


def _views_by_account(rows: Sequence[Any], files: dict[str, str]) -> dict[str, list[str]]:
    """Account id → the subjects with a view that stand for it (a party through its accounts)."""
    out: dict[str, list[str]] = {}
    for row in rows:
        for account in [a for a in str(row.accounts or "").split(",") if a]:
            out.setdefault(account, []).append(row.subject_id)
    return out


def _finding_accounts(findings: Sequence[Finding], row: Any) -> list[str]:
    """Ids of subjects that share a finding with this ranked subject (its related subjects)."""
    mine = set(str(row.finding_ids or "").split(","))
    ids: list[str] = []
    for finding in findings:
        if finding.finding_id in mine:
            ids += [s.id for s in finding.subjects if s.id not in ids]
    return ids


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
) -> tuple[dict[str, Path], SubjectRanking, list[Network]]:
    """Write subjects.csv, possible_victims.csv, networks.json, the views and the report."""
    settings = settings or OutputSettings()
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, Path] = {}
    progress("ranking subjects and grouping networks")
    ranking = rank_subjects(list(findings), data, config)
    networks = find_networks(data, list(findings), config)
    for name, table in (("subjects.csv", ranking.suspects), ("possible_victims.csv", ranking.victims)):
        write_csv(out_dir / name, table)
        outputs[name] = out_dir / name
    networks_doc = [n.to_dict() for n in networks]
    (out_dir / "networks.json").write_text(json.dumps(networks_doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
    outputs["networks.json"] = out_dir / "networks.json"

    views: dict[str, str] = {}
    view_links: dict[str, list[tuple[str, str]]] = {}
    counts = CaseCounts.of(findings, ranking.suspects, ranking.victims)
    common = {"include_personal_ids": settings.include_personal_ids}
    subject_rows = [
        *ranking.suspects.head(settings.subject_views).itertuples(index=False),
        *ranking.victims.head(settings.subject_views).itertuples(index=False),
    ]
    # Names first, so that every view can link to the others before any is drawn.
    subject_files = {row.subject_id: f"subject-{_safe_name(row.subject_id)}.html" for row in subject_rows}
    by_account = _views_by_account(subject_rows, subject_files)
    finding_files = {
        f.finding_id: f"finding-{rank:03d}-{f.finding_id}.html"
        for rank, f in enumerate(findings[: settings.finding_views], start=1)
    }
    labels = {str(r.subject_id): str(r.label or r.subject_id) for r in subject_rows}

    def subject_links(keys: Sequence[str], prefix: str) -> list[tuple[str, str]]:
        seen = []
        for key in keys:
            for sid in [key, *by_account.get(key, [])]:
                name = subject_files.get(sid)
                if name and (labels[sid], prefix + name) not in seen:
                    seen.append((labels[sid], prefix + name))
        return seen[:8]

    named_networks = [
        {**doc, "name": network_name(doc, ranking.suspects, i)} for i, doc in enumerate(networks_doc)
    ]
    progress("drawing the case overview")
    top_links = [("Case report", "report.html")] + [
        (f"{labels[r.subject_id]} ({_kind(r.role)})", "views/" + subject_files[r.subject_id]) for r in subject_rows[:6]
    ]
    overview_view(
        data, findings, out_dir / "overview.html", node_budget=settings.node_budget, links=top_links,
        counts=counts, networks=named_networks, **common,
    )  # fmt: skip
    views["Case overview"] = "overview.html"
    view_dir = out_dir / "views"
    view_dir.mkdir(exist_ok=True)
    n_findings = min(len(findings), settings.finding_views)
    progress(f"drawing {len(subject_rows)} subject views and {n_findings} finding views")
    back = [("Case report", "../report.html"), ("Case overview", "../overview.html")]
    for row in subject_rows:
        name = "views/" + subject_files[row.subject_id]
        own = subject_files[row.subject_id]
        related = [link for link in subject_links(_finding_accounts(findings, row), "") if link[1] != own]
        subject_view(
            data, findings, row.subject_id, out_dir / name, node_budget=settings.node_budget,
            links=back + related, **common,
        )  # fmt: skip
        views[f"Subject {row.label or row.subject_id} ({_kind(row.role)})"] = name
        view_links.setdefault(str(row.subject_id), []).append(("subject view", name))
    for rank, finding in enumerate(findings[: settings.finding_views], start=1):
        name = "views/" + finding_files[finding.finding_id]
        keys = [s.id for s in finding.subjects]
        finding_view(
            data, finding, out_dir / name, node_budget=settings.node_budget,
            links=back + subject_links(keys, ""), **common,
        )  # fmt: skip
        views[f"Finding {rank}: {finding.detector} — {finding.subjects[0].label or finding.subjects[0].id}"] = name
        view_links.setdefault(finding.finding_id, []).append(("finding view", name))

    traces = _controller_traces(out_dir, data, findings, ranking, settings, views, progress, back, subject_links)
    for trace in traces:
        view_links.setdefault(trace["subject_id"], []).append(("trail", trace["view"]))

    progress("writing the case report")
    html, md = write_report(
        out_dir,
        case_name=case_name,
        sources=sources,
        rejects=data.rejects,
        findings=findings,
        subjects=ranking.suspects,
        victims=ranking.victims,
        networks=networks_doc,
        traces=[{k: v for k, v in t.items() if k != "subject_id"} for t in traces],
        views=views,
        view_links=view_links,
        data=data,
        include_personal_ids=settings.include_personal_ids,
    )
    outputs["report.html"] = html
    outputs["report.md"] = md
    outputs["overview.html"] = out_dir / "overview.html"
    return outputs, ranking, networks


def _controller_traces(
    out_dir: Path,
    data: CaseData,
    findings: Sequence[Finding],
    ranking: SubjectRanking,
    settings: OutputSettings,
    views: dict[str, str],
    progress: Callable[[str], None],
    back: list[tuple[str, str]] | None = None,
    subject_links: Callable[[Sequence[str], str], list[tuple[str, str]]] | None = None,
) -> list[dict[str, Any]]:
    """Forward trails from the accounts of the top-ranked controllers: where did their money go?"""
    controllers = ranking.suspects[ranking.suspects["role"] == "controller"].head(settings.traces)
    if controllers.empty:
        return []
    progress(f"tracing the money of {len(controllers)} controller(s)")
    labels = holder_labels(data)
    roles = account_roles(findings)
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
            method_note=result.method_note, labels=labels, roles=roles,
            links=(back or []) + (subject_links([row.subject_id], "") if subject_links else []),
            empty_reason=(
                f"{row.label or start} ({start}) made no payment that could be followed within "
                f"{result.parameters.get('max_hops', 3)} transfers in {result.currency}."
            ),
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
                "subject_id": str(row.subject_id),
            }
        )
    return traces
