"""Fan-in and fan-out: bursts of one-off counterparties, judged against history and peers."""

from __future__ import annotations

import math

import pytest
from detectcase import account, build
from shapecase import fresh, pay, run, settings

from finflow.detect.fan import detect_fan_in, detect_fan_out, find_bursts
from finflow.detect.moves import move_index
from finflow.detect.shapes import poisson_tail

HUB, EMPLOYER, LANDLORD = account(600), account(601), account(602)
PAYERS = [account(610 + i) for i in range(12)]


def _ordinary_life(acc: str = HUB) -> list[dict]:
    """Three months of salary in and rent out: history that is not one-off."""
    rows = []
    for month in range(3):
        rows.append(pay(30 * month, 32000, EMPLOYER, acc, channel="salary"))
        rows.append(pay(30 * month + 1, 9000, acc, LANDLORD))
    return rows


def _burst(n: int, day: int = 40, amount: float = 5000, currency: str = "NOK", step: float = 10) -> list[dict]:
    return [pay(day, amount + step * i, PAYERS[i], HUB, currency) for i in range(n)]


def test_six_one_off_payers_in_a_day_are_a_fan_in(tmp_path):
    data = build(tmp_path, _ordinary_life() + _burst(6))
    (finding,) = run(detect_fan_in, data)
    assert finding.subjects[0].id == HUB
    assert {s.id for s in finding.subjects[1:]} == set(PAYERS[:6])
    # a collector or a victim paid by clients: the shape alone does not say, so no suspect role
    assert {s.role for s in finding.subjects} == {"unknown"}
    assert finding.metrics["positions"][HUB] == "sink" and finding.metrics["positions"][PAYERS[0]] == "source"
    assert finding.metrics["counterparties"] == 6 and finding.metrics["total_minor"] == 3_015_000
    assert len(finding.evidence_txn_ids) == 6
    assert "6 accounts with no other dealings with it paid into this account NOK 30 150 in 1 day(s)" in finding.summary
    assert finding.parameters["fan"]["min_counterparties"] == 4 and finding.parameters["currency"] == "NOK"


def test_score_follows_the_documented_formula(tmp_path):
    data = build(tmp_path, _ordinary_life() + _burst(6))
    (finding,) = run(detect_fan_in, data)
    m = finding.metrics
    chance = min(1.0, -math.log10(m["chance"]) / 12)
    expected = 0.3 + 0.3 * chance + 0.25 * min(1.0, 6 / 12) + 0.1 * (1 - m["amount_cv"])
    assert finding.score == pytest.approx(expected, abs=2e-4)


def test_minimum_number_of_counterparties_at_its_edge(tmp_path):
    assert len(run(detect_fan_in, build(fresh(tmp_path, "a"), _ordinary_life() + _burst(4)))) == 1
    assert run(detect_fan_in, build(fresh(tmp_path, "b"), _ordinary_life() + _burst(3))) == []


def test_burst_window_at_its_edge(tmp_path):
    split = [pay(40, 5000, p, HUB) for p in PAYERS[:2]] + [pay(41, 5000, p, HUB) for p in PAYERS[2:4]]
    data = build(tmp_path, _ordinary_life() + split)
    assert run(detect_fan_in, data) == []  # two days, window one day
    (finding,) = run(detect_fan_in, data, fan__window_days=2)
    assert finding.metrics["counterparties"] == 4 and finding.metrics["days"] == 2


def test_chance_threshold_at_its_edge(tmp_path):
    data = build(tmp_path, _ordinary_life() + _burst(5))
    (burst,) = find_bursts(move_index(data, settings()), settings(), "in")
    # the chance is the Poisson tail at the higher of the account's own and its peers' rate
    assert burst.chance == pytest.approx(poisson_tail(5, max(burst.own_rate, burst.peer_rate) * 1))
    exact = burst.chance
    assert len(run(detect_fan_in, data, fan__max_chance=exact)) == 1
    assert run(detect_fan_in, data, fan__max_chance=exact * 0.999) == []


def test_an_outlying_amount_is_not_part_of_the_burst(tmp_path):
    rows = _ordinary_life() + [pay(40, 2000, p, HUB) for p in PAYERS[:4]]
    at_edge = build(fresh(tmp_path, "a"), [*rows, pay(40, 6000, PAYERS[4], HUB)])  # 3 x the median 2000
    past_edge = build(fresh(tmp_path, "b"), [*rows, pay(40, 6010, PAYERS[4], HUB)])
    assert run(detect_fan_in, at_edge)[0].metrics["counterparties"] == 5
    assert run(detect_fan_in, past_edge)[0].metrics["counterparties"] == 4


