"""shared_wage_account, built by hand: several workers' wages paid into one account.

Score (docs/detectors.md, "Scores"): ``min(1, 0.5 + 0.1 × months + 0.05 × (most salaries in a month − 3))``.
Thresholds (``shared_wage_account``): ``min_salary_credits`` 3 in one calendar month, from ≥ 2
payers or with ≥ 2 from one payer on one day (a batch).
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, company_holder, person_holder, txn

from finflow.detect.labour import detect_shared_wage_account

PARAMS = CONFIG["shared_wage_account"]
BOSS, FIRM_A, FIRM_B = account(450), account(451), account(452)
HOLDERS = [
    person_holder(BOSS, "Kjell Sjef", "1970-03-03"),
    company_holder(FIRM_A, "Bygg A AS", 45),
    company_holder(FIRM_B, "Renhold B AS", 46),
]


def _wage(day: int, payer: str, text: str = "Lønn", channel: str = "salary") -> dict:
    return txn(day, 11000, payer, BOSS, channel, text)


def _score(months: int, most: int) -> float:
    return min(1.0, 0.5 + 0.1 * months + 0.05 * (most - PARAMS["min_salary_credits"]))


def test_three_wages_from_two_employers_in_a_month_at_the_edge(tmp_path):
    rows = [_wage(10, FIRM_A), _wage(12, FIRM_A), _wage(15, FIRM_B)]
    (finding,) = detect_shared_wage_account(build(tmp_path, rows, holders=HOLDERS), PARAMS)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (BOSS, "controller")
    assert {s.id for s in finding.subjects[1:]} == {FIRM_A, FIRM_B}
    assert finding.metrics == {"months": 1, "max_salary_credits_in_month": 3, "payers": 2}
    assert finding.score == pytest.approx(_score(1, 3))


def test_two_wages_from_two_employers_is_one_step_below(tmp_path):
    # two part-time jobs
    rows = [_wage(10, FIRM_A), _wage(15, FIRM_B)]
    assert detect_shared_wage_account(build(tmp_path, rows, holders=HOLDERS), PARAMS) == []


def test_three_wages_from_one_employer_on_different_days_is_no_batch(tmp_path):
    # salary, then an overtime payment, then holiday pay
    rows = [_wage(10, FIRM_A), _wage(12, FIRM_A), _wage(15, FIRM_A)]
    assert detect_shared_wage_account(build(tmp_path, rows, holders=HOLDERS), PARAMS) == []


def test_two_of_three_from_one_employer_on_one_day_is_a_batch(tmp_path):
    rows = [_wage(10, FIRM_A), _wage(10, FIRM_A), _wage(15, FIRM_A)]
    (finding,) = detect_shared_wage_account(build(tmp_path, rows, holders=HOLDERS), PARAMS)
    assert finding.metrics == {"months": 1, "max_salary_credits_in_month": 3, "payers": 1}
    assert finding.score == pytest.approx(_score(1, 3))


def test_three_wages_across_a_month_end_are_not_one_month(tmp_path):
    # day 24 is 29 Jan, day 28 is 2 Feb
    rows = [_wage(22, FIRM_A), _wage(24, FIRM_B), _wage(28, FIRM_B)]
    assert detect_shared_wage_account(build(tmp_path, rows, holders=HOLDERS), PARAMS) == []


def test_score_with_two_months_and_five_wages(tmp_path):
    rows = [_wage(10 + i, FIRM_A if i % 2 else FIRM_B) for i in range(5)]
    rows += [_wage(40 + i, FIRM_A if i % 2 else FIRM_B) for i in range(3)]
    (finding,) = detect_shared_wage_account(build(tmp_path, rows, holders=HOLDERS), PARAMS)
    assert finding.metrics == {"months": 2, "max_salary_credits_in_month": 5, "payers": 2}
    assert finding.score == pytest.approx(_score(2, 5))


def test_transfers_without_a_wage_word_or_salary_channel_are_not_wages(tmp_path):
    rows = [_wage(10, FIRM_A, "Faktura", "transfer"), _wage(12, FIRM_A, "Faktura", "transfer"),
            _wage(15, FIRM_B, "Faktura", "transfer")]  # fmt: skip
    assert detect_shared_wage_account(build(tmp_path, rows, holders=HOLDERS), PARAMS) == []


def test_a_wage_word_alone_makes_a_salary_credit(tmp_path):
    rows = [_wage(10, FIRM_A, "Lønn jan", "transfer"), _wage(12, FIRM_A, "Lonn", "transfer"),
            _wage(15, FIRM_B, "Salary", "transfer")]  # fmt: skip
    (finding,) = detect_shared_wage_account(build(tmp_path, rows, holders=HOLDERS), PARAMS)
    assert finding.metrics["max_salary_credits_in_month"] == 3
