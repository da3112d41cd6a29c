"""The detector catalogue and running it.

Detectors are listed here explicitly (not discovered), so the catalogue a report cites is
exactly the code that ran.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect import adverts, cash, collector, hubs, labour, remittance, rent, structures
from finflow.detect.base import Detector, Finding

__all__ = ["DETECTORS", "detectors", "run_detectors"]

DETECTORS: tuple[Detector, ...] = (
    # hubs and control
    collector.DETECTOR,
    hubs.SWEEP,
    hubs.NIGHT_P2P,
    hubs.SHARED_IDENTIFIERS,
    # rent and premises
    rent.RENT_SEVERAL_PREMISES,
    rent.THIRD_PARTY_RENT,
    rent.PREMISES_NETWORK,
    # remittances
    remittance.CORRIDOR_OUTFLOWS,
    remittance.FOREIGN_BENEFICIARY,
    remittance.SALARY_ABROAD,
    remittance.MTO_STRUCTURING,
    # pass-through and cash
    cash.PASS_THROUGH,
    cash.CASH_FED,
    cash.BEGGING,
    # labour exploitation
    labour.SHARED_WAGE_ACCOUNT,
    labour.CLAWBACK,
    labour.PAYROLL_GAP,
    labour.DEBT_REPAYMENTS,
    labour.CROWDED_ADDRESS,
    # advertising and travel
    adverts.ADVERT_PAYMENTS,
    adverts.LODGING_TRAVEL,
    # structures
    structures.ROUND_TRIP,
    structures.SHARED_ROLE_HOLDERS,
    structures.SHARED_COMPANY_ADDRESS,
    structures.FRONT_COMPANY,
)


def detectors(names: Iterable[str] | None = None) -> list[Detector]:
    """The detectors called ``names`` (all when None); unknown names raise ``KeyError``."""
    if names is None:
        return list(DETECTORS)
    by_name = {d.name: d for d in DETECTORS}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise KeyError(f"unknown detector(s) {', '.join(missing)}; known: {', '.join(by_name)}")
    return [by_name[n] for n in names]


def run_detectors(
    data: CaseData,
    config: dict[str, Any] | None = None,
    *,
    names: Iterable[str] | None = None,
    on_start: Callable[[Detector], None] | None = None,
) -> list[Finding]:
    """Run detectors over the case; findings sorted by score (highest first), then id."""
    config = config if config is not None else load_config()
    findings: list[Finding] = []
    for detector in detectors(names):
        if on_start:
            on_start(detector)
        findings.extend(detector.run(data, config[detector.section]))
    return sorted(findings, key=lambda f: (-f.score, f.detector, f.finding_id))
