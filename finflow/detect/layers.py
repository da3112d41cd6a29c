"""Layering shapes (AMLSim/AMLworld typologies 4, 5, 7, 8): bipartite, stack, scatter-gather, gather-scatter.

**Bipartite** (typology 4): a group of payers each pays every one of a group of payees within a
few days, every payment a one-off relationship — AMLSim's complete bipartite layer. Found by
counting, per pair of payers, the payees both paid within ``window_days``; pairs with two or
more in common are closed into the largest group of payers and payees that all pay each other.

**Relays** carry the other three. A relay is an account that receives one to a few one-off
payments and, within ``window_days``, passes on exactly what it received less a commission: the
outgoing payments (one to a few, to one-off payees, all after the incoming ones) sum to
``(1 - f)`` of the incoming ones for a commission ``f`` in ``fee_rates``, to the rounding of
each payment (half a minor unit each). One such relay proves little; relays are reported when
two or more at the same commission are linked — they share a payer or a payee, or one pays the
other. The linked relays and their counterparties then form one shape:

- **stack** (typology 5): a relay pays another relay — layers of intermediaries in a row;
- **gather-scatter** (typology 8): a relay gathers from two or more payers and scatters to two
  or more payees;
- **scatter-gather** (typology 7): otherwise — money split over several relays that share where
  it comes from or where it goes.

Amounts are compared only within one currency: every relay's payments are in one currency.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding
from finflow.detect.moves import Moves, move_index
from finflow.detect.shapes import money, shape_finding, threshold_note
from finflow.detect.util import case_cache

__all__ = ["BIPARTITE", "GATHER_SCATTER", "SCATTER_GATHER", "STACK", "Relay", "find_bicliques", "find_relays"]


# -- bipartite -----------------------------------------------------------------------------------
Biclique = tuple[tuple[int, ...], tuple[int, ...], np.ndarray]


def find_bicliques(moves: Moves, params: Mapping[str, Any]) -> list[Biclique]:
    """Maximal (payers, payees, moves) groups where every payer paid every payee, one-off, in the window.

    Bounded: only accounts that could be in a layer are kept (payers of two or more one-off
    payees, payees of two or more one-off payers, repeatedly), and a payee paid by more than
    ``max_payers`` one-off payers within the window (a shop, a collection account: ``fan_in``
    looks at those) pairs none of them.
    """
    p = params["bipartite"]
    window, min_side, min_edges = int(p["window_days"]), int(p["min_side"]), int(p["min_edges"])
    rows = np.flatnonzero(moves.one_off(int(params["one_off_max_payments"]), window))
    pairs = pd.DataFrame({"s": moves.src[rows], "d": moves.dst[rows], "day": moves.day[rows], "row": rows})
    first = pairs.groupby(["s", "d"], sort=True).agg(day=("day", "min")).reset_index()
    while len(first):  # prune to accounts that could be on either side of a layer
        payees = first.groupby("s")["d"].transform("size")
        payers = first.groupby("d")["s"].transform("size")
        keep = (payees >= min_side) & (payers >= min_side)
        if keep.all():
            break
        first = first[keep.to_numpy()]
    busy = first.groupby("d")["s"].transform("size") > int(p["max_payers"])
    cand = first[~busy.to_numpy()]
    joined = cand.merge(cand, on="d", suffixes=("_a", "_b"))
    joined = joined[(joined["s_a"] < joined["s_b"]) & ((joined["day_a"] - joined["day_b"]).abs() < window)]
    joined = joined.drop_duplicates(["s_a", "s_b", "d"]).sort_values(["s_a", "s_b", "d"])
    joined = joined[joined.groupby(["s_a", "s_b"])["d"].transform("size").to_numpy() >= min_side]
    common: dict[tuple[int, int], set[int]] = defaultdict(set)
    for a, b, d in zip(joined["s_a"].tolist(), joined["s_b"].tolist(), joined["d"].tolist(), strict=True):
        common[(a, b)].add(d)
    payees_of: dict[int, set[int]] = defaultdict(set)
    payers_of: dict[int, set[int]] = defaultdict(set)
    for a, b in zip(first["s"].tolist(), first["d"].tolist(), strict=True):
        payees_of[a].add(b)
        payers_of[b].add(a)
    groups: set[tuple[frozenset[int], frozenset[int]]] = set()
    for together in {frozenset(c) for c in common.values()}:
        sets = sorted((payers_of[d] for d in together), key=len)
        payers = frozenset(sets[0].intersection(*sets[1:]))
        sets = sorted((payees_of[a] for a in payers), key=len)
        payees = frozenset(sets[0].intersection(*sets[1:]))
        if len(payers) >= min_side and len(payees) >= min_side and len(payers) * len(payees) >= min_edges:
            groups.add((payers, payees))
    legs_of: dict[tuple[int, int], list[int]] = defaultdict(list)
    if groups:
        for a, b, r in zip(pairs["s"].tolist(), pairs["d"].tolist(), pairs["row"].tolist(), strict=True):
            legs_of[(a, b)].append(r)
    found: list[tuple[frozenset[int], frozenset[int], np.ndarray]] = []
    for payers, payees in sorted(groups, key=lambda g: (-len(g[0]) * len(g[1]), sorted(g[0]), sorted(g[1]))):
        if any(payers <= a and payees <= b for a, b, _ in found):
            continue
        legs = np.array(sorted(r for a in payers for b in payees for r in legs_of[(a, b)]))
        if int(moves.day[legs].max() - moves.day[legs].min()) >= window:
            continue
        found.append((payers, payees, legs))
    return [(tuple(sorted(int(x) for x in a)), tuple(sorted(int(x) for x in b)), legs) for a, b, legs in found]


def detect_bipartite(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    moves = move_index(data, params)
    if len(moves) == 0:
        return []
    findings = []
    for payers, payees, legs in find_bicliques(moves, params):
        currency = moves.currencies[int(np.bincount(moves.cur[legs]).argmax())]
        amounts = moves.amount[legs][moves.cur[legs] == moves.currencies.index(currency)]
        near, near_text = threshold_note(amounts, currency, params)
        days = int(moves.day[legs].max() - moves.day[legs].min()) + 1
        edges = len(payers) * len(payees)
        score = 0.4 + 0.4 * min(1.0, edges / 16) + 0.15 * min(1.0, (len(payers) + len(payees)) / 10) + 0.05 * near
        summary = (
            f"{len(payers)} accounts each paid every one of {len(payees)} others ({edges} one-off payments, "
            f"{money(int(amounts.sum()), currency)}) within {days} day(s) from {moves.date(int(moves.day[legs].min()))}"
            f"{near_text}"
        )
        members = [(s, "facilitator", "source") for s in payers] + [(d, "facilitator", "sink") for d in payees]
        findings.append(
            shape_finding(
                data, moves, detector="bipartite", members=members, move_rows=legs, score=score, summary=summary,
                params=params, section="bipartite", currency=currency,
                metrics={"payers": len(payers), "payees": len(payees), "payments": len(legs), "days": days,
                         "total_minor": int(amounts.sum()), "currency": currency,
                         "near_threshold_share": round(near, 4)},
            )
        )  # fmt: skip
    return findings


# -- relays --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Relay:
    """An account that passed on ``1 - fee`` of some one-off payments it received."""

    account: int
    fee: float
    inflows: tuple[int, ...]  # move rows
    outflows: tuple[int, ...]

    def sources(self, moves: Moves) -> set[int]:
        return {int(moves.src[r]) for r in self.inflows}

    def targets(self, moves: Moves) -> set[int]:
        return {int(moves.dst[r]) for r in self.outflows}


def find_relays(moves: Moves, params: Mapping[str, Any]) -> list[Relay]:
    """Every relay of the case: per account and commission, the match with the most payments (earliest first).

    Vectorised: every group of one to ``max_legs - 1`` one-off inflows of an account (later ones
    among the next ``max_candidates``, all within the window, one currency) is matched by sum
    against every such group of its outflows, one commission at a time.
    """
    p = params["relay"]
    window, max_legs, candidates = int(p["window_days"]), int(p["max_legs"]), int(p["max_candidates"])
    rows = np.flatnonzero(moves.one_off(int(params["one_off_max_payments"]), window))
    accounts = np.intersect1d(moves.src[rows], moves.dst[rows])
    ins = rows[np.isin(moves.dst[rows], accounts)]
    outs = rows[np.isin(moves.src[rows], accounts)]
    if len(ins) == 0 or len(outs) == 0:
        return []
    gin = _Groups(moves, ins[np.lexsort((ins, moves.dst[ins]))], moves.dst, max_legs - 1, candidates, window)
    gout = _Groups(moves, outs[np.lexsort((outs, moves.src[outs]))], moves.src, max_legs - 1, candidates, window)
    # out-groups sorted by (account, currency, sum) as one integer key
    slots = np.unique(np.r_[gin.slot, gout.slot])
    scale = int(max(gin.total.max(), gout.total.max())) + 4 * max_legs + 2
    if len(slots) * scale >= 2**62:
        raise ValueError("relay search: amounts too large for one integer key")
    out_key = np.searchsorted(slots, gout.slot) * scale + gout.total
    order = np.argsort(out_key, kind="stable")
    out_key = out_key[order]
    in_slot = np.searchsorted(slots, gin.slot) * scale
    matches: dict[tuple[int, float], tuple[tuple[int, int, int], Relay]] = {}
    for fee in (float(f) for f in p["fee_rates"]):
        target = (1 - fee) * gin.total
        reach = 0.5 * max_legs
        lo = np.searchsorted(out_key, in_slot + np.ceil(target - reach).astype(np.int64), side="left")
        hi = np.searchsorted(out_key, in_slot + np.floor(target + reach).astype(np.int64), side="right")
        for i in np.flatnonzero(hi > lo):
            for j in order[lo[i] : hi[i]]:
                k, m = gin.size[i], gout.size[j]
                if k + m > max_legs or abs(gout.total[j] - target[i]) > 0.5 * (k + m):
                    continue
                if gout.first[j] < gin.last[i] or gout.last[j] - gin.first[i] >= window:
                    continue
                account = int(gin.account[i])
                rank = (-int(k + m), int(gin.first[i]), int(i))
                held = matches.get((account, fee))
                if held is None or rank < held[0]:
                    matches[(account, fee)] = (rank, Relay(account, fee, gin.members(i), gout.members(j)))
    return [matches[key][1] for key in sorted(matches)]


class _Groups:
    """Groups of 1..``size`` payments of one account and currency, within ``window`` days.

    ``rows`` are sorted by account, then time; a group is a payment and up to ``size - 1`` of the
    next ``candidates - 1`` payments of the same account and currency.
    """

    def __init__(
        self, moves: Moves, rows: np.ndarray, side: np.ndarray, size: int, candidates: int, window: int
    ) -> None:
        account, day, cur = side[rows], moves.day[rows].astype(np.int64), moves.cur[rows]
        amount = moves.amount[rows]
        n = len(rows)
        picks: list[np.ndarray] = []
        for k in range(1, size + 1):
            for offsets in itertools.combinations(range(1, candidates), k - 1):
                base = np.arange(n)
                chosen = [base] + [base + o for o in offsets]
                ok = chosen[-1] < n
                base = base[ok]
                chosen = [c[ok] for c in chosen]
                for col in range(1, len(chosen)):
                    c, b = chosen[col], chosen[0]
                    keep = (account[c] == account[b]) & (cur[c] == cur[b]) & (day[c] - day[b] < window)
                    chosen = [x[keep] for x in chosen]
                base = chosen[0]
                block = np.full((len(base), size), -1, dtype=np.int64)
                for col, c in enumerate(chosen):
                    block[:, col] = c
                picks.append(block)
        members = np.concatenate(picks) if picks else np.zeros((0, size), dtype=np.int64)
        valid = members >= 0
        safe = np.where(valid, members, 0)
        self.rows = rows
        self.index = members
        self.size = valid.sum(axis=1)
        self.total = np.where(valid, amount[safe], 0).sum(axis=1).astype(np.int64)
        self.first = day[safe[:, 0]]
        self.last = np.where(valid, day[safe], -(2**40)).max(axis=1)
        self.account = account[safe[:, 0]]
        self.slot = self.account.astype(np.int64) * max(1, len(moves.currencies)) + cur[safe[:, 0]]

    def members(self, i: int) -> tuple[int, ...]:
        return tuple(int(self.rows[x]) for x in self.index[i] if x >= 0)


def _linked(relays: list[Relay], moves: Moves) -> list[list[Relay]]:
    """Groups of relays at one commission linked by a shared payer or payee, or paying each other.

    A relay linked to none is not reported: an exact commission on a few payments of one busy
    account is too often chance (measured in docs/detectors.md).
    """
    parent = list(range(len(relays)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[tuple[float, int], list[int]] = defaultdict(list)
    for i, relay in enumerate(relays):
        touched = relay.sources(moves) | relay.targets(moves) | {relay.account}
        for account in touched:
            by_key[(relay.fee, account)].append(i)
    linked = set()
    for members in by_key.values():
        accounts = {relays[i].account for i in members}
        if len(accounts) < 2:
            continue
        for i in members:
            linked.add(i)
            parent[root(i)] = root(members[0])
    groups: dict[int, list[Relay]] = defaultdict(list)
    for i in sorted(linked):
        groups[root(i)].append(relays[i])
    return [groups[g] for g in sorted(groups)]


def _shape(group: list[Relay], moves: Moves) -> str:
    accounts = {r.account for r in group}
    if any(r.targets(moves) & accounts for r in group):
        return "stack"
    if any(len(r.sources(moves)) >= 2 and len(r.targets(moves)) >= 2 for r in group):
        return "gather_scatter"
    return "scatter_gather"


def relay_shapes(data: CaseData, params: Mapping[str, Any]) -> list[tuple[str, list[Relay]]]:
    """The linked relay groups of the case and their shape, found once for the three detectors."""
    moves = move_index(data, params)
    key = ("relay_shapes", id(moves), repr(sorted(params["relay"].items())), params["one_off_max_payments"])
    cache = case_cache(data)
    if key not in cache:
        relays = find_relays(moves, params) if len(moves) else []
        groups = _linked(relays, moves)
        cache[key] = [(_shape(g, moves), g) for g in groups]
    return cache[key]


_ROLES = {
    # shape: (role of where money enters, of the relays, of where it ends)
    "stack": ("controller", "facilitator", "controller"),
    "scatter_gather": ("controller", "facilitator", "controller"),
    "gather_scatter": ("facilitator", "controller", "facilitator"),
}
_WHAT = {
    "stack": "layers of intermediaries paying one another",
    "scatter_gather": "money split over intermediaries that share where it comes from or goes",
    "gather_scatter": "an intermediary gathering from several payers and scattering to several payees",
}


def _relay_findings(data: CaseData, params: Mapping[str, Any], shape: str) -> list[Finding]:
    moves = move_index(data, params)
    findings = []
    for kind, group in relay_shapes(data, params):
        if kind != shape:
            continue
        relays = sorted({r.account for r in group})
        sources = sorted(set().union(*(r.sources(moves) for r in group)) - set(relays))
        targets = sorted(set().union(*(r.targets(moves) for r in group)) - set(relays))
        legs = np.array(sorted({x for r in group for x in (*r.inflows, *r.outflows)}))
        currency = moves.currencies[int(moves.cur[legs[0]])]
        received = int(sum(moves.amount[list(r.inflows)].sum() for r in group))
        passed = int(sum(moves.amount[list(r.outflows)].sum() for r in group))
        fee = group[0].fee
        days = int(moves.day[legs].max() - moves.day[legs].min()) + 1
        near, near_text = threshold_note(moves.amount[legs], currency, params)
        score = 0.45 + 0.35 * min(1.0, len(relays) / 5) + 0.15 * min(1.0, len(legs) / 12) + 0.05 * near
        summary = (
            f"{len(relays)} intermediaries each passed on exactly {1 - fee:.0%} of what they received "
            f"(keeping {fee:.0%}) within {days} day(s): {money(received, currency)} in, "
            f"{money(passed, currency)} on, from {len(sources)} account(s) to {len(targets)} — {_WHAT[shape]}"
            f"{near_text}"
        )
        enter, middle, end = _ROLES[shape]
        hub = max(relays, key=lambda a: (sum(len(r.inflows) + len(r.outflows) for r in group if r.account == a), -a))
        members = [(hub, middle, "intermediary")] + [(a, middle, "intermediary") for a in relays]
        members += [(a, enter, "source") for a in sources] + [(a, end, "sink") for a in targets]
        findings.append(
            shape_finding(
                data, moves, detector=shape, members=members, move_rows=legs, score=score, summary=summary,
                params=params, section="relay", currency=currency,
                metrics={"intermediaries": len(relays), "sources": len(sources), "sinks": len(targets),
                         "fee_rate": fee, "received_minor": received, "passed_on_minor": passed, "days": days,
                         "currency": currency, "near_threshold_share": round(near, 4)},
            )
        )  # fmt: skip
    return findings


def detect_stack(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    return _relay_findings(data, params, "stack")


def detect_scatter_gather(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    return _relay_findings(data, params, "scatter_gather")


def detect_gather_scatter(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    return _relay_findings(data, params, "gather_scatter")


BIPARTITE = Detector(
    name="bipartite",
    title="Bipartite layer: every payer pays every payee",
    description=(
        "A group of accounts each pays every one of another group within a few days, every payment the only "
        "one between the two — a layer built to spread money, not a set of customers and suppliers."
    ),
    run=detect_bipartite,
    config_section="typologies",
)
STACK = Detector(
    name="stack",
    title="Stack: intermediaries passing money on to intermediaries",
    description=(
        "Intermediaries that pass on exactly the same share of what they receive (keeping the same commission) "
        "pay one another: layers of mule accounts."
    ),
    run=detect_stack,
    config_section="typologies",
)
SCATTER_GATHER = Detector(
    name="scatter_gather",
    title="Scatter-gather: money split over intermediaries",
    description=(
        "Several intermediaries, each passing on exactly the same share of what it received, share where the "
        "money comes from or where it goes: one sum split and brought together again."
    ),
    run=detect_scatter_gather,
    config_section="typologies",
)
GATHER_SCATTER = Detector(
    name="gather_scatter",
    title="Gather-scatter: an intermediary gathering and scattering",
    description=(
        "An intermediary gathers one-off payments from several accounts and passes exactly the same share of "
        "them on to several others, as linked intermediaries do."
    ),
    run=detect_gather_scatter,
    config_section="typologies",
)
