"""Shared state and small helpers for the scenario and decoy builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from finflow.synth.ledger import NO_TIME, Entry, Ledger, Truth
from finflow.synth.world import World

__all__ = ["Ctx", "ore", "round_to"]


def ore(nok: float) -> int:
    """NOK (float draw) to whole øre."""
    return round(float(nok) * 100)


def round_to(nok: float, step: int) -> int:
    """Whole-NOK amount rounded to ``step``, in øre (never below one step)."""
    return max(step, round(float(nok) / step) * step) * 100


@dataclass
class Ctx:
    """Everything a builder needs: the world, the ledger, the truth, the period and the size."""

    world: World
    ledger: Ledger
    truth: Truth
    rng: np.random.Generator
    n_days: int
    density: float  # 0 (tiny case) .. 1 (50k transactions or more)
    #: ordinary persons whose accounts may act as clients, customers, tenants …
    pool_persons: list[int] = field(default_factory=list)
    #: background roles other builders need: merchants by category, companies by kind
    merchants: dict[str, list[int]] = field(default_factory=dict)
    companies: dict[str, list[int]] = field(default_factory=dict)
    #: accounts of bus, train and air carriers (ticket purchases by card)
    carriers: list[int] = field(default_factory=list)
    #: clients of the rings planted so far: some men pay women of more than one ring
    ring_clients: list[int] = field(default_factory=list)
    #: persons whose salary / rent / remittance the background must not generate
    no_salary: set[int] = field(default_factory=set)
    no_rent: set[int] = field(default_factory=set)
    no_remit: set[int] = field(default_factory=set)
    must_work: set[int] = field(default_factory=set)  # persons the background must employ
    reserved: set[int] = field(default_factory=set)  # persons already given a scenario role
    #: persons created by builders who should also get ordinary background activity
    extra_full: list[int] = field(default_factory=list)

    @property
    def start(self) -> date:
        return self.world.start

    def date(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def day_of(self, when: date) -> int:
        return (when - self.start).days

    def month_starts(self) -> list[int]:
        """Day numbers of the first of each month that begins inside the period."""
        out = []
        d = self.start.replace(day=1)
        while True:
            day = self.day_of(d)
            if day >= self.n_days:
                return out
            if day >= 0:
                out.append(day)
            d = (d + timedelta(days=32)).replace(day=1)

    def month_name(self, day: int) -> str:
        from finflow.synth.refdata import MONTHS_NO

        return MONTHS_NO[self.date(day).month - 1]

    # ---- time of day -----------------------------------------------------------------------
    def night(self) -> int:
        """A minute between 21:30 and 04:59 (most between 22 and 02)."""
        m = int(self.rng.normal(0, 110)) % 1440
        if 300 <= m < 1290:
            m = int(self.rng.integers(1320, 1440))
        return m

    def between(self, h0: float, h1: float) -> int:
        return int(self.rng.integers(int(h0 * 60), int(h1 * 60)))

    def maybe_time(self, p: float, h0: float = 8, h1: float = 17) -> int:
        return self.between(h0, h1) if self.rng.random() < p else NO_TIME

    # ---- activity window -------------------------------------------------------------------
    def active_window(self) -> tuple[int, int]:
        """First and last-plus-one day of a scenario's activity (shorter in small cases)."""
        rng = self.rng
        length = int(rng.integers(35, 60) + self.density * rng.integers(60, max(61, self.n_days)))
        length = min(length, self.n_days)
        a0 = int(rng.integers(0, self.n_days - length + 1))
        return a0, a0 + length

    def upto(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi], the upper part of the range reserved for larger cases."""
        top = lo + round((hi - lo) * max(self.density, 0.2))
        return int(self.rng.integers(lo, top + 1))

    def pick_pool(self, n: int, exclude: set[int] | None = None) -> list[int]:
        """``n`` distinct ordinary persons (not already in a scenario)."""
        exclude = (exclude or set()) | self.reserved
        pool = self.pool_persons
        out: list[int] = []
        seen: set[int] = set()
        tries = 0
        while len(out) < n and tries < 50 * n + 100:
            p = pool[int(self.rng.integers(0, len(pool)))]
            tries += 1
            if p in exclude or p in seen:
                continue
            seen.add(p)
            out.append(p)
        return out

    # ---- ground truth ----------------------------------------------------------------------
    def person_ref(self, p: int) -> dict[str, str]:
        w = self.world
        ref = {"name": w.person_name(p), "birth_date": w.p_birth[p].isoformat()}
        if w.p_account[p] >= 0:
            ref = {"account": w.a_number[w.p_account[p]], **ref}
        return ref

    def company_ref(self, c: int) -> dict[str, str]:
        """Name, organisation number and (when it has one) account of company ``c``."""
        w = self.world
        ref = {"name": w.c_name[c], "org_number": w.c_orgnr[c]}
        return {"account": w.a_number[w.c_account[c]], **ref} if w.c_account[c] >= 0 else ref

    def account_ref(self, acc: int) -> dict[str, str]:
        w = self.world
        return {"account": w.a_number[acc], "name": w.account_name(acc)}

    def note_persons(self, entry: Entry, persons: list[int]) -> None:
        w = self.world
        for p in persons:
            item = {"name": w.person_name(p), "birth_date": w.p_birth[p].isoformat()}
            if item not in entry.persons:
                entry.persons.append(item)

    def note_accounts(self, entry: Entry, accounts: list[int], counterparty: bool = False) -> None:
        target = entry.counterparty_accounts if counterparty else entry.accounts
        for acc in accounts:
            number = self.world.a_number[acc]
            if number not in target:
                target.append(number)
