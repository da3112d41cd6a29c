"""The case report: who to look at and why, who to protect, then the evidence behind it.

The first screen leads: the top suspects with a one-line reason and links to their views,
possible victims for protection (one row per person: accounts, where their money went) and the
networks with their members, flows per currency and findings. The detail follows grouped by
network and subject; hashes and evidence ids sit in collapsible sections. A print stylesheet
prints only the first screen: a short brief.

One document model (sections of paragraphs, tables and links) is rendered twice: as HTML
(autoescaped template, no scripts, nothing loaded from the network) and as Markdown (every piece
of extract text backslash-escaped, so a Markdown viewer shows it as text).
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
from finflow.company_status import ACTIVE, subject_status
from finflow.detect.base import NO_FINDINGS, Finding
from finflow.flowindex import flow_index
from finflow.money import format_minor
from finflow.views.brief import (
    CaseCounts,
    Links,
    SubjectRows,
    field_value,
    money_text,
    network_name,
    network_subjects,
    reason,
    role_text,
    subject_accounts,
    subject_name,
    subject_records,
    swept_to,
)
from finflow.views.evidence import EVIDENCE_COLUMNS, EVIDENCE_SOURCE_COLUMNS, evidence_table
from finflow.views.labels import holder_labels
from finflow.views.render import render_template, write_text
from finflow.views.tooltips import ROLE_TEXT, clip

__all__ = ["Links", "ReportTable", "Section", "write_report"]

#: Columns never printed from a subjects table unless personal identifiers are asked for.
PERSONAL_COLUMNS = {
    "birth_date", "id_number", "national_id", "personal_id", "fnr", "phone", "mobile", "phone_number", "email",
}  # fmt: skip

#: How a role step reads a finding: its resolved role per subject, and notes per finding id.
RoleReading = tuple[Callable[[Any], str], Mapping[str, str]]

#: How many suspects the first screen names.
TOP_SUSPECTS = 8


@dataclass
class ReportTable:
    columns: list[str]
    rows: list[list[Any]]  # str or Links
    caption: str = ""
    collapsed: bool = False  # behind a <details> (hashes, ids, long evidence)


@dataclass
class Section:
    """A titled part of the report; ``links`` are (text, relative href); ``css`` brief or detail."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    css: str = "detail"


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


def _frame_table(frame: pd.DataFrame, *, limit: int, caption: str = "", collapsed: bool = False) -> ReportTable:
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
    return ReportTable(columns, rows, caption, collapsed)


def _dict_section(prefix: str, index: int, item: Mapping[str, Any], noun: str, title: str | None = None) -> Section:
    """A network or trace given as a dict: scalars as a key/value table, lists of dicts as
    tables of their own; long lists (member ids) collapsed."""
    title = title or item.get("title") or item.get("name") or f"{noun} {index + 1}"
    section = Section(f"{prefix}-{index + 1}", clip(_cell(title), 160))
    pairs = []
    for key in sorted(item):
        value = item[key]
        if key in ("title", "name"):
            continue
        if isinstance(value, pd.DataFrame):
            section.tables.append(_frame_table(value, limit=200, caption=str(key), collapsed=True))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            section.tables.append(_frame_table(pd.DataFrame(value), limit=200, caption=str(key), collapsed=True))
        elif key.endswith("_minor") and "currency" in item and isinstance(value, int):
            pairs.append([key, format_minor(value, str(item["currency"]))])
        elif key.endswith("_minor") and isinstance(value, dict):  # currency → minor units
            pairs.append([key, "; ".join(format_minor(v, c) for c, v in sorted(value.items()))])
        else:
            pairs.append([key, _cell(value)])
    if pairs:
        section.tables.insert(0, ReportTable(["field", "value"], pairs, f"{noun} record", collapsed=True))
    return section


