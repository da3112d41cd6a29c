"""Amount thresholds written in NOK are restated in the currency a detector runs in."""

from __future__ import annotations

from detectcase import CONFIG, account, build, txn

from finflow.detect.registry import run_detectors
from finflow.detect.thresholds import rate_table, thresholds_for

A, B, C = account(360), account(361), account(362)


def test_nok_parameters_are_used_as_written():
    assert thresholds_for(CONFIG["collector"], "NOK") == dict(CONFIG["collector"])
    assert thresholds_for(CONFIG["collector"], None) == dict(CONFIG["collector"])


def test_a_nok_median_limit_becomes_the_same_value_in_euro_cents():
    params = thresholds_for({"max_median_amount_minor": 500000, "window_days": 30}, "EUR")
    # NOK 5 000 at 12 NOK per EUR is EUR 416.67, two significant figures: EUR 420
    assert params["max_median_amount_minor"] == 42000
    assert params["window_days"] == 30
    assert params["thresholds_currency"] == "EUR"
    assert "1 EUR = 12 NOK" in params["threshold_rate"] and rate_table()["as_of"] in params["threshold_rate"]


def test_a_currency_without_minor_units_and_lists_of_thresholds():
    params = thresholds_for({"thresholds_minor": [10000000, 800000]}, "JPY")
    # NOK 100 000 / 0.071 = JPY 1 408 451 -> 1 400 000; NOK 8 000 / 0.071 = JPY 112 676 -> 110 000
    assert params["thresholds_minor"] == [1400000, 110000]


def test_round_units_stay_round():
    # "round" = a multiple of NOK 100: in EUR that is EUR 8.33, so the nearest round step, EUR 10
    assert thresholds_for({"round_unit_minor": 10000}, "EUR")["round_unit_minor"] == 1000
    assert thresholds_for({"round_unit_minor": 10000}, "SEK")["round_unit_minor"] == 10000


def test_settings_already_written_per_currency_are_left_alone():
    per_currency = {"min_amount_minor": {"NOK": 100000, "EUR": 10000}, "fan": {"window_days": 1}}
    assert thresholds_for(per_currency, "EUR") == per_currency


def test_a_currency_missing_from_the_table_says_its_thresholds_are_nok():
    params = thresholds_for({"min_rent_minor": 300000}, "KES")
    assert params["min_rent_minor"] == 300000
    assert params["thresholds_currency"] == "NOK" and params["threshold_rate"].startswith("none")


def _in_euro(rows: list[dict]) -> list[dict]:
    return [{**row, "currency": "EUR"} for row in rows]


def _round_trip(euros: int) -> list[dict]:
    return _in_euro([txn(1, euros, A, B, "transfer", "Faktura"), txn(3, euros * 0.95, B, C, "transfer", "Lån"),
                     txn(6, euros * 0.9, C, A, "transfer", "Tilbakebetaling")])  # fmt: skip


def test_a_euro_round_trip_is_judged_against_the_euro_threshold(tmp_path):
    # round_trip searches trips from NOK 50 000, EUR 4 200 at the table's rate. EUR 10 000 (1 000 000
    # cents) is under the NOK figure read as cents (5 000 000) and was never searched before.
    assert CONFIG["round_trip"]["min_amount_minor"] == 5000000
    data = build(tmp_path, _round_trip(10000))
    (finding,) = [f for f in run_detectors(data, CONFIG, names=["round_trip"])]
    assert finding.parameters["min_amount_minor"] == 420000
    assert finding.parameters["thresholds_currency"] == "EUR"
    assert "EUR" in finding.summary


def test_a_euro_round_trip_below_the_restated_threshold_is_not_searched(tmp_path):
    data = build(tmp_path, _round_trip(4100))
    assert run_detectors(data, CONFIG, names=["round_trip"]) == []
