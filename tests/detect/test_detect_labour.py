"""Labour exploitation: F1 shared wage account, F2 claw-back, F3 payroll gap, F4 debts, F5 crowding."""

from __future__ import annotations

from detectcase import CONFIG, account, build, company, company_holder, org_id, orgnr, person_holder, person_id, txn

from finflow.detect.labour import (
    detect_clawback,
    detect_crowded_address,
    detect_debt_repayments,
    detect_payroll_gap,
    detect_shared_wage_account,
)

EMPLOYER = account(100)
MANAGER = account(101)
WORKERS = [account(110 + i) for i in range(4)]
NAMES = ["Ion Popa", "Vasile Rusu", "Mihai Dinu", "Petru Lazar"]


def _holders() -> list[dict]:
    rows = [company_holder(EMPLOYER, "Byggmester Test AS", 1), person_holder(MANAGER, "Kjell Sjef", "1970-03-03")]
    return rows + [person_holder(w, n, f"199{i}-04-04") for i, (w, n) in enumerate(zip(WORKERS, NAMES, strict=True))]


def _payroll(wage: float = 12000, months: int = 3) -> list[dict]:
    return [txn(m * 30 + 20, wage, EMPLOYER, w, "salary", "Lønn") for m in range(months) for w in WORKERS]


def _kickbacks(dest: str, amount: float, delay_days: int, months: int = 3) -> list[dict]:
    return [txn(m * 30 + 20 + delay_days, amount, w, dest, "transfer", "Bolig") for m in range(months) for w in WORKERS]


REGISTRY = {"companies": [company(1, "Byggmester Test AS", "43.120", 10)],
            "roles": {orgnr(1): [("DAGL", "Kjell Sjef", "1970-03-03")]}}  # fmt: skip


def test_wages_clawed_back_to_the_manager_are_flagged(tmp_path):
    data = build(tmp_path, _payroll() + _kickbacks(MANAGER, 7000, 1), holders=_holders(), **REGISTRY)
    (finding,) = detect_clawback(data, CONFIG["wage_clawback"])
    roles = {s.id: s.role for s in finding.subjects}
    assert roles[MANAGER] == "controller" and roles[EMPLOYER] == "front"
    assert all(roles[w] == "possible_victim" for w in WORKERS)
    assert finding.metrics["workers"] == 4 and finding.metrics["to_employer_circle"] is True
    assert "4 worker(s) paid back on average 58%" in finding.summary
    assert len(finding.evidence_txn_ids) == 24  # 12 salaries + 12 claw-backs


def test_rent_paid_to_unrelated_landlords_a_week_later_is_not_clawback(tmp_path):
    rows = _payroll() + [
        txn(m * 30 + 27, 7000, w, account(150 + i), "transfer", "Husleie")
        for m in range(3)
        for i, w in enumerate(WORKERS)
    ]
    data = build(tmp_path, rows, holders=_holders(), **REGISTRY)
    assert detect_clawback(data, CONFIG["wage_clawback"]) == []


def test_several_wages_into_one_account(tmp_path):
    rows = [txn(m * 30 + 20, 11000, EMPLOYER, MANAGER, "salary", f"Lønn {n}") for m in range(2) for n in NAMES[:3]]
    data = build(tmp_path, rows, holders=_holders())
    (finding,) = detect_shared_wage_account(data, CONFIG["shared_wage_account"])
    assert finding.subjects[0].id == MANAGER and finding.subjects[0].role == "controller"
    assert finding.metrics["max_salary_credits_in_month"] == 3 and finding.metrics["months"] == 2


def test_one_salary_a_month_is_not_a_shared_wage_account(tmp_path):
    data = build(tmp_path, _payroll(), holders=_holders())
    assert detect_shared_wage_account(data, CONFIG["shared_wage_account"]) == []


def test_payroll_far_below_registered_headcount(tmp_path):
    data = build(tmp_path, _payroll(wage=12000), holders=_holders(), **REGISTRY)
    (finding,) = detect_payroll_gap(data, CONFIG["payroll_gap"])
    assert finding.subjects[0].id == org_id(1) and finding.subjects[0].role == "front"
    assert finding.metrics["registered_employees"] == 10 and finding.metrics["labour_intensive"] is True
    assert "NOK 4 800 per registered employee" in finding.summary
    assert finding.evidence_records == [{"table": "companies", "key": {"party_id": org_id(1)}}]
    # the person running the company is named beside it, so the ranking reaches whoever directs it
    manager = [x for x in finding.subjects if x.kind == "party" and x.id == person_id("Kjell Sjef", "1970-03-03")]
    assert [x.role for x in manager] == ["controller"]


def test_ordinary_payroll_with_withholding_tax_is_not_flagged(tmp_path):
    rows = _payroll(wage=42000) + [
        txn(m * 30 + 25, 60000, EMPLOYER, account(190), "transfer", "Skattetrekk") for m in range(3)
    ]
    registry = {"companies": [company(1, "Byggmester Test AS", "43.120", 4)], "roles": REGISTRY["roles"]}
    data = build(tmp_path, rows, holders=_holders(), **registry)
    assert detect_payroll_gap(data, CONFIG["payroll_gap"]) == []


def test_fixed_monthly_repayments_from_several_workers(tmp_path):
    data = build(tmp_path, _kickbacks(MANAGER, 2000, 3), holders=_holders())
    (finding,) = detect_debt_repayments(data, CONFIG["debt_repayments"])
    assert finding.subjects[0].id == MANAGER and finding.metrics["payers"] == 4
    assert finding.metrics["max_months"] == 3


def test_subscriptions_to_a_company_are_not_debts(tmp_path):
    phone = account(160)
    rows = [txn(m * 30 + 3, 399, w, phone, "transfer", "Mobilabonnement") for m in range(3) for w in WORKERS]
    holders = [*_holders(), company_holder(phone, "Telefon Test AS", 2)]
    data = build(tmp_path, rows, holders=holders)
    assert detect_debt_repayments(data, CONFIG["debt_repayments"]) == []


def _resident(i: int, street: str) -> dict:
    return {"name": f"Arbeider{i} Nummer{i}", "birth_date": f"198{i % 10}-05-05", "nationality": "RO", "street": street,
            "postcode": "0150", "city": "Oslo", "country": "NO", "address_from": "2025-01-01"}  # fmt: skip


def test_many_workers_registered_at_one_address(tmp_path):
    data = build(tmp_path, persons=[_resident(i, "Brakkeveien 3") for i in range(6)])
    (finding,) = detect_crowded_address(data, CONFIG["crowded_address"])
    assert finding.metrics["persons"] == 6
    assert sum(s.role == "possible_victim" for s in finding.subjects) == 6


def test_a_family_of_four_is_not_crowded(tmp_path):
    data = build(tmp_path, persons=[_resident(i, "Brakkeveien 3") for i in range(4)])
    assert detect_crowded_address(data, CONFIG["crowded_address"]) == []
