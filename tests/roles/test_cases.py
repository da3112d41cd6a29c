"""Small hand-built cases run through the real importers, detectors and the role step.

Each case plants one situation the role rules are for, and an innocent counterpart that differs
in one thing; assertions are about the resolved roles, the ranking and the networks.
"""

from __future__ import annotations

from itertools import pairwise

from detectcase import CONFIG, account, build, company_holder, org_id, person_holder, person_id, txn

from finflow.detect.registry import run_detectors
from finflow.leads import analyse

BOSS, V1, V2 = account(2001), account(2002), account(2003)
BOSS_SPARE = account(2004)  # the controller's second account: in the KYC records, in no finding
CLIENTS = [account(2010 + i) for i in range(3)]
OTHERS = [account(2020 + i) for i in range(3)]
SITE = "CY17002001280000001200527600"
HOTEL = account(2030)


def _holders() -> list[dict]:
    people = [person_holder(a, "Kari Kontroll", "1980-05-05") for a in (BOSS, BOSS_SPARE)]
    people += [person_holder(V1, "Ada Offer", "1999-01-01"), person_holder(V2, "Bea Nwosu", "2000-02-02")]
    people += [person_holder(c, f"Kunde{i} Klientsen{i}", f"197{i}-03-03") for i, c in enumerate(CLIENTS + OTHERS)]
    people.append(company_holder(HOTEL, "Hotell Sentrum AS", 30))
    return people


def _ring(forward: bool) -> list[dict]:
    """Three repeat clients pay V1 a fixed NOK 3 000 each month; V1 (and V2) pass it on to BOSS the same day."""
    rows = []
    for m in range(3):
        for i, client in enumerate(CLIENTS):
            rows.append(txn(m * 30 + i, 3000, client, V1, "p2p", "Vipps"))
            if forward:
                rows.append(txn(m * 30 + i, 3000, V1, BOSS, "transfer", "overføring"))
        rows.append(txn(m * 30 + 5, 4000, OTHERS[m], V2, "p2p", "Vipps"))
        rows.append(txn(m * 30 + 5, 4000, V2, BOSS, "transfer", "overføring"))
    return rows


def _adverts() -> list[dict]:
    ads = [txn(d, 390, BOSS, SITE, "card", "Varekjøp NordicEscort Ads", to_name="NordicEscort Ads Ltd", to_country="CY")
           for d in (1, 8, 15, 22)]  # fmt: skip
    hotel = [txn(d, 1200, BOSS, HOTEL, "card", "Hotell Sentrum overnatting") for d in (2, 9, 16, 23)]
    return ads + hotel


def _analyse(data):
    findings = run_detectors(data, CONFIG)
    return findings, analyse(findings, data, CONFIG)


def test_swept_victim_with_repeat_clients_is_a_victim_not_a_creditor(tmp_path):
    data = build(tmp_path, _ring(forward=True), holders=_holders())
    findings, result = _analyse(data)
    detectors = {f.detector for f in findings}
    assert {"sweep", "debt_repayments", "pass_through"} <= detectors  # the misreadings are there to resolve
    roles = result.roles
    boss = ("party", person_id("Kari Kontroll", "1980-05-05"))
    victim = ("party", person_id("Ada Offer", "1999-01-01"))
    assert roles.role(victim) == "possible_victim" and roles.roles[victim].basis.startswith("possible victim by sweep")
    overruled = {f.detector for f in findings if f.finding_id in roles.overruled}
    assert {"debt_repayments", "pass_through"} <= overruled
    # the repeat clients are not anybody's debtors or victims
    for i in range(3):
        assert roles.role(("party", person_id(f"Kunde{i} Klientsen{i}", f"197{i}-03-03"))) == "context"
    suspects, victims = result.ranking.suspects, result.ranking.victims
    assert suspects.loc[0, "subject_id"] == boss[1] and suspects.loc[0, "role"] == "controller"
    assert victim[1] in set(victims["subject_id"]) and victim[1] not in set(suspects["subject_id"])
    assert not set(suspects["subject_id"]) & set(victims["subject_id"])
    # all the accounts the case links to the controller, also the one no finding names
    assert suspects.loc[0, "accounts"] == ",".join(sorted([BOSS, BOSS_SPARE]))
    assert "possible victim(s)" in suspects.loc[0, "score_explanation"] and suspects.loc[0, "victims"] == 2


def test_fixed_payments_to_someone_who_keeps_them_stay_the_detectors_reading(tmp_path):
    data = build(tmp_path, _ring(forward=False), holders=_holders())
    findings, result = _analyse(data)
    assert "debt_repayments" in {f.detector for f in findings}
    receiver = ("party", person_id("Ada Offer", "1999-01-01"))
    assert result.roles.role(receiver) == "controller"
    assert not any(f.detector == "debt_repayments" and f.finding_id in result.roles.overruled for f in findings)


