"""Planted trafficking scenarios (domain catalogue sections 1.1–1.10).

Each builder draws its sizes, amounts and timing from ranges, adds the people, companies and
accounts it needs to the world, writes its transactions to the ledger under one tag, and records
the answer key (roles, accounts, persons, companies, parameters) in the ground truth.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from finflow.synth import ring
from finflow.synth.context import Ctx, ore, round_to
from finflow.synth.flows import Credit, Rotation, remit_target, spend_down, sweep
from finflow.synth.ledger import NO_TIME
from finflow.synth.refdata import ADVERT_SITES, HOTELS, NACE, NO_LAST, PLACES

__all__ = ["forced_begging", "labour_exploitation", "mule_chain", "round_trip", "sex_trafficking"]

_ORIGINS = ["RO", "BG", "NG", "TH", "AL", "UA", "LT"]
_ORIGIN_P = [0.24, 0.16, 0.2, 0.14, 0.1, 0.08, 0.08]


def _choice(ctx: Ctx, items: list):
    return items[int(ctx.rng.integers(0, len(items)))]


def _client_amount(ctx: Ctx) -> int:
    """A client payment: usually a round 500–3000, sometimes odd."""
    rng = ctx.rng
    if rng.random() < 0.75:
        return round_to(rng.uniform(500, 3000), 100)
    if rng.random() < 0.5:
        return round_to(rng.uniform(400, 3200), 50)
    return ore(int(rng.uniform(350, 3500)))


def _merchant_spend(ctx: Ctx, acc: int, a0: int, a1: int, per_week: float, tag: int) -> None:
    """Everyday card spend for a scenario person (groceries, fast food)."""
    rng = ctx.rng
    cats = [c for c in ("grocery", "fastfood", "pharmacy", "cafe") if ctx.merchants.get(c)]
    for day in range(a0, a1):
        if rng.random() < per_week / 7:
            m = _choice(ctx, ctx.merchants[_choice(ctx, cats)])
            amount = ore(rng.uniform(49, 650))
            ctx.ledger.add(
                day,
                ctx.between(9, 21),
                amount,
                acc,
                ctx.world.c_account[m],
                "card",
                f"Varekjøp {ctx.world.c_name[m]}",
                tag,
            )


def sex_trafficking(ctx: Ctx) -> None:
    """Victims' accounts collect client payments at night; sweeps go to a controller who pays
    rent for several flats, escort adverts and hotels, and remits to the origin country."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("sex_trafficking")
    origin = str(rng.choice(_ORIGINS, p=_ORIGIN_P))
    n_victims = ctx.upto(3, 8)
    n_flats = int(rng.integers(2, 5))
    a0, a1 = ctx.active_window()
    structured = bool(rng.random() < 0.5)

    controller = w.add_persons(
        1,
        origin if rng.random() < 0.7 else "NO",
        sex="M" if rng.random() < 0.8 else "F",
        age=(24, 52),
    )[0]
    w.open_accounts("person", [controller])
    city = int(rng.integers(0, 12))  # Oslo postcodes come first in PLACES
    flats = w.add_addresses(n_flats, place=city) if rng.random() < 0.5 else w.add_addresses(n_flats)
    flat_rent: list[int] = []
    landlords: list[int] = []
    for flat in flats:
        rent = round_to(rng.uniform(9000, 18500), 100 if rng.random() < 0.7 else 50)
        flat_rent.append(rent)
        if rng.random() < 0.6:
            lp = w.add_persons(1, "NO", age=(38, 78))[0]
            landlord = ("p", lp)
            l_acc = w.open_accounts("person", [lp])[0]
        else:
            name = f"{_choice(ctx, NO_LAST)} Utleie AS"
            lc = w.add_company(
                name,
                "AS",
                "rental_other",
                int(rng.integers(0, 3)),
                ctx.date(-int(rng.integers(400, 5000))),
            )
            w.c_roles[lc] = [("DAGL", w.add_persons(1, "NO", age=(40, 75))[0])]
            landlord = ("c", lc)
            l_acc = w.open_accounts("company", [lc])[0]
        owner = landlord if rng.random() < 0.75 else ("p", w.add_persons(1, "NO", age=(45, 80))[0])
        w.add_lease(flat, owner, landlord, ("p", controller), rent, ctx.date(a0 - int(rng.integers(5, 120))))
        landlords.append(l_acc)

    victims = w.add_persons(
        n_victims,
        origin,
        sex="F",
        age=(19, 34),
        homes=[flats[i % n_flats] for i in range(n_victims)],
        home_from=ctx.date(a0 - int(rng.integers(3, 40))),
    )
    for i, v in enumerate(victims):  # shared contact phones (catalogue A4)
        if rng.random() < 0.5:
            w.p_phone[v] = w.p_phone[controller] if i % 2 == 0 else w.p_phone[victims[0]]
    bank = int(rng.integers(0, 12))
    opened = ctx.date(a0 - int(rng.integers(5, 60)))
    victim_accs = [
        w.open_accounts("person", [v], opened=opened + timedelta(days=int(rng.integers(0, 4))), bank=bank)[0]
        for v in victims
    ]
    held = ring.holdings(ctx, controller, n_victims, origin, a0)
    collectors = held.collectors

    # clients: ordinary men, some of them regulars, some also paying women of an earlier ring
    rate = rng.uniform(0.3, 0.5) + ctx.density * rng.uniform(0.4, 1.4)
    expected = rate * (a1 - a0) * n_victims
    n_clients = max(12, int(expected / rng.uniform(1.5, 3.0)))
    shared = [c for c in ctx.ring_clients if c not in ctx.reserved]
    n_shared = min(len(shared), int(n_clients * rng.uniform(0.0, 0.2)))
    from_before = [shared[int(i)] for i in rng.choice(len(shared), n_shared, replace=False)] if n_shared else []
    clients = from_before + ctx.pick_pool(n_clients - n_shared, exclude=set(from_before))
    ctx.ring_clients.extend(c for c in clients if c not in from_before)
    client_accs = [w.p_account[c] for c in clients]
    weights = 1.0 / np.arange(1, len(client_accs) + 1) ** rng.uniform(0.3, 0.9)
    cdf = np.cumsum(weights / weights.sum())
    cash_share = float(rng.uniform(0.1, 0.6)) if rng.random() < 0.6 else 0.0  # clients paying in cash

    def client() -> int:
        return client_accs[min(len(client_accs) - 1, int(np.searchsorted(cdf, rng.random())))]

    def client_minute() -> int:
        return ctx.night() if rng.random() < 0.75 else ctx.between(15, 21.5)

    credits_of: dict[int, list[Credit]] = {}
    handed: list[Credit] = []
    helper_in: list[Credit] = []
    for i, v_acc in enumerate(victim_accs):
        credits: list[Credit] = []
        cash: list[Credit] = []
        for day in range(a0, a1):
            for _ in range(int(rng.poisson(rate))):
                minute, amount = client_minute(), _client_amount(ctx)
                if rng.random() < cash_share:
                    cash.append((day, minute, amount))
                    continue
                led.add(
                    day,
                    minute,
                    amount,
                    client(),
                    v_acc,
                    "p2p",
                    _choice(ctx, ["", "", "Massasje", "Takk", "Vipps", "❤️"]),
                    tag,
                )
                credits.append((day, minute, amount))
            if rng.random() < rng.uniform(0.08, 0.15) + 0.12 * ctx.density:
                minute, amount = ctx.night(), round_to(rng.uniform(1500, 9000), 100)
                led.add(day, minute, amount, -1, v_acc, "cash_deposit", "Innskudd automat", tag)
                credits.append((day, minute, amount))
        deposits, gave = ring.cash_in_hand(ctx, v_acc, cash, tag)
        credits = sorted(credits + deposits)
        handed += gave
        to_helper = i in held.helped and held.helper_account is not None
        dest = held.helper_account if to_helper else collectors[i % len(collectors)]
        swept = sweep(
            ctx,
            v_acc,
            dest,
            credits,
            tag,
            gap=lambda: 1 if rng.random() < 0.85 else int(rng.integers(2, 4)),
            keep=(0.02, 0.12),
            hours=(7, 14),
            channel=lambda: "p2p" if rng.random() < 0.6 else "transfer",
            text=lambda: _choice(ctx, ["", "Overføring", "Vipps", "Leie", "Til deg"]),
            until=a1 + 2,
        )
        if to_helper:
            helper_in += swept
        else:
            credits_of.setdefault(dest, []).extend(swept)
        _merchant_spend(ctx, v_acc, a0, a1, rng.uniform(0.3, 2.0), tag)

    main = held.controller_accounts[0]
    if held.helper_account is not None:  # the helper passes it on within a day or two, keeping a cut
        credits_of.setdefault(main, []).extend(
            sweep(
                ctx,
                held.helper_account,
                main,
                sorted(helper_in),
                tag,
                gap=lambda: int(rng.integers(0, 3)),
                keep=(0.05, 0.2),
                hours=(9, 21),
                channel=lambda: "p2p" if rng.random() < 0.5 else "transfer",
                text=lambda: _choice(ctx, ["", "Overføring", "Tilbake", "Lån"]),
                until=a1 + 4,
            )
        )
    for acc, got in ring.handover_deposits(ctx, held.controller_accounts, handed, tag).items():
        credits_of.setdefault(acc, []).extend(got)

    # clients paying the controller's Vipps number directly
    direct_rate = 0.15 + ctx.density * rng.uniform(0.2, 0.5)
    for day in range(a0, a1):
        for _ in range(int(rng.poisson(direct_rate))):
            minute, amount = client_minute(), _client_amount(ctx)
            led.add(day, minute, amount, client(), main, "p2p", "", tag)
            credits_of.setdefault(main, []).append((day, minute, amount))

    # the ring's fixed spending from the controller's accounts: rent, adverts, hotels, tickets, cash
    own = held.controller_accounts
    fixed = {acc: np.zeros(ctx.n_days + 1, dtype=np.int64) for acc in own}
    rent_payer = [own[int(rng.integers(0, len(own)))] for _ in flats]
    for month in [m for m in ctx.month_starts() if a0 - 5 <= m < a1]:
        for flat, rent, l_acc, payer in zip(flats, flat_rent, landlords, rent_payer, strict=True):
            day = max(0, month - int(rng.integers(0, 5)))
            text = f"Husleie {w.addr_street[flat]}"
            if rng.random() < 0.5:
                text += f" {ctx.month_name(month + 3)}"
            led.add(day, ctx.maybe_time(0.3), rent, payer, l_acc, "transfer", text, tag)
            fixed[payer][day] += rent
    sites = [ADVERT_SITES[i] for i in rng.choice(len(ADVERT_SITES), int(rng.integers(1, 4)), replace=False)]
    site_accs = [w.add_foreign_account(name, country) for name, country in sites]
    eur = bool(rng.random() < 0.5)
    prices = [19, 39, 79] if eur else [199, 399, 799, 1499]
    victims_pay_ads = float(rng.uniform(0.3, 0.8)) if rng.random() < 0.35 else 0.0
    ad_payers: list[int] = []
    day = a0 + int(rng.integers(0, 5))
    site_turn = Rotation(rng, list(range(len(site_accs))))
    while day < a1:
        k = site_turn.next()
        price = prices[int(rng.integers(0, len(prices)))] * 100
        payer = ring.advert_payer(ctx, own, victim_accs, victims_pay_ads)
        led.add(
            day,
            ctx.between(0, 24),
            price,
            payer,
            site_accs[k],
            "card",
            f"Varekjøp {sites[k][0]}",
            tag,
            currency="EUR" if eur else "NOK",
        )
        if payer in fixed:
            fixed[payer][day] += price * (11 if eur else 1)
        if payer not in ad_payers:
            ad_payers.append(payer)
        day += int(rng.integers(2, 9))
    hotel_idx = rng.choice(len(HOTELS), int(rng.integers(2, 5)), replace=False)
    hotel_turn = Rotation(rng, [w.c_account[ctx.companies["hotel"][int(i)]] for i in hotel_idx])
    for day in range(a0, a1):
        payer = own[int(rng.integers(0, len(own)))]
        if rng.random() < rng.uniform(0.04, 0.12):
            hotel = hotel_turn.next()
            amount = ore(rng.uniform(890, 2690))
            led.add(
                day,
                ctx.between(13, 23),
                amount,
                payer,
                hotel,
                "card",
                f"Varekjøp {w.account_name(hotel)}",
                tag,
            )
            fixed[payer][day] += amount
        if rng.random() < 0.04:
            amount = round_to(rng.uniform(1000, 6000), 500)
            led.add(day, ctx.between(10, 23), amount, payer, -1, "cash_withdrawal", "Minibank", tag)
            fixed[payer][day] += amount
    carriers_used: list[int] = []
    if rng.random() < 0.7:
        ticket_payers = own + ([held.relative_account] if held.relative_account is not None else [])
        carriers_used = ring.travel(ctx, ticket_payers, a0, a1, n_victims, ctx.carriers, tag)

    # the relative's account passes what it receives on to the controller every few days
    relative_got = held.relative_account is not None and bool(credits_of.get(held.relative_account))
    if relative_got:
        credits_of.setdefault(main, []).extend(
            sweep(
                ctx,
                held.relative_account,
                main,
                sorted(credits_of.pop(held.relative_account)),
                tag,
                gap=lambda: int(rng.integers(2, 7)),
                keep=(0.05, 0.3),
                hours=(8, 22),
                channel=lambda: "transfer",
                text=lambda: _choice(ctx, ["", "Overføring", "Til deg"]),
                until=a1 + 7,
            )
        )

    # remittances home, sometimes split below the NOK 8 000 transfer threshold
    n_benef = int(rng.integers(1, 4))
    benef_people = w.add_persons(n_benef, origin, age=(25, 70), register=False)
    targets = Rotation(rng, [remit_target(ctx, origin, w.person_name(b)) for b in benef_people])

    def remitter(src: int):
        def remit(day: int, amount: int) -> None:
            if structured and amount <= 640_000:
                return
            acc, country, text = targets.next()
            if structured:
                d = day
                while amount > 640_000 and d < ctx.n_days:
                    piece = int(rng.integers(640_000, 799_900))
                    led.add(d, ctx.between(9, 20), piece, src, acc, "remittance", text, tag, dst_country=country)
                    amount -= piece
                    d += int(rng.integers(0, 2))
            else:
                led.add(
                    day,
                    ctx.between(9, 20),
                    amount - amount % 100,
                    src,
                    acc,
                    "remittance",
                    text,
                    tag,
                    dst_country=country,
                )

        return remit

    for acc in own:
        spend_down(
            ctx,
            acc,
            credits_of.get(acc, []),
            fixed[acc],
            a0,
            a1,
            every=(4, 11),
            share=(0.75, 0.95),
            emit=remitter(acc),
        )

    receiving = [a for a in collectors if credits_of.get(a) or (relative_got and a == held.relative_account)]
    entry.roles = {
        "controller": [ctx.person_ref(controller)],
        "controller_accounts": [ctx.account_ref(a) for a in own],
        "victim": [ctx.person_ref(v) for v in victims],
        "collector_accounts": [w.a_number[a] for a in receiving],
        "landlord": [ctx.account_ref(a) for a in landlords],
        "advert_merchant": [ctx.account_ref(site_accs[k]) for k in site_turn.used],
        "hotel": [ctx.account_ref(a) for a in hotel_turn.used],
        "carrier": [ctx.account_ref(a) for a in carriers_used],
        "remittance_beneficiary": [ctx.account_ref(t[0]) | {"country": origin} for t in targets.used],
        "client": [ctx.account_ref(a) for a in sorted(set(client_accs))],
    }
    if held.relative is not None:
        entry.roles["relative"] = [ctx.person_ref(held.relative) | {"account": w.a_number[held.relative_account]}]
    if held.helper is not None:
        entry.roles["intermediary"] = [ctx.person_ref(held.helper)]
    entry.parameters = {
        "origin_country": origin,
        "victims": n_victims,
        "flats": n_flats,
        "active_from": ctx.date(a0).isoformat(),
        "active_to": ctx.date(a1 - 1).isoformat(),
        "client_rate_per_victim_day": round(float(rate), 3),
        "client_cash_share": round(cash_share, 3),
        "clients_from_other_rings": n_shared,
        "controller_accounts": len(own),
        "relative_account": held.relative is not None,
        "intermediary": held.helper is not None,
        "victims_pay_adverts": victims_pay_ads > 0,
        "structured_remittances": structured,
        "flat_addresses": [w.address_text(f) for f in flats],
    }
    people = [controller, *victims] + [p for p in (held.relative, held.helper) if p is not None]
    ctx.note_persons(entry, people)
    middle = [a for a in (held.relative_account, held.helper_account) if a is not None]
    ctx.note_accounts(entry, own + victim_accs + middle + [t[0] for t in targets.used if t[1] is None])
    ctx.note_accounts(
        entry,
        landlords + [site_accs[k] for k in site_turn.used] + hotel_turn.used + carriers_used + sorted(set(client_accs)),
        counterparty=True,
    )


