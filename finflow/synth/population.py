"""The ordinary population: institutions, employers, merchants, landlords and people.

Built before the scenarios so they can draw clients, tenants and customers from it. ``n_full``
persons live a full financial life in the background ledger; ``n_peripheral`` more appear only as
counterparties (clients, customers, tenants), which keeps small cases small.
"""

from __future__ import annotations

from finflow.synth.context import Ctx
from finflow.synth.refdata import BANKS, CARRIERS, HOTELS, MERCHANTS, NO_LAST

__all__ = ["EMPLOYER_SECTORS", "build_population"]

#: (name suffix, NACE key) of ordinary employers.
EMPLOYER_SECTORS: list[tuple[str, str]] = [
    ("Bygg AS", "construction"),
    ("Regnskap AS", "accounting"),
    ("Data AS", "it"),
    ("IT-Konsult AS", "it_services"),
    ("Transport AS", "transport_goods"),
    ("Bilverksted AS", "car_repair"),
    ("Legesenter AS", "health"),
    ("Barnehage AS", "kindergarten"),
    ("Renhold AS", "cleaning"),
    ("Maling AS", "painting"),
    ("Handel AS", "retail_misc"),
    ("Rådgivning AS", "consulting"),
    ("Bemanning AS", "staffing"),
    ("Engros AS", "wholesale"),
]

_FOREIGN = ["PL", "LT", "SO", "PH", "RO", "UA", "TH", "BG"]


def _company_block(
    ctx: Ctx,
    names: list[str],
    form: str,
    nace: str,
    employees: list[int | None],
    boss_pool: list[int],
) -> list[int]:
    w, rng = ctx.world, ctx.rng
    out = []
    for name, emp in zip(names, employees, strict=True):
        founded = ctx.date(-int(rng.integers(200, 12000)))
        roles = []
        if boss_pool:
            boss = boss_pool[int(rng.integers(0, len(boss_pool)))]
            roles = [("DAGL", boss)] if form != "ENK" else [("INNH", boss)]
            if form in ("AS", "ASA") and rng.random() < 0.7:
                roles.append(("LEDE", boss_pool[int(rng.integers(0, len(boss_pool)))]))
        out.append(w.add_company(name, form, nace, emp, founded, roles=roles))
    w.open_accounts("company", out)
    return out


def build_population(ctx: Ctx, n_full: int, n_peripheral: int) -> list[int]:
    """Add institutions, companies and persons to ``ctx``; returns the full-activity persons."""
    w, rng = ctx.world, ctx.rng
    n = n_full + n_peripheral
    foreign = rng.random(n) < 0.15
    nats = [
        _FOREIGN[int(i)] if f else "NO"
        for f, i in zip(foreign.tolist(), rng.integers(0, len(_FOREIGN), n).tolist(), strict=True)
    ]
    register_share = min(1.0, max(0.2, 3000 / max(1, n)))
    register = (rng.random(n) < register_share).tolist()
    persons = []
    for chunk in range(0, n, 20_000):  # keep the register flag per person
        part = w.add_persons(min(20_000, n - chunk), nats[chunk : chunk + 20_000], age=(18, 82))
        persons.extend(part)
    for p, flag in zip(persons, register, strict=True):
        w.p_register[p] = flag
    w.open_accounts("person", persons)
    full = persons[:n_full]
    bosses = full if full else persons
    ctx.pool_persons = persons

    def names(suffix: str, k: int) -> list[str]:
        picks = rng.integers(0, len(NO_LAST), k).tolist()
        return [f"{NO_LAST[i]} {suffix}" for i in picks]

    bank_names = sorted({b[1] for b in BANKS})
    ctx.companies["bank"] = _company_block(ctx, bank_names, "ASA", "bank", [400] * len(bank_names), bosses)
    ctx.companies["tax"] = _company_block(ctx, ["SKATTEETATEN"], "ORGL", "public_admin", [6000], [])
    ctx.companies["nav"] = _company_block(
        ctx, ["NAV ARBEIDS- OG VELFERDSETATEN"], "ORGL", "social_security", [14000], []
    )
    ctx.companies["mto"] = _company_block(
        ctx,
        ["Globex Pengeoverføring NUF", "Sendrask Money Transfer NUF"],
        "NUF",
        "mto",
        [25, 12],
        bosses,
    )
    ctx.companies["power"] = _company_block(
        ctx,
        ["Fjordkraftverket Strøm AS", "Nordvind Energi AS", "Bybølgen Kraft AS"],
        "AS",
        "power",
        [120, 80, 60],
        bosses,
    )
    ctx.companies["telecom"] = _company_block(
        ctx, ["Fjellnett Mobil AS", "Talekraft AS"], "AS", "telecom", [300, 90], bosses
    )
    ctx.companies["insurance"] = _company_block(
        ctx, ["Tryggheim Forsikring AS", "Vernet Skade AS"], "AS", "insurance", [500, 150], bosses
    )
    ctx.companies["wholesale"] = _company_block(
        ctx,
        names("Grossist AS", 5),
        "AS",
        "wholesale",
        [int(x) for x in rng.integers(5, 60, 5)],
        bosses,
    )
    ctx.companies["accounting"] = _company_block(
        ctx,
        names("Regnskapskontor AS", 3),
        "AS",
        "accounting",
        [int(x) for x in rng.integers(2, 15, 3)],
        bosses,
    )
    ctx.companies["hotel"] = _company_block(
        ctx,
        [f"{h[0]} AS" for h in HOTELS],
        "AS",
        "hotel",
        [int(x) for x in rng.integers(8, 80, len(HOTELS))],
        bosses,
    )
    domestic = [f"{name} AS" for name, country in CARRIERS if country == "NO"]
    carriers = _company_block(
        ctx, domestic, "AS", "transport", [int(x) for x in rng.integers(20, 400, len(domestic))], bosses
    )
    ctx.carriers = [w.c_account[c] for c in carriers]
    ctx.carriers += [w.add_foreign_account(name, country) for name, country in CARRIERS if country != "NO"]
    n_housing = max(2, n_full // 300)
    ctx.companies["housing"] = _company_block(
        ctx,
        names("Boligutleie AS", n_housing),
        "AS",
        "rental_housing",
        [int(x) for x in rng.integers(1, 20, n_housing)],
        bosses,
    )
    for name, category, _lo, _hi, nace in MERCHANTS:
        cid = _company_block(ctx, [f"{name} AS"], "AS", nace, [int(rng.integers(5, 400))], bosses)
        ctx.merchants.setdefault(category, []).extend(cid)
    n_emp = max(4, n_full // 12)
    sectors = rng.integers(0, len(EMPLOYER_SECTORS), n_emp).tolist()
    employers = []
    for s in sectors:
        suffix, nace = EMPLOYER_SECTORS[s]
        employers += _company_block(ctx, names(suffix, 1), "AS", nace, [None], bosses)
    ctx.companies["employer"] = employers
    k = max(3, n_emp // 10)
    ctx.companies["big_customer"] = employers[:k]
    return full
