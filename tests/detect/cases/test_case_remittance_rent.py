"""corridor_outflows, mto_structuring and rent_several_premises, built by hand.

Scores (docs/detectors.md, "Scores"): corridor ``min(1, country weight × (0.3 + 0.05 × months + 0.02
× transfers) + 0.3 × share sent within 72 h after a cash deposit)``; mto ``min(1, 0.4 + 0.1 ×
(transfers in the window − 3 + 1))``; several premises ``min(1, 0.35 + 0.12 × (premises − 1) + 0.05 ×
overlap months + 0.15 for a private person)``.
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, company_holder, person_holder, txn

from finflow.detect.remittance import detect_corridor_outflows, detect_mto_structuring
from finflow.detect.rent import detect_rent_several

REMIT, RENT = CONFIG["remittance"], CONFIG["rent"]
SENDER, OTHER, EMPLOYER = account(540), account(541), account(542)
RO_IBAN = "RO49AAAA1B31007593840000"
PL_IBAN = "PL61109010140000071219812874"  # Poland: neither an origin corridor nor FATF-listed
HOLDERS = [person_holder(SENDER, "Ion Popa", "1990-01-01"), person_holder(OTHER, "Dan Rusu", "1991-01-01"),
           company_holder(EMPLOYER, "Arbeidsgiver AS", 54)]  # fmt: skip


def _to(day: int, amount: float, iban: str = RO_IBAN, country: str = "RO", src: str = SENDER) -> dict:
    return txn(day, amount, src, iban, "remittance", "", time="12:00", to_country=country)


def _corridor_score(transfers: int, months: int, after_cash: float, weight: float = 1.0) -> float:
    return min(1.0, weight * (0.3 + 0.05 * months + 0.02 * transfers) + REMIT["cash_boost"] * after_cash)


def test_three_transfers_in_a_month_at_the_edge(tmp_path):
    (finding,) = detect_corridor_outflows(build(tmp_path, [_to(d, 2000) for d in (2, 9, 16)], holders=HOLDERS), REMIT)
    assert finding.subjects[0].role == "unknown"  # no cash before: not called a controller
    assert finding.metrics == {"transfers": 3, "months": 1, "countries": ["RO"], "after_cash_share": 0.0}
    assert finding.score == pytest.approx(_corridor_score(3, 1, 0.0))


def test_two_small_transfers_in_a_month_are_one_step_below(tmp_path):
    rows = [txn(1, 30000, EMPLOYER, SENDER, "salary", "Lønn")] + [_to(d, 2000) for d in (2, 9)]
    assert detect_corridor_outflows(build(tmp_path, rows, holders=HOLDERS), REMIT) == []


def test_two_transfers_of_30_percent_of_the_months_credits_at_the_edge(tmp_path):
    rows = [txn(1, 20000, EMPLOYER, SENDER, "salary", "Lønn")] + [_to(d, 3000) for d in (2, 9)]
    (finding,) = detect_corridor_outflows(build(tmp_path, rows, holders=HOLDERS), REMIT)
    assert finding.metrics["transfers"] == 2 and finding.score == pytest.approx(_corridor_score(2, 1, 0.0))


def test_just_under_30_percent_is_one_step_below(tmp_path):
    rows = [txn(1, 20000, EMPLOYER, SENDER, "salary", "Lønn"), _to(2, 3000), _to(9, 2999.99)]
    assert detect_corridor_outflows(build(tmp_path, rows, holders=HOLDERS), REMIT) == []


def test_one_monthly_family_remittance_of_most_of_the_income_is_not_flagged(tmp_path):
    rows = [txn(1, 20000, EMPLOYER, SENDER, "salary", "Lønn"), _to(2, 15000)]  # one transfer
    assert detect_corridor_outflows(build(tmp_path, rows, holders=HOLDERS), REMIT) == []


def test_cash_72_hours_before_makes_a_controller_and_boosts(tmp_path):
    rows = []
    for d in (2, 9, 16):
        rows += [txn(d, 3000, None, SENDER, "cash_deposit", "Innskudd", time="12:00"), _to(d + 3, 2000)]
    (finding,) = detect_corridor_outflows(build(tmp_path, rows, holders=HOLDERS), REMIT)
    assert finding.subjects[0].role == "controller" and finding.metrics["after_cash_share"] == 1.0
    assert finding.score == pytest.approx(_corridor_score(3, 1, 1.0))


def test_cash_a_minute_more_than_72_hours_before_does_not(tmp_path):
    rows = []
    for d in (2, 9, 16):
        rows += [txn(d, 3000, None, SENDER, "cash_deposit", "Innskudd", time="11:59"), _to(d + 3, 2000)]
    (finding,) = detect_corridor_outflows(build(tmp_path, rows, holders=HOLDERS), REMIT)
    assert finding.metrics["after_cash_share"] == 0.0 and finding.subjects[0].role == "unknown"


def test_transfers_to_a_country_on_no_list_are_not_corridor_outflows(tmp_path):
    rows = [_to(d, 2000, PL_IBAN, "PL") for d in (2, 9, 16)]
    assert detect_corridor_outflows(build(tmp_path, rows, holders=HOLDERS), REMIT) == []


# -- mto_structuring ---------------------------------------------------------------------------


def _mto_score(n: int) -> float:
    return min(1.0, 0.4 + 0.1 * (n - REMIT["min_transfers"] + 1))


def test_three_transfers_at_the_band_floor_within_seven_days(tmp_path):
    rows = [_to(d, 6400) for d in (1, 4, 7)]  # days 1 and 7: less than seven days apart
    findings = detect_mto_structuring(build(tmp_path, rows, holders=HOLDERS), REMIT)
    assert {f.metrics["side"] for f in findings} == {"sender", "beneficiary"}
    assert all(f.score == pytest.approx(_mto_score(3)) for f in findings)


def test_one_ore_under_the_band_is_one_step_below(tmp_path):
    rows = [_to(1, 6400), _to(4, 6399.99), _to(7, 6400)]
    assert detect_mto_structuring(build(tmp_path, rows, holders=HOLDERS), REMIT) == []


def test_nok_8000_itself_is_not_below_the_limit(tmp_path):
    rows = [_to(1, 7999.99), _to(4, 8000), _to(7, 7999.99)]
    assert detect_mto_structuring(build(tmp_path, rows, holders=HOLDERS), REMIT) == []


def test_three_transfers_seven_days_apart_are_one_step_past_the_window(tmp_path):
    rows = [_to(d, 7500) for d in (1, 4, 8)]
    assert detect_mto_structuring(build(tmp_path, rows, holders=HOLDERS), REMIT) == []


def test_five_transfers_from_two_senders_to_one_beneficiary(tmp_path):
    rows = [_to(1, 7500), _to(2, 7600, src=OTHER), _to(3, 7700), _to(4, 7800, src=OTHER), _to(5, 7900)]
    findings = detect_mto_structuring(build(tmp_path, rows, holders=HOLDERS), REMIT)
    by_side = {(f.metrics["side"], f.subjects[0].id): f for f in findings}
    assert by_side[("beneficiary", RO_IBAN)].score == pytest.approx(_mto_score(5))
    assert by_side[("beneficiary", RO_IBAN)].subjects[0].role == "controller"
    assert by_side[("sender", SENDER)].score == pytest.approx(_mto_score(3))
    assert ("sender", OTHER) not in by_side  # two transfers only


# -- rent_several_premises ---------------------------------------------------------------------

L1, L2, L3 = account(545), account(546), account(547)
RENT_HOLDERS = [*HOLDERS, person_holder(L1, "Lars Utleier", "1960-04-04"),
                person_holder(L2, "Lise Eier", "1962-04-04"), person_holder(L3, "Leif Berg", "1955-01-01")]  # fmt: skip


def _rent(landlord: str, amount: float, months: range, payer: str = SENDER, text: str = "Husleie") -> list[dict]:
    return [txn(m * 30 + 1, amount, payer, landlord, "transfer", text) for m in months]


def _rent_score(premises: int, months: int, private: bool = True) -> float:
    return min(1.0, 0.35 + 0.12 * (premises - 1) + 0.05 * months + (0.15 if private else 0.0))


def test_two_flats_in_two_months_at_the_edge(tmp_path):
    rows = _rent(L1, 9000, range(2)) + _rent(L2, 8000, range(2))
    (finding,) = detect_rent_several(build(tmp_path, rows, holders=RENT_HOLDERS), RENT)
    assert finding.metrics == {"premises": 2, "landlords": 2, "overlap_months": 2}
    assert finding.score == pytest.approx(_rent_score(2, 2))


def test_two_flats_overlapping_in_one_month_are_a_move(tmp_path):
    rows = _rent(L1, 9000, range(0, 2)) + _rent(L2, 8000, range(1, 3))
    assert detect_rent_several(build(tmp_path, rows, holders=RENT_HOLDERS), RENT) == []


def test_rent_of_nok_3000_counts(tmp_path):
    rows = _rent(L1, 9000, range(2)) + _rent(L2, 3000, range(2))
    (finding,) = detect_rent_several(build(tmp_path, rows, holders=RENT_HOLDERS), RENT)
    assert finding.metrics["premises"] == 2


def test_rent_one_ore_under_nok_3000_is_not_a_dwelling(tmp_path):
    rows = _rent(L1, 9000, range(2)) + _rent(L2, 2999.99, range(2))
    assert detect_rent_several(build(tmp_path, rows, holders=RENT_HOLDERS), RENT) == []


def test_three_flats_for_four_months_score_higher(tmp_path):
    rows = _rent(L1, 9000, range(4)) + _rent(L2, 8000, range(4)) + _rent(L3, 7000, range(4))
    (finding,) = detect_rent_several(build(tmp_path, rows, holders=RENT_HOLDERS), RENT)
    assert finding.score == pytest.approx(_rent_score(3, 4))


def test_a_company_paying_two_offices_scores_lower(tmp_path):
    rows = _rent(L1, 9000, range(2), payer=EMPLOYER) + _rent(L2, 8000, range(2), payer=EMPLOYER)
    (finding,) = detect_rent_several(build(tmp_path, rows, holders=RENT_HOLDERS), RENT)
    assert finding.score == pytest.approx(_rent_score(2, 2, private=False))


def test_payments_without_a_rent_word_or_lease_are_not_rent(tmp_path):
    rows = _rent(L1, 9000, range(2), text="Lån") + _rent(L2, 8000, range(2), text="Lån")
    assert detect_rent_several(build(tmp_path, rows, holders=RENT_HOLDERS), RENT) == []
