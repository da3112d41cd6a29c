"""Cycles (AMLSim/AMLworld typology 3): money that goes round several accounts back to its start.

A cycle here is a chain of payments A → B → … → A, each paid on or after the day of the one
before, all within ``window_days``, through 3 to ``max_hops`` accounts, each leg carried by a
one-off relationship (a pair that pays only for the pattern: a loan and its repayment between
friends repeat, a laundering cycle is built for the occasion). Each leg carries between
``hop_amount_range`` times the amount of the leg before it — money going round loses a fee at
every step (AMLSim takes 10 % a hop) and does not grow much — and every leg is in the first
leg's currency (a change of currency is a conversion, whose amounts cannot be compared).

The search is bounded, never an enumeration of all simple cycles: accounts that cannot be on a
cycle (they only pay or only receive one-off payments) are pruned away repeatedly; then a
depth-first search runs from every remaining one-off payment over later payments inside the
window and the amount range, at most ``max_paths_per_start`` partial paths per first payment.
The existing ``round_trip`` detector covers large round trips through 3–4 ordinary relationships.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding
from finflow.detect.moves import Moves, move_index
from finflow.detect.shapes import money, shape_finding, threshold_note

__all__ = ["CYCLE", "Cycle", "find_cycles"]


@dataclass(frozen=True)
class Cycle:
    """One time-respecting cycle: its accounts from the origin on and the moves of its legs."""

    accounts: tuple[int, ...]
    rows: tuple[int, ...]


def _core(moves: Moves, rows: np.ndarray) -> np.ndarray:
    """Drop, repeatedly, moves whose payer receives nothing or whose payee pays nothing."""
    while len(rows):
        payers = np.unique(moves.src[rows])
        payees = np.unique(moves.dst[rows])
        keep = np.isin(moves.src[rows], payees) & np.isin(moves.dst[rows], payers)
        if keep.all():
            break
        rows = rows[keep]
    return rows


def find_cycles(moves: Moves, params: Mapping[str, Any]) -> tuple[list[Cycle], int]:
    """Distinct cycles (by member set, longest first) and the number of first payments whose search was cut.

    Paths that can no longer get back to their origin within ``max_hops`` accounts (checked on the
    last two steps, where most paths are) are not followed.
    """
    p = params["cycle"]
    window, min_hops, max_hops = int(p["window_days"]), int(p["min_hops"]), int(p["max_hops"])
    gap = int(p["max_leg_gap_days"])
    low, high = (float(x) for x in p["hop_amount_range"])
    budget, total_budget = int(p["max_paths_per_start"]), int(p["max_paths"])
    rows = _core(moves, np.flatnonzero(moves.one_off(int(params["one_off_max_payments"]), window)))
    out: dict[int, tuple[list[int], list[tuple[int, int, int, int, int]]]] = {}
    payers_of: dict[int, set[int]] = {}
    payees_of: dict[int, set[int]] = {}
    for r in rows:  # rows are in time order, so each account's list is too
        src, dst = int(moves.src[r]), int(moves.dst[r])
        days, legs = out.setdefault(src, ([], []))
        days.append(int(moves.day[r]))
        legs.append((int(moves.day[r]), dst, int(moves.amount[r]), int(moves.cur[r]), int(r)))
        payers_of.setdefault(dst, set()).add(src)
        payees_of.setdefault(src, set()).add(dst)

    def can_return(account: int, origin: int, spare: int) -> bool:
        """Whether ``account`` can still pay back to ``origin`` through at most ``spare`` more accounts."""
        into = payers_of.get(origin, set())
        if spare >= 2 or account in into:
            return True
        return spare == 1 and not payees_of.get(account, set()).isdisjoint(into)

    found: dict[frozenset[int], Cycle] = {}
    cut, spent = 0, 0
    for r in rows:
        if spent > total_budget:
            cut += 1
            continue
        origin, first = int(moves.src[r]), int(moves.dst[r])
        day0, amount0, cur0 = int(moves.day[r]), int(moves.amount[r]), int(moves.cur[r])
        if not can_return(first, origin, max_hops - 2):
            continue
        stack = [(first, day0, (origin, first), (int(r),), amount0)]
        paths = 0
        while stack:
            node, day, path, legs_so_far, last = stack.pop()
            paths += 1
            if paths > budget:
                cut += 1
                break
            if node not in out:
                continue
            days, legs = out[node]
            for d, dst, amount, cur, row in legs[bisect.bisect_left(days, day) :]:
                if d - day0 >= window or d - day > gap:
                    break
                if cur != cur0 or not low * last <= amount <= high * last:
                    continue
                if dst == origin:
                    if len(path) >= min_hops:
                        key = frozenset(path)
                        if key not in found:
                            found[key] = Cycle(path, (*legs_so_far, row))
                elif dst not in path and len(path) < max_hops and can_return(dst, origin, max_hops - len(path) - 1):
                    stack.append((dst, d, (*path, dst), (*legs_so_far, row), amount))
        spent += paths
    cycles = sorted(found.values(), key=lambda c: (-len(c.accounts), c.rows))
    kept: list[Cycle] = []
    for cycle in cycles:  # a cycle inside a longer one's accounts is the same scheme seen partly
        members = set(cycle.accounts)
        if not any(members <= set(k.accounts) for k in kept):
            kept.append(cycle)
    return kept, cut


def detect_cycles(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    moves = move_index(data, params)
    if len(moves) == 0:
        return []
    cycles, cut = find_cycles(moves, params)
    findings = []
    for cycle in cycles:
        rows = np.array(cycle.rows)
        amounts = moves.amount[rows]
        currency = moves.currencies[int(moves.cur[rows[0]])]
        hops = len(cycle.accounts)
        sent, back = int(amounts[0]), int(amounts[-1])
        days = int(moves.day[rows[-1]] - moves.day[rows[0]])
        near, near_text = threshold_note(amounts, currency, params)
        returned = back / sent
        score = 0.35 + 0.35 * min(1.0, (hops - 2) / 8) + 0.15 * min(1.0, returned) + 0.1 + 0.05 * near
        summary = (
            f"{money(sent, currency)} left this account on {moves.date(int(moves.day[rows[0]]))} and went round "
            f"{hops} accounts, each leg a one-off payment, and {money(back, currency)} ({returned:.0%}) came back "
            f"{days} day(s) later{near_text}"
        )
        members = [(cycle.accounts[0], "facilitator", "origin")]
        members += [(a, "facilitator", "intermediary") for a in cycle.accounts[1:]]
        findings.append(
            shape_finding(
                data, moves, detector="cycle", members=members, move_rows=rows, score=score, summary=summary,
                params=params, section="cycle", currency=currency,
                metrics={
                    "hops": hops, "days": days, "sent_minor": sent, "returned_minor": back,
                    "returned_share": round(returned, 4), "currency": currency,
                    "near_threshold_share": round(near, 4), "searches_cut_short_in_case": cut,
                },
            )
        )  # fmt: skip
    return findings


CYCLE = Detector(
    name="cycle",
    title="Cycle: money round several accounts and back",
    description=(
        "A chain of one-off payments, each after the one before and of a similar amount, that leads back "
        "to the account it started from within a month — through up to a dozen accounts."
    ),
    run=detect_cycles,
    config_section="typologies",
)
