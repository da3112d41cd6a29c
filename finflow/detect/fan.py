"""Fan-in and fan-out (AMLSim/AMLworld typologies 2 and 1): a burst of new counterparties.

Fan-in: many accounts pay one account within a few days, each for the first and only time
(smurfs feeding a collection account). Fan-out: one account pays many new payees within a few
days (placing money with mules). Ordinary fan-in looks different on two counts, and both are
required here:

- *relationships*: a landlord's tenants, an employer's staff, a club's members pay month after
  month; only counterparties whose whole relationship with the hub lies inside the burst window
  (at most ``one_off_max_payments`` payments) are counted;
- *history and peers*: a shop gets new card customers every day. The burst is judged against
  the rate at which *this* account gains such one-off counterparties outside the burst, and
  against the case-wide rate (its peers), whichever is higher: the burst must be one that
  chance would give at most ``max_chance`` of the time (a Poisson tail).

Amounts: one pattern moves similar sums; payments more than ``max_amount_ratio`` times above or
below the burst's median are left out (they are someone else's business), and amounts just
under the currency's reporting threshold raise the score. Amounts are only ever compared within
one currency: a burst is counted per (account, currency).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding
from finflow.detect.moves import Moves, move_index
from finflow.detect.shapes import money, poisson_tail, shape_finding, threshold_note

__all__ = ["FAN_IN", "FAN_OUT", "Burst", "find_bursts"]


@dataclass(frozen=True)
class Burst:
    """One account's burst of one-off counterparties in one currency."""

    hub: int
    currency: str
    members: list[int]
    rows: np.ndarray  # moves of the member relationships
    first_day: int
    last_day: int
    own_rate: float  # one-off counterparties a day outside the burst
    peer_rate: float
    chance: float
    usual_busy: float  # one-off counterparties in the account's usual busy window (a quantile)


