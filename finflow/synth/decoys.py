"""Innocent look-alikes: accounts with many senders, many payees or regular remittances.

A detector that flags these is wrong. Each decoy keeps the features that make it innocent by
the catalogue's rules: rent-sized amounts paid monthly and kept; payroll funded by its clients;
remittances from one family sharing a surname and address; a shop paid in daytime at list
prices that keeps its takings and buys from suppliers; membership fees collected once a term.
"""

from __future__ import annotations

from datetime import date

from finflow.synth.context import Ctx, ore, round_to
from finflow.synth.flows import remit_target
from finflow.synth.ledger import NO_TIME
from finflow.synth.lookalikes import LOOKALIKES
from finflow.synth.refdata import NO_LAST, PLACES

__all__ = ["DECOYS", "busy_shop", "family_remitter", "landlord", "payroll_bureau", "treasurer"]


def _choice(ctx: Ctx, items: list):
    return items[int(ctx.rng.integers(0, len(items)))]


def landlord(ctx: Ctx) -> None:
    """A private landlord (or small letting company) receiving monthly rent from many tenants."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("landlord", decoy=True)
    person = w.add_persons(1, "NO", age=(45, 78))[0]
    ctx.extra_full.append(person)
    if rng.random() < 0.7:
        holder: tuple[str, int] = ("p", person)
        acc = w.open_accounts("person", [person])[0]
    else:
        comp = w.add_company(
            f"{w.p_last[person]} Eiendom AS",
            "AS",
            "rental_housing",
            int(rng.integers(0, 2)),
            ctx.date(-int(rng.integers(500, 6000))),
            roles=[("DAGL", person), ("LEDE", person)],
        )
        w.open_accounts("person", [person])
        holder = ("c", comp)
        acc = w.open_accounts("company", [comp])[0]
        entry.companies.append(w.c_orgnr[comp])
    tenants = ctx.pick_pool(ctx.upto(4, 12))
    n = len(tenants)
    units = w.add_addresses(n, place=int(rng.integers(0, len(PLACES))))
    ctx.reserved.update(tenants)
    ctx.no_rent.update(tenants)
    rents = [round_to(rng.uniform(6500, 16000), 100 if rng.random() < 0.8 else 1) for _ in tenants]
    for unit, tenant, rent in zip(units, tenants, rents, strict=True):
        w.add_lease(unit, holder, holder, ("p", tenant), rent, ctx.date(-int(rng.integers(30, 1500))))
        w.move(tenant, unit, ctx.date(-int(rng.integers(30, 1500))))
    bank = w.c_account[_choice(ctx, ctx.companies["bank"])]
    for month in ctx.month_starts():
        total = 0
        for unit, tenant, rent in zip(units, tenants, rents, strict=True):
            day = month + (int(rng.integers(0, 4)) if rng.random() < 0.85 else int(rng.integers(5, 12)))
            text = f"Husleie {ctx.month_name(day)}" if rng.random() < 0.6 else f"Leie {w.addr_street[unit]}"
            led.add(
                day,
                ctx.maybe_time(0.3, 7, 22),
                rent,
                w.p_account[tenant],
                acc,
                "transfer",
                text,
                tag,
            )
            total += rent
        led.add(
            month + int(rng.integers(14, 21)),
            NO_TIME,
            int(total * rng.uniform(0.3, 0.55)),
            acc,
            bank,
            "transfer",
            "Boliglån avdrag og renter",
            tag,
        )
        if rng.random() < 0.4:
            hw = w.c_account[_choice(ctx, ctx.merchants["hardware"])]
            led.add(
                month + int(rng.integers(0, 27)),
                ctx.between(9, 18),
                ore(rng.uniform(300, 9000)),
                acc,
                hw,
                "card",
                f"Varekjøp {w.account_name(hw)}",
                tag,
            )
    entry.roles = {
        "landlord": [ctx.account_ref(acc)],
        "tenant": [ctx.person_ref(t) for t in tenants],
    }
    entry.parameters = {"tenants": n}
    ctx.note_persons(entry, [person])
    ctx.note_accounts(entry, [acc])
    ctx.note_accounts(entry, [w.p_account[t] for t in tenants], counterparty=True)


def payroll_bureau(ctx: Ctx) -> None:
    """A payroll service paying many workers on behalf of client companies that fund it first."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("payroll_bureau", decoy=True)
    boss = w.add_persons(1, "NO", age=(35, 65))[0]
    comp = w.add_company(
        f"{_choice(ctx, NO_LAST)} Lønnsservice AS",
        "AS",
        "accounting",
        int(rng.integers(3, 9)),
        ctx.date(-int(rng.integers(800, 6000))),
        roles=[("DAGL", boss), ("LEDE", boss)],
    )
    acc = w.open_accounts("company", [comp])[0]
    big = ctx.companies["big_customer"]
    clients = [int(c) for c in rng.choice(big, min(len(big), ctx.upto(2, 5)), replace=False)]
    workers = ctx.pick_pool(ctx.upto(8, 38))
    n = len(workers)
    ctx.reserved.update(workers)
    ctx.no_salary.update(workers)
    employer = [clients[i % len(clients)] for i in range(len(workers))]
    pay = [ore(rng.uniform(26_000, 58_000)) for _ in workers]
    payday = int(rng.choice([20, 25]))
    tax = w.c_account[ctx.companies["tax"][0]]
    for month in ctx.month_starts():
        day = month + payday - 1
        for c in clients:
            funded = sum(p for p, e in zip(pay, employer, strict=True) if e == c)
            led.add(
                day - int(rng.integers(1, 4)),
                NO_TIME,
                int(funded * 1.47) + ore(rng.uniform(900, 4000)),
                w.c_account[c],
                acc,
                "transfer",
                f"Lønnsmidler og trekk {ctx.month_name(day)}",
                tag,
            )
        for worker, amount in zip(workers, pay, strict=True):
            led.add(
                day,
                NO_TIME,
                amount + ore(rng.uniform(-300, 300)),
                acc,
                w.p_account[worker],
                "salary",
                f"Lønn {ctx.month_name(day)}",
                tag,
            )
        led.add(
            month + 14,
            NO_TIME,
            int(sum(pay) * 0.45),
            acc,
            tax,
            "transfer",
            "Skattetrekk og arbeidsgiveravgift",
            tag,
        )
    entry.roles = {
        "bureau": [ctx.company_ref(comp)],
        "client": [ctx.company_ref(c) for c in clients],
        "worker": [ctx.person_ref(p) for p in workers],
    }
    entry.parameters = {"workers": n, "clients": len(clients), "payday": payday}
    entry.companies = [w.c_orgnr[comp]]
    ctx.note_accounts(entry, [acc])
    ctx.note_accounts(entry, [w.p_account[p] for p in workers], counterparty=True)


