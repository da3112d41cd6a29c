"""What the laundering-typology detectors share: chance of a burst, the finding they write.

A typology finding names every member of the shape as a subject with the role the shape gives
it, says in ``metrics["positions"]`` where each member sits (``source``, ``intermediary``,
``sink``, ``hub``), and lists the moves that make the shape as evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from finflow.casedata import CaseData
from finflow.detect.base import Finding
from finflow.detect.common import nok
from finflow.detect.moves import Moves, near_threshold_share
from finflow.detect.util import account_info, account_subject

__all__ = ["money", "poisson_tail", "shape_finding", "shared_parameters", "threshold_note"]

#: Settings of the ``typologies`` section every typology finding cites beside its own subsection.
_SHARED_KEYS = ("channels", "one_off_max_payments", "near_threshold_band")


def poisson_tail(k: int, mu: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mu): how often chance alone gives ``k`` or more events.

    Summed from ``k`` upwards (no cancellation for the tiny probabilities bursts have).
    """
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    if k <= mu:
        lower, term = 0.0, math.exp(-mu)
        for i in range(k):
            lower += term
            term *= mu / (i + 1)
        return min(1.0, max(0.0, 1.0 - lower))
    term = math.exp(-mu + k * math.log(mu) - math.lgamma(k + 1))
    total, i = 0.0, k
    while term > 1e-300 and term > total * 1e-16:
        total += term
        i += 1
        term *= mu / i
    return min(1.0, total)


def money(amount_minor: int | float, currency: str) -> str:
    """Whole-unit money text, e.g. ``EUR 5 120``."""
    return nok(amount_minor, currency)


def shared_parameters(params: Mapping[str, Any], section: str, currency: str) -> dict[str, Any]:
    """The settings a finding cites: its own subsection, the shared keys, its currency's thresholds."""
    cited = {key: params[key] for key in _SHARED_KEYS}
    cited[section] = dict(params[section])
    cited["currency"] = currency
    for key in ("min_amount_minor", "reporting_threshold_minor"):
        cited[key] = params[key].get(currency)
    return cited


def shape_finding(
    data: CaseData,
    moves: Moves,
    *,
    detector: str,
    members: Sequence[tuple[int, str, str]],
    move_rows: Iterable[int],
    score: float,
    summary: str,
    params: Mapping[str, Any],
    section: str,
    currency: str,
    metrics: dict[str, Any],
) -> Finding:
    """A finding naming ``members`` (account code, role, position) with the moves as evidence.

    The first member is the account the shape is about (the hub, the origin). Members appear
    once, in the order given; the evidence is capped at ``max_evidence`` (largest first). The
    finding cites the ``section`` settings, the shared ones and ``currency``'s thresholds.
    """
    info = account_info(data)
    seen: set[int] = set()
    subjects, positions = [], {}
    for code, role, position in members:
        if code in seen:
            continue
        seen.add(code)
        account = moves.account(code)
        subjects.append(account_subject(info, account, role))
        positions[account] = position
    rows = np.unique(np.fromiter(move_rows, dtype=np.int64))
    limit = int(params["max_evidence"])
    if len(rows) > limit:
        order = np.lexsort((moves.txn[rows].astype(str), -moves.amount[rows]))
        rows = rows[order[:limit]]
    metrics = {**metrics, "positions": positions, "members": len(subjects)}
    return Finding(
        detector=detector,
        subjects=subjects,
        score=min(1.0, max(0.0, score)),
        summary=summary,
        parameters=shared_parameters(params, section, currency),
        evidence_txn_ids=[str(t) for t in moves.txn[rows]],
        metrics=metrics,
    )


def threshold_note(amounts: np.ndarray, currency: str, params: Mapping[str, Any]) -> tuple[float, str]:
    """Share of amounts just under the currency's reporting threshold, and a clause saying so."""
    share = near_threshold_share(amounts, currency, params)
    if not share:
        return 0.0, ""
    threshold = int(params["reporting_threshold_minor"][currency])
    return share, f"; {share:.0%} of the amounts just under the {money(threshold, currency)} reporting threshold"
