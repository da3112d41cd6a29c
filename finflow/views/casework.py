"""Report sections for what is missing and what is unexplained: statement coverage, the next data
requests, and each top suspect's source and application of funds.

Self-contained: each function takes the analysed case and returns a :class:`Section` the report
appends; nothing else of the report depends on them.
"""

from __future__ import annotations

import pandas as pd

from finflow.analysis import Analysis
from finflow.coverage import Coverage
from finflow.errors import FinflowError
from finflow.funds import source_and_application
from finflow.money import format_minor
from finflow.requests import Requests
from finflow.views.report import ReportTable, Section, _frame_table

__all__ = ["casework_sections", "coverage_section", "funds_section", "requests_section"]


def coverage_section(coverage: Coverage) -> Section:
    """Per account with a statement: dates covered, gaps, overlaps and balance breaks."""
    part = Section("coverage", "Statement coverage")
    part.paragraphs += coverage.notes
    if coverage.period:
        part.paragraphs.append(
            f"Case period {coverage.period[0]} to {coverage.period[1]} (first to last booking date). "
            f"{len(coverage.accounts)} account(s) have statements; {len(coverage.gaps)} gap(s), "
            f"{len(coverage.overlaps)} overlap(s), {len(coverage.breaks)} balance break(s). "
            "Files: coverage.csv, coverage_gaps.csv, coverage_overlaps.csv, balance_breaks.csv."
        )
    columns = ["account", "holder", "bank", "statements", "covered", "gaps", "overlaps", "balance_breaks"]
    if len(coverage.accounts):
        part.tables.append(_frame_table(coverage.accounts[columns], limit=100, caption="Accounts with statements"))
    if len(coverage.gaps):
        part.tables.append(_frame_table(coverage.gaps, limit=100, caption="Gaps (account, gap_start, gap_end)"))
    if len(coverage.breaks):
        shown = coverage.breaks[["account", "currency", "kind", "date", "explanation"]]
        part.tables.append(_frame_table(shown, limit=100, caption="Balance breaks"))
    return part


def requests_section(requests: Requests, limit: int = 50) -> Section:
    """The accounts to order next, grouped by bank, with period and reason.

    A long list shows its ``limit`` best-ranked requests (still grouped by bank), not the first
    rows of the grouped list: those would be one bank's weakest requests, hiding the second-best.
    """
    part = Section("requests", "Next data requests")
    part.paragraphs += requests.intro
    table = requests.table
    if len(table):
        shown = table[table["rank"] <= limit][
            ["rank", "bank_label", "account", "holder", "period_start", "period_end", "reason"]
        ]
        caption = "Production orders to consider (requests.csv)"
        if len(shown) < len(table):
            caption += f": the {len(shown)} best-ranked of {len(table)}, grouped by bank"
        part.tables.append(_frame_table(shown, limit=len(shown), caption=caption))
    return part


def funds_section(analysis: Analysis, top: int = 5) -> Section:
    """Source and application of funds of the top suspects, with the method stated."""
    part = Section("funds", "Source and application of funds")
    subjects = analysis.ranking.suspects.head(top)
    if subjects.empty:
        part.paragraphs.append("No suspect is ranked.")
        return part
    method = ""
    for subject in subjects.itertuples(index=False):
        try:
            result = source_and_application(analysis, str(subject.subject_id))
        except FinflowError as exc:
            part.paragraphs.append(f"{subject.subject_id}: {exc}")
            continue
        method = result.method
        sub = Section(f"funds-{subject.rank}", f"{result.label} ({result.subject}), {subject.role}")
        rows = []
        for entry in result.currencies:
            ccy = entry["currency"]
            rows.append([
                ccy, format_minor(entry["inflow_minor"], ccy), format_minor(entry["explained_minor"], ccy),
                format_minor(entry["unexplained_minor"], ccy), f"{entry['unexplained_share']:.0%}",
                "; ".join(f"{k} {format_minor(v, ccy)}" for k, v in entry["inflow_by_class"].items() if v),
                "; ".join(f"{k} {format_minor(v, ccy)}" for k, v in entry["outflow_by_use"].items() if v),
            ])  # fmt: skip
        header = ["currency", "inflow", "explained", "unexplained", "unexplained share", "inflow by source"]
        sub.tables.append(ReportTable([*header, "outflow by use"], rows))
        months = [
            {"currency": e["currency"], "month": m["month"], "inflow_minor": m["inflow_minor"],
             "explained_minor": m["explained_minor"], "unexplained_minor": m["unexplained_minor"],
             "outflow_minor": m["outflow_minor"]}
            for e in result.currencies for m in e["months"]
        ]  # fmt: skip
        if months:
            sub.tables.append(_frame_table(pd.DataFrame(months), limit=36, caption="Per month"))
        part.subsections.append(sub)
    if method:
        part.paragraphs.append(f"Method: {method} Rules and their sources: funds in finflow/data/config.yaml.")
    return part


def casework_sections(analysis: Analysis, coverage: Coverage, requests: Requests, top: int = 5) -> list[Section]:
    """The three sections, in reading order."""
    return [funds_section(analysis, top), coverage_section(coverage), requests_section(requests)]
