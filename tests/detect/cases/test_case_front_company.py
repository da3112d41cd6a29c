"""front_company, built by hand: a front-prone business whose takings do not look like trade.

Score (docs/detectors.md, "Scores"): ``min(1, 0.4 + 0.15 × signs met)``.
Thresholds (``companies``): ``min_signs`` 2 of: cash ≥ ``min_cash_share`` 0.7 of credits; ≥
``min_night_share`` 0.3 of ≥ ``min_timed`` 10 timed credits in ``night_hours`` [22:00, 06:00);
cash a month per registered employee ≥ ``max_cash_per_employee_minor`` NOK 100 000; role-holders
or a residential business address shared with other companies. Industry in ``front_sector_prefixes``.
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, company, company_holder, org_id, orgnr, txn

from finflow.detect.structures import detect_front_companies

PARAMS = CONFIG["companies"]
FIRM, CARD = account(480), account(481)
NAME = "Lotus Massasje AS"


def _credits(cash: list[float], card: list[float], times: list[str] | None = None) -> list[dict]:
    """Cash deposits, then card settlements, every other day in January, at ``times`` (default noon)."""
    amounts = [(a, "cash_deposit") for a in cash] + [(a, "card") for a in card]
    times = times or ["12:00"] * len(amounts)
    rows = []
    for i, ((amount, channel), at) in enumerate(zip(amounts, times, strict=True)):
        cash_in = channel == "cash_deposit"
        text = "Innskudd" if cash_in else "Bankterminal"
        rows.append(txn(1 + 2 * i, amount, None if cash_in else CARD, FIRM, channel, text, time=at))
    return rows


def _case(tmp_path, rows, *, employees: int | None = 50, industry: str = "96.040", roles=None, street="Industriveien 1",
          extra_companies=(), persons=()):  # fmt: skip
    companies = [company(48, NAME, industry, employees, street=street), *extra_companies]
    return build(tmp_path, rows, holders=[company_holder(FIRM, NAME, 48)], companies=companies, roles=roles,
                 persons=persons)  # fmt: skip


def _score(signs: int) -> float:
    return min(1.0, 0.4 + 0.15 * signs)


NIGHT = ["23:30"] * 10


def test_cash_seventy_percent_and_night_takings_at_the_edge(tmp_path):
    data = _case(tmp_path, _credits([10000] * 7, [10000] * 3, NIGHT))
    (finding,) = detect_front_companies(data, PARAMS)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (org_id(48), "front")
    assert finding.metrics["signs"] == 2
    assert "cash 70% of credits" in finding.summary and "100% of timed credits at night" in finding.summary
    assert finding.score == pytest.approx(_score(2))


def test_cash_just_under_seventy_percent_is_one_step_below(tmp_path):
    data = _case(tmp_path, _credits([11500] * 6, [7750] * 4, NIGHT))  # NOK 69 000 of NOK 100 000
    assert detect_front_companies(data, PARAMS) == []


def test_nine_timed_credits_are_one_step_below_min_timed(tmp_path):
    data = _case(tmp_path, _credits([10000] * 9, [], ["23:30"] * 9))
    assert detect_front_companies(data, PARAMS) == []  # cash share alone is one sign


def test_three_of_ten_at_night_at_the_edge(tmp_path):
    (finding,) = detect_front_companies(_case(tmp_path, _credits([10000] * 10, [], ["23:30"] * 3 + ["12:00"] * 7)),
                                        PARAMS)  # fmt: skip
    assert "30% of timed credits at night" in finding.summary and finding.score == pytest.approx(_score(2))


def test_two_of_ten_at_night_is_one_step_below(tmp_path):
    assert detect_front_companies(_case(tmp_path, _credits([10000] * 10, [], ["23:30"] * 2 + ["12:00"] * 8)),
                                  PARAMS) == []  # fmt: skip


def test_night_starts_at_22_and_ends_before_06(tmp_path):
    inside = ["22:00", "05:59", "22:00"] + ["12:00"] * 7
    (finding,) = detect_front_companies(_case(tmp_path, _credits([10000] * 10, [], inside)), PARAMS)
    assert "30% of timed credits at night" in finding.summary


def test_21_59_and_06_00_are_daytime(tmp_path):
    outside = ["21:59", "06:00", "22:00"] + ["12:00"] * 7
    assert detect_front_companies(_case(tmp_path, _credits([10000] * 10, [], outside)), PARAMS) == []


def test_cash_of_nok_100000_a_month_per_employee_at_the_edge(tmp_path):
    (finding,) = detect_front_companies(_case(tmp_path, _credits([10000] * 10, []), employees=1), PARAMS)
    assert "cash NOK 100 000 a month per registered employee" in finding.summary
    assert finding.score == pytest.approx(_score(2))


def test_one_ore_a_deposit_less_is_one_step_below(tmp_path):
    assert detect_front_companies(_case(tmp_path, _credits([9999.99] * 10, []), employees=1), PARAMS) == []


def test_a_second_employee_halves_the_cash_per_employee(tmp_path):
    assert detect_front_companies(_case(tmp_path, _credits([10000] * 10, []), employees=2), PARAMS) == []


def test_a_manager_of_another_company_is_a_sign(tmp_path):
    roles = {orgnr(48): [("DAGL", "Kjell Sjef", "1970-03-03")], orgnr(49): [("DAGL", "Kjell Sjef", "1970-03-03")]}
    other = company(49, "Annet Bygg AS", "43.120", 3)
    (finding,) = detect_front_companies(_case(tmp_path, _credits([10000] * 10, []), roles=roles,
                                              extra_companies=[other]), PARAMS)  # fmt: skip
    assert "shares role-holders or a residential address" in finding.summary
    assert finding.score == pytest.approx(_score(2))


def test_a_manager_of_this_company_only_is_no_sign(tmp_path):
    roles = {orgnr(48): [("DAGL", "Kjell Sjef", "1970-03-03")], orgnr(49): [("DAGL", "Kari Annen", "1972-03-03")]}
    other = company(49, "Annet Bygg AS", "43.120", 3)
    assert detect_front_companies(_case(tmp_path, _credits([10000] * 10, []), roles=roles,
                                        extra_companies=[other]), PARAMS) == []  # fmt: skip


def test_a_business_address_where_a_person_lives_is_a_sign(tmp_path):
    person = {"name": "Bo Beboer", "birth_date": "1980-01-01", "nationality": "NO", "street": "Hjemmeveien 2",
              "postcode": "0150", "city": "Oslo", "country": "NO", "address_from": "2020-01-01"}  # fmt: skip
    data = _case(tmp_path, _credits([10000] * 10, []), street="Hjemmeveien 2", persons=[person])
    (finding,) = detect_front_companies(data, PARAMS)
    assert finding.metrics["signs"] == 2


def test_all_four_signs(tmp_path):
    roles = {orgnr(48): [("DAGL", "Kjell Sjef", "1970-03-03")], orgnr(49): [("DAGL", "Kjell Sjef", "1970-03-03")]}
    data = _case(tmp_path, _credits([10000] * 10, [], NIGHT), employees=1, roles=roles,
                 extra_companies=[company(49, "Annet Bygg AS", "43.120", 3)])  # fmt: skip
    (finding,) = detect_front_companies(data, PARAMS)
    assert finding.metrics["signs"] == 4 and finding.score == pytest.approx(_score(4))


def test_the_same_takings_in_software_are_not_a_front(tmp_path):
    data = _case(tmp_path, _credits([10000] * 10, [], NIGHT), employees=1, industry="62.010")
    assert detect_front_companies(data, PARAMS) == []


def test_card_takings_at_night_with_staff_are_one_sign(tmp_path):
    # a bar: card takings late at night, 50 staff, no cash
    assert detect_front_companies(_case(tmp_path, _credits([], [10000] * 10, NIGHT), industry="56.301"), PARAMS) == []