def family_remitter(ctx: Ctx) -> None:
    """Two to four relatives at one address each send a fixed sum home every month."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("family_remittance", decoy=True)
    nat = _choice(ctx, ["PL", "LT", "PH", "SO", "RO", "UA", "TH"])
    home = w.add_addresses(1)[0]
    first = w.add_persons(1, nat, age=(28, 55), homes=home)[0]
    n = int(rng.integers(2, 5))
    family = [first, *w.add_persons(n - 1, nat, age=(20, 60), homes=home, surname=w.p_last[first])]
    accs = w.open_accounts("person", family)
    ctx.extra_full.extend(family)
    ctx.must_work.update(family)
    ctx.no_remit.update(family)
    parent = w.add_persons(1, nat, age=(55, 85), register=False, surname=w.p_last[first])[0]
    target, country, text = remit_target(ctx, nat, w.person_name(parent))
    amounts = [round_to(rng.uniform(1500, 6000), 100) for _ in family]
    day0 = int(rng.integers(1, 8))
    for month in ctx.month_starts():
        for acc, amount in zip(accs, amounts, strict=True):
            led.add(
                month + day0 + int(rng.integers(0, 4)),
                ctx.maybe_time(0.5, 8, 21),
                amount,
                acc,
                target,
                "remittance",
                _choice(ctx, [text, "Til mamma og pappa", "Familiestøtte"]),
                tag,
                dst_country=country,
            )
    entry.roles = {
        "sender": [ctx.person_ref(p) for p in family],
        "beneficiary": [ctx.account_ref(target) | {"country": nat}],
    }
    entry.parameters = {"members": n, "country": nat}
    ctx.note_persons(entry, family)
    ctx.note_accounts(entry, accs + ([target] if country is None else []))


def busy_shop(ctx: Ctx) -> None:
    """A hairdresser or food truck paid by Vipps in daytime by many customers; keeps the money."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    kind = "hairdresser" if rng.random() < 0.5 else "fastfood"
    tag, entry = ctx.truth.new("busy_shop", decoy=True)
    owner = w.add_persons(1, _choice(ctx, ["NO", "NO", "PL", "TH", "SO"]), age=(24, 60))[0]
    owner_acc = w.open_accounts("person", [owner])[0]
    ctx.extra_full.append(owner)
    name = f"Salong {w.p_first[owner]}" if kind == "hairdresser" else f"{w.p_last[owner]}s Matvogn"
    form = "ENK" if rng.random() < 0.6 else "AS"
    roles = [("INNH", owner)] if form == "ENK" else [("DAGL", owner), ("LEDE", owner)]
    comp = w.add_company(
        name + (" AS" if form == "AS" else ""),
        form,
        kind,
        int(rng.integers(0, 4)),
        ctx.date(-int(rng.integers(200, 4000))),
        roles=roles,
    )
    acc = w.open_accounts("company", [comp])[0]
    prices = (
        [349, 399, 449, 549, 599, 699, 799, 899, 1290]
        if kind == "hairdresser"
        else [89, 99, 129, 149, 159, 189, 219, 249]
    )
    hours = (9, 18) if kind == "hairdresser" else (11, 20)
    closed = {6} if kind == "hairdresser" else {0}
    rate = 0.4 + ctx.density * rng.uniform(4, 14)
    customers = ctx.pick_pool(max(30, int(rate * ctx.n_days / rng.uniform(1.5, 3))))
    rent_to = w.c_account[_choice(ctx, ctx.companies["housing"])]
    supplier = w.c_account[_choice(ctx, ctx.companies["wholesale"])]
    tax = w.c_account[ctx.companies["tax"][0]]
    week_take = 0
    takings = 0
    for day in range(ctx.n_days):
        weekday = ctx.date(day).weekday()
        if weekday not in closed:
            for _ in range(int(rng.poisson(rate))):
                items = 1 if kind == "hairdresser" else int(rng.integers(1, 4))
                amount = sum(_choice(ctx, prices) for _ in range(items)) * 100
                if kind == "hairdresser" and rng.random() < 0.2:
                    amount += ore(_choice(ctx, [20, 50, 100]))
                cust = customers[int(rng.integers(0, len(customers)))]
                led.add(
                    day,
                    ctx.between(*hours),
                    amount,
                    w.p_account[cust],
                    acc,
                    "p2p",
                    _choice(ctx, ["", name, "Takk!", "Klipp" if kind == "hairdresser" else "Lunsj"]),
                    tag,
                )
                week_take += amount
                takings += amount
        if weekday == 0 and week_take:
            led.add(
                day,
                ctx.maybe_time(0.5),
                int(week_take * rng.uniform(0.15, 0.25)),
                acc,
                supplier,
                "transfer",
                f"Faktura {int(rng.integers(10000, 99999))}",
                tag,
            )
            week_take = 0
    monthly = takings / 100 / max(1.0, ctx.n_days / 30.44)
    rent = round_to(min(25_000, max(500, monthly * rng.uniform(0.08, 0.18))), 100)
    for month in ctx.month_starts():
        led.add(
            month,
            NO_TIME,
            rent,
            acc,
            rent_to,
            "transfer",
            f"Leie lokale {ctx.month_name(month)}",
            tag,
        )
        led.add(
            month + int(rng.integers(24, 28)),
            NO_TIME,
            round_to(monthly * rng.uniform(0.15, 0.3), 100),
            acc,
            owner_acc,
            "transfer",
            "Uttak",
            tag,
        )
        if ctx.date(month).month % 2 == 0:
            led.add(
                month + 9,
                NO_TIME,
                round_to(monthly * rng.uniform(0.05, 0.12), 1),
                acc,
                tax,
                "transfer",
                "MVA-oppgjør",
                tag,
            )
    entry.roles = {"shop": [ctx.company_ref(comp)], "owner": [ctx.person_ref(owner)]}
    entry.parameters = {"kind": kind, "payments_per_open_day": round(float(rate), 2)}
    entry.companies = [w.c_orgnr[comp]]
    ctx.note_persons(entry, [owner])
    ctx.note_accounts(entry, [acc])
    ctx.note_accounts(entry, sorted({w.p_account[c] for c in customers}), counterparty=True)


