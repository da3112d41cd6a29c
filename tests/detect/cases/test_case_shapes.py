"""fan_out and the relay shapes (stack, scatter_gather, gather_scatter): the gaps the shape tests leave.

Scores (docs/detectors.md, "Laundering shapes"): fan ``0.3 + 0.3·min(1, −log10 chance / 12) + 0.25·min(1,
k / 12) + 0.1·(1 − cv) + 0.05·near``; relay shapes ``0.45 + 0.35·min(1, relays / 5) + 0.15·min(1,
payments / 12) + 0.05·near``, ``near`` the share of amounts in [0.9 × threshold, threshold).
"""

from __future__ import annotations

import math

import pytest
from detectcase import account, build
from shapecase import fresh, pay, run

from finflow.detect.fan import detect_fan_out
from finflow.detect.layers import detect_gather_scatter, detect_scatter_gather, detect_stack

HUB, EMPLOYER, LANDLORD = account(1100), account(1101), account(1102)
PAYEES = [account(1110 + i) for i in range(12)]
P = [account(1130 + i) for i in range(3)]
Q = [account(1140 + i) for i in range(3)]
R = [account(1150 + i) for i in range(6)]


def _ordinary_life() -> list[dict]:
    rows = []
    for month in range(3):
        rows.append(pay(30 * month, 32000, EMPLOYER, HUB, channel="salary"))
        rows.append(pay(30 * month + 1, 9000, HUB, LANDLORD))
    return rows


def _fan_out(n: int, amount: float = 5000) -> list[dict]:
    return [pay(40, amount + 10 * i, HUB, PAYEES[i]) for i in range(n)]


def _fan_score(finding, k: int) -> float:
    m = finding.metrics
    chance = min(1.0, -math.log10(m["chance"]) / 12)
    return 0.3 + 0.3 * chance + 0.25 * min(1.0, k / 12) + 0.1 * (1 - m["amount_cv"])


def test_four_one_off_payees_in_a_day_are_a_fan_out_at_the_edge(tmp_path):
    (finding,) = run(detect_fan_out, build(tmp_path, _ordinary_life() + _fan_out(4)))
    assert finding.subjects[0].id == HUB and {s.role for s in finding.subjects} == {"unknown"}
    assert finding.metrics["positions"][HUB] == "source" and finding.metrics["counterparties"] == 4
    assert finding.score == pytest.approx(_fan_score(finding, 4), abs=2e-4)


def test_three_payees_are_one_step_below(tmp_path):
    assert run(detect_fan_out, build(tmp_path, _ordinary_life() + _fan_out(3))) == []


def test_an_amount_over_three_times_the_median_leaves_the_burst(tmp_path):
    rows = _ordinary_life() + _fan_out(4)
    rows[-1]["amount"] = "15100.00"  # over 3 x the median (about NOK 5 015): three members remain
    assert run(detect_fan_out, build(tmp_path, rows)) == []


def _relay_score(relays: int, payments: int, near: float = 0.0) -> float:
    return 0.45 + 0.35 * min(1.0, relays / 5) + 0.15 * min(1.0, payments / 12) + 0.05 * near


def _scatter_gather(relays: int, amount: float = 20000) -> list[dict]:
    rows = []
    for i in range(relays):
        rows.append(pay(1, amount, P[0], R[i]))
        rows.append(pay(3, round(amount * 0.9, 2), R[i], Q[0]))
    return rows


def test_scatter_gather_score_with_two_and_five_relays(tmp_path):
    (two,) = run(detect_scatter_gather, build(fresh(tmp_path, "a"), _scatter_gather(2)))
    assert two.score == pytest.approx(_relay_score(2, 4), abs=1e-4)
    (five,) = run(detect_scatter_gather, build(fresh(tmp_path, "b"), _scatter_gather(5)))
    assert five.score == pytest.approx(_relay_score(5, 10), abs=1e-4)


def test_amounts_just_under_the_reporting_threshold_raise_the_relay_score(tmp_path):
    # NOK 95 000 in (in [90 000, 100 000)), NOK 85 500 out (not): half the amounts are near
    (finding,) = run(detect_scatter_gather, build(tmp_path, _scatter_gather(2, amount=95000)))
    assert finding.score == pytest.approx(_relay_score(2, 4, near=0.5), abs=1e-4)


def test_stack_score(tmp_path):
    rows = [pay(1, 20000, P[0], R[0]), pay(1, 20000, P[1], R[1])]
    rows += [pay(2, 18000, R[0], R[2]), pay(2, 18000, R[1], R[3])]
    rows += [pay(4, 16200, R[2], Q[0]), pay(4, 16200, R[3], Q[0])]
    (finding,) = run(detect_stack, build(tmp_path, rows))
    assert finding.score == pytest.approx(_relay_score(4, 6), abs=1e-4)


def test_gather_scatter_score(tmp_path):
    rows = [pay(1, 10000, P[0], R[0]), pay(1, 10000, P[1], R[0]), pay(3, 9000, R[0], Q[0]), pay(3, 9000, R[0], Q[1])]
    rows += [pay(1, 8000, P[1], R[1]), pay(4, 7200, R[1], Q[2])]
    (finding,) = run(detect_gather_scatter, build(tmp_path, rows))
    assert finding.score == pytest.approx(_relay_score(2, 6), abs=1e-4)


def test_a_relay_in_and_out_with_five_payments_is_one_step_past_max_legs(tmp_path):
    # 2 in, 3 out: five payments in one relay step, one more than max_legs (4)
    rows = [pay(1, 10000, P[0], R[0]), pay(1, 10000, P[1], R[0])]
    rows += [pay(3, 6000, R[0], Q[0]), pay(3, 6000, R[0], Q[1]), pay(3, 6000, R[0], Q[2])]
    rows += [pay(1, 8000, P[1], R[1]), pay(4, 7200, R[1], Q[2])]
    data = build(tmp_path, rows)
    assert run(detect_gather_scatter, data) == []
    assert len(run(detect_gather_scatter, data, relay__max_legs=5)) == 1
