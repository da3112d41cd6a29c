"""The detector catalogue and running it.

Detectors are listed here explicitly (not discovered), so the catalogue a report cites is
exactly the code that ran.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect import adverts, cash, collector, cycles, fan, hubs, labour, layers, remittance, rent, structures
from finflow.detect.base import Detector, Finding
from finflow.detect.thresholds import thresholds_for
from finflow.detect.util import case_cache

__all__ = ["DETECTORS", "detectors", "run_detector", "run_detectors"]

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
    # laundering shapes (AMLSim / AMLworld typologies)
    fan.FAN_IN,
    fan.FAN_OUT,
    cycles.CYCLE,
    layers.BIPARTITE,
    layers.STACK,
    layers.SCATTER_GATHER,
    layers.GATHER_SCATTER,
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


def _views(data: CaseData) -> list[CaseData]:
    """The case once per currency, built once per case: each view keeps its own detector caches
    (transaction view, holders, move index), so detectors run one by one share them too."""
    cache = case_cache(data)
    if "currency views" not in cache:
        currencies = data.currencies()
        cache["currency views"] = [data] if len(currencies) <= 1 else [data.in_currency(c) for c in currencies]
    return cache["currency views"]


def _currency(view: CaseData) -> str | None:
    currencies = view.currencies()
    return currencies[0] if len(currencies) == 1 else None


def run_detector(detector: Detector, data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    """One detector's findings, run once per currency when it reads amounts (see :func:`run_detectors`).

    ``params`` are written in NOK; each currency's run gets them restated in that currency
    (:func:`finflow.detect.thresholds.thresholds_for`).
    """
    if not detector.per_currency:
        return detector.run(data, params)
    return [f for view in _views(data) for f in detector.run(view, thresholds_for(params, _currency(view)))]


def run_detectors(
    data: CaseData,
    config: dict[str, Any] | None = None,
    *,
    names: Iterable[str] | None = None,
    on_start: Callable[[Detector], None] | None = None,
) -> list[Finding]:
    """Run detectors over the case; findings sorted by score (highest first), then id.

    A detector that reads amounts runs once per currency of the case, on the transactions in
    that currency only (:meth:`CaseData.in_currency`): its totals, shares, medians and
    thresholds never add amounts of different currencies. Its amount thresholds, written in NOK
    in the configuration, are restated in that currency through the dated rate table
    ``finflow/data/threshold_rates.yaml``; the findings' parameters cite the rate. A NOK-only case
    runs exactly as before.
    """
    config = config if config is not None else load_config()
    views = _views(data)
    findings: list[Finding] = []
    for detector in detectors(names):
        if on_start:
            on_start(detector)
        if not detector.per_currency:
            findings.extend(detector.run(data, config[detector.section]))
            continue
        for view in views:
            findings.extend(detector.run(view, thresholds_for(config[detector.section], _currency(view))))
    return sorted(findings, key=lambda f: (-f.score, f.detector, f.finding_id))
