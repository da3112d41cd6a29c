"""The case report: what was read, what was found, on what evidence, and where to look next.

One document model (sections of paragraphs, tables and links) is rendered twice: as HTML
(autoescaped template, print stylesheet, no scripts, nothing loaded from the network) and as
Markdown (every piece of extract text backslash-escaped, so a Markdown viewer shows it as text).
Possible victims get their own section, framed for protection, not suspicion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import NO_FINDINGS, Finding
from finflow.flowindex import flow_index
from finflow.money import format_minor
from finflow.views.evidence import EVIDENCE_COLUMNS, evidence_rows
from finflow.views.render import render_template, write_text
from finflow.views.tooltips import ROLE_TEXT, clip

__all__ = ["ReportTable", "Section", "write_report"]

#: Columns never printed from a subjects table unless personal identifiers are asked for.
PERSONAL_COLUMNS = {
    "birth_date", "id_number", "national_id", "personal_id", "fnr", "phone", "mobile", "phone_number", "email",
}  # fmt: skip


@dataclass
class ReportTable:
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Section:
    """A titled part of the report; ``links`` are (text, relative href)."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, list | dict | tuple) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, list | tuple):
        shown = ", ".join(_cell(v) for v in value[:50])
        return shown + (f", … ({len(value) - 50} more)" if len(value) > 50 else "")
    if isinstance(value, dict):
        return "; ".join(f"{k}={_cell(v)}" for k, v in sorted(value.items()))
    return str(value)


def _frame_table(frame: pd.DataFrame, *, limit: int, caption: str = "") -> ReportTable:
    """Any frame as a table; ``*_minor`` columns beside a ``currency`` column print as money."""
    shown = frame.head(limit)
    columns = [str(c) for c in shown.columns]
    rows = []
    for record in shown.to_dict("records"):
        row = []
        for column in shown.columns:
            value = record[column]
            if str(column).endswith("_minor") and "currency" in record and pd.notna(value):
                row.append(format_minor(int(value), str(record["currency"])))
            else:
                row.append(_cell(value))
        rows.append(row)
    if len(frame) > limit:
        caption = f"{caption} (first {limit} of {len(frame)})".strip()
    return ReportTable(columns, rows, caption)


def _dict_section(prefix: str, index: int, item: Mapping[str, Any], noun: str) -> Section:
    """A network or trace given as a dict: scalars as a key/value table, lists of dicts as
    tables of their own."""
    title = item.get("title") or item.get("name") or f"{noun} {index + 1}"
    if item.get("network_id"):
        title = f"{title}: {item['network_id']}"
    section = Section(f"{prefix}-{index + 1}", clip(_cell(title), 160))
    pairs = []
    for key in sorted(item):
        value = item[key]
        if key in ("title", "name"):
            continue
        if isinstance(value, pd.DataFrame):
            section.tables.append(_frame_table(value, limit=200, caption=str(key)))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            section.tables.append(_frame_table(pd.DataFrame(value), limit=200, caption=str(key)))
        elif key.endswith("_minor") and "currency" in item and isinstance(value, int):
            pairs.append([key, format_minor(value, str(item["currency"]))])
        elif key.endswith("_minor") and isinstance(value, dict):  # currency → minor units
            pairs.append([key, "; ".join(format_minor(v, c) for c, v in sorted(value.items()))])
        else:
            pairs.append([key, _cell(value)])
    if pairs:
        section.tables.insert(0, ReportTable(["field", "value"], pairs))
    return section