def _safe_href(path: str) -> str:
    """A relative link to a file beside the report; anything with a scheme or host is refused."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or path.startswith(("/", "\\")) or ".." in Path(path).parts:
        raise ValueError(f"view path {path!r} must be relative to the report folder")
    return quote(path, safe="/#")


def _links(view_links: Mapping[str, Sequence[tuple[str, str]]], *keys: str) -> Links:
    seen: dict[str, str] = {}
    for key in keys:
        for text, href in view_links.get(key, ()):
            seen.setdefault(_safe_href(href), text)
    return Links(tuple((text, href) for href, text in seen.items()))


def _sources_section(sources: Sequence[Mapping[str, Any]]) -> Section:
    rows, hashes, mismatches = [], [], 0
    for src in sorted(sources, key=lambda s: (str(s.get("file")), str(s.get("sha256")))):
        counts = [int(src.get(k) or 0) for k in ("rows_read", "loaded", "rejected", "duplicates")]
        ok = counts[0] == counts[1] + counts[2] + counts[3]
        mismatches += not ok
        rows.append(
            [
                _cell(src.get("file")),
                _cell(src.get("format")),
                *(f"{c:,}" for c in counts),
                "yes" if ok else "NO",
                _cell(src.get("imported_at")),
            ]
        )
        hashes.append([_cell(src.get("file")), _cell(src.get("sha256"))])
    paragraphs = [
        f"{_count(len(rows), 'source file')}. Every row read is loaded, rejected or a duplicate; "
        + (
            "all counts reconcile."
            if not mismatches
            else f"NOT reconciled: {_count(mismatches, 'file')} — check before relying on them."
        )
    ]
    columns = ["file", "format", "rows read", "loaded", "rejected", "duplicates", "reconciles", "imported at"]
    tables = [ReportTable(columns, rows)]
    if hashes:
        tables.append(ReportTable(["file", "SHA-256"], hashes, "Source file hashes", collapsed=True))
    return Section("sources", "Sources", paragraphs, tables)


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


def _subject_text(subject: Any, data: CaseData | None = None) -> str:
    """A finding's subject by name and id; "(deleted DATE)" after a company the register deleted."""
    name = subject.label or subject.id
    status = subject_status(subject.kind, subject.id, data)
    gone = f" ({status})" if status != ACTIVE else ""
    return f"{name}{gone} ({subject.kind} {subject.id})" if subject.label else f"{subject.kind} {name}{gone}"


