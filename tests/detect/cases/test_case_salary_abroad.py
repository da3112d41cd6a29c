"""salary_abroad, built by hand: most of each salary sent abroad within days of payday.

Score (docs/detectors.md, "Scores"): ``min(1, 0.3 + 0.05 × months + 0.2 × min(1, share))``, share =
money sent abroad within the window over the salaries it followed.
Thresholds (``remittance``): ``within_hours`` 72, ``min_share`` 0.7, ``min_months`` 2.
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, company_holder, person_holder, txn

from finflow.detect.remittance import detect_salary_abroad

PARAMS = CONFIG["remittance"]
WORKER, EMPLOYER = account(440), account(441)
RO_IBAN = "RO49AAAA1B31007593840000"
HOLDERS = [person_holder(WORKER, "Ion Popa", "1990-01-01"), company_holder(EMPLOYER, "Arbeidsgiver AS", 44)]
SALARY = 20000


def _case(tmp_path, sent: float = 14000, months: int = 2, *, delay_days: int = 1, at: str = "10:00",
          channel: str = "salary", text: str = "Lønn", country: str = "RO"):  # fmt: skip
    rows = []
    for m in range(months):
        rows.append(txn(30 * m + 20, SALARY, EMPLOYER, WORKER, channel, text, time="10:00"))
        to = RO_IBAN if country == "RO" else account(442)
        rows.append(txn(30 * m + 20 + delay_days, sent, WORKER, to, "remittance", "", time=at, to_country=country))
    return build(tmp_path, rows, holders=HOLDERS)


def _score(months: int, share: float) -> float:
    return min(1.0, 0.3 + 0.05 * months + 0.2 * min(1.0, share))


def test_seventy_percent_in_two_months_at_the_edge(tmp_path):
    (finding,) = detect_salary_abroad(_case(tmp_path), PARAMS)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (WORKER, "possible_victim")
    assert finding.metrics == {"months": 2, "share": 0.7}
    assert finding.score == pytest.approx(_score(2, 0.7))
    assert len(finding.evidence_txn_ids) == 4


def test_one_ore_under_seventy_percent_is_one_step_below(tmp_path):
    assert detect_salary_abroad(_case(tmp_path, sent=13999.99), PARAMS) == []


def test_one_month_is_one_step_below_min_months(tmp_path):
    assert detect_salary_abroad(_case(tmp_path, months=1), PARAMS) == []


def test_sent_exactly_72_hours_after_payday_counts(tmp_path):
    (finding,) = detect_salary_abroad(_case(tmp_path, delay_days=3, at="10:00"), PARAMS)
    assert finding.metrics["months"] == 2


def test_sent_a_minute_after_72_hours_does_not(tmp_path):
    assert detect_salary_abroad(_case(tmp_path, delay_days=3, at="10:01"), PARAMS) == []


def test_score_with_more_months_and_the_whole_salary(tmp_path):
    (finding,) = detect_salary_abroad(_case(tmp_path, sent=SALARY, months=4), PARAMS)
    assert finding.metrics == {"months": 4, "share": 1.0}
    assert finding.score == pytest.approx(_score(4, 1.0))


def test_salary_moved_to_a_domestic_savings_account_is_not_abroad(tmp_path):
    assert detect_salary_abroad(_case(tmp_path, country="NO"), PARAMS) == []


def test_a_transfer_that_is_not_a_salary_is_not_counted(tmp_path):
    assert detect_salary_abroad(_case(tmp_path, channel="transfer", text="Tilbakebetaling"), PARAMS) == []


def test_a_wage_word_in_the_text_makes_a_salary(tmp_path):
    (finding,) = detect_salary_abroad(_case(tmp_path, channel="transfer", text="Lønn mars"), PARAMS)
    assert finding.metrics["months"] == 2