def _safe_href(path: str) -> str:
    """A relative link to a file beside the report; anything with a scheme or host is refused."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or path.startswith(("/", "\\")) or ".." in Path(path).parts:
        raise ValueError(f"view path {path!r} must be relative to the report folder")
    return quote(path, safe="/#")


def _sources_section(sources: Sequence[Mapping[str, Any]]) -> Section:
    rows, mismatches = [], 0
    for src in sorted(sources, key=lambda s: (str(s.get("file")), str(s.get("sha256")))):
        counts = [int(src.get(k) or 0) for k in ("rows_read", "loaded", "rejected", "duplicates")]
        ok = counts[0] == counts[1] + counts[2] + counts[3]
        mismatches += not ok
        rows.append(
            [
                _cell(src.get("file")),
                _cell(src.get("format")),
                _cell(src.get("sha256")),
                *(str(c) for c in counts),
                "yes" if ok else "NO",
                _cell(src.get("imported_at")),
            ]
        )
    paragraphs = [
        f"{_count(len(rows), 'source file')}. Every row read is loaded, rejected or a duplicate; "
        + (
            "all counts reconcile."
            if not mismatches
            else f"NOT reconciled: {_count(mismatches, 'file')} — check before relying on them."
        )
    ]
    table = ReportTable(
        [
            "file",
            "format",
            "SHA-256",
            "rows read",
            "loaded",
            "rejected",
            "duplicates",
            "reconciles",
            "imported at",
        ],
        rows,
    )
    return Section("sources", "Sources", paragraphs, [table])


def _rejects_section(rejects: pd.DataFrame, limit: int, include_personal_ids: bool = False) -> Section:
    section = Section("rejects", "Rejected rows")
    total = len(rejects)
    section.paragraphs.append(
        f"{_count(total, 'row')} could not be imported; each is kept with its reason."
        + (f" The first {limit} are listed." if total > limit else "")
    )
    if total and not include_personal_ids:
        # a rejected register or transfer row holds birth dates, id numbers and phones
        rejects = rejects.drop(columns=["raw"], errors="ignore")
        section.paragraphs.append(
            "The rows' text is in the case's rejects.csv; it is left out here because it can hold birth "
            "dates, id numbers and phone numbers (--include-personal-ids shows it)."
        )
    if total:
        # Row numbers sort as numbers (row 9 before row 10); element paths as text.
        frame = rejects.assign(_row=pd.to_numeric(rejects["source_locator"], errors="coerce")).sort_values(
            ["source_file", "_row", "source_locator"], kind="stable"
        )
        columns = [c for c in ("source_file", "source_locator", "reason", "raw") if c in frame]
        frame = frame[columns].copy()
        if "raw" in frame:
            frame["raw"] = frame["raw"].map(lambda v: "" if pd.isna(v) else clip(v, 200))
        section.tables.append(_frame_table(frame, limit=limit))
    return section


def _subject_text(subject: Any) -> str:
    name = subject.label or subject.id
    return f"{name} ({subject.kind} {subject.id})" if subject.label else f"{subject.kind} {name}"


def _victims_section(findings: Sequence[Finding], victims: pd.DataFrame | None = None) -> Section:
    section = Section("victims", "Possible victims — for protection, not suspicion")
    section.paragraphs.append(
        "These people and accounts match patterns typical of exploited persons (for example "
        "wages passed on to a controller). They are listed so that they can be identified and "
        "offered protection and assistance; being listed here is not a suspicion against them."
    )
    if victims is not None:  # resolved roles: one row per person, with the finding that decided
        table_rows = [
            [_cell(label if isinstance(label, str) and label else sid), _cell(basis)]
            for sid, label, basis in zip(victims["subject_id"], victims["label"], victims["role_basis"], strict=True)
        ]
        if table_rows:
            section.tables.append(ReportTable(["possible victim", "role decided by"], table_rows))
        else:
            section.paragraphs.append("No finding suggests a possible victim.")
        return section
    rows: dict[tuple[str, str], list[str]] = {}
    labels: dict[tuple[str, str], str] = {}
    for finding in findings:
        for subject in finding.subjects:
            if subject.role == "possible_victim":
                key = (subject.kind, subject.id)
                labels.setdefault(key, _subject_text(subject))
                rows.setdefault(key, []).append(
                    f"{finding.detector} ({finding.score:.2f}): {clip(finding.summary, 200)}"
                )
    table_rows = [[labels[k], "\n".join(sorted(set(v)))] for k, v in sorted(rows.items())]
    if table_rows:
        section.tables.append(ReportTable(["possible victim", "why (findings)"], table_rows))
    else:
        section.paragraphs.append("No finding suggests a possible victim.")
    return section


#: How the role step reads a finding: its resolved role per subject, and notes per finding id.
RoleReading = tuple[Callable[[Any], str], Mapping[str, str]]


def _findings_section(
    findings: Sequence[Finding],
    data: CaseData | None,
    max_evidence: int,
    reading: RoleReading | None = None,
    reviews: Mapping[str, Any] | None = None,
) -> Section:
    section = Section("findings", "Findings by detector")
    if not findings:
        section.paragraphs.append(
            f"{NO_FINDINGS} No detector matched this case with the configured thresholds; "
            "the sources and the case overview still show everything that was imported."
        )
        return section
    section.paragraphs.append(
        f"{_count(len(findings), 'finding')}. Scores run from 0 to 1; a finding is a reason to look, not a conclusion."
    )
    by_detector: dict[str, list[Finding]] = {}
    for finding in findings:
        by_detector.setdefault(finding.detector, []).append(finding)
    for detector in sorted(by_detector):
        group = sorted(by_detector[detector], key=lambda f: (-f.score, f.finding_id))
        sub = Section(f"detector-{_slug(detector)}", f"{detector} ({len(group)})")
        for finding in group:
            review = (reviews or {}).get(finding.finding_id)
            sub.subsections.append(_finding_section(finding, data, max_evidence, reading, review))
        section.subsections.append(sub)
    return section


def _review_text(review: Any) -> str:
    """One sentence per finding: its latest review (a :class:`finflow.reviews.ReviewState`)."""
    return "Review: not reviewed (open)." if review is None else clip(review.sentence(), 500)


def _finding_section(
    finding: Finding, data: CaseData | None, max_evidence: int, reading: RoleReading | None = None, review: Any = None
) -> Section:
    status = f" [{review.label}]" if review is not None else ""
    part = Section(finding.finding_id, f"{clip(finding.summary, 200)} — score {finding.score:.2f}{status}")
    part.paragraphs.append(f"Finding {finding.finding_id}.")
    part.paragraphs.append(_review_text(review))
    roles = [f"{_subject_text(s)}: {ROLE_TEXT.get(s.role, s.role)}" for s in finding.subjects]
    part.paragraphs.append("Subjects (roles this finding suggests): " + "; ".join(roles))
    if reading is not None:
        role_of, notes = reading
        resolved = [f"{_subject_text(s)}: {ROLE_TEXT.get(role_of(s), role_of(s))}" for s in finding.subjects]
        if resolved != roles:
            part.paragraphs.append("Roles after weighing all findings: " + "; ".join(resolved))
        if finding.finding_id in notes:
            part.paragraphs.append(notes[finding.finding_id])
    if finding.parameters:
        part.paragraphs.append("Parameters: " + _cell(finding.parameters))
    if finding.metrics:
        part.paragraphs.append("Figures: " + _cell(finding.metrics))
    ids = finding.evidence_txn_ids
    if ids and data is not None:
        rows = evidence_rows(flow_index(data).rows(ids), ids)
        caption = f"Evidence: {_count(len(ids), 'transaction')}"
        if len(rows) > max_evidence:
            caption += f" (first {max_evidence} listed)"
        if len(rows) < len(ids):
            caption += f"; {len(ids) - len(rows)} not found in the case data"
        part.tables.append(ReportTable(EVIDENCE_COLUMNS, rows[:max_evidence], caption))
    elif ids:
        part.paragraphs.append("Evidence transactions: " + _cell(ids))
    if finding.evidence_records:
        part.tables.append(
            ReportTable(
                ["table", "record"],
                [[_cell(r.get("table")), _cell(r.get("key"))] for r in finding.evidence_records],
                "Other evidence records",
            )
        )
    return part


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _build(
    *,
    case_name: str,
    sources: Sequence[Mapping[str, Any]],
    rejects: pd.DataFrame,
    findings: Sequence[Finding],
    subjects: pd.DataFrame | None,
    networks: Sequence[Mapping[str, Any]] | None,
    traces: Sequence[Mapping[str, Any]] | None,
    views: Mapping[str, str] | None,
    data: CaseData | None,
    max_rejects: int,
    max_evidence: int,
    include_personal_ids: bool,
    victims: pd.DataFrame | None = None,
    reading: RoleReading | None = None,
    extra_sections: Sequence[Section] = (),
    reviews: Mapping[str, Any] | None = None,
) -> list[Section]:
    sections = [
        _sources_section(sources),
        _rejects_section(rejects, max_rejects, include_personal_ids),
        _victims_section(findings, victims),
        _findings_section(findings, data, max_evidence, reading, reviews),
    ]
    ranked = Section("subjects", "Ranked subjects")
    if subjects is not None and len(subjects):
        frame = subjects
        if "role" in frame.columns:  # possible victims belong in their own section, not here
            frame = frame[frame["role"].astype("string") != "possible_victim"]
            ranked.paragraphs.append("Possible victims are listed in their own section above.")
        if not include_personal_ids:
            frame = frame[[c for c in frame.columns if str(c) not in PERSONAL_COLUMNS]]
        ranked.tables.append(_frame_table(frame, limit=200))
    elif subjects is None:
        ranked.paragraphs.append("No subject ranking was supplied.")
    else:
        ranked.paragraphs.append("No subject is ranked: no finding names a suspect.")
    sections.append(ranked)
    empty_reason = {"networks": "no findings link subjects together", "traces": "no controller is ranked"}
    for key, noun, items in (("networks", "Network", networks), ("traces", "Trace", traces)):
        part = Section(key, f"{noun}s")
        if items:
            part.subsections = [_dict_section(key, i, item, noun) for i, item in enumerate(items)]
        elif items is None:
            part.paragraphs.append(f"No {noun.lower()}s were supplied.")
        else:
            part.paragraphs.append(f"No {noun.lower()}s: {empty_reason[key]}.")
        sections.append(part)
    sections.extend(extra_sections)  # self-contained sections (e.g. finflow.views.casework)
    view_part = Section("views", "Views")
    view_part.paragraphs.append("Each view is one HTML file that works offline; open it beside this report.")
    view_part.links = [(title, _safe_href(path)) for title, path in sorted((views or {}).items())]
    sections.append(view_part)
    return sections


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~!])")


def md_escape(text: str) -> str:
    """Markdown text that renders literally: punctuation backslash-escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _markdown(title: str, intro: list[str], sections: list[Section]) -> str:
    lines = [f"# {md_escape(title)}", ""]
    for paragraph in intro:
        lines += [md_escape(paragraph), ""]

    def emit(section: Section, depth: int) -> None:
        lines.extend([f"{'#' * min(depth, 6)} {md_escape(section.title)}", ""])
        for paragraph in section.paragraphs:
            lines.extend([md_escape(paragraph), ""])
        for table in section.tables:
            if table.caption:
                lines.extend([f"*{md_escape(table.caption)}*", ""])
            lines.append("| " + " | ".join(md_escape(c) for c in table.columns) + " |")
            lines.append("|" + "---|" * len(table.columns))
            for row in table.rows:
                lines.append("| " + " | ".join(md_escape(c) or " " for c in row) + " |")
            lines.append("")
        for text, href in section.links:
            lines.append(f"- [{md_escape(text)}](<{href}>)")
        if section.links:
            lines.append("")
        for sub in section.subsections:
            emit(sub, depth + 1)

    for section in sections:
        emit(section, 2)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_report(
    out_dir: str | Path,
    *,
    case_name: str,
    sources: Sequence[Mapping[str, Any]],
    rejects: pd.DataFrame,
    findings: Sequence[Finding],
    subjects: pd.DataFrame | None = None,
    networks: Sequence[Mapping[str, Any]] | None = None,
    traces: Sequence[Mapping[str, Any]] | None = None,
    views: Mapping[str, str] | None = None,
    data: CaseData | None = None,
    generated_at: str | None = None,
    max_rejects: int = 50,
    max_evidence: int = 50,
    include_personal_ids: bool = False,
    victims: pd.DataFrame | None = None,
    reading: RoleReading | None = None,
    extra_sections: Sequence[Section] = (),
    reviews: Mapping[str, Any] | None = None,
    changes: Sequence[str] | None = None,
) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` into ``out_dir``; returns their paths.

    ``data`` (the case) fills the evidence tables (date, amount, from, to, text, source
    file:row); without it they list transaction ids. ``views`` maps titles to paths relative to
    ``out_dir``. Nothing time-dependent is written unless ``generated_at`` is given.
    ``victims`` (the possible-victims table) and ``reading`` (resolved role per finding subject,
    notes per finding id, from :mod:`finflow.roles`) show the roles after weighing all findings
    and which finding decided each.
    """
    sections = _build(
        case_name=case_name,
        sources=sources,
        rejects=rejects,
        findings=findings,
        subjects=subjects,
        networks=networks,
        traces=traces,
        views=views,
        data=data,
        max_rejects=max_rejects,
        max_evidence=max_evidence,
        include_personal_ids=include_personal_ids,
        victims=victims,
        reading=reading,
        extra_sections=extra_sections,
        reviews=reviews,
    )
    title = f"Case report: {case_name}"
    victims = sum(len(t.rows) for t in sections[2].tables)
    if changes:  # what changed since the previous run of the case, first of all
        sections.insert(0, Section("changes", "Since the previous run", list(changes)))
    intro = [
        f"{_count(len(sources), 'source')}, {_count(len(rejects), 'rejected row')}, "
        f"{_count(len(findings), 'finding')}, {_count(victims, 'possible victim')}, {_count(len(views or {}), 'view')}."
    ]
    if not findings:
        intro.append(NO_FINDINGS)
    if generated_at:
        intro.append(f"Generated {generated_at}.")
    out = Path(out_dir)
    html = render_template(
        "report.html.j2",
        title=title,
        intro=intro,
        sections=sections,
        csp="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
    )
    html_path = write_text(out / "report.html", html)
    md_path = write_text(out / "report.md", _markdown(title, intro, sections))
    return html_path, md_path