def find_bursts(moves: Moves, params: Mapping[str, Any], side: str) -> list[Burst]:
    """Bursts of one-off payers into (``side="in"``) or payees of (``"out"``) one account."""
    p = params["fan"]
    window, min_k = int(p["window_days"]), int(p["min_counterparties"])
    rows = np.flatnonzero(moves.one_off(int(params["one_off_max_payments"]), window))
    if len(rows) == 0:
        return []
    hub_all, cp_all = (moves.dst, moves.src) if side == "in" else (moves.src, moves.dst)
    n_acc = max(1, len(moves.accounts))
    n_cur = max(1, len(moves.currencies))
    # one entry per relationship (its first move; moves are in time order), keyed by hub and currency
    group = hub_all[rows].astype(np.int64) * n_cur + moves.cur[rows]
    _, first = np.unique(group * n_acc + cp_all[rows], return_index=True)
    entries = rows[first]
    group = group[first]
    day = moves.day[entries].astype(np.int64)
    order = np.lexsort((day, group))
    entries, group, day = entries[order], group[order], day[order]
    key = group * (1 << 24) + (day - day.min())
    counts = np.searchsorted(key, key + window, side="left") - np.arange(len(key))
    # the peers' rate: one-off counterparties a day per *other* account active on this side
    active = np.unique(hub_all)
    span_total = float((moves.last_day[active] - moves.first_day[active] + 1).sum())
    per_hub = np.bincount((group // n_cur).astype(np.int64), minlength=n_acc)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    relationships = _Relationships(hub_all[rows].astype(np.int64) * n_acc + cp_all[rows], rows, n_acc)
    bursts = []
    for lo, hi in zip(starts, ends, strict=True):
        if counts[lo:hi].max() < min_k:
            continue
        hub = int(group[lo] // n_cur)
        currency = moves.currencies[int(group[lo] % n_cur)]
        span = int(moves.last_day[hub] - moves.first_day[hub] + 1)
        peer_rate = (len(entries) - int(per_hub[hub])) / max(1.0, span_total - span)
        bursts.extend(
            _hub_bursts(moves, params, side, hub, currency, entries[lo:hi], day[lo:hi], span, peer_rate, relationships)
        )
    return bursts


class _Relationships:
    """The moves of each (hub, counterparty) relationship, looked up by binary search."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray, n_accounts: int) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys, self.rows, self.n = keys[order], rows[order], n_accounts

    def of(self, hub: int, members: list[int]) -> np.ndarray:
        wanted = hub * self.n + np.asarray(members, dtype=np.int64)
        lo = np.searchsorted(self.keys, wanted, side="left")
        hi = np.searchsorted(self.keys, wanted, side="right")
        return np.sort(np.concatenate([self.rows[a:b] for a, b in zip(lo, hi, strict=True)]))


def _hub_bursts(
    moves: Moves,
    params: Mapping[str, Any],
    side: str,
    hub: int,
    currency: str,
    entries: np.ndarray,
    day: np.ndarray,
    span: int,
    peer_rate: float,
    relationships: _Relationships,
) -> list[Burst]:
    """The hub's non-overlapping bursts, strongest first."""
    p = params["fan"]
    window, min_k, ratio = int(p["window_days"]), int(p["min_counterparties"]), float(p["max_amount_ratio"])
    cp_all = moves.src if side == "in" else moves.dst
    total = len(entries)
    free = np.ones(total, dtype=bool)
    found = []
    while free.sum() >= min_k:
        idx = np.flatnonzero(free)
        counts = np.searchsorted(day[idx], day[idx] + window, side="left") - np.arange(len(idx))
        best = int(np.argmax(counts))
        if counts[best] < min_k:
            break
        chosen = idx[best : best + counts[best]]
        free[chosen] = False
        amounts = moves.amount[entries[chosen]].astype(np.float64)
        median = float(np.median(amounts))
        similar = chosen[(amounts >= median / ratio) & (amounts <= median * ratio)]
        k = len(similar)
        if k < min_k:
            continue
        # one pseudo-count: an account is never taken to be certain never to gain such counterparties
        own_rate = (total - len(chosen) + 1) / max(window, span - window)
        chance = poisson_tail(k, max(own_rate, peer_rate) * window)
        if chance > float(p["max_chance"]):
            continue
        usual = _busy_window(day, chosen, window, float(p["history_quantile"]))
        if k < float(p["history_factor"]) * usual:
            continue
        members = [int(c) for c in cp_all[entries[similar]]]
        rows = relationships.of(hub, members)
        found.append(
            Burst(hub, currency, members, rows, int(day[similar].min()), int(day[similar].max()),
                  own_rate, peer_rate, chance, usual)
        )  # fmt: skip
    return found


def _busy_window(day: np.ndarray, burst: np.ndarray, window: int, quantile: float) -> float:
    """The account's usual busy window outside the burst: a quantile of its non-empty windows' counts.

    Windows tile the account's days from its first one-off counterparty; only windows that have
    any count, so a shop's quiet Sundays do not make every Saturday look like a burst. Daily
    counts of real accounts vary far more than chance (paydays, opening hours): a burst must
    stand out against these, not only against the average rate.
    """
    rest = np.delete(day, burst)
    if len(rest) == 0:
        return 0.0
    counts = np.bincount((rest - rest.min()) // window)
    return float(np.quantile(counts[counts > 0], quantile))


def _findings(data: CaseData, params: Mapping[str, Any], side: str) -> list[Finding]:
    moves = move_index(data, params)
    if len(moves) == 0:
        return []
    detector = "fan_in" if side == "in" else "fan_out"
    window, min_k = int(params["fan"]["window_days"]), int(params["fan"]["min_counterparties"])
    findings = []
    for burst in find_bursts(moves, params, side):
        amounts = moves.amount[burst.rows]
        k = len(burst.members)
        near, near_text = threshold_note(amounts, burst.currency, params)
        cv = float(np.std(amounts) / max(1.0, float(np.mean(amounts))))
        parts = {
            "chance": min(1.0, -np.log10(max(burst.chance, 1e-300)) / 12),
            "size": min(1.0, k / (3 * min_k)),
            "similar": max(0.0, 1.0 - cv),
            "near_threshold": near,
        }
        score = 0.3 + 0.3 * parts["chance"] + 0.25 * parts["size"] + 0.1 * parts["similar"] + 0.05 * near
        days = burst.last_day - burst.first_day + 1
        when = moves.date(burst.first_day) + ("" if days == 1 else f" to {moves.date(burst.last_day)}")
        flow = "paid into this account" if side == "in" else "were paid by this account"
        who = "accounts" if side == "in" else "new payees"
        summary = (
            f"{k} {who} with no other dealings with it {flow} {money(int(amounts.sum()), burst.currency)} "
            f"in {days} day(s) ({when}), {money(int(amounts.min()), burst.currency)} to "
            f"{money(int(amounts.max()), burst.currency)} each; it gains {burst.own_rate:.2f} such one-off "
            f"{'payers' if side == 'in' else 'payees'} a day otherwise (peers {burst.peer_rate:.2f}) and "
            f"{burst.usual_busy:g} in a usual busy window; chance alone gives {k} within {window} day(s) with "
            f"probability {burst.chance:.1e}{near_text}"
        )
        hub_position, member_position = ("sink", "source") if side == "in" else ("source", "sink")
        # the shape does not say who is behind it: a collector, or a victim paid by clients
        members = [(burst.hub, "unknown", hub_position)]
        members += [(m, "unknown", member_position) for m in burst.members]
        findings.append(
            shape_finding(
                data, moves, detector=detector, members=members, move_rows=burst.rows, score=score,
                summary=summary, params=params, section="fan", currency=burst.currency,
                metrics={
                    "counterparties": k, "days": int(days), "first_day": moves.date(burst.first_day),
                    "total_minor": int(amounts.sum()), "currency": burst.currency,
                    "own_rate_per_day": round(burst.own_rate, 4), "peer_rate_per_day": round(burst.peer_rate, 4),
                    "usual_busy_window": round(burst.usual_busy, 4),
                    "chance": float(f"{burst.chance:.3e}"), "amount_cv": round(cv, 4),
                    "near_threshold_share": round(near, 4),
                },
            )
        )  # fmt: skip
    return findings


def detect_fan_in(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    return _findings(data, params, "in")


def detect_fan_out(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    return _findings(data, params, "out")


FAN_IN = Detector(
    name="fan_in",
    title="Fan-in: a burst of one-off payers",
    description=(
        "Many accounts that have no other dealings with it pay one account within a few days, far more "
        "than it usually gains such payers — money gathered from smurfs or mules, not a shop's customers "
        "or a landlord's tenants."
    ),
    run=detect_fan_in,
    config_section="typologies",
)
FAN_OUT = Detector(
    name="fan_out",
    title="Fan-out: a burst of one-off payees",
    description=(
        "One account pays many new payees within a few days, each once, far more than it usually does — "
        "money placed with mules, not a payroll (the same staff every month)."
    ),
    run=detect_fan_out,
    config_section="typologies",
)