def labour_exploitation(ctx: Ctx) -> None:
    """Workers housed at one address get low wages that flow back to the manager within 48h."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("labour_exploitation")
    sector = _choice(ctx, ["construction", "painting", "cleaning"])
    nat = _choice(ctx, ["RO", "BG", "PL", "LT", "UA"])
    n_workers = ctx.upto(4, 12)
    a0, a1 = ctx.active_window()
    manager = w.add_persons(1, "NO" if rng.random() < 0.6 else nat, sex="M", age=(30, 62))[0]
    mgr_acc = w.open_accounts("person", [manager])[0]
    house = w.add_addresses(1)[0]
    workers = w.add_persons(
        n_workers,
        nat,
        sex=None if sector == "cleaning" else "M",
        age=(20, 55),
        homes=house,
        home_from=ctx.date(-int(rng.integers(20, 400))),
    )
    worker_accs = w.open_accounts("person", workers)
    name = f"{w.p_last[manager]} {'Bygg' if sector != 'cleaning' else 'Renhold'} "
    name += _choice(ctx, ["AS", "Service AS", "Entreprenør AS", "& Sønn AS"])
    registered = n_workers + int(rng.integers(0, 4))
    company = w.add_company(
        name,
        "AS",
        sector,
        registered,
        ctx.date(-int(rng.integers(300, 1800))),
        addr=house if rng.random() < 0.5 else w.p_homes[manager][0][0],
        roles=[("DAGL", manager), ("LEDE", manager)],
    )
    comp_acc = w.open_accounts("company", [company])[0]
    clawback_acc = mgr_acc
    side = None
    if rng.random() < 0.4:  # an own sole proprietorship receives the money
        side = w.add_company(
            f"{w.person_name(manager)} Eiendom",
            "ENK",
            "rental_other",
            None,
            ctx.date(-int(rng.integers(200, 2000))),
            addr=w.p_homes[manager][0][0],
            roles=[("INNH", manager)],
        )
        clawback_acc = w.open_accounts("company", [side])[0]
    w.add_lease(
        house,
        ("p", manager),
        ("p", manager) if side is None else ("c", side),
        ("c", company),
        round_to(rng.uniform(15000, 35000), 1000),
        ctx.date(-int(rng.integers(30, 700))),
    )

    payday = int(rng.integers(10, 26))
    wages = [ore(rng.uniform(6000, 15000)) for _ in workers]
    kickback = [round_to(wg / 100 * rng.uniform(0.55, 0.8), 500) for wg in wages]
    texts = ["Husleie", "Bolig", "Transport", "Nedbetaling lån", "Utstyr", "", "Kost og losji"]
    worker_text = [_choice(ctx, texts) for _ in workers]
    customers = ctx.companies["big_customer"]
    home_targets = [
        remit_target(ctx, nat, f"{w.p_first[wk]} {w.p_last[wk]} sr.") if rng.random() < 0.5 else None for wk in workers
    ]
    for month in [m for m in ctx.month_starts() if a0 <= m + payday < a1]:
        day = month + payday - 1
        for acc, wage, kick, text, home in zip(worker_accs, wages, kickback, worker_text, home_targets, strict=True):
            led.add(
                day,
                NO_TIME,
                wage + int(rng.integers(-5000, 5000)),
                comp_acc,
                acc,
                "salary",
                f"Lønn {ctx.month_name(day)}",
                tag,
            )
            back = day + int(rng.integers(0, 2))
            led.add(
                back,
                ctx.between(8, 22),
                kick,
                acc,
                clawback_acc,
                "transfer" if rng.random() < 0.6 else "p2p",
                text,
                tag,
            )
            if home is not None and rng.random() < 0.7:
                led.add(
                    back + int(rng.integers(1, 5)),
                    ctx.between(9, 19),
                    round_to(rng.uniform(800, 2500), 100),
                    acc,
                    home[0],
                    "remittance",
                    home[2],
                    tag,
                    dst_country=home[1],
                )
    # revenue from customers all along; payments out to the manager and suppliers
    for month in ctx.month_starts():
        for _ in range(int(rng.integers(2, 5))):
            cust = w.c_account[_choice(ctx, customers)]
            led.add(
                month + int(rng.integers(0, 27)),
                NO_TIME,
                ore(rng.uniform(120_000, 450_000)),
                cust,
                comp_acc,
                "transfer",
                f"Faktura {int(rng.integers(1000, 9999))}",
                tag,
            )
        led.add(
            month + int(rng.integers(2, 27)),
            NO_TIME,
            round_to(rng.uniform(30_000, 150_000), 1000),
            comp_acc,
            mgr_acc,
            "transfer",
            "Konsulenthonorar",
            tag,
        )
        sup = w.c_account[_choice(ctx, ctx.companies["wholesale"])]
        led.add(
            month + int(rng.integers(2, 27)),
            NO_TIME,
            ore(rng.uniform(20_000, 110_000)),
            comp_acc,
            sup,
            "transfer",
            f"Faktura {int(rng.integers(10000, 99999))}",
            tag,
        )
    for acc in worker_accs:
        _merchant_spend(ctx, acc, a0, a1, rng.uniform(0.5, 3.0) * (0.3 + 0.7 * ctx.density), tag)

    entry.roles = {
        "manager": [ctx.person_ref(manager)],
        "worker": [ctx.person_ref(p) for p in workers],
        "company": [ctx.company_ref(company)],
        "clawback_accounts": [w.a_number[clawback_acc]],
    }
    if side is not None:
        entry.roles["manager_company"] = [ctx.company_ref(side)]
    entry.parameters = {
        "sector": NACE[sector][0],
        "workers": n_workers,
        "registered_employees": registered,
        "worker_nationality": nat,
        "payday": payday,
        "worker_address": w.address_text(house),
        "active_from": ctx.date(a0).isoformat(),
        "active_to": ctx.date(a1 - 1).isoformat(),
    }
    sister_companies = _sister_companies(ctx, manager, sector) if rng.random() < 0.6 else []
    if sister_companies:
        entry.roles["sister_company"] = [ctx.company_ref(c) for c in sister_companies]
        entry.parameters["sister_companies"] = len(sister_companies)
    ctx.note_persons(entry, [manager, *workers])
    entry.companies = [w.c_orgnr[c] for c in [company, *([side] if side is not None else []), *sister_companies]]
    ctx.note_accounts(entry, [comp_acc, mgr_acc, clawback_acc, *worker_accs])


def _sister_companies(ctx: Ctx, manager: int, sector: str) -> list[int]:
    """Two or three more companies in the manager's trade, the newest founded within two years.

    Exploiting firms are often run as a cluster of short-lived companies under one person (a
    successor ready when one is wound up), which the shared role-holder rule looks for.
    """
    rng, w = ctx.rng, ctx.world
    trades = {"construction": ["construction", "painting"], "painting": ["painting", "construction"]}
    surname = w.p_last[manager]
    founded = [ctx.date(-int(rng.integers(30, 700)))]  # the successor
    founded += [ctx.date(-int(rng.integers(200, 2500))) for _ in range(int(rng.integers(1, 3)))]
    labels = {
        "cleaning": ["Rengjøring", "Renhold Service", "Vask og Rens"],
        "other": ["Montasje", "Prosjekt", "Håndverk"],
    }
    out = []
    for number, when in enumerate(founded):
        trade = _choice(ctx, trades.get(sector, ["cleaning"]))
        label = labels["cleaning" if trade == "cleaning" else "other"][number]
        holder_roles = [("DAGL", manager), ("LEDE", manager)] if number % 2 == 0 else [("LEDE", manager)]
        name = f"{surname} {label} {_choice(ctx, ['AS', 'Gruppen AS', 'Norge AS'])}"
        out.append(w.add_company(name, "AS", trade, int(rng.integers(0, 4)), when, roles=holder_roles))
    return out


def forced_begging(ctx: Ctx) -> None:
    """Group members deposit small cash sums that are swept to an organiser who remits home."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("forced_begging")
    nat = "RO" if rng.random() < 0.65 else "BG"
    n_members = ctx.upto(3, 8)
    a0, a1 = ctx.active_window()
    organiser = w.add_persons(1, nat, sex="M" if rng.random() < 0.75 else "F", age=(25, 58))[0]
    org_acc = w.open_accounts("person", [organiser])[0]
    lodging = w.add_addresses(1)[0]
    members = w.add_persons(
        n_members,
        nat,
        age=(18, 70),
        homes=lodging,
        home_from=ctx.date(a0 - int(rng.integers(1, 30))),
    )
    member_accs = w.open_accounts("person", members, opened=ctx.date(a0 - int(rng.integers(3, 45))))
    city = PLACES[int(rng.integers(0, len(PLACES)))][1].title()
    rate = rng.uniform(0.28, 0.4) + ctx.density * rng.uniform(0.0, 0.35)
    org_credits: list[Credit] = []
    for acc in member_accs:
        credits: list[Credit] = []
        for day in range(a0, a1):
            if rng.random() < rate:
                amount = ore(int(rng.uniform(100, 900) / 10) * 10)
                minute = ctx.between(10, 19.5)
                led.add(day, minute, amount, -1, acc, "cash_deposit", f"Innskudd automat {city}", tag)
                credits.append((day, minute, amount))
        org_credits += sweep(
            ctx,
            acc,
            org_acc,
            credits,
            tag,
            gap=lambda: int(rng.integers(2, 6)),
            keep=(0.01, 0.1),
            hours=(17, 22),
            channel=lambda: "p2p",
            text=lambda: _choice(ctx, ["", "", "Mat", "Penger"]),
            min_balance=30_000,
            until=a1 + 3,
        )
    # passers-by giving by Vipps to the number on the sign
    gift_rate = 0.12 + ctx.density * rng.uniform(0.1, 0.4)
    for block in range(a0, a1, 10):
        days = list(range(block, min(block + 10, a1)))
        givers = ctx.pick_pool(max(2, int(rng.poisson(gift_rate * len(days)))))
        for g in givers:
            day, minute = _choice(ctx, days), ctx.between(9, 19)
            amount = ore(_choice(ctx, [20, 50, 50, 100, 100, 150, 200]))
            led.add(
                day,
                minute,
                amount,
                w.p_account[g],
                org_acc,
                "p2p",
                _choice(ctx, ["", "Lykke til", "Til deg", "Gave", "🙏"]),
                tag,
            )
            org_credits.append((day, minute, amount))
    benef = w.add_persons(int(rng.integers(1, 3)), nat, age=(30, 70), register=False)
    targets = Rotation(rng, [remit_target(ctx, nat, w.person_name(b)) for b in benef])
    fixed = np.zeros(ctx.n_days + 1, dtype=np.int64)

    def remit(day: int, amount: int) -> None:
        if rng.random() < 0.25:
            led.add(
                day,
                ctx.between(10, 18),
                amount - amount % 10_000,
                org_acc,
                -1,
                "cash_withdrawal",
                "Minibank",
                tag,
            )
        else:
            acc, country, text = targets.next()
            led.add(
                day,
                ctx.between(9, 19),
                amount - amount % 100,
                org_acc,
                acc,
                "remittance",
                text,
                tag,
                dst_country=country,
            )

    spend_down(
        ctx,
        org_acc,
        org_credits,
        fixed,
        a0,
        a1,
        every=(5, 13),
        share=(0.8, 0.95),
        emit=remit,
        buffer_ore=100_000,
    )

    entry.roles = {
        "organiser": [ctx.person_ref(organiser)],
        "member": [ctx.person_ref(m) for m in members],
        "collector_accounts": [w.a_number[org_acc]],
        "remittance_beneficiary": [ctx.account_ref(t[0]) | {"country": nat} for t in targets.used],
    }
    entry.parameters = {
        "nationality": nat,
        "members": n_members,
        "deposit_rate_per_day": round(float(rate), 3),
        "city": city,
        "active_from": ctx.date(a0).isoformat(),
        "active_to": ctx.date(a1 - 1).isoformat(),
    }
    ctx.note_persons(entry, [organiser, *members])
    ctx.note_accounts(entry, [org_acc, *member_accs] + [t[0] for t in targets.used if t[1] is None])


