"""How a sex-trafficking ring holds and moves its money, beyond one account per controller.

Real rings vary: a controller keeps two or three accounts at different banks and uses a
relative's account; some victims' money passes through a helper before it reaches him; clients
pay in cash as well as by Vipps; victims pay for their own adverts; tickets are bought for the
women moved between cities. Each builder here draws whether and how much of this a ring does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from finflow.synth.context import Ctx, ore, round_to
from finflow.synth.flows import Credit

__all__ = ["Holdings", "cash_in_hand", "holdings", "travel"]


@dataclass
class Holdings:
    """The accounts a ring collects into and spends from."""

    controller_accounts: list[int]
    relative: int | None = None  # person index
    relative_account: int | None = None
    helper: int | None = None  # person index of the intermediary victims' money passes through
    helper_account: int | None = None
    helped: set[int] = field(default_factory=set)  # victim indexes (in the ring's list) swept to the helper

    @property
    def collectors(self) -> list[int]:
        """Accounts victims' money is swept to directly (never the helper's)."""
        extra = [self.relative_account] if self.relative_account is not None else []
        return self.controller_accounts + extra


def holdings(ctx: Ctx, controller: int, n_victims: int, origin: str, opened_before: int) -> Holdings:
    """The controller's accounts (one to three), maybe a relative's, maybe a helper in between."""
    rng, w = ctx.rng, ctx.world
    accounts = [w.p_account[controller]]
    n_accounts = 1 if rng.random() < 0.45 else int(rng.integers(2, 4))
    for _ in range(n_accounts - 1):
        opened = ctx.date(opened_before - int(rng.integers(10, 400)))
        accounts.append(w.open_accounts("person", [controller], opened=opened)[0])
    held = Holdings(accounts)
    if rng.random() < 0.4:
        home = w.p_homes[controller][-1][0]
        sex = "F" if rng.random() < 0.6 else "M"
        relative = w.add_persons(
            1,
            w.p_nat[controller],
            sex=sex,
            age=(20, 62),
            homes=home if rng.random() < 0.5 else None,
            surname=w.p_last[controller],
        )[0]
        held.relative = relative
        held.relative_account = w.open_accounts("person", [relative])[0]
        ctx.extra_full.append(relative)  # an ordinary life besides what passes through the account
        ctx.reserved.add(relative)
    if n_victims >= 3 and rng.random() < 0.35:
        helper = w.add_persons(1, origin, sex="F" if rng.random() < 0.5 else "M", age=(22, 50))[0]
        held.helper = helper
        held.helper_account = w.open_accounts("person", [helper])[0]
        ctx.extra_full.append(helper)
        ctx.reserved.add(helper)
        held.helped = {int(i) for i in rng.choice(n_victims, int(rng.integers(1, 3)), replace=False)}
    return held


def cash_in_hand(
    ctx: Ctx, account: int, cash: list[Credit], tag: int, *, deposit_share: tuple[float, float] = (0.2, 0.7)
) -> tuple[list[Credit], list[Credit]]:
    """Cash clients paid a victim: part deposited at an ATM every few days, the rest handed over.

    Returns (the deposits, as credits of ``account``; the cash handed over, by day).
    """
    rng = ctx.rng
    deposits: list[Credit] = []
    handed: list[Credit] = []
    if not cash:
        return deposits, handed
    pocket = 0
    by_day: dict[int, int] = {}
    for day, _, amount in cash:
        by_day[day] = by_day.get(day, 0) + amount
    due = min(by_day) + int(rng.integers(2, 7))
    for day in range(min(by_day), min(max(by_day) + 7, ctx.n_days)):
        pocket += by_day.get(day, 0)
        if day < due or pocket <= 0:
            continue
        amount = (int(pocket * rng.uniform(*deposit_share)) // 10_000) * 10_000
        if amount >= 50_000:
            minute = ctx.night() if rng.random() < 0.5 else ctx.between(10, 20)
            ctx.ledger.add(day, minute, amount, -1, account, "cash_deposit", "Innskudd automat", tag)
            deposits.append((day, minute, amount))
            pocket -= amount
        handed.append((day, -1, pocket))
        pocket = 0
        due = day + int(rng.integers(2, 7))
    return deposits, handed


def travel(ctx: Ctx, payers: list[int], a0: int, a1: int, n_people: int, carriers: list[int], tag: int) -> list[int]:
    """Tickets bought by card: the women's arrival, then moves between cities every few weeks.

    Returns the carriers' accounts used.
    """
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    used: list[int] = []
    if not carriers or not payers:
        return used
    trips = [a0 - int(rng.integers(1, 10))]
    day = a0 + int(rng.integers(10, 30))
    while day < a1:
        trips.append(day)
        day += int(rng.integers(12, 40))
    for i, day in enumerate(trips):
        if day < 0:
            continue
        carrier = carriers[int(rng.integers(0, len(carriers)))]
        payer = payers[int(rng.integers(0, len(payers)))]
        tickets = int(rng.integers(2, n_people + 1)) if i == 0 else int(rng.integers(1, 4))
        one_order = rng.random() < 0.5
        price = ore(rng.uniform(390, 2400) if i else rng.uniform(900, 3900))
        minute = ctx.between(6, 23)
        for k in range(1 if one_order else tickets):
            amount = price * (tickets if one_order else 1) + (ore(rng.uniform(0, 90)) if k else 0)
            led.add(day, minute + 2 * k, amount, payer, carrier, "card", f"Varekjøp {w.account_name(carrier)}", tag)
        if carrier not in used:
            used.append(carrier)
    return used


def advert_payer(ctx: Ctx, own: list[int], victims: list[int], victims_pay: float) -> int:
    """Who pays an advert: often the controller, in some rings the woman herself."""
    rng = ctx.rng
    if victims and rng.random() < victims_pay:
        return victims[int(rng.integers(0, len(victims)))]
    return own[int(rng.integers(0, len(own)))]


def handover_deposits(ctx: Ctx, accounts: list[int], handed: list[Credit], tag: int) -> dict[int, list[Credit]]:
    """Some of the cash handed to the controller, paid into his accounts every week or two."""
    rng = ctx.rng
    out: dict[int, list[Credit]] = {}
    if not handed:
        return out
    share = float(rng.uniform(0.2, 0.6))
    by_day = np.zeros(ctx.n_days + 10, dtype=np.int64)
    for day, _, amount in handed:
        by_day[day] += amount
    held = 0
    due = int(min(d for d, _, _ in handed)) + int(rng.integers(5, 13))
    for day in range(int(min(d for d, _, _ in handed)), ctx.n_days):
        held += int(by_day[day])
        if day >= due and held > 0:
            amount = round_to(held * share / 100, 500)
            if held * share >= 100_000:
                acc = accounts[int(rng.integers(0, len(accounts)))]
                minute = ctx.between(10, 22)
                ctx.ledger.add(day, minute, amount, -1, acc, "cash_deposit", "Innskudd", tag)
                out.setdefault(acc, []).append((day, minute, amount))
            held = 0
            due = day + int(rng.integers(5, 13))
    return out
