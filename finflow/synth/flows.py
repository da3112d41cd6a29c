"""Money-movement patterns shared by scenarios: sweeping an account and spending a balance down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np

from finflow.synth.context import Ctx
from finflow.synth.refdata import CITY_ABROAD, IBAN_COUNTRIES

__all__ = ["Credit", "remit_target", "spend_down", "sweep"]

T = TypeVar("T")

#: (day, minute, amount in øre)
Credit = tuple[int, int, int]


class Rotation(Generic[T]):
    """Hands out each item once in turn, then at random; remembers which were handed out.

    The answer key lists only counterparties that really appear in the transactions.
    """

    def __init__(self, rng: np.random.Generator, items: list[T]) -> None:
        self.rng = rng
        self.items = items
        self.used: list[T] = []

    def next(self) -> T:
        if len(self.used) < len(self.items):
            item = self.items[len(self.used)]
        else:
            item = self.items[int(self.rng.integers(0, len(self.items)))]
        if item not in self.used:
            self.used.append(item)
        return item


def sweep(
    ctx: Ctx,
    source: int,
    dest: int,
    credits: list[Credit],
    tag: int,
    gap: Callable[[], int],
    keep: tuple[float, float],
    hours: tuple[float, float],
    channel: Callable[[], str],
    text: Callable[[], str],
    min_balance: int = 50_000,
    until: int | None = None,
) -> list[Credit]:
    """Move most of ``source``'s credits to ``dest`` ``gap()`` days after they arrive.

    Returns the sweeps as credits of ``dest``. ``keep`` is the share left behind per sweep.
    """
    rng = ctx.rng
    by_day: dict[int, int] = {}
    for day, _, amount in credits:
        by_day[day] = by_day.get(day, 0) + amount
    if not by_day:
        return []
    last = max(by_day) + 4 if until is None else until
    out: list[Credit] = []
    balance = 0
    due = min(by_day) + gap()
    for day in range(min(by_day), min(last, ctx.n_days)):
        if day >= due and balance >= min_balance:
            amount = int(balance * (1 - rng.uniform(*keep)))
            if rng.random() < 0.6:
                amount = (amount // 10_000) * 10_000
            if amount > 0:
                minute = ctx.between(*hours)
                ctx.ledger.add(day, minute, amount, source, dest, channel(), text(), tag)
                out.append((day, minute, amount))
                balance -= amount
            due = day + gap()
        balance += by_day.get(day, 0)
    return out


def remit_target(ctx: Ctx, country: str, beneficiary: str) -> tuple[int, str | None, str]:
    """Where a remittance to ``country`` goes: a foreign IBAN, or a transfer operator's account.

    Returns (account index, payout-country override or None, description).
    """
    city = CITY_ABROAD.get(country, ["Capital"])[int(ctx.rng.integers(0, 2 if country in CITY_ABROAD else 1))]
    if country in IBAN_COUNTRIES:
        acc = ctx.world.add_foreign_account(beneficiary, country)
        return acc, None, f"Overføring til {beneficiary}"
    mto = ctx.companies["mto"][int(ctx.rng.integers(0, len(ctx.companies["mto"])))]
    acc = ctx.world.c_account[mto]
    return acc, country, f"Pengeoverføring til {beneficiary}, {city}"


def spend_down(
    ctx: Ctx,
    source: int,
    credits: list[Credit],
    fixed_out: np.ndarray,
    a0: int,
    a1: int,
    every: tuple[int, int],
    share: tuple[float, float],
    emit: Callable[[int, int], None],
    buffer_ore: int = 500_000,
) -> None:
    """Every ``every`` days, pass ``share`` of the free balance to ``emit(day, amount)``.

    ``fixed_out`` holds the account's other debits per day (rent, adverts …) so the balance
    stays positive.
    """
    rng = ctx.rng
    inflow = np.zeros(ctx.n_days + 1, dtype=np.int64)
    for day, _, amount in credits:
        if 0 <= day < ctx.n_days:
            inflow[day] += amount
    balance = 0
    next_day = a0 + int(rng.integers(*every))
    for day in range(a0, min(a1 + 5, ctx.n_days)):
        balance += int(inflow[day]) - int(fixed_out[day])
        if day >= next_day:
            free = balance - buffer_ore
            if free > 100_000:
                amount = int(free * rng.uniform(*share))
                emit(day, amount)
                balance -= amount
            next_day = day + int(rng.integers(*every))
