"""Innocent look-alikes of the planted scenarios, drawn from ordinary Norwegian life.

Each one shares the surface of a scheme: a parent pays rent for flats she does not live in; a
football club and its team managers collect many small fixed payments and pass them on; a host
family pays a foreign young woman living in its home every month and she sends most of it home;
a landlord with many tenants remits part of the rent abroad. None of them is shaped to miss a
detector: they are what such people do.
"""

from __future__ import annotations

from finflow.synth.context import Ctx, ore, round_to
from finflow.synth.flows import remit_target
from finflow.synth.ledger import NO_TIME
from finflow.synth.refdata import NO_LAST, PLACES

__all__ = ["LOOKALIKES", "au_pair_host", "family_rent", "football_club", "remitting_landlord"]


def _choice(ctx: Ctx, items: list):
    return items[int(ctx.rng.integers(0, len(items)))]


def _ordinary_landlord(ctx: Ctx) -> tuple[tuple[str, int], int]:
    """A housing company or a private landlord of the population: (lease party, account)."""
    w = ctx.world
    if ctx.rng.random() < 0.5 and ctx.companies.get("housing"):
        comp = _choice(ctx, ctx.companies["housing"])
        return ("c", comp), w.c_account[comp]
    person = w.add_persons(1, "NO", age=(40, 80))[0]
    acc = w.open_accounts("person", [person])[0]
    ctx.extra_full.append(person)
    return ("p", person), acc