def test_amount_floor_is_per_currency(tmp_path):
    # NOK 1 000 is the NOK floor; EUR 100 the EUR floor: the same minor units mean different money
    assert len(run(detect_fan_in, build(fresh(tmp_path, "a"), _ordinary_life() + _burst(5, amount=1000, step=0)))) == 1
    assert run(detect_fan_in, build(fresh(tmp_path, "b"), _ordinary_life() + _burst(5, amount=999.99, step=0))) == []
    (eur,) = run(
        detect_fan_in, build(fresh(tmp_path, "c"), _ordinary_life() + _burst(5, amount=150, currency="EUR", step=0))
    )
    assert eur.metrics["currency"] == "EUR" and "EUR 750" in eur.summary
    assert run(detect_fan_in, build(fresh(tmp_path, "d"), _ordinary_life() + _burst(5, amount=150))) == []


def test_amounts_in_two_currencies_are_never_added(tmp_path):
    mixed = [pay(40, 5000, p, HUB, "NOK") for p in PAYERS[:3]] + [pay(40, 500, p, HUB, "EUR") for p in PAYERS[3:6]]
    assert run(detect_fan_in, build(tmp_path, _ordinary_life() + mixed)) == []  # 3 + 3, never 6


def test_just_under_the_reporting_threshold_raises_the_score(tmp_path):
    plain = run(detect_fan_in, build(fresh(tmp_path, "a"), _ordinary_life() + _burst(5, amount=5000)))[0]
    near = run(detect_fan_in, build(fresh(tmp_path, "b"), _ordinary_life() + _burst(5, amount=95000)))[0]
    assert near.metrics["near_threshold_share"] == 1.0 and "reporting threshold" in near.summary
    assert near.score > plain.score


# -- innocent counterparts: one thing changed at a time -----------------------------------------
def test_a_shop_with_200_customers_paying_by_phone_stays_quiet(tmp_path):
    customers = [account(700 + i) for i in range(200)]
    steady = [pay(i // 2, 1200, c, HUB, channel="p2p") for i, c in enumerate(customers)]
    data = build(tmp_path, _ordinary_life() + steady + _burst(6))
    assert run(detect_fan_in, data) == []  # the same burst, in an account that gains ~2 new payers a day


def test_card_purchases_are_not_searched(tmp_path):
    shoppers = [pay(40, 5000 + 10 * i, PAYERS[i], HUB, channel="card") for i in range(6)]
    assert run(detect_fan_in, build(fresh(tmp_path, "a"), _ordinary_life() + shoppers)) == []
    (finding,) = run(detect_fan_in, build(fresh(tmp_path, "b"), _ordinary_life() + shoppers), channels=["card"])
    assert finding.metrics["counterparties"] == 6


def test_a_landlord_with_8_tenants_paying_monthly_stays_quiet(tmp_path):
    rent = [pay(30 * month + (i % 2), 9000, PAYERS[i], HUB) for month in range(3) for i in range(8)]
    assert run(detect_fan_in, build(tmp_path, _ordinary_life() + rent)) == []


def test_the_same_8_payers_paying_once_are_a_fan_in(tmp_path):
    once = [pay(i % 2, 9000, PAYERS[i], HUB) for i in range(8)]
    (finding,) = run(detect_fan_in, build(tmp_path, _ordinary_life() + once), fan__window_days=2)
    assert finding.metrics["counterparties"] == 8


def test_a_payroll_on_the_25th_stays_quiet_and_ten_new_payees_do_not(tmp_path):
    staff = PAYERS[:10]
    payroll = [pay(30 * month + 24, 31000, EMPLOYER, w, channel="salary") for month in range(3) for w in staff]
    assert run(detect_fan_out, build(fresh(tmp_path, "a"), payroll)) == []
    funded = [pay(30 * month, 400000, account(650), EMPLOYER) for month in range(3)]
    once = [pay(24, 31000, EMPLOYER, w) for w in staff]
    (finding,) = run(detect_fan_out, build(fresh(tmp_path, "b"), funded + once))
    assert finding.subjects[0].id == EMPLOYER and finding.metrics["positions"][EMPLOYER] == "source"
    assert finding.metrics["counterparties"] == 10


def test_a_family_sending_home_monthly_stays_quiet(tmp_path):
    home = "PL61109010140000071219812874"
    family = [pay(30 * month + 3, 2500, PAYERS[i], home, channel="remittance") for month in range(3) for i in range(4)]
    data = build(tmp_path, _ordinary_life() + family)
    assert run(detect_fan_in, data) == [] and run(detect_fan_out, data) == []


def test_a_burst_must_be_three_times_the_accounts_usual_busy_day(tmp_path):
    regulars = [account(900 + i) for i in range(30)]
    busy_days = [pay(3 + 7 * (i // 3), 5000, c, HUB) for i, c in enumerate(regulars)]  # 3 new payers a week
    crowd = [account(950 + i) for i in range(9)]
    at_edge = [pay(80, 5000, c, HUB) for c in crowd]  # 9 = 3 x 3
    past_edge = at_edge[:8]
    (finding,) = run(detect_fan_in, build(fresh(tmp_path, "a"), _ordinary_life() + busy_days + at_edge))
    assert finding.metrics["counterparties"] == 9 and finding.metrics["usual_busy_window"] == 3
    assert run(detect_fan_in, build(fresh(tmp_path, "b"), _ordinary_life() + busy_days + past_edge)) == []
