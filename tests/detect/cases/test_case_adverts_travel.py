"""advert_payments and lodging_travel, built by hand.

Scores (docs/detectors.md, "Scores"): adverts ``min(1, 0.45 + 0.03 × payments in the busiest window
+ 0.15 × share of the commonest amount + 0.02 × months)``; lodging/travel ``min(1, 0.25 + 0.05 ×
payments in the window + 0.05 × merchants in it)``. Windows: a payment and those less than
``window_days`` later (30 for adverts, 14 for lodging and travel).
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, person_holder, txn

from finflow.detect.adverts import detect_advert_payments, detect_lodging_travel

ADS, TRAVEL = CONFIG["advert_payments"], CONFIG["lodging_travel"]
PAYER = account(500)
SITE = "CY17002001280000001200527600"
HOLDERS = [person_holder(PAYER, "Boss Mann", "1980-05-05")]


def _ad(day: int, amount: float = 390, name: str = "RedVelvet Classifieds", country: str = "CY") -> dict:
    return txn(day, amount, PAYER, SITE, "card", f"Varekjøp {name}", to_name=name, to_country=country)


def _ad_score(in_window: int, repeat: float, months: int) -> float:
    return min(1.0, 0.45 + 0.03 * in_window + 0.15 * repeat + 0.02 * months)


def test_three_adverts_within_29_days_at_the_edge(tmp_path):
    (finding,) = detect_advert_payments(build(tmp_path, [_ad(1), _ad(15), _ad(30)], holders=HOLDERS), ADS)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (PAYER, "controller")
    assert finding.metrics == {"payments": 3, "max_in_window": 3, "repeat_share": 1.0}
    assert finding.score == pytest.approx(_ad_score(3, 1.0, 2))  # 6 Jan, 20 Jan, 4 Feb: two months


def test_three_adverts_spread_over_30_days_are_one_step_below(tmp_path):
    assert detect_advert_payments(build(tmp_path, [_ad(1), _ad(15), _ad(31)], holders=HOLDERS), ADS) == []


def test_two_adverts_are_one_step_below_min_payments(tmp_path):
    assert detect_advert_payments(build(tmp_path, [_ad(1), _ad(10)], holders=HOLDERS), ADS) == []


def test_varying_prices_lower_the_score(tmp_path):
    rows = [_ad(1, 390), _ad(5, 390), _ad(9, 790), _ad(13, 190)]
    (finding,) = detect_advert_payments(build(tmp_path, rows, holders=HOLDERS), ADS)
    assert finding.metrics["repeat_share"] == 0.5
    assert finding.score == pytest.approx(_ad_score(4, 0.5, 1))


def test_a_generic_advert_word_counts_only_abroad(tmp_path):
    rows = [_ad(d, name="Lavender Classifieds", country="NO") for d in (1, 5, 9)]
    for row in rows:
        row["to_account"] = account(501)
    assert detect_advert_payments(build(tmp_path, rows, holders=HOLDERS), ADS) == []


def test_an_escort_word_counts_at_home_too(tmp_path):
    rows = [_ad(d, name="Oslo Escort Guide", country="NO") for d in (1, 5, 9)]
    for row in rows:
        row["to_account"] = account(501)
    (finding,) = detect_advert_payments(build(tmp_path, rows, holders=HOLDERS), ADS)
    assert finding.metrics["max_in_window"] == 3


HOTEL_A, HOTEL_B, CARRIER = account(510), account(511), account(512)


def _stay(day: int, hotel: str, name: str) -> dict:
    return txn(day, 1290, PAYER, hotel, "card", f"Varekjøp {name}", to_name=name)


def _travel_score(count: int, merchants: int) -> float:
    return min(1.0, 0.25 + 0.05 * count + 0.05 * merchants)


def test_three_stays_at_two_hotels_within_13_days_at_the_edge(tmp_path):
    rows = [_stay(1, HOTEL_A, "Hotell Fjordgløtt"), _stay(7, HOTEL_B, "Bjørvika Bysuites"),
            _stay(14, HOTEL_A, "Hotell Fjordgløtt")]  # fmt: skip
    (finding,) = detect_lodging_travel(build(tmp_path, rows, holders=HOLDERS), TRAVEL)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (PAYER, "facilitator")
    assert finding.metrics == {"kind": "lodging", "max_in_window": 3, "merchants_in_window": 2}
    assert finding.score == pytest.approx(_travel_score(3, 2))


def test_three_stays_over_14_days_are_one_step_below(tmp_path):
    rows = [_stay(1, HOTEL_A, "Hotell Fjordgløtt"), _stay(7, HOTEL_B, "Bjørvika Bysuites"),
            _stay(15, HOTEL_A, "Hotell Fjordgløtt")]  # fmt: skip
    assert detect_lodging_travel(build(tmp_path, rows, holders=HOLDERS), TRAVEL) == []


def test_three_nights_at_one_hotel_are_one_holiday(tmp_path):
    rows = [_stay(d, HOTEL_A, "Hotell Fjordgløtt") for d in (1, 2, 3)]
    assert detect_lodging_travel(build(tmp_path, rows, holders=HOLDERS), TRAVEL) == []


def test_three_tickets_in_a_fortnight(tmp_path):
    rows = [txn(d, 899, PAYER, CARRIER, "card", "Varekjøp WIZZ AIR HU", to_name="WIZZ AIR HU") for d in (1, 5, 9)]
    (finding,) = detect_lodging_travel(build(tmp_path, rows, holders=HOLDERS), TRAVEL)
    assert finding.metrics == {"kind": "travel", "max_in_window": 3, "merchants_in_window": 1}
    assert finding.score == pytest.approx(_travel_score(3, 1))


def test_two_tickets_are_one_step_below(tmp_path):
    rows = [txn(d, 899, PAYER, CARRIER, "card", "Varekjøp WIZZ AIR HU", to_name="WIZZ AIR HU") for d in (1, 5)]
    assert detect_lodging_travel(build(tmp_path, rows, holders=HOLDERS), TRAVEL) == []


def test_a_company_booking_hotels_for_staff_is_not_flagged(tmp_path):
    firm = account(513)
    rows = [_stay(1, HOTEL_A, "Hotell Fjordgløtt"), _stay(7, HOTEL_B, "Bjørvika Bysuites"),
            _stay(14, HOTEL_A, "Hotell Fjordgløtt")]  # fmt: skip
    for row in rows:
        row["from_account"] = firm
    holders = [{"account": firm, "holder_name": "Bygg AS", "holder_kind": "company", "holder_org_number": "914778271"}]
    assert detect_lodging_travel(build(tmp_path, rows, holders=holders), TRAVEL) == []