def family_rent(ctx: Ctx) -> None:
    """A parent pays the rent of one or two grown children's flats (students, a first job)."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("family_rent", decoy=True)
    nat = "NO" if rng.random() < 0.75 else _choice(ctx, ["PL", "LT", "SO", "PH"])
    parent = w.add_persons(1, nat, age=(45, 68))[0]
    parent_acc = w.open_accounts("person", [parent])[0]
    ctx.extra_full.append(parent)
    ctx.must_work.add(parent)
    n_children = 1 if rng.random() < 0.45 else 2
    children = []
    for _ in range(n_children):
        # a married daughter or a stepchild carries another surname
        surname = w.p_last[parent] if rng.random() < 0.8 else _choice(ctx, NO_LAST)
        children += w.add_persons(1, nat, age=(19, 27), surname=surname)
    w.open_accounts("person", children)
    ctx.extra_full.extend(children)
    ctx.no_rent.update(children)
    ctx.reserved.update([parent, *children])
    flats = w.add_addresses(n_children, place=int(rng.integers(0, len(PLACES))) if rng.random() < 0.5 else None)
    landlords, rents = [], []
    for child, flat in zip(children, flats, strict=True):
        party, acc = _ordinary_landlord(ctx)
        rent = round_to(rng.uniform(5500, 13500), 100 if rng.random() < 0.8 else 50)
        w.add_lease(flat, party, party, ("p", child), rent, ctx.date(-int(rng.integers(20, 900))))
        w.move(child, flat, ctx.date(-int(rng.integers(20, 900))))
        landlords.append(acc)
        rents.append(rent)
    day_of_month = int(rng.integers(0, 5))
    for month in ctx.month_starts():
        for child, flat, acc, rent in zip(children, flats, landlords, rents, strict=True):
            text = _choice(ctx, [f"Husleie {w.addr_street[flat]}", f"Husleie {w.p_first[child]}", "Husleie", "Leie"])
            led.add(month + day_of_month, ctx.maybe_time(0.3, 7, 22), rent, parent_acc, acc, "transfer", text, tag)
        for child in children:
            if rng.random() < 0.5:  # a little extra now and then
                amount = round_to(rng.uniform(300, 2500), 100)
                child_acc = w.p_account[child]
                led.add(
                    month + int(rng.integers(3, 25)),
                    ctx.between(8, 22),
                    amount,
                    parent_acc,
                    child_acc,
                    "p2p",
                    _choice(ctx, ["", "Mat", "Lommepenger", "❤️"]),
                    tag,
                )
    entry.roles = {
        "payer": [ctx.person_ref(parent)],
        "tenant": [ctx.person_ref(c) for c in children],
        "landlord": [ctx.account_ref(a) for a in landlords],
    }
    entry.parameters = {"children": n_children, "same_surname": all(w.p_last[c] == w.p_last[parent] for c in children)}
    ctx.note_persons(entry, [parent, *children])
    ctx.note_accounts(entry, [parent_acc])
    ctx.note_accounts(entry, [w.p_account[c] for c in children] + landlords, counterparty=True)


def football_club(ctx: Ctx) -> None:
    """A football club collecting season fees, and team managers collecting cup-trip money."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("football_club", decoy=True)
    town = int(rng.integers(0, len(PLACES)))
    chair = w.add_persons(1, "NO", age=(35, 65))[0]
    w.open_accounts("person", [chair])
    ctx.extra_full.append(chair)
    club = w.add_company(
        f"{_choice(ctx, NO_LAST)} IL Fotball",
        "FLI",
        "sports_club",
        int(rng.integers(0, 3)),
        ctx.date(-int(rng.integers(3000, 30000))),
        addr=w.add_addresses(1, place=town)[0],
        roles=[("LEDE", chair)],
    )
    club_acc = w.open_accounts("company", [club])[0]
    parents = ctx.pick_pool(ctx.upto(25, 140))
    ctx.reserved.add(chair)
    fees = [round_to(rng.uniform(900, 2800), 100) for _ in range(3)]
    fee_of = {p: _choice(ctx, fees) for p in parents}
    season = [d for d in (int(rng.integers(0, 30)), int(rng.integers(100, 130))) if d < ctx.n_days]
    for start in season:
        for p in parents:
            day = start + int(rng.integers(0, 21)) if rng.random() < 0.85 else start + int(rng.integers(21, 50))
            channel = "transfer" if rng.random() < 0.6 else "p2p"
            text = _choice(ctx, ["Treningsavgift", "Kontingent", f"Treningsavgift {w.p_first[p]}", ""])
            minute = ctx.between(7, 22.5) if channel == "p2p" else ctx.maybe_time(0.6, 7, 22.5)  # Vipps is timed
            led.add(day, minute, fee_of[p], w.p_account[p], club_acc, channel, text, tag)
    # the club pays the pitch rent, referees and kit; it keeps a reserve
    supplier = w.c_account[_choice(ctx, ctx.merchants.get("sport") or ctx.companies["wholesale"])]
    for month in ctx.month_starts():
        led.add(
            month + int(rng.integers(5, 20)),
            NO_TIME,
            ore(rng.uniform(4000, 25000)),
            club_acc,
            supplier,
            "transfer",
            "Faktura utstyr og dommere",
            tag,
        )
    # two or three team managers collect the cup-trip contribution and pay the trip
    managers = ctx.pick_pool(int(rng.integers(2, 4)), exclude=set(parents))
    ctx.reserved.update(managers)
    hotels = ctx.companies["hotel"]
    hotels_used = []
    for manager in managers:
        m_acc = w.p_account[manager]
        team = [
            parents[int(i)]
            for i in rng.choice(len(parents), min(len(parents), int(rng.integers(10, 22))), replace=False)
        ]
        share = round_to(rng.uniform(350, 1200), 50)
        day0 = int(rng.integers(0, max(1, ctx.n_days - 40)))
        collected = 0
        for p in team:
            day = day0 + int(rng.integers(0, 10))
            led.add(
                day,
                ctx.between(7, 22.5),
                share,
                w.p_account[p],
                m_acc,
                "p2p",
                _choice(ctx, ["Cup", "Cupavgift", "Tur", f"Cup {w.p_first[p]}", ""]),
                tag,
            )
            collected += share
        trip = day0 + int(rng.integers(14, 35))
        hotel = w.c_account[_choice(ctx, hotels)]
        nights = int(rng.integers(1, 3))
        spent = 0
        for k in range(int(rng.integers(2, 5))):  # rooms booked one by one
            amount = ore(rng.uniform(1200, 2600) * nights)
            led.add(
                trip - 10 + k,
                ctx.between(9, 22),
                amount,
                m_acc,
                hotel,
                "card",
                f"Varekjøp {w.account_name(hotel)}",
                tag,
            )
            spent += amount
        fee = min(collected // 3, ore(rng.uniform(1500, 4000)))
        led.add(trip - 20, NO_TIME, fee, m_acc, club_acc, "transfer", "Påmelding cup", tag)
        rest = collected - spent - fee
        if rest > 10_000:
            led.add(trip + int(rng.integers(2, 10)), NO_TIME, rest, m_acc, club_acc, "transfer", "Rest cupkasse", tag)
        if hotel not in hotels_used:
            hotels_used.append(hotel)
    entry.roles = {
        "club": [ctx.company_ref(club)],
        "team_manager": [ctx.person_ref(m) for m in managers],
        "parent": [ctx.person_ref(p) for p in parents],
        "hotel": [ctx.account_ref(h) for h in hotels_used],
    }
    entry.parameters = {"parents": len(parents), "team_managers": len(managers), "fees": [f // 100 for f in fees]}
    entry.companies.append(w.c_orgnr[club])
    ctx.note_persons(entry, [chair, *managers])
    ctx.note_accounts(entry, [club_acc] + [w.p_account[m] for m in managers])
    ctx.note_accounts(entry, [w.p_account[p] for p in parents] + [supplier] + hotels_used, counterparty=True)


def au_pair_host(ctx: Ctx) -> None:
    """A host family pays its au pair's pocket money monthly; she sends much of it home."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("au_pair", decoy=True)
    home = w.add_addresses(1)[0]
    host = w.add_persons(1, "NO", age=(32, 52), homes=home)[0]
    partner = w.add_persons(1, "NO", age=(32, 55), homes=home, surname=w.p_last[host])[0]
    host_acc = w.open_accounts("person", [host])[0]
    w.open_accounts("person", [partner])
    ctx.extra_full.extend([host, partner])
    ctx.must_work.update([host, partner])
    nat = _choice(ctx, ["PH", "PH", "PH", "UA", "TH"])
    arrived = -int(rng.integers(0, 200))
    au_pair = w.add_persons(1, nat, sex="F", age=(19, 29), homes=home, home_from=ctx.date(arrived))[0]
    pair_acc = w.open_accounts("person", [au_pair], opened=ctx.date(arrived + int(rng.integers(3, 20))))[0]
    ctx.extra_full.append(au_pair)
    ctx.no_salary.add(au_pair)
    ctx.no_rent.add(au_pair)
    ctx.no_remit.add(au_pair)
    ctx.reserved.update([host, partner, au_pair])
    pocket = round_to(rng.uniform(5900, 6800), 100 if rng.random() < 0.7 else 1)
    text = _choice(ctx, ["Lommepenger", "Au pair", "Lønn"])
    mother = w.add_persons(1, nat, sex="F", age=(45, 70), register=False)[0]
    target, country, remit_text = remit_target(ctx, nat, w.person_name(mother))
    send_share = float(rng.uniform(0.4, 0.85))
    payday = int(rng.integers(0, 26))
    for month in ctx.month_starts():
        day = month + payday
        if day < max(0, arrived + 20):
            continue
        led.add(
            day,
            ctx.maybe_time(0.4, 7, 22),
            pocket,
            host_acc,
            pair_acc,
            "transfer",
            f"{text} {ctx.month_name(day)}",
            tag,
        )
        sent = round_to(pocket / 100 * send_share * rng.uniform(0.85, 1.1), 100)
        led.add(
            day + int(rng.integers(0, 5)),
            ctx.between(10, 21),
            sent,
            pair_acc,
            target,
            "remittance",
            remit_text,
            tag,
            dst_country=country,
        )
        for _ in range(int(rng.integers(3, 9))):
            m = _choice(ctx, ctx.merchants[_choice(ctx, ["grocery", "cafe", "clothing"])])
            led.add(
                day + int(rng.integers(0, 28)),
                ctx.between(9, 20),
                ore(rng.uniform(39, 450)),
                pair_acc,
                w.c_account[m],
                "card",
                f"Varekjøp {w.c_name[m]}",
                tag,
            )
    entry.roles = {
        "host": [ctx.person_ref(host), ctx.person_ref(partner)],
        "au_pair": [ctx.person_ref(au_pair)],
        "beneficiary": [ctx.account_ref(target) | {"country": nat}],
    }
    entry.parameters = {"country": nat, "pocket_money": pocket // 100, "text": text, "sent_share": round(send_share, 2)}
    ctx.note_persons(entry, [host, partner, au_pair])
    ctx.note_accounts(entry, [host_acc, pair_acc] + ([target] if country is None else []))


def remitting_landlord(ctx: Ctx) -> None:
    """A landlord born abroad with many tenants who sends part of the rent to family at home."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("remitting_landlord", decoy=True)
    nat = _choice(ctx, ["PL", "LT", "RO", "BG", "UA"])
    person = w.add_persons(1, nat, age=(38, 70))[0]
    acc = w.open_accounts("person", [person])[0]
    ctx.extra_full.append(person)
    ctx.no_remit.add(person)
    ctx.reserved.add(person)
    holder = ("p", person)
    tenants = ctx.pick_pool(ctx.upto(5, 15))
    ctx.reserved.update(tenants)
    ctx.no_rent.update(tenants)
    units = w.add_addresses(len(tenants), place=int(rng.integers(0, len(PLACES))))
    rents = [round_to(rng.uniform(5500, 14000), 100 if rng.random() < 0.8 else 1) for _ in tenants]
    for unit, tenant, rent in zip(units, tenants, rents, strict=True):
        w.add_lease(unit, holder, holder, ("p", tenant), rent, ctx.date(-int(rng.integers(30, 2000))))
        w.move(tenant, unit, ctx.date(-int(rng.integers(30, 2000))))
    family = w.add_persons(int(rng.integers(1, 3)), nat, age=(30, 85), register=False, surname=w.p_last[person])
    targets = [remit_target(ctx, nat, w.person_name(f)) for f in family]
    bank = w.c_account[_choice(ctx, ctx.companies["bank"])]
    share = float(rng.uniform(0.2, 0.45))
    for month in ctx.month_starts():
        total = 0
        for tenant, rent in zip(tenants, rents, strict=True):
            day = month + (int(rng.integers(0, 4)) if rng.random() < 0.85 else int(rng.integers(5, 12)))
            led.add(
                day,
                ctx.maybe_time(0.3, 7, 22),
                rent,
                w.p_account[tenant],
                acc,
                "transfer",
                _choice(ctx, [f"Husleie {ctx.month_name(day)}", "Husleie", "Leie"]),
                tag,
            )
            total += rent
        led.add(
            month + int(rng.integers(14, 21)),
            NO_TIME,
            int(total * rng.uniform(0.3, 0.5)),
            acc,
            bank,
            "transfer",
            "Boliglån avdrag og renter",
            tag,
        )
        pieces = int(rng.integers(1, 4))
        for k in range(pieces):
            target, country, text = targets[k % len(targets)]
            amount = round_to(total / 100 * share / pieces * rng.uniform(0.8, 1.2), 100)
            led.add(
                month + int(rng.integers(5, 28)),
                ctx.between(9, 20),
                amount,
                acc,
                target,
                "remittance",
                text,
                tag,
                dst_country=country,
            )
    entry.roles = {
        "landlord": [ctx.person_ref(person)],
        "tenant": [ctx.person_ref(t) for t in tenants],
        "beneficiary": [ctx.account_ref(t[0]) | {"country": nat} for t in targets],
    }
    entry.parameters = {"tenants": len(tenants), "country": nat, "remitted_share": round(share, 2)}
    ctx.note_persons(entry, [person])
    ctx.note_accounts(entry, [acc] + [t[0] for t in targets if t[1] is None])
    ctx.note_accounts(entry, [w.p_account[t] for t in tenants], counterparty=True)


LOOKALIKES = (family_rent, football_club, au_pair_host, remitting_landlord)
