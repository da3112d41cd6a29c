"""What every export reads: the case, its findings (detectors run again), reviews and ranking.

The detectors are deterministic, so an export of an unchanged case shows the same findings as the
last ``investigate``; dismissed findings are left out of the ranking as there (``show_dismissed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finflow.case import case_exists, open_case
from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect.base import Finding
from finflow.detect.registry import run_detectors
from finflow.errors import FinflowError
from finflow.investigate import ranked_findings
from finflow.leads import analyse
from finflow.money import is_currency, minor_units
from finflow.reviews import ReviewState, read_reviews, review_states
from finflow.subjects import SubjectRanking

__all__ = ["ExportCase", "decimal_text", "load_export_case"]


@dataclass
class ExportCase:
    """A case ready to export; ``include_personal_ids`` decides birth dates, id numbers, phones."""

    case_dir: Path
    data: CaseData
    findings: list[Finding]
    reviews: dict[str, ReviewState]
    ranking: SubjectRanking
    sources: list[dict[str, Any]]
    config: dict[str, Any]
    include_personal_ids: bool = False

    def review_label(self, finding_id: str) -> str:
        state = self.reviews.get(finding_id)
        return "open" if state is None else state.label

    def review_note(self, finding_id: str) -> str:
        state = self.reviews.get(finding_id)
        return "" if state is None else state.note


def load_export_case(
    case_dir: str | Path,
    *,
    config_path: str | Path | None = None,
    include_personal_ids: bool = False,
    show_dismissed: bool = False,
) -> ExportCase:
    """Read the case at ``case_dir`` and run its detectors; one-line error for a missing or empty case."""
    case_dir = Path(case_dir)
    if not case_exists(case_dir):
        raise FinflowError(f"{case_dir}: no case here (run `finflow import` or `finflow investigate` first)")
    case = open_case(case_dir)
    data = case.data()
    config = load_config(config_path)
    findings = run_detectors(data, config) if not data.transactions.empty else []
    reviews = review_states(read_reviews(case_dir), findings, data)
    ranking = analyse(ranked_findings(findings, reviews, show_dismissed), data, config).ranking
    return ExportCase(case_dir, data, findings, reviews, ranking, case.manifest, config, include_personal_ids)


def decimal_text(amount_minor: int, currency: str) -> str:
    """``123456, 'NOK'`` -> ``'1234.56'``: exact decimal text, no float on the way."""
    exp = minor_units(currency) if is_currency(currency) else 2
    sign = "-" if amount_minor < 0 else ""
    whole, frac = divmod(abs(int(amount_minor)), 10**exp)
    return f"{sign}{whole}" + (f".{frac:0{exp}d}" if exp else "")