def treasurer(ctx: Ctx) -> None:
    """A student association's treasurer collects the term's membership fees in a few weeks."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("treasurer", decoy=True)
    person = w.add_persons(1, "NO", age=(20, 26))[0]
    acc = w.open_accounts("person", [person])[0]
    ctx.extra_full.append(person)
    place = PLACES[int(rng.integers(0, len(PLACES)))]
    leader = w.add_persons(1, "NO", age=(20, 27))[0]
    assoc = w.add_company(
        f"Studentforeningen {_choice(ctx, ['Fjell', 'Kvasir', 'Agora', 'Nova', 'Vega'])} {place[1].title()}",
        "FLI",
        "association",
        None,
        ctx.date(-int(rng.integers(1000, 9000))),
        roles=[("LEDE", leader), ("MEDL", person)],
    )
    assoc_acc = w.open_accounts("company", [assoc])[0]
    start = ctx.day_of(date(ctx.date(ctx.n_days - 1).year, 8, 12)) + int(rng.integers(0, 12))
    if not 0 <= start < ctx.n_days - 45:
        start = int(rng.integers(3, max(4, ctx.n_days - 45)))
    length = int(rng.integers(14, 26))
    fee = int(rng.choice([200, 250, 300, 350, 400, 500]))
    members = ctx.pick_pool(ctx.upto(12, 80))
    n = len(members)
    term = "høst" if ctx.date(start).month >= 7 else "vår"
    collected = 0
    for m in members:
        day = start + int(min(length - 1, rng.exponential(length / 3)))
        amount = fee * (2 if rng.random() < 0.05 else 1) * 100
        led.add(
            day,
            ctx.between(9, 21.5),
            amount,
            w.p_account[m],
            acc,
            "p2p",
            _choice(
                ctx,
                [f"Kontingent {term} {ctx.date(day).year}", "Medlemskontingent", "Kontingent", ""],
            ),
            tag,
        )
        collected += amount
    out_day = min(ctx.n_days - 1, start + length + int(rng.integers(7, 25)))
    led.add(
        out_day,
        ctx.between(10, 20),
        int(collected * rng.uniform(0.4, 0.65)) // 10_000 * 10_000,
        acc,
        assoc_acc,
        "transfer",
        "Overføring kontingent",
        tag,
    )
    grocery = w.c_account[_choice(ctx, ctx.merchants["grocery"])]
    led.add(
        min(ctx.n_days - 1, start + length + 2),
        ctx.between(12, 18),
        int(collected * rng.uniform(0.03, 0.1)),
        acc,
        grocery,
        "card",
        "Varekjøp fadderuke",
        tag,
    )
    entry.roles = {
        "treasurer": [ctx.person_ref(person)],
        "association": [ctx.company_ref(assoc)],
        "member": [ctx.person_ref(m) for m in members],
    }
    entry.parameters = {
        "members": n,
        "fee_nok": fee,
        "collection_days": length,
        "collection_start": ctx.date(start).isoformat(),
    }
    entry.companies = [w.c_orgnr[assoc]]
    ctx.note_persons(entry, [person])
    ctx.note_accounts(entry, [acc])
    ctx.note_accounts(entry, [w.p_account[m] for m in members], counterparty=True)


DECOYS = (landlord, payroll_bureau, family_remitter, busy_shop, treasurer, *LOOKALIKES)
