"""Rent and premises: several premises (B1), third-party rent, premises networks."""

from __future__ import annotations

from detectcase import CONFIG, account, build, day, person_holder, txn

from finflow.detect.rent import detect_premises_networks, detect_rent_several, detect_third_party_rent, rent_payments
from finflow.detect.util import account_info

PAYER, PAYER2 = account(300), account(301)
LANDLORD, LANDLORD2, LANDLORD3 = account(310), account(311), account(312)
TENANTS = [account(320), account(321)]
HOLDERS = [
    person_holder(PAYER, "Boss Mann", "1980-05-05"),
    person_holder(PAYER2, "Hjelper Hansen", "1985-06-06"),
    person_holder(LANDLORD, "Lars Utleier", "1960-04-04"),
    person_holder(LANDLORD2, "Lise Utleier", "1962-04-04"),
    person_holder(LANDLORD3, "Leif Eier", "1955-01-01"),
    person_holder(TENANTS[0], "Ana Lupu", "1995-07-14"),
    person_holder(TENANTS[1], "Ioana Rusu", "1996-08-15"),
]


def _rent(payer: str, landlord: str, amount: float, months: int = 3, text: str = "Husleie") -> list[dict]:
    return [txn(m * 30 + 1, amount, payer, landlord, "transfer", text) for m in range(months)]


def test_one_person_paying_rent_for_two_flats(tmp_path):
    data = build(tmp_path, _rent(PAYER, LANDLORD, 9000) + _rent(PAYER, LANDLORD2, 8000), holders=HOLDERS)
    (finding,) = detect_rent_several(data, CONFIG["rent"])
    assert finding.subjects[0].id == PAYER and finding.subjects[0].role == "controller"
    assert finding.metrics == {"premises": 2, "landlords": 2, "overlap_months": 3}
    assert "a private person paid rent for 2 premises" in finding.summary and "NOK 51 000" in finding.summary


def test_own_rent_and_a_parking_space_are_one_home(tmp_path):
    rows = _rent(PAYER, LANDLORD, 9000) + _rent(PAYER, LANDLORD2, 600, text="Leie parkering")
    data = build(tmp_path, rows, holders=HOLDERS)
    assert detect_rent_several(data, CONFIG["rent"]) == []


def test_two_payers_of_several_premises_sharing_a_landlord_form_a_network(tmp_path):
    rows = _rent(PAYER, LANDLORD, 9000) + _rent(PAYER, LANDLORD2, 8000)
    rows += _rent(PAYER2, LANDLORD, 9500) + _rent(PAYER2, LANDLORD3, 7000)
    data = build(tmp_path, rows, holders=HOLDERS)
    (finding,) = detect_premises_networks(data, CONFIG["rent"])
    assert finding.metrics == {"payers": 2, "premises": 4, "landlords": 3}
    assert {s.id for s in finding.subjects if s.role == "controller"} == {PAYER, PAYER2}


def test_unconnected_payers_are_not_a_network(tmp_path):
    rows = _rent(PAYER, LANDLORD, 9000) + _rent(PAYER, LANDLORD2, 8000) + _rent(PAYER2, LANDLORD3, 7000)
    data = build(tmp_path, rows, holders=HOLDERS)
    assert detect_premises_networks(data, CONFIG["rent"]) == []


def _lease(ref: str, street: str, tenant: str, birth: str, rent: int) -> dict:
    return {"lease_ref": ref, "premises_street": street, "premises_postcode": "0150", "premises_city": "Oslo",
            "landlord_name": "Lars Utleier", "landlord_birth_date": "1960-04-04", "tenant_name": tenant,
            "tenant_birth_date": birth, "monthly_rent": rent, "currency": "NOK",
            "start_date": "2025-12-01"}  # fmt: skip


LEASES = [
    _lease("L-1", "Storgata 5", "Ana Lupu", "1995-07-14", 9000),
    _lease("L-2", "Storgata 7", "Ioana Rusu", "1996-08-15", 8500),
]


def test_rent_of_two_tenants_paid_by_a_third_person(tmp_path):
    rows = _rent(PAYER, LANDLORD, 9000, text="") + _rent(PAYER, LANDLORD, 8500, text="")
    data = build(tmp_path, rows, holders=HOLDERS, leases=LEASES)
    (finding,) = detect_third_party_rent(data, CONFIG["rent"])
    assert finding.subjects[0].id == PAYER
    assert [s.label for s in finding.subjects[1:]] == ["Ana Lupu", "Ioana Rusu"]
    assert {r["table"] for r in finding.evidence_records} == {"leases"} and len(finding.evidence_records) == 2


def test_tenants_paying_their_own_rent_are_not_third_party(tmp_path):
    rows = _rent(TENANTS[0], LANDLORD, 9000, text="") + _rent(TENANTS[1], LANDLORD, 8500, text="")
    data = build(tmp_path, rows, holders=HOLDERS, leases=LEASES)
    assert detect_third_party_rent(data, CONFIG["rent"]) == []


def test_a_lease_matches_payments_in_its_own_currency_only(tmp_path):
    tenant, landlord = account(20), account(21)
    rows = [{"date": day(30 * m), "amount": "10000.00", "currency": currency, "from_account": tenant,
             "to_account": landlord, "description": "", "txn_ref": f"rent-{currency}-{m}"}
            for m in range(3) for currency in ("NOK", "EUR")]  # fmt: skip
    lease = {"lease_ref": "L1", "premises_street": "Storgata 1", "premises_postcode": "0150", "premises_city": "Oslo",
             "tenant_name": "Ana Lupu", "tenant_birth_date": "1990-02-02", "landlord_name": "Kari Berg",
             "landlord_birth_date": "1960-01-01", "monthly_rent": "10000", "currency": "EUR",
             "start_date": day(0)}  # fmt: skip
    data = build(tmp_path, rows, holders=[person_holder(landlord, "Kari Berg", "1960-01-01")], leases=[lease])
    pay = rent_payments(data, account_info(data), CONFIG["rent"])
    matched = pay[pay["lease_id"].notna()]
    assert len(matched) == 3 and set(matched["currency"]) == {"EUR"}  # NOK 10 000 is not EUR 10 000
