"""Structures: round trips (H1), shared role-holders (I2), shared residential address (I3), fronts (I1)."""

from __future__ import annotations

from detectcase import CONFIG, account, build, company, company_holder, org_id, orgnr, txn

from finflow.detect.structures import (
    detect_front_companies,
    detect_round_trips,
    detect_shared_company_address,
    detect_shared_role_holders,
)

A, B, C = account(350), account(351), account(352)


def test_money_returning_to_its_origin_within_a_month(tmp_path):
    rows = [txn(1, 100000, A, B, "transfer", "Faktura 1"), txn(3, 95000, B, C, "transfer", "Lån"),
            txn(6, 90000, C, A, "transfer", "Tilbakebetaling")]  # fmt: skip
    data = build(tmp_path, rows)
    (finding,) = detect_round_trips(data, CONFIG["round_trip"])
    assert {s.id for s in finding.subjects} == {A, B, C}
    assert finding.metrics == {"hops": 3, "returned_share": 0.9, "days": 5}
    assert len(finding.evidence_txn_ids) == 3


def test_round_trip_between_companies_names_their_common_manager(tmp_path):
    rows = [txn(1, 100000, A, B, "transfer", "Faktura 1"), txn(3, 95000, B, C, "transfer", "Lån"),
            txn(6, 90000, C, A, "transfer", "Tilbakebetaling")]  # fmt: skip
    holders = [company_holder(acc, f"Ring {i} AS", 40 + i) for i, acc in enumerate((A, B, C))]
    companies = [company(40 + i, f"Ring {i} AS", "70.220", 0) for i in range(3)]
    roles = {orgnr(40 + i): [("DAGL", "Kari Direktør", "1970-01-01")] for i in range(2)}
    data = build(tmp_path, rows, holders=holders, companies=companies, roles=roles)
    (finding,) = detect_round_trips(data, CONFIG["round_trip"])
    controllers = [s for s in finding.subjects if s.role == "controller"]
    assert [s.label for s in controllers] == ["Kari Direktør"]
    assert len(finding.evidence_records) == 2 and "1 person(s) hold roles" in finding.summary


def test_a_return_after_two_months_or_a_small_one_is_not_a_round_trip(tmp_path):
    rows = [txn(1, 100000, A, B, "transfer"), txn(3, 95000, B, C, "transfer"), txn(60, 90000, C, A, "transfer"),
            txn(8, 20000, C, A, "transfer")]  # fmt: skip
    data = build(tmp_path, rows)
    assert detect_round_trips(data, CONFIG["round_trip"]) == []


def _roles(industries: list[str]) -> dict:
    companies = [company(10 + i, f"Selskap {i} AS", code, 2) for i, code in enumerate(industries)]
    roles = {orgnr(10 + i): [("DAGL", "Kari Direktør", "1970-01-01")] for i in range(len(industries))}
    return {"companies": companies, "roles": roles}


def test_one_manager_of_three_construction_companies(tmp_path):
    data = build(tmp_path, **_roles(["43.120", "43.310", "41.200"]))
    (finding,) = detect_shared_role_holders(data, CONFIG["companies"])
    assert finding.subjects[0].role == "controller" and finding.subjects[0].label == "Kari Direktør"
    assert {s.id for s in finding.subjects[1:]} == {org_id(10), org_id(11), org_id(12)}
    assert len(finding.evidence_records) == 3


def test_a_manager_of_three_software_companies_is_not_flagged(tmp_path):
    data = build(tmp_path, **_roles(["62.010", "62.020", "70.220"]))
    assert detect_shared_role_holders(data, CONFIG["companies"]) == []


def _resident() -> dict:
    return {"name": "Bo Beboer", "birth_date": "1980-01-01", "nationality": "NO", "street": "Hjemmeveien 2",
            "postcode": "0150", "city": "Oslo", "country": "NO", "address_from": "2020-01-01"}  # fmt: skip


def test_five_companies_at_a_home_address(tmp_path):
    companies = [company(20 + i, f"Firma {i} AS", "43.120", 0, street="Hjemmeveien 2") for i in range(5)]
    data = build(tmp_path, companies=companies, persons=[_resident()])
    (finding,) = detect_shared_company_address(data, CONFIG["companies"])
    assert finding.metrics == {"companies": 5} and finding.subjects[0].kind == "address"


def test_five_companies_in_an_office_building_are_not_flagged(tmp_path):
    companies = [company(20 + i, f"Firma {i} AS", "43.120", 0, street="Kontorbygget 1") for i in range(5)]
    data = build(tmp_path, companies=companies, persons=[_resident()])
    assert detect_shared_company_address(data, CONFIG["companies"]) == []


FIRM = account(360)


def _takings(cash: bool, hour: str) -> list[dict]:
    channel, src = ("cash_deposit", None) if cash else ("card", account(361))
    return [
        txn(1 + 2 * i, 20000, src, FIRM, channel, "Innskudd" if cash else "Bankterminal", time=hour) for i in range(12)
    ]


def test_cash_heavy_night_time_massage_business_is_a_front_profile(tmp_path):
    data = build(tmp_path, _takings(True, "23:30"), holders=[company_holder(FIRM, "Lotus Massasje AS", 30)],
                 companies=[company(30, "Lotus Massasje AS", "96.040", 1)])  # fmt: skip
    (finding,) = detect_front_companies(data, CONFIG["companies"])
    assert finding.subjects[0].id == org_id(30) and finding.subjects[0].role == "front"
    assert finding.metrics["signs"] == 3  # cash share, night, cash per employee
    assert "cash 100% of credits" in finding.summary and "100% of timed credits at night" in finding.summary


def test_daytime_card_takings_of_a_salon_are_not_a_front(tmp_path):
    data = build(tmp_path, _takings(False, "12:00"), holders=[company_holder(FIRM, "Klipp AS", 31)],
                 companies=[company(31, "Klipp AS", "96.020", 3)])  # fmt: skip
    assert detect_front_companies(data, CONFIG["companies"]) == []