def mule_chain(ctx: Ctx) -> None:
    """Money passes through 3–5 mule accounts within hours, a little less at every hop."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("mule_chain")
    n_mules = int(rng.integers(3, 6))
    origin_co = w.add_company(
        f"{_choice(ctx, NO_LAST)} Trading AS",
        "AS",
        "wholesale",
        0,
        ctx.date(-int(rng.integers(60, 500))),
    )
    w.c_employees[origin_co] = None
    w.c_roles[origin_co] = [("DAGL", w.add_persons(1, _choice(ctx, ["NO", "LT", "UA"]), age=(22, 60))[0])]
    origin = w.open_accounts("company", [origin_co])[0]
    mules = w.add_persons(
        n_mules,
        [_choice(ctx, ["NO", "NO", "LT", "PL", "SO"]) for _ in range(n_mules)],
        age=(18, 29),
    )
    mule_accs = w.open_accounts("person", mules, opened=ctx.date(-int(rng.integers(10, 200))))
    dest_country = _choice(ctx, ["LT", "UA", "PL", "RO"])
    dest = w.add_foreign_account(f"{_choice(ctx, NO_LAST)} Holdings Ltd", dest_country)
    runs = ctx.upto(3, 8)
    payers = ctx.companies["big_customer"]
    segment = (ctx.n_days - 6) // runs
    dest_used = False
    for run in range(runs):
        t = (run * segment + int(rng.integers(0, max(1, segment - 6)))) * 1440 + ctx.between(8, 16)
        amount = ore(rng.uniform(15_000, 180_000))
        led.add(
            t // 1440 - int(rng.integers(0, 3)),
            NO_TIME,
            amount + ore(rng.uniform(0, 5000)),
            w.c_account[_choice(ctx, payers)],
            origin,
            "transfer",
            f"Faktura {int(rng.integers(10000, 99999))}",
            tag,
        )
        chain = [origin, *mule_accs]
        for i in range(len(chain)):
            src = chain[i]
            last = i == len(chain) - 1
            dst = chain[i + 1] if not last else dest
            t += int(rng.uniform(0.3, 20) * 60)
            if t // 1440 >= ctx.n_days:
                break
            if last and (dest_used or run > 0) and rng.random() < 0.3:
                led.add(
                    t // 1440,
                    t % 1440,
                    amount - amount % 10_000,
                    src,
                    -1,
                    "cash_withdrawal",
                    "Minibank",
                    tag,
                )
            else:
                led.add(
                    t // 1440,
                    t % 1440,
                    amount,
                    src,
                    dst,
                    "remittance" if last else "transfer",
                    _choice(ctx, ["", "Lån", "Tilbakebetaling", "Faktura", "Gave"]),
                    tag,
                )
                dest_used = dest_used or last
            amount = int(amount * (1 - rng.uniform(0.01, 0.04)))
    for acc in mule_accs:
        _merchant_spend(ctx, acc, 0, ctx.n_days, rng.uniform(0.1, 1.0) * (0.2 + 0.8 * ctx.density), tag)
    entry.roles = {
        "origin": [ctx.company_ref(origin_co)],
        "mule": [ctx.person_ref(m) for m in mules],
    }
    if dest_used:
        entry.roles["destination"] = [ctx.account_ref(dest) | {"country": dest_country}]
    entry.parameters = {"mules": n_mules, "runs": runs, "destination_country": dest_country}
    ctx.note_persons(entry, mules)
    entry.companies = [w.c_orgnr[origin_co]]
    ctx.note_accounts(entry, [origin, *mule_accs] + ([dest] if dest_used else []))


def round_trip(ctx: Ctx) -> None:
    """Related companies (one shared role-holder) pass money round and back within 30 days."""
    rng, w, led = ctx.rng, ctx.world, ctx.ledger
    tag, entry = ctx.truth.new("round_trip")
    n = int(rng.integers(3, 5))
    owner = w.add_persons(1, "NO", sex="M" if rng.random() < 0.7 else "F", age=(35, 70))[0]
    w.open_accounts("person", [owner])
    stem = _choice(ctx, NO_LAST)
    kinds = [
        ("Holding AS", "consulting"),
        ("Invest AS", "consulting"),
        ("Eiendom AS", "rental_other"),
        ("Consulting AS", "consulting"),
        ("Handel AS", "wholesale"),
    ]
    order = rng.choice(len(kinds), n, replace=False)
    shared_addr = w.add_addresses(1)[0]
    companies = []
    for i in order.tolist():
        suffix, nace = kinds[i]
        roles = [("DAGL", owner)] if rng.random() < 0.6 else [("LEDE", owner)]
        if roles[0][0] == "LEDE":
            roles.append(("DAGL", w.add_persons(1, "NO", age=(30, 65))[0]))
        companies.append(
            w.add_company(
                f"{stem} {suffix}",
                "AS",
                nace,
                int(rng.integers(0, 3)),
                ctx.date(-int(rng.integers(200, 4000))),
                addr=shared_addr if rng.random() < 0.6 else None,
                roles=roles,
            )
        )
    accs = w.open_accounts("company", companies)
    cycles = int(rng.integers(2, 6))
    for _ in range(cycles):
        day = int(rng.integers(0, max(1, ctx.n_days - 30)))
        amount = round_to(rng.uniform(200_000, 2_000_000), 1000 if rng.random() < 0.5 else 1)
        invoice = int(rng.integers(1000, 9999))
        for i in range(n):
            src, dst = accs[i], accs[(i + 1) % n]
            text = _choice(
                ctx,
                [
                    f"Faktura {invoice + i}",
                    "Konsulenttjenester",
                    "Lån",
                    "Tilbakebetaling lån",
                    "Management fee",
                ],
            )
            led.add(day, NO_TIME, amount, src, dst, "transfer", text, tag)
            day += int(rng.integers(1, 8))
            amount = int(amount * rng.uniform(0.9, 1.0))
    accountant = w.c_account[_choice(ctx, ctx.companies["accounting"])]
    for month in ctx.month_starts():
        for acc in accs:
            if rng.random() < 0.6:
                led.add(
                    month + int(rng.integers(5, 25)),
                    NO_TIME,
                    ore(rng.uniform(2500, 12000)),
                    acc,
                    accountant,
                    "transfer",
                    "Regnskapstjenester",
                    tag,
                )
    entry.roles = {
        "role_holder": [ctx.person_ref(owner)],
        "company": [ctx.company_ref(c) for c in companies],
    }
    entry.parameters = {
        "companies": n,
        "cycles": cycles,
        "shared_address": w.address_text(shared_addr),
    }
    ctx.note_persons(entry, [owner])
    entry.companies = [w.c_orgnr[c] for c in companies]
    ctx.note_accounts(entry, accs)
