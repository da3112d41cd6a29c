"""Advertising and travel: escort-advert payments (G1), hotels and tickets (B2/G2)."""

from __future__ import annotations

from detectcase import CONFIG, account, build, person_holder, txn

from finflow.detect.adverts import detect_advert_payments, detect_lodging_travel

PAYER = account(400)
SITE = "CY17002001280000001200527600"
HOLDERS = [person_holder(PAYER, "Boss Mann", "1980-05-05")]


def test_repeated_payments_to_a_foreign_advert_site(tmp_path):
    rows = [txn(d, 390, PAYER, SITE, "card", "Varekjøp RedVelvet Classifieds", to_name="RedVelvet Classifieds",
                to_country="CY") for d in (1, 8, 15, 22, 40)]  # fmt: skip
    data = build(tmp_path, rows, holders=HOLDERS)
    (finding,) = detect_advert_payments(data, CONFIG["advert_payments"])
    assert finding.subjects[0].id == PAYER and finding.subjects[0].role == "controller"
    assert finding.metrics["payments"] == 5 and finding.metrics["max_in_window"] == 4
    assert finding.metrics["repeat_share"] == 1.0
    assert "100% of the same amount" in finding.summary


def test_selling_furniture_on_a_domestic_classifieds_site_is_not_flagged(tmp_path):
    finn = account(401)
    rows = [txn(d, 89, PAYER, finn, "card", "Varekjøp FINN annonse", to_name="FINN annonse") for d in (1, 5, 9, 12)]
    data = build(tmp_path, rows, holders=HOLDERS)
    assert detect_advert_payments(data, CONFIG["advert_payments"]) == []


def test_hotels_in_several_places_within_two_weeks(tmp_path):
    hotels = [
        (account(410), "Hotell Fjordgløtt"),
        (account(411), "Budget Rooms Drammen"),
        (account(412), "Bysuites Oslo"),
    ]
    rows = [
        txn(1 + 3 * i, 1290, PAYER, acc, "card", f"Varekjøp {name}", to_name=name)
        for i, (acc, name) in enumerate(hotels)
    ]
    data = build(tmp_path, rows, holders=HOLDERS)
    (finding,) = detect_lodging_travel(data, CONFIG["lodging_travel"])
    assert finding.metrics == {"kind": "lodging", "max_in_window": 3, "merchants_in_window": 3}
    assert finding.subjects[0].role == "facilitator"


def test_one_hotel_night_a_month_is_not_flagged(tmp_path):
    rows = [txn(30 * m, 1290, PAYER, account(410), "card", "Varekjøp Hotell Fjordgløtt") for m in range(4)]
    data = build(tmp_path, rows, holders=HOLDERS)
    assert detect_lodging_travel(data, CONFIG["lodging_travel"]) == []
