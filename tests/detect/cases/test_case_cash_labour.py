"""cash_fed, begging, debt_repayments and crowded_address, built by hand.

Scores (docs/detectors.md, "Scores"): cash_fed ``0.35 + 0.05 × months + 0.2 × cash share`` (with
structured deposits ``max(that, 0.5) + 0.2``); begging ``0.45 + 0.1 × depositors``; debt
``0.4 + 0.1 × payers + 0.05 × most months``; crowded ``0.3 + 0.05 × (persons − 5) + 0.1``; all capped at 1.
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, company_holder, person_holder, txn

from finflow.detect.cash import detect_begging, detect_cash_fed
from finflow.detect.labour import detect_crowded_address, detect_debt_repayments

CASH, BEG, DEBT, CROWD = CONFIG["cash"], CONFIG["begging"], CONFIG["debt_repayments"], CONFIG["crowded_address"]
ACC, ORG, FIRM = account(550), account(551), account(552)
MEMBERS = [account(553), account(554), account(555)]
MEMBER_NAMES = ["Ana Lupu", "Dan Rusu", "Elena Dima"]
HOLDERS = [
    person_holder(ACC, "Ion Popa", "1990-01-01"),
    person_holder(ORG, "Boss Mann", "1980-05-05"),
    company_holder(FIRM, "Arbeidsgiver AS", 55),
    *(person_holder(m, n, f"199{i}-03-03") for i, (m, n) in enumerate(zip(MEMBERS, MEMBER_NAMES, strict=True))),
]


def _deposits(n: int, amount: float, acc: str = ACC, start: int = 1, step: int = 2) -> list[dict]:
    return [txn(start + step * i, amount, None, acc, "cash_deposit", "Innskudd", time="12:00") for i in range(n)]


def _fed_score(months: int, share: float, structured: bool = False) -> float:
    score = 0.35 + 0.05 * months + 0.2 * share
    return min(1.0, max(score, 0.5) + 0.2 if structured else score)


def test_five_cash_deposits_making_70_percent_at_the_edge(tmp_path):
    rows = [*_deposits(5, 1400), txn(3, 3000, ORG, ACC, "transfer", "Lån")]  # 7 000 of 10 000
    (finding,) = detect_cash_fed(build(tmp_path, rows, holders=HOLDERS), CASH)
    assert finding.subjects[0].id == ACC and finding.metrics == {"cash_months": 1, "structured": False}
    assert finding.score == pytest.approx(_fed_score(1, 0.7))


def test_four_deposits_are_one_step_below(tmp_path):
    rows = [*_deposits(4, 1750), txn(3, 3000, ORG, ACC, "transfer", "Lån")]
    assert detect_cash_fed(build(tmp_path, rows, holders=HOLDERS), CASH) == []


def test_cash_just_under_70_percent_is_one_step_below(tmp_path):
    rows = [*_deposits(5, 1400), txn(3, 3000.01, ORG, ACC, "transfer", "Lån")]
    assert detect_cash_fed(build(tmp_path, rows, holders=HOLDERS), CASH) == []


def test_a_salary_in_the_month_explains_the_cash(tmp_path):
    rows = [*_deposits(8, 5000), txn(3, 3000, FIRM, ACC, "salary", "Lønn")]
    assert detect_cash_fed(build(tmp_path, rows, holders=HOLDERS), CASH) == []


def test_three_deposits_just_under_nok_8000_in_a_week(tmp_path):
    # 0.8 x NOK 8 000 = NOK 6 400 is the band's floor; days 1, 3, 7 lie within seven days
    rows = [
        txn(d, a, None, ACC, "cash_deposit", "Innskudd", time="12:00") for d, a in ((1, 6400), (3, 7999), (7, 7000))
    ]
    rows += [txn(2, 50000, FIRM, ACC, "salary", "Lønn")]
    (finding,) = detect_cash_fed(build(tmp_path, rows, holders=HOLDERS), CASH)
    assert finding.metrics == {"cash_months": 0, "structured": True}
    assert finding.score == pytest.approx(_fed_score(0, 0.0, structured=True))


def test_deposits_spread_over_eight_days_are_not_structuring(tmp_path):
    rows = [txn(d, 7500, None, ACC, "cash_deposit", "Innskudd", time="12:00") for d in (1, 4, 8)]
    rows += [txn(2, 50000, FIRM, ACC, "salary", "Lønn")]
    assert detect_cash_fed(build(tmp_path, rows, holders=HOLDERS), CASH) == []


# -- begging -------------------------------------------------------------------------------------


def _beg(members: int = 2, n: int = 8, amount: float = 300, passed: float = 0.5) -> list[dict]:
    rows = []
    for m in MEMBERS[:members]:
        rows += _deposits(n, amount, m, step=3)
        rows.append(txn(28, n * amount * passed, m, ORG, "p2p", ""))
    return rows


def _beg_score(members: int) -> float:
    return min(1.0, 0.45 + 0.1 * members)


def test_two_members_with_eight_small_deposits_passing_half_at_the_edge(tmp_path):
    (finding,) = detect_begging(build(tmp_path, _beg(), holders=HOLDERS), BEG)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (ORG, "controller")
    assert {(s.id, s.role) for s in finding.subjects[1:]} == {(m, "possible_victim") for m in MEMBERS[:2]}
    assert finding.score == pytest.approx(_beg_score(2))


def test_one_member_is_one_step_below(tmp_path):
    assert detect_begging(build(tmp_path, _beg(members=1), holders=HOLDERS), BEG) == []


def test_seven_deposits_are_one_step_below(tmp_path):
    assert detect_begging(build(tmp_path, _beg(n=7), holders=HOLDERS), BEG) == []


def test_a_median_of_nok_1000_is_at_the_edge(tmp_path):
    (finding,) = detect_begging(build(tmp_path, _beg(amount=1000), holders=HOLDERS), BEG)
    assert finding.score == pytest.approx(_beg_score(2))


def test_one_ore_over_nok_1000_is_one_step_past(tmp_path):
    assert detect_begging(build(tmp_path, _beg(amount=1000.01), holders=HOLDERS), BEG) == []


def test_passing_under_half_is_one_step_below(tmp_path):
    assert detect_begging(build(tmp_path, _beg(passed=0.49), holders=HOLDERS), BEG) == []


def test_three_members_score_higher(tmp_path):
    (finding,) = detect_begging(build(tmp_path, _beg(members=3), holders=HOLDERS), BEG)
    assert finding.score == pytest.approx(_beg_score(3))


# -- debt_repayments ---------------------------------------------------------------------------


def _debts(payers: int = 3, months: int = 3, text: str = "Avdrag", amount: float = 2500) -> list[dict]:
    return [txn(30 * m + 10 + i, amount, MEMBERS[i] if i < 3 else ACC, ORG, "transfer", text)
            for m in range(months) for i in range(payers)]  # fmt: skip


def _debt_score(payers: int, months: int) -> float:
    return min(1.0, 0.4 + 0.1 * payers + 0.05 * months)


def test_three_payers_for_three_months_at_the_edge(tmp_path):
    (finding,) = detect_debt_repayments(build(tmp_path, _debts(), holders=HOLDERS), DEBT)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (ORG, "controller")
    assert finding.metrics["payers"] == 3 and finding.metrics["max_months"] == 3
    assert finding.score == pytest.approx(_debt_score(3, 3))


def test_two_payers_are_one_step_below(tmp_path):
    assert detect_debt_repayments(build(tmp_path, _debts(payers=2), holders=HOLDERS), DEBT) == []


def test_two_months_are_one_step_below(tmp_path):
    assert detect_debt_repayments(build(tmp_path, _debts(months=2), holders=HOLDERS), DEBT) == []


def test_four_payers_for_five_months_score_higher(tmp_path):
    (finding,) = detect_debt_repayments(build(tmp_path, _debts(payers=4, months=5), holders=HOLDERS), DEBT)
    assert finding.score == pytest.approx(_debt_score(4, 5))


def test_a_shared_flats_rent_split_is_not_a_debt(tmp_path):
    assert detect_debt_repayments(build(tmp_path, _debts(text="Husleie"), holders=HOLDERS), DEBT) == []


def test_amounts_that_vary_are_not_fixed_repayments(tmp_path):
    rows = _debts()
    for k, row in enumerate(rows):
        row["amount"] = f"{2500 + 10 * k:.2f}"
    assert detect_debt_repayments(build(tmp_path, rows, holders=HOLDERS), DEBT) == []


# -- crowded_address ---------------------------------------------------------------------------


def _residents(n: int, street: str = "Hjemmeveien 2", address_to: str = "") -> list[dict]:
    return [{"name": f"Ion{i} Popa{i}", "birth_date": f"199{i % 10}-0{1 + i // 10}-01", "nationality": "RO",
             "street": street, "postcode": "0150", "city": "Oslo", "country": "NO", "address_from": "2025-01-01",
             "address_to": address_to} for i in range(n)]  # fmt: skip


def _crowd_score(n: int) -> float:
    return min(1.0, 0.3 + 0.05 * (n - CROWD["min_persons"]) + 0.1)


def test_five_residents_at_the_edge(tmp_path):
    (finding,) = detect_crowded_address(build(tmp_path, persons=_residents(5)), CROWD)
    assert finding.subjects[0].kind == "address" and len(finding.subjects) == 6
    assert all(s.role == "possible_victim" for s in finding.subjects[1:])
    assert finding.score == pytest.approx(_crowd_score(5))


def test_four_residents_are_one_step_below(tmp_path):
    assert detect_crowded_address(build(tmp_path, persons=_residents(4)), CROWD) == []


def test_residents_who_moved_out_do_not_count(tmp_path):
    people = _residents(4) + _residents(6)[4:5]
    people[-1] = dict(people[-1], address_to="2025-06-01")
    assert detect_crowded_address(build(tmp_path, persons=people), CROWD) == []


def test_twelve_residents_score_higher(tmp_path):
    (finding,) = detect_crowded_address(build(tmp_path, persons=_residents(12)), CROWD)
    assert finding.score == pytest.approx(_crowd_score(12))
