"""wage_clawback and payroll_gap, built by hand.

Scores (docs/detectors.md, "Scores"): clawback ``min(1, 0.45 + 0.1 × workers + 0.2 × share paid back +
0.1 in the employer's circle)``; payroll_gap the strongest reason — (a) 0.6, (b) ``0.55 + 0.3 × (1 −
payroll per employee ÷ NOK 15 000)`` — × 1.3 in labour-intensive industries, + 0.1 without
withholding tax.
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, company, company_holder, orgnr, person_holder, txn

from finflow.detect.labour import detect_clawback, detect_payroll_gap

CLAW, GAP = CONFIG["wage_clawback"], CONFIG["payroll_gap"]
EMPLOYER, MANAGER, STRANGER, TAX = account(580), account(581), account(582), account(583)
WORKERS = [account(584 + i) for i in range(4)]
NAMES = ["Ion Popa", "Vasile Rusu", "Mihai Dinu", "Petru Lazar"]


def _holders() -> list[dict]:
    rows = [company_holder(EMPLOYER, "Byggmester Test AS", 58), person_holder(MANAGER, "Kjell Sjef", "1970-03-03"),
            person_holder(STRANGER, "Sven Fremmed", "1966-03-03"), company_holder(TAX, "Skatteetaten", 59)]  # fmt: skip
    return rows + [person_holder(w, n, f"199{i}-04-04") for i, (w, n) in enumerate(zip(WORKERS, NAMES, strict=True))]


def _registry(industry: str = "43.120", employees: int = 10) -> dict:
    return {"companies": [company(58, "Byggmester Test AS", industry, employees)],
            "roles": {orgnr(58): [("DAGL", "Kjell Sjef", "1970-03-03")]}}  # fmt: skip


def _claw(back: float = 6000, workers: int = 3, months: int = 2, at: str = "10:00", delay: int = 2,
          dest: str = MANAGER) -> list[dict]:  # fmt: skip
    rows = []
    for m in range(months):
        for w in WORKERS[:workers]:
            rows.append(txn(30 * m + 20, 12000, EMPLOYER, w, "salary", "Lønn", time="10:00"))
            rows.append(txn(30 * m + 20 + delay, back, w, dest, "transfer", "Bolig", time=at))
    return rows


def _claw_score(workers: int, share: float, circle: bool) -> float:
    return min(1.0, 0.45 + 0.1 * workers + 0.2 * share + (0.1 if circle else 0.0))


def test_half_the_wage_back_to_the_manager_after_48_hours_at_the_edge(tmp_path):
    (finding,) = detect_clawback(build(tmp_path, _claw(), holders=_holders(), **_registry()), CLAW)
    roles = {s.id: s.role for s in finding.subjects}
    assert roles[MANAGER] == "controller" and all(roles[w] == "possible_victim" for w in WORKERS[:3])
    assert finding.metrics["workers"] == 3 and finding.metrics["to_employer_circle"] is True
    assert finding.score == pytest.approx(_claw_score(3, 0.5, True))


def test_one_ore_under_half_is_one_step_below(tmp_path):
    assert detect_clawback(build(tmp_path, _claw(back=5999.99), holders=_holders(), **_registry()), CLAW) == []


def test_a_minute_after_48_hours_is_one_step_past(tmp_path):
    assert detect_clawback(build(tmp_path, _claw(at="10:01"), holders=_holders(), **_registry()), CLAW) == []


def test_one_month_is_one_step_below_min_months(tmp_path):
    assert detect_clawback(build(tmp_path, _claw(months=1), holders=_holders(), **_registry()), CLAW) == []


def test_three_workers_paying_a_stranger_are_a_common_account(tmp_path):
    data = build(tmp_path, _claw(dest=STRANGER, delay=1), holders=_holders(), **_registry())
    (finding,) = detect_clawback(data, CLAW)
    assert finding.metrics["to_employer_circle"] is False
    assert finding.score == pytest.approx(_claw_score(3, 0.5, False))


def test_two_workers_paying_a_stranger_are_one_step_below(tmp_path):
    data = build(tmp_path, _claw(dest=STRANGER, delay=1, workers=2), holders=_holders(), **_registry())
    assert detect_clawback(data, CLAW) == []


# -- payroll_gap -------------------------------------------------------------------------------


def _payroll(persons: int, wage: float = 20000, tax: bool = False, months: int = 2) -> list[dict]:
    rows = [txn(30 * m + 25, wage, EMPLOYER, w, "salary", "Lønn") for m in range(months) for w in WORKERS[:persons]]
    if tax:
        rows += [txn(30 * m + 28, 0.3 * wage * persons, EMPLOYER, TAX, "transfer", "Forskuddstrekk")
                 for m in range(months)]  # fmt: skip
    return rows


def _gap_score(strength: float, labour: bool, no_tax: bool) -> float:
    return min(1.0, strength * (GAP["labour_intensive_multiplier"] if labour else 1.0)
               + (GAP["no_tax_boost"] if no_tax else 0.0))  # fmt: skip


def test_three_paid_against_one_registered_without_tax_at_the_edge(tmp_path):
    data = build(tmp_path, _payroll(3), holders=_holders(), **_registry(employees=1))
    (finding,) = detect_payroll_gap(data, GAP)
    assert finding.subjects[0].role == "front" and "paid 3 persons in one month" in finding.summary
    assert finding.score == pytest.approx(_gap_score(0.6, labour=True, no_tax=True))


def test_two_paid_is_one_step_below(tmp_path):
    assert detect_payroll_gap(build(tmp_path, _payroll(2), holders=_holders(), **_registry(employees=1)), GAP) == []


def test_twice_the_registered_is_the_limit(tmp_path):
    # two registered employees: four paid persons are needed, three are one step below
    assert detect_payroll_gap(build(tmp_path, _payroll(3), holders=_holders(), **_registry(employees=2)), GAP) == []


def test_withholding_tax_paid_means_an_ordinary_payroll(tmp_path):
    data = build(tmp_path, _payroll(3, tax=True), holders=_holders(), **_registry(employees=1))
    assert detect_payroll_gap(data, GAP) == []


def test_outside_labour_intensive_industries_no_multiplier(tmp_path):
    data = build(tmp_path, _payroll(3), holders=_holders(), **_registry(industry="62.010", employees=1))
    (finding,) = detect_payroll_gap(data, GAP)
    assert finding.score == pytest.approx(_gap_score(0.6, labour=False, no_tax=True))


def test_payroll_per_registered_employee_below_nok_15000(tmp_path):
    # three registered, three paid NOK 10 000 a month with tax withheld: (b) alone
    data = build(tmp_path, _payroll(3, wage=10000, tax=True), holders=_holders(), **_registry("62.010", employees=3))
    (finding,) = detect_payroll_gap(data, GAP)
    assert finding.score == pytest.approx(_gap_score(0.55 + 0.3 * (1 - 10000 / 15000), labour=False, no_tax=False))


def test_nok_15000_per_registered_employee_is_not_below(tmp_path):
    data = build(tmp_path, _payroll(3, wage=15000, tax=True), holders=_holders(), **_registry("62.010", employees=3))
    assert detect_payroll_gap(data, GAP) == []