def _finding_victims(findings: Sequence[Finding]) -> pd.DataFrame:
    """Without a ranking: one row per subject a finding calls a possible victim."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for finding in sorted(findings, key=lambda f: (-f.score, f.finding_id)):
        for subject in finding.subjects:
            if subject.role == "possible_victim":
                row = rows.setdefault(
                    (subject.kind, subject.id),
                    {"subject_kind": subject.kind, "subject_id": subject.id, "label": subject.label,
                     "role": "possible_victim", "finding_ids": []},
                )  # fmt: skip
                row["finding_ids"].append(finding.finding_id)
    return pd.DataFrame([rows[k] for k in sorted(rows)])


def _lead_section(
    suspects: pd.DataFrame | None, by_id: Mapping[str, Finding], view_links: Mapping[str, Sequence[tuple[str, str]]]
) -> Section:
    section = Section("lead", "Who to look at first", css="brief")
    if suspects is None or suspects.empty:
        section.paragraphs.append(
            "No subject is ranked: no finding names a suspect." if suspects is not None
            else "No subject ranking was supplied; the findings are listed below."
        )  # fmt: skip
        return section
    rows = []
    for position, row in enumerate(suspects.head(TOP_SUSPECTS).to_dict("records"), start=1):
        sid = str(field_value(row, "subject_id", "id", "subject"))
        score = field_value(row, "score", "priority")
        rows.append(
            [
                str(field_value(row, "rank") or position),
                subject_name(row),
                role_text(row),
                "" if score is None else f"{float(score):.2f}",
                reason(row, by_id),
                _links(view_links, sid, *subject_accounts(row)),
            ]
        )
    more = len(suspects) - len(rows)
    section.paragraphs.append(
        f"The {_count(len(rows), 'highest-ranked subject')} of {len(suspects)}"
        + (f" ({more} more in the detail below and in subjects.csv)" if more > 0 else "")
        + ". A finding is a reason to look, not a conclusion."
    )
    section.tables.append(ReportTable(["#", "subject", "suggested role", "score", "why", "views"], rows))
    return section


def _victims_section(
    victims: pd.DataFrame,
    by_id: Mapping[str, Finding],
    view_links: Mapping[str, Sequence[tuple[str, str]]],
    data: CaseData | None,
) -> Section:
    section = Section("victims", "Possible victims — for protection, not suspicion", css="brief")
    section.paragraphs.append(
        "These people match patterns typical of exploited persons (for example earnings passed on "
        "to a controller). They are listed so that they can be identified and offered protection "
        "and assistance; being listed here is not a suspicion against them. One row per person."
    )
    if victims.empty:
        section.paragraphs.append("No finding suggests a possible victim.")
        return section
    labels = holder_labels(data) if data is not None else {}
    rows = []
    for row in victims.to_dict("records"):
        sid = str(field_value(row, "subject_id", "id", "subject"))
        accounts = subject_accounts(row)
        rows.append(
            [
                subject_name(row),
                ", ".join(accounts),
                swept_to(data, accounts, labels),
                reason(row, by_id),
                _links(view_links, sid, *accounts),
            ]
        )
    section.tables.append(
        ReportTable(["possible victim", "accounts", "money passed on to", "why (findings)", "views"], rows)
    )
    return section


def _networks_brief(
    networks: Sequence[Mapping[str, Any]] | None,
    names: list[str],
    suspects: SubjectRows,
    victims: SubjectRows,
    view_links: Mapping[str, Sequence[tuple[str, str]]],
) -> Section:
    section = Section("networks", "Networks", css="brief")
    if networks is None:
        section.paragraphs.append("No networks were supplied.")
        return section
    if not networks:
        section.paragraphs.append("No networks: no findings link subjects together.")
        return section
    rows = []
    for index, item in enumerate(networks):
        members = network_subjects(item, suspects) + network_subjects(item, victims)
        shown = [f"{subject_name(r)} — {ROLE_TEXT.get(str(r.get('role')), str(r.get('role') or ''))}" for r in members]
        all_members = item.get("members") or []
        flagged = item.get("flagged") or []
        counts = f"{_count(len(flagged), 'flagged account')} of {len(all_members)} accounts"
        finding_ids = item.get("finding_ids") or []
        detectors = item.get("detectors") or []
        rows.append(
            [
                names[index],
                "\n".join(shown[:8] + ([f"… and {len(shown) - 8} more"] if len(shown) > 8 else [])) + f"\n({counts})",
                money_text(item.get("flows_minor"), item.get("currency"))
                + (f"\n{int(item['txn_count']):,} transactions" if item.get("txn_count") is not None else ""),
                f"{_count(len(finding_ids), 'finding')}" + (f": {', '.join(detectors)}" if detectors else ""),
                Links(
                    (("detail", f"#{_network_anchor(index)}"), *_links(view_links, str(item.get("network_id"))).items)
                ),
            ]
        )
    section.paragraphs.append(
        f"{_count(len(networks), 'network')} of flagged accounts linked by money, shared counterparties "
        "or a finding naming several of them. Flows: money between members, per currency."
    )
    section.tables.append(ReportTable(["network", "members", "flows", "findings", "views"], rows))
    return section


def _network_anchor(index: int) -> str:
    return f"network-{index + 1}"


def _review_text(review: Any) -> str:
    """One sentence per finding: its latest review (a :class:`finflow.reviews.ReviewState`)."""
    return "Review: not reviewed (open)." if review is None else clip(review.sentence(), 500)


def _finding_section(
    finding: Finding,
    data: CaseData | None,
    max_evidence: int,
    links: Links | None = None,
    reading: RoleReading | None = None,
    review: Any = None,
) -> Section:
    status = f" [{review.label}]" if review is not None else ""
    part = Section(
        finding.finding_id, f"{finding.detector}: {clip(finding.summary, 400)} — score {finding.score:.2f}{status}"
    )
    part.paragraphs.append(_review_text(review))
    roles = [f"{_subject_text(s, data)}: {ROLE_TEXT.get(s.role, s.role)}" for s in finding.subjects]
    part.paragraphs.append("Subjects (roles this finding suggests): " + "; ".join(roles))
    if reading is not None:
        role_of, notes = reading
        resolved = [f"{_subject_text(s, data)}: {ROLE_TEXT.get(role_of(s), role_of(s))}" for s in finding.subjects]
        if resolved != roles:
            part.paragraphs.append("Roles after weighing all findings: " + "; ".join(resolved))
        if finding.finding_id in notes:
            part.paragraphs.append(notes[finding.finding_id])
    if finding.metrics:
        part.paragraphs.append("Figures: " + _cell(finding.metrics))
    if links and links.items:
        part.links = list(links.items)
    details = [["finding id", finding.finding_id]]
    if finding.parameters:
        details.append(["parameters", _cell(finding.parameters)])
    ids = finding.evidence_txn_ids
    if ids and data is not None:
        frame = flow_index(data).rows(ids, columns=EVIDENCE_SOURCE_COLUMNS)
        rows, found = evidence_table(frame, ids, limit=max_evidence)
        caption = f"Evidence: {_count(len(ids), 'transaction')}"
        if found > max_evidence:
            caption += f" (first {max_evidence} listed)"
        if found < len(ids):
            caption += f"; {len(ids) - found} not found in the case data"
        part.tables.append(ReportTable(EVIDENCE_COLUMNS, rows, caption, collapsed=found > 5))
    if ids:
        details.append(["evidence transaction ids", _cell(ids)])
    part.tables.append(ReportTable(["field", "value"], details, "Finding id, parameters and evidence ids", True))
    if finding.evidence_records:
        part.tables.append(
            ReportTable(
                ["table", "record"],
                [[_cell(r.get("table")), _cell(r.get("key"))] for r in finding.evidence_records],
                "Other evidence records",
                collapsed=True,
            )
        )
    return part


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _place_findings(subject_rows: list[dict[str, Any]], findings: Sequence[Finding]) -> dict[str, str]:
    """finding id → the subject (in ranking order) whose detail lists it: each finding once."""
    known = {f.finding_id for f in findings}
    placed: dict[str, str] = {}
    for row in subject_rows:
        sid = str(field_value(row, "subject_id", "id", "subject"))
        for fid in _split_ids(row):
            if fid in known:
                placed.setdefault(fid, sid)
    return placed


def _subject_detail(
    row: dict[str, Any],
    placed: Mapping[str, str],
    by_id: Mapping[str, Finding],
    data: CaseData | None,
    max_evidence: int,
    view_links: Mapping[str, Sequence[tuple[str, str]]],
    reading: RoleReading | None = None,
    reviews: Mapping[str, Any] | None = None,
) -> Section:
    sid = str(field_value(row, "subject_id", "id", "subject"))
    role = str(field_value(row, "role") or "")
    part = Section(f"subject-{_slug(sid)}", f"{subject_name(row)} — {ROLE_TEXT.get(role, role)}")
    basis = field_value(row, "role_basis")
    if basis is not None:
        part.paragraphs.append(f"Role: {clip(basis, 300)}")
    accounts = subject_accounts(row)
    if accounts:
        part.paragraphs.append("Accounts: " + ", ".join(accounts))
    part.links = list(_links(view_links, sid, *accounts).items)
    mine = [by_id[f] for f, s in placed.items() if s == sid]
    others = [f for f in _split_ids(row) if f in by_id and placed.get(f) != sid]
    for finding in sorted(mine, key=lambda f: (-f.score, f.finding_id)):
        links = _links(view_links, finding.finding_id)
        review = (reviews or {}).get(finding.finding_id)
        part.subsections.append(_finding_section(finding, data, max_evidence, links, reading, review))
    if others:
        part.links += [(f"also in: {by_id[f].detector} (score {by_id[f].score:.2f})", f"#{f}") for f in sorted(others)]
    return part


def _split_ids(row: Mapping[str, Any]) -> list[str]:
    value = field_value(row, "finding_ids")
    if value is None:
        return []
    return [v for v in (value.split(",") if isinstance(value, str) else list(value)) if v]


def _detail_sections(
    *,
    findings: Sequence[Finding],
    suspects: SubjectRows,
    victims: SubjectRows,
    networks: Sequence[Mapping[str, Any]] | None,
    names: list[str],
    data: CaseData | None,
    max_evidence: int,
    view_links: Mapping[str, Sequence[tuple[str, str]]],
    reading: RoleReading | None = None,
    reviews: Mapping[str, Any] | None = None,
) -> list[Section]:
    by_id = {f.finding_id: f for f in findings}
    suspect_rows, victim_rows = subject_records(suspects), subject_records(victims)
    placed = _place_findings(suspect_rows + victim_rows, findings)
    done: set[str] = set()
    sections = []
    detail = Section("detail", "Detail by network and subject")
    if not findings:
        detail.paragraphs.append(
            f"{NO_FINDINGS} No detector matched this case with the configured thresholds; "
            "the sources and the case overview still show everything that was imported."
        )
    else:
        detail.paragraphs.append(
            f"{_count(len(findings), 'finding')}, each listed once under the highest-ranked subject it names. "
            "Scores run from 0 to 1; a finding is a reason to look, not a conclusion."
        )
    for index, item in enumerate(networks or []):
        part = _dict_section("network", index, item, "Network", title=names[index])
        part.id = _network_anchor(index)
        for row in network_subjects(item, suspect_rows) + network_subjects(item, victim_rows):
            sid = str(field_value(row, "subject_id", "id", "subject"))
            if sid in done:
                continue
            done.add(sid)
            detail_args = (placed, by_id, data, max_evidence, view_links, reading, reviews)
            part.subsections.append(_subject_detail(row, *detail_args))
        detail.subsections.append(part)
    rest = [r for r in suspect_rows + victim_rows if str(field_value(r, "subject_id", "id", "subject")) not in done]
    if rest:
        outside = Section("outside", "Subjects outside the networks" if networks else "Subjects")
        for row in rest:
            outside.subsections.append(
                _subject_detail(row, placed, by_id, data, max_evidence, view_links, reading, reviews)
            )
        detail.subsections.append(outside)
    loose = [f for f in findings if f.finding_id not in placed]
    if loose:
        other = Section("other-findings", "Other findings (not about a ranked subject)")
        by_detector: dict[str, list[Finding]] = {}
        for finding in loose:
            by_detector.setdefault(finding.detector, []).append(finding)
        for detector in sorted(by_detector):
            group = sorted(by_detector[detector], key=lambda f: (-f.score, f.finding_id))
            sub = Section(f"detector-{_slug(detector)}", f"{detector} ({len(group)})")
            for finding in group:
                links = _links(view_links, finding.finding_id)
                review = (reviews or {}).get(finding.finding_id)
                sub.subsections.append(_finding_section(finding, data, max_evidence, links, reading, review))
            other.subsections.append(sub)
        detail.subsections.append(other)
    sections.append(detail)
    return sections


def _ranked_section(subjects: pd.DataFrame | None, include_personal_ids: bool) -> Section:
    ranked = Section("subjects", "All ranked subjects")
    if subjects is not None and len(subjects):
        frame = subjects
        if "role" in frame.columns:  # possible victims belong in their own section, not here
            frame = frame[frame["role"].astype("string") != "possible_victim"]
            ranked.paragraphs.append("Possible victims are listed in their own section above.")
        if not include_personal_ids:
            frame = frame[[c for c in frame.columns if str(c) not in PERSONAL_COLUMNS]]
        id_columns = [c for c in frame.columns if str(c).endswith("_ids")]
        shown = frame.drop(columns=id_columns)
        for column in shown.columns:  # "a,b,c" lists get spaces, so the column can wrap between items
            if pd.api.types.is_object_dtype(shown[column]) or pd.api.types.is_string_dtype(shown[column]):
                shown[column] = shown[column].map(lambda v: re.sub(r",(?=\S)", ", ", v) if isinstance(v, str) else v)
        if "explanation" in shown.columns:
            shown = shown.assign(explanation=shown["explanation"].map(lambda v: clip(v, 200) if pd.notna(v) else v))
        ranked.tables.append(_frame_table(shown, limit=200))
        if id_columns:
            keep = [c for c in ("rank", "subject_id", "label") if c in frame.columns] + id_columns
            ids = _frame_table(frame[keep], limit=200, caption="Finding and evidence ids", collapsed=True)
            ranked.tables.append(ids)
    elif subjects is None:
        ranked.paragraphs.append("No subject ranking was supplied.")
    else:
        ranked.paragraphs.append("No subject is ranked: no finding names a suspect.")
    return ranked


def _traces_section(traces: Sequence[Mapping[str, Any]] | None) -> Section:
    part = Section("traces", "Traces")
    if traces:
        part.subsections = [_dict_section("traces", i, item, "Trace") for i, item in enumerate(traces)]
        for sub, item in zip(part.subsections, traces, strict=True):
            view = item.get("view")
            if isinstance(view, str):
                sub.links.append(("trail view", _safe_href(view)))
    elif traces is None:
        part.paragraphs.append("No traces were supplied.")
    else:
        part.paragraphs.append("No traces: no controller is ranked.")
    return part


def _build(
    *,
    findings: Sequence[Finding],
    sources: Sequence[Mapping[str, Any]],
    rejects: pd.DataFrame,
    subjects: pd.DataFrame | None,
    victims: pd.DataFrame,
    networks: Sequence[Mapping[str, Any]] | None,
    traces: Sequence[Mapping[str, Any]] | None,
    views: Mapping[str, str] | None,
    view_links: Mapping[str, Sequence[tuple[str, str]]],
    data: CaseData | None,
    max_rejects: int,
    max_evidence: int,
    include_personal_ids: bool,
    reading: RoleReading | None = None,
    extra_sections: Sequence[Section] = (),
    reviews: Mapping[str, Any] | None = None,
) -> list[Section]:
    by_id = {f.finding_id: f for f in findings}
    suspects = subjects
    if suspects is not None and "role" in suspects.columns:
        suspects = suspects[suspects["role"].astype("string") != "possible_victim"]
    suspect_rows, victim_rows = subject_records(suspects), subject_records(victims)  # once, not per network
    names = [network_name(item, suspect_rows, i) for i, item in enumerate(networks or [])]
    sections = [
        _lead_section(suspects, by_id, view_links),
        _victims_section(victims, by_id, view_links, data),
        _networks_brief(networks, names, suspect_rows, victim_rows, view_links),
    ]
    sections += _detail_sections(
        findings=findings, suspects=suspect_rows, victims=victim_rows, networks=networks, names=names, data=data,
        max_evidence=max_evidence, view_links=view_links, reading=reading, reviews=reviews,
    )  # fmt: skip
    sections += [
        _ranked_section(subjects, include_personal_ids),
        _traces_section(traces),
        _sources_section(sources),
        _rejects_section(rejects, max_rejects, include_personal_ids),
        *extra_sections,  # self-contained sections from other steps, placed before the views
    ]
    view_part = Section("views", "Views")
    view_part.paragraphs.append("Each view is one HTML file that works offline; open it beside this report.")
    view_part.links = [(title, _safe_href(path)) for title, path in sorted((views or {}).items())]
    sections.append(view_part)
    return sections


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~!])")


def md_escape(text: str) -> str:
    """Markdown text that renders literally: punctuation backslash-escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _md_cell(cell: Any) -> str:
    if isinstance(cell, Links):
        return ", ".join(f"[{md_escape(text)}](<{href}>)" for text, href in cell.items)
    return md_escape(cell)


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
                lines.append("| " + " | ".join(_md_cell(c) or " " for c in row) + " |")
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
    victims: pd.DataFrame | None = None,
    networks: Sequence[Mapping[str, Any]] | None = None,
    traces: Sequence[Mapping[str, Any]] | None = None,
    views: Mapping[str, str] | None = None,
    view_links: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    data: CaseData | None = None,
    generated_at: str | None = None,
    max_rejects: int = 50,
    max_evidence: int = 50,
    include_personal_ids: bool = False,
    reading: RoleReading | None = None,
    extra_sections: Sequence[Section] = (),
    reviews: Mapping[str, Any] | None = None,
    changes: Sequence[str] | None = None,
) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` into ``out_dir``; returns their paths.

    ``subjects`` are the ranked suspects and ``victims`` the possible victims (one row per
    person; without it, one per subject a finding calls a possible victim). ``view_links`` maps a
    subject id, account id, finding id or network id to (title, relative path) links shown
    beside it. ``data`` (the case) fills the evidence tables and "money passed on to"; without
    it they list transaction ids. ``views`` maps titles to paths relative to ``out_dir``.
    ``reading`` (resolved role per finding subject, notes per finding id) adds the roles after
    weighing all findings to each finding; ``extra_sections`` go after the rejected rows.
    ``reviews`` (finding id -> :class:`finflow.reviews.ReviewState`) show each finding's review;
    ``changes`` (sentences on what changed since the previous run) come first of all.
    Nothing time-dependent is written unless ``generated_at`` is given.
    """
    if victims is None:
        victims = _finding_victims(findings)
        if subjects is not None and "role" in subjects.columns:
            ranked = subjects[subjects["role"].astype("string") == "possible_victim"]
            victims = ranked if len(ranked) else victims
    sections = _build(
        findings=findings, sources=sources, rejects=rejects, subjects=subjects, victims=victims,
        networks=networks, traces=traces, views=views, view_links=view_links or {}, data=data,
        max_rejects=max_rejects, max_evidence=max_evidence, include_personal_ids=include_personal_ids,
        reading=reading, extra_sections=extra_sections, reviews=reviews,
    )  # fmt: skip
    if changes:  # what changed since the previous run of the case, first of all
        # one line of counts, the items behind a <details>: the brief stays on the first screen
        if len(changes) == 1:
            sections.insert(0, Section("changes", "Since the previous run", list(changes)))
        else:
            summary = "; ".join(line.split(": ", 1)[0] for line in changes) + "."
            details = [ReportTable(["what changed"], [[line] for line in changes], collapsed=True)]
            sections.insert(0, Section("changes", "Since the previous run", [summary], details))
    title = f"Case report: {case_name}"
    suspects = subjects
    if suspects is not None and "role" in suspects.columns:
        suspects = suspects[suspects["role"].astype("string") != "possible_victim"]
    counts = CaseCounts.of(findings, suspects, victims)
    n_tx = 0 if data is None else len(data.transactions)
    intro = [
        counts.sentence()
        + (f"; {_count(len(networks), 'network')}" if networks is not None else "")
        + f". From {_count(len(sources), 'source file')}"
        + (f" ({n_tx:,} transactions)" if data is not None else "")
        + f", {_count(len(rejects), 'rejected row')}, {_count(len(views or {}), 'view')}."
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