def test_the_advertising_site_is_a_facilitator_the_hotel_is_not_listed(tmp_path):
    data = build(tmp_path, _ring(forward=True) + _adverts(), holders=_holders())
    _, result = _analyse(data)
    suspects = result.ranking.suspects.set_index("subject_id")
    assert suspects.loc[SITE, "role"] == "facilitator"
    assert "advertising site paid 4 time(s) by Kari Kontroll" in suspects.loc[SITE, "role_basis"]
    assert suspects.loc[SITE, "label"] == "NordicEscort Ads Ltd"
    assert org_id(30) not in suspects.index and HOTEL not in suspects.index
    assert org_id(30) not in set(result.ranking.victims["subject_id"])
    assert suspects.loc[SITE, "network"] == "network of Kari Kontroll"


ORIGIN, M1, M2, M3 = account(2101), account(2102), account(2103), account(2104)
EXIT = "LT121000011101001000"


def _chain(hops: list[str]) -> list[dict]:
    """The origin company pays the first conduit NOK 10 000 weekly; each hop passes on 98 %."""
    rows = []
    for k in range(4):
        amount = 10000.0
        rows.append(txn(k * 7, amount, ORIGIN, hops[0], "transfer", "Faktura"))
        for a, b in pairwise(hops):
            amount *= 0.98
            rows.append(txn(k * 7, round(amount, 2), a, b, "transfer", "overføring"))
        amount *= 0.98
        rows.append(txn(k * 7 + 1, round(amount, 2), hops[-1], EXIT, "transfer", "Payment", to_name="Exit Holdings Ltd",
                        to_country="LT"))  # fmt: skip
    return rows


def _chain_holders() -> list[dict]:
    return [company_holder(ORIGIN, "Opphav Handel AS", 41)] + [
        person_holder(m, f"Muldyr{i} Hansen{i}", f"200{i}-04-04") for i, m in enumerate((M1, M2, M3))
    ]


def test_the_account_where_a_mule_chain_leaves_is_its_sink(tmp_path):
    data = build(tmp_path, _chain([M1, M2, M3]), holders=_chain_holders())
    _, result = _analyse(data)
    suspects = result.ranking.suspects.set_index("subject_id")
    assert suspects.loc[EXIT, "role"] == "sink"
    assert "where a chain of conduits sends the money on in LT" in suspects.loc[EXIT, "role_basis"]
    network = next(n for n in result.networks if EXIT in n.flagged)
    origin = next(i for i in suspects.index if suspects.loc[i, "label"] == "Opphav Handel AS")
    assert network.lead == origin and network.name == "network of Opphav Handel AS"
    # the chain's controller is listed before the conduits it uses
    assert suspects.loc[origin, "rank"] == 1


def test_one_conduit_alone_has_no_sink(tmp_path):
    data = build(tmp_path, _chain([M1]), holders=_chain_holders())
    findings, result = _analyse(data)
    assert "pass_through" in {f.detector for f in findings}
    assert EXIT not in set(result.ranking.suspects["subject_id"])
    assert result.roles.role(("account", EXIT)) == "context"


def _person(name: str, birth: str, phone: str, street: str = "Storgata 1") -> dict:
    return {"name": name, "birth_date": birth, "nationality": "NG", "phone": phone, "street": street,
            "postcode": "0150", "city": "Oslo", "country": "NO", "address_from": "2025-01-01"}  # fmt: skip


def test_controller_holds_victims_phone(tmp_path):
    ring = [("Kari Kontroll", "1980-05-05"), ("Ada Offer", "1999-01-01"), ("Bea Nwosu", "2000-02-02")]
    people = [_person(name, birth, "+47 412 34 567") for name, birth in ring]
    # three unrelated people elsewhere share another phone: nothing else about them is flagged
    people += [_person(n, f"198{i}-06-06", "+47 900 00 001", f"Elvegata {i + 1}")
               for i, n in enumerate(["Ola Berg", "Per Dahl", "Siv Lund"])]  # fmt: skip
    data = build(tmp_path, _ring(forward=True), holders=_holders(), persons=people)
    findings, result = _analyse(data)
    shared = [f for f in findings if f.detector == "shared_identifiers"]
    assert len(shared) == 2
    noted = [f for f in shared if f.finding_id in result.roles.notes]
    (phone,) = noted
    assert result.roles.notes[phone.finding_id].startswith("controller holds victims' phone number")
    assert "with 2 possible victim(s)" in result.roles.notes[phone.finding_id]
    boss = result.ranking.suspects.loc[0]
    assert boss["label"] == "Kari Kontroll" and "shared_identifiers" in boss["detectors"]
    # the unrelated sharers are context: in neither table
    strangers = {person_id(n, f"198{i}-06-06") for i, n in enumerate(["Ola Berg", "Per Dahl", "Siv Lund"])}
    listed = set(result.ranking.suspects["subject_id"]) | set(result.ranking.victims["subject_id"])
    assert not strangers & listed
    assert {result.roles.role(("party", p)) for p in strangers} == {"context"}
