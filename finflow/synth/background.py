"""Ordinary financial life, generated a month at a time with numpy.

Salaries on paydays, rent at the start of the month, bills, card spend at merchants, Vipps
between friends, cash, bank fees, legitimate monthly remittances by migrant workers, and the
employers' own invoices, suppliers and tax. Per-person habits are drawn once
(:func:`plan`); each month is then a handful of vectorised draws (:func:`month_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from finflow.synth.context import Ctx
from finflow.synth.flows import remit_target
from finflow.synth.ledger import CH, COLUMNS, NO_TIME, Strings
from finflow.synth.refdata import MERCHANTS, MONTHS_NO, P2P_TEXTS

__all__ = ["Plan", "month_rows", "months", "plan"]

_CATEGORY_WEIGHT = {
    "grocery": 0.40,
    "cafe": 0.09,
    "fuel": 0.07,
    "pharmacy": 0.05,
    "clothing": 0.05,
    "electronics": 0.02,
    "sport": 0.02,
    "restaurant": 0.07,
    "fastfood": 0.06,
    "taxi": 0.02,
    "leisure": 0.02,
    "books": 0.01,
    "hardware": 0.03,
    "online": 0.05,
    "transport": 0.04,
}
_FRIENDS = 6


@dataclass
class Plan:
    """Per-person and per-company habits for the background months."""

    acc: np.ndarray
    employer_acc: np.ndarray
    payday: np.ndarray
    salary: np.ndarray
    nav: np.ndarray
    rent_acc: np.ndarray
    rent: np.ndarray
    rent_dom: np.ndarray
    power_acc: np.ndarray
    telecom_acc: np.ndarray
    telecom_amount: np.ndarray
    insurance_acc: np.ndarray
    card_rate: np.ndarray
    p2p_rate: np.ndarray
    friends: np.ndarray
    remit_acc: np.ndarray
    remit_country: np.ndarray
    remit_desc: np.ndarray
    remit_amount: np.ndarray
    bank_acc: np.ndarray
    m_acc: np.ndarray
    m_desc: np.ndarray
    m_lo: np.ndarray
    m_hi: np.ndarray
    m_p: np.ndarray
    emp_acc: np.ndarray
    emp_payroll: np.ndarray
    counter_acc: np.ndarray
    supplier_acc: np.ndarray
    tax_acc: int
    nav_acc: int
    p2p_desc: np.ndarray
    scale: float = 1.0


def months(start: date, n_days: int) -> list[tuple[int, int, int, int]]:
    """Calendar months of the period: (first day of month, chunk start, chunk end, month no)."""
    out = []
    first = start.replace(day=1)
    while (first - start).days < n_days:
        nxt = (first + timedelta(days=32)).replace(day=1)
        m0 = (first - start).days
        out.append((m0, max(0, m0), min(n_days, (nxt - start).days), first.month))
        first = nxt
    return out


def plan(ctx: Ctx, full: list[int], strings: Strings, target_rows: int) -> Plan:
    """Draw everyone's habits, then scale everyday spending so the case lands near its size."""
    w, rng = ctx.world, ctx.rng
    persons = np.array(full, dtype=np.int64)
    n = persons.size
    acc = np.array([w.p_account[p] for p in full], dtype=np.int64)
    employers = np.array(ctx.companies["employer"])
    emp_weight = 1.0 / np.arange(1, employers.size + 1) ** 0.8
    emp_weight /= emp_weight.sum()
    no_salary = np.array([p in ctx.no_salary for p in full], dtype=bool)
    must_work = np.array([p in ctx.must_work for p in full], dtype=bool)
    employed = ((rng.random(n) < 0.8) | must_work) & ~no_salary
    emp_idx = rng.choice(employers.size, n, p=emp_weight)
    company_acc = np.array(w.c_account)
    employer_acc = np.where(employed, company_acc[employers[emp_idx]], -1)
    emp_payday = rng.choice([10, 12, 15, 20, 20, 25, 25, 28], employers.size)
    payday = emp_payday[emp_idx]
    salary = (np.exp(rng.normal(np.log(36_000), 0.3, n)) * 100).astype(np.int64)
    nav = ~employed & ~no_salary & (rng.random(n) < 0.85)
    salary = np.where(nav, (rng.uniform(11_000, 26_000, n) * 100).astype(np.int64), salary)
    counts = np.bincount(emp_idx[employed], minlength=employers.size)
    for e, c in zip(employers.tolist(), counts.tolist(), strict=True):
        w.c_employees[e] = max(1, int(c * rng.uniform(0.9, 1.3)))
    payroll = np.bincount(emp_idx[employed], weights=salary[employed], minlength=employers.size)

    # housing: renters pay a housing company or a private landlord among the full persons
    no_rent = np.array([p in ctx.no_rent for p in full], dtype=bool)
    renter = (rng.random(n) < 0.5) & ~no_rent
    housing = np.array([w.c_account[c] for c in ctx.companies["housing"]])
    owners = acc[rng.random(n) < 0.08] if n > 20 else np.zeros(0, dtype=np.int64)
    to_company = (rng.random(n) < 0.45) | (owners.size == 0)
    rent_acc = np.where(
        to_company,
        housing[rng.integers(0, housing.size, n)],
        owners[rng.integers(0, max(1, owners.size), n)] if owners.size else -1,
    )
    rent_acc = np.where(renter & (rent_acc != acc), rent_acc, -1)
    rent = (rng.uniform(6_500, 18_500, n) // 100 * 10_000).astype(np.int64)
    rent_dom = rng.integers(1, 6, n)
    for i in np.flatnonzero((rent_acc >= 0) & np.array([w.p_register[p] for p in full])).tolist():
        holder = w.a_holder[int(rent_acc[i])]
        party = ("c", holder) if w.a_kind[int(rent_acc[i])] == "company" else ("p", holder)
        home = w.p_homes[full[i]][-1]
        w.add_lease(home[0], party, party, ("p", full[i]), int(rent[i]), home[1])

    def pick(kind: str, p_has: float) -> np.ndarray:
        accs = np.array([w.c_account[c] for c in ctx.companies[kind]])
        return np.where(rng.random(n) < p_has, accs[rng.integers(0, accs.size, n)], -1)

    bank_by_name = {w.c_name[c]: w.c_account[c] for c in ctx.companies["bank"]}
    bank_acc = np.array([bank_by_name[w.a_bank[a]] for a in acc.tolist()], dtype=np.int64)

    # migrants sending money home every month (legitimate remittances)
    remit_acc = np.full(n, -1, dtype=np.int64)
    remit_country = np.full(n, -1, dtype=np.int64)
    remit_desc = np.full(n, -1, dtype=np.int64)
    remit_amount = (rng.uniform(1_000, 7_000, n) // 100 * 10_000).astype(np.int64)
    wants = rng.random(n) < 0.55
    for i, p in enumerate(full):
        if w.p_nat[p] != "NO" and wants[i] and p not in ctx.no_remit:
            relative = f"{w.p_first[p][0]}. {w.p_last[p]}"
            target, country, text = remit_target(ctx, w.p_nat[p], relative)
            remit_acc[i] = target
            remit_country[i] = strings(country) if country else -1
            remit_desc[i] = strings(text)

    m_ids, m_lo, m_hi, m_p = [], [], [], []
    for name, category, lo, hi, _ in MERCHANTS:
        for c in ctx.merchants[category]:
            if ctx.world.c_name[c] == f"{name} AS":
                m_ids.append(c)
                m_lo.append(lo)
                m_hi.append(hi)
                m_p.append(_CATEGORY_WEIGHT.get(category, 0.01) / len(ctx.merchants[category]))
    m_prob = np.array(m_p) / sum(m_p)
    all_acc = acc
    friends = all_acc[rng.integers(0, n, (n, _FRIENDS))]

    out = Plan(
        acc=acc,
        employer_acc=employer_acc,
        payday=payday,
        salary=salary,
        nav=nav,
        rent_acc=rent_acc,
        rent=rent,
        rent_dom=rent_dom,
        power_acc=pick("power", 0.9),
        telecom_acc=pick("telecom", 0.9),
        telecom_amount=rng.choice([19_900, 29_900, 39_900, 44_900, 59_900], n),
        insurance_acc=pick("insurance", 0.6),
        card_rate=rng.gamma(4.0, 13.0 / 4.0, n),
        p2p_rate=rng.gamma(2.0, 3.0 / 2.0, n),
        friends=friends,
        remit_acc=remit_acc,
        remit_country=remit_country,
        remit_desc=remit_desc,
        remit_amount=remit_amount,
        bank_acc=bank_acc,
        m_acc=np.array([w.c_account[c] for c in m_ids]),
        m_desc=np.array([strings(f"Varekjøp {w.c_name[c][:-3]}") for c in m_ids]),
        m_lo=np.log(np.array(m_lo, dtype=float)),
        m_hi=np.log(np.array(m_hi, dtype=float)),
        m_p=m_prob,
        emp_acc=company_acc[employers],
        emp_payroll=payroll.astype(np.int64),
        counter_acc=np.array([w.c_account[c] for c in ctx.companies["big_customer"]]),
        supplier_acc=np.array([w.c_account[c] for c in ctx.companies["wholesale"]]),
        tax_acc=w.c_account[ctx.companies["tax"][0]],
        nav_acc=w.c_account[ctx.companies["nav"][0]],
        p2p_desc=strings.many(P2P_TEXTS),
    )
    n_months = ctx.n_days / 30.44
    fixed = (
        (employer_acc >= 0).sum()
        + nav.sum()
        + (rent_acc >= 0).sum()
        + (out.power_acc >= 0).sum()
        + (out.telecom_acc >= 0).sum()
        + 0.3 * (out.insurance_acc >= 0).sum()
        + (remit_acc >= 0).sum()
        + 0.35 * n
        + employers.size * 0.5
    ) * n_months
    variable = (out.card_rate.sum() + out.p2p_rate.sum() + 0.3 * n + employers.size * 3.5) * n_months
    out.scale = float(np.clip((target_rows - fixed) / max(variable, 1.0), 0.05, 3.0))
    return out


def _rows(day, minute, amount, src, dst, channel: str, desc, tag=-1, dst_country=-1):
    size = np.asarray(day).size
    cols = {
        "day": day,
        "minute": minute,
        "amount": amount,
        "currency": 0,
        "src": src,
        "dst": dst,
        "channel": CH[channel],
        "desc": desc,
        "dst_country": dst_country,
        "tag": tag,
    }
    return {k: np.broadcast_to(np.asarray(v), (size,)).astype(COLUMNS[k]) for k, v in cols.items()}


def month_rows(
    ctx: Ctx,
    pl: Plan,
    strings: Strings,
    m0: int,
    d0: int,
    d1: int,
    month: int,
    rng: np.random.Generator,
) -> list[dict[str, np.ndarray]]:
    """Background rows for days [d0, d1) of the calendar month that starts on day ``m0``."""
    n = pl.acc.size
    if n == 0 or d1 <= d0:
        return []
    span = d1 - d0
    frac = span / 30.44
    weekday0 = ctx.start.weekday()
    name = MONTHS_NO[month - 1]
    blocks = []

    def monthly(dom: np.ndarray, weekend_back: bool = True) -> tuple[np.ndarray, np.ndarray]:
        day = m0 + dom - 1
        if weekend_back:
            wd = (weekday0 + day) % 7
            day = day - np.where(wd == 5, 1, 0) - np.where(wd == 6, 2, 0)
        keep = (day >= d0) & (day < d1)
        return day[keep], keep

    # salary and benefits
    has = pl.employer_acc >= 0
    day, keep = monthly(pl.payday[has])
    wage = pl.salary[has][keep]
    wage = wage + (wage * rng.normal(0, 0.02, wage.size)).astype(np.int64)
    blocks.append(
        _rows(
            day,
            NO_TIME,
            wage,
            pl.employer_acc[has][keep],
            pl.acc[has][keep],
            "salary",
            strings(f"Lønn {name}"),
        )
    )
    day, keep = monthly(np.full(int(pl.nav.sum()), 20))
    blocks.append(
        _rows(
            day,
            NO_TIME,
            pl.salary[pl.nav][keep],
            pl.nav_acc,
            pl.acc[pl.nav][keep],
            "transfer",
            strings(f"NAV utbetaling {name}"),
        )
    )
    # rent
    has = pl.rent_acc >= 0
    day, keep = monthly(pl.rent_dom[has], weekend_back=False)
    k = int(keep.sum())
    blocks.append(
        _rows(
            day,
            np.where(rng.random(k) < 0.3, rng.integers(420, 1380, k), NO_TIME),
            pl.rent[has][keep],
            pl.acc[has][keep],
            pl.rent_acc[has][keep],
            "transfer",
            np.where(rng.random(k) < 0.7, strings(f"Husleie {name}"), strings("Husleie")),
        )
    )
    # bills
    for accs, lo, hi, p, label in (
        (pl.power_acc, 300, 2600, 1.0, "Strøm"),
        (pl.telecom_acc, 0, 0, 1.0, "Mobil"),
        (pl.insurance_acc, 250, 1600, 0.3, "Forsikring"),
    ):
        has = (accs >= 0) & (rng.random(n) < p)
        day, keep = monthly(rng.integers(8, 28, int(has.sum())))
        k = int(keep.sum())
        amount = pl.telecom_amount[has][keep] if label == "Mobil" else (rng.uniform(lo, hi, k) * 100).astype(np.int64)
        blocks.append(
            _rows(
                day,
                NO_TIME,
                amount,
                pl.acc[has][keep],
                accs[has][keep],
                "transfer",
                strings(f"Efaktura {label} {name}"),
            )
        )
    # card spend
    counts = rng.poisson(pl.card_rate * pl.scale * frac)
    who = np.repeat(np.arange(n), counts)
    k = who.size
    merchant = rng.choice(pl.m_acc.size, k, p=pl.m_p)
    amount = np.exp(rng.uniform(pl.m_lo[merchant], pl.m_hi[merchant])) * 100
    blocks.append(
        _rows(
            d0 + rng.integers(0, span, k),
            np.clip(rng.normal(900, 200, k), 390, 1415).astype(np.int64),
            amount.astype(np.int64),
            pl.acc[who],
            pl.m_acc[merchant],
            "card",
            pl.m_desc[merchant],
        )
    )
    # Vipps between friends
    counts = rng.poisson(pl.p2p_rate * pl.scale * frac)
    who = np.repeat(np.arange(n), counts)
    k = who.size
    to = pl.friends[who, rng.integers(0, pl.friends.shape[1], k)]
    nok = np.clip(np.exp(rng.normal(np.log(250), 0.9, k)), 20, 8000).astype(np.int64)
    nok = np.where(rng.random(k) < 0.4, np.maximum(50, nok // 50 * 50), nok)
    ok = to != pl.acc[who]
    blocks.append(
        _rows(
            (d0 + rng.integers(0, span, k))[ok],
            np.clip(rng.normal(1020, 230, k), 420, 1425).astype(np.int64)[ok],
            (nok * 100)[ok],
            pl.acc[who][ok],
            to[ok],
            "p2p",
            pl.p2p_desc[rng.integers(0, pl.p2p_desc.size, k)][ok],
        )
    )
    # cash
    counts = rng.poisson(0.25 * pl.scale * frac, n)
    who = np.repeat(np.arange(n), counts)
    k = who.size
    blocks.append(
        _rows(
            d0 + rng.integers(0, span, k),
            rng.integers(480, 1320, k),
            rng.integers(2, 31, k) * 10_000,
            pl.acc[who],
            -1,
            "cash_withdrawal",
            strings("Minibank"),
        )
    )
    counts = rng.poisson(0.05 * pl.scale * frac, n)
    who = np.repeat(np.arange(n), counts)
    k = who.size
    blocks.append(
        _rows(
            d0 + rng.integers(0, span, k),
            rng.integers(480, 1320, k),
            rng.integers(200, 5000, k) * 100,
            -1,
            pl.acc[who],
            "cash_deposit",
            strings("Innskudd automat"),
        )
    )
    # remittances home
    has = pl.remit_acc >= 0
    day, keep = monthly(
        np.minimum(
            28,
            np.where(pl.employer_acc[has] >= 0, pl.payday[has], 5) + rng.integers(1, 6, int(has.sum())),
        ),
        weekend_back=False,
    )
    k = int(keep.sum())
    amount = pl.remit_amount[has][keep] * rng.uniform(0.9, 1.1, k) // 10_000 * 10_000
    blocks.append(
        _rows(
            day,
            rng.integers(540, 1260, k),
            amount.astype(np.int64),
            pl.acc[has][keep],
            pl.remit_acc[has][keep],
            "remittance",
            pl.remit_desc[has][keep],
            dst_country=pl.remit_country[has][keep],
        )
    )
    # bank fees
    has = rng.random(n) < 0.35
    day, keep = monthly(np.full(int(has.sum()), 28), weekend_back=False)
    k = int(keep.sum())
    blocks.append(
        _rows(
            day,
            NO_TIME,
            rng.integers(25, 76, k) * 100,
            pl.acc[has][keep],
            pl.bank_acc[has][keep],
            "fee",
            strings("Gebyr kontohold"),
        )
    )
    # employers: customer invoices in, suppliers out, withholding tax every second month
    e = pl.emp_acc.size
    counts = rng.poisson(2.0 * frac * min(1.0, pl.scale), e)
    who = np.repeat(np.arange(e), counts)
    k = who.size
    src = pl.counter_acc[rng.integers(0, pl.counter_acc.size, k)]
    ok = src != pl.emp_acc[who]
    blocks.append(
        _rows(
            (d0 + rng.integers(0, span, k))[ok],
            NO_TIME,
            (np.exp(rng.normal(np.log(40_000), 0.8, k)) * 100).astype(np.int64)[ok],
            src[ok],
            pl.emp_acc[who][ok],
            "transfer",
            strings.many([f"Faktura {x}" for x in rng.integers(10_000, 10_500, k)[ok]]),
        )
    )
    counts = rng.poisson(1.5 * frac * min(1.0, pl.scale), e)
    who = np.repeat(np.arange(e), counts)
    k = who.size
    blocks.append(
        _rows(
            d0 + rng.integers(0, span, k),
            NO_TIME,
            (np.exp(rng.normal(np.log(25_000), 0.7, k)) * 100).astype(np.int64),
            pl.emp_acc[who],
            pl.supplier_acc[rng.integers(0, pl.supplier_acc.size, k)],
            "transfer",
            strings("Varekjøp på faktura"),
        )
    )
    if month % 2 == 0:
        has = pl.emp_payroll > 0
        day, keep = monthly(np.full(int(has.sum()), 15))
        blocks.append(
            _rows(
                day,
                NO_TIME,
                (pl.emp_payroll[has][keep] * 0.45).astype(np.int64),
                pl.emp_acc[has][keep],
                pl.tax_acc,
                "transfer",
                strings("Skattetrekk og arbeidsgiveravgift"),
            )
        )
    return [b for b in blocks if b["day"].size]
