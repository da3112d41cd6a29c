"""Cycles: one-off payments round 5+ accounts and back, in time order, amounts within range."""

from __future__ import annotations

import pytest
from detectcase import account, build
from shapecase import fresh, pay, run

from finflow.detect.cycles import detect_cycles

RING = [account(800 + i) for i in range(14)]


def _ring(n: int, *, first_day: int = 1, step: int = 1, amount: float = 50000, keep: float = 0.95,
          currency: str = "NOK") -> list[dict]:  # fmt: skip
    """Legs RING[0] -> RING[1] -> ... -> RING[0], one a day, each ``keep`` of the one before."""
    return [
        pay(first_day + i * step, round(amount * keep**i, 2), RING[i], RING[(i + 1) % n], currency) for i in range(n)
    ]


def test_money_round_five_accounts_and_back_is_a_cycle(tmp_path):
    data = build(tmp_path, _ring(5))
    (finding,) = run(detect_cycles, data)
    assert [s.id for s in finding.subjects] == RING[:5]
    assert {s.role for s in finding.subjects} == {"facilitator"}
    assert finding.metrics["positions"][RING[0]] == "origin"
    assert finding.metrics["hops"] == 5 and finding.metrics["days"] == 4
    assert finding.metrics["returned_share"] == pytest.approx(0.95**4, abs=1e-4)
    assert len(finding.evidence_txn_ids) == 5
    assert finding.summary.startswith("NOK 50 000 left this account on 2026-01-06 and went round 5 accounts")
    expected = 0.35 + 0.35 * (3 / 8) + 0.15 * finding.metrics["returned_share"] + 0.1
    assert finding.score == pytest.approx(expected, abs=1e-4)


def test_a_twelve_account_cycle_is_found(tmp_path):
    (finding,) = run(detect_cycles, build(tmp_path, _ring(12, keep=0.97)))
    assert finding.metrics["hops"] == 12 and len(finding.subjects) == 12


def test_minimum_and_maximum_hops_at_their_edges(tmp_path):
    assert run(detect_cycles, build(fresh(tmp_path, "a"), _ring(4))) == []  # 4 accounts: below min_hops 5
    assert len(run(detect_cycles, build(fresh(tmp_path, "b"), _ring(13)), cycle__max_hops=13)) == 1
    assert run(detect_cycles, build(fresh(tmp_path, "c"), _ring(13))) == []  # 13 > max_hops 12


def test_window_at_its_edge(tmp_path):
    # five legs a week apart: the return is 28 days after the first leg, inside 30 days but not 28
    data = build(tmp_path, _ring(5, step=7))
    assert len(run(detect_cycles, data)) == 1
    assert len(run(detect_cycles, data, cycle__window_days=29)) == 1
    assert run(detect_cycles, data, cycle__window_days=28) == []


def test_leg_amounts_at_the_edge_of_the_range(tmp_path):
    rows = _ring(5, keep=1.0)
    rows[2]["amount"] = "150000.00"  # 3 x the leg before: allowed
    rows[3]["amount"] = "50000.00"  # a third of the leg before: allowed
    assert len(run(detect_cycles, build(fresh(tmp_path, "a"), rows))) == 1
    rows[2]["amount"] = "150100.00"  # just over 3 x
    assert run(detect_cycles, build(fresh(tmp_path, "b"), rows)) == []
    rows[2]["amount"], rows[3]["amount"] = "150000.00", "49500.00"  # 0.33 x: the lower edge, allowed
    assert len(run(detect_cycles, build(fresh(tmp_path, "c"), rows))) == 1
    rows[3]["amount"], rows[4]["amount"] = "49499.00", "49499.00"  # just under 0.33 x
    assert run(detect_cycles, build(fresh(tmp_path, "d"), rows)) == []


def test_a_return_before_the_money_left_is_no_cycle(tmp_path):
    rows = _ring(5)
    rows[2]["date"] = "2026-01-05"  # the third leg paid before the first: no start makes the legs follow in time
    assert run(detect_cycles, build(tmp_path, rows)) == []


def test_a_leg_in_another_currency_breaks_the_cycle(tmp_path):
    rows = _ring(5)
    rows[3]["currency"] = "EUR"
    assert run(detect_cycles, build(tmp_path, rows)) == []


def test_eur_cycles_use_the_eur_floor(tmp_path):
    (finding,) = run(detect_cycles, build(fresh(tmp_path, "a"), _ring(5, amount=200, currency="EUR")))
    assert finding.metrics["currency"] == "EUR" and "EUR 200 left" in finding.summary
    assert run(detect_cycles, build(fresh(tmp_path, "b"), _ring(5, amount=200))) == []  # NOK 200: under NOK 1 000


def test_friends_who_pay_each_other_every_month_are_not_a_cycle(tmp_path):
    # the same five accounts paying round, but every month: ongoing relationships, not a scheme
    rows = [row for month in range(3) for row in _ring(5, first_day=30 * month + 1)]
    assert run(detect_cycles, build(tmp_path, rows)) == []


def test_a_cycle_inside_a_larger_one_is_reported_once(tmp_path):
    rows = _ring(6)
    rows.append(pay(4, 85000, RING[3], RING[0]))  # a shortcut closing a 4-account loop inside the 6
    (finding,) = run(detect_cycles, build(tmp_path, rows))
    assert finding.metrics["hops"] == 6


def test_search_budget_is_reported(tmp_path):
    other = [account(900 + i) for i in range(8)]
    long_ring = [pay(1 + i, 40000, other[i], other[(i + 1) % 8]) for i in range(8)]
    data = build(tmp_path, _ring(5) + long_ring)
    assert len(run(detect_cycles, data)) == 2
    (finding,) = run(detect_cycles, data, cycle__max_paths_per_start=6)  # 5 steps close the short one
    assert finding.metrics["hops"] == 5 and finding.metrics["searches_cut_short_in_case"] >= 1


def test_each_account_passes_the_money_on_within_the_leg_gap(tmp_path):
    at_edge = build(fresh(tmp_path, "a"), _ring(5, step=10))  # each leg 10 days after the one before
    assert len(run(detect_cycles, at_edge, cycle__window_days=60)) == 1
    past_edge = build(fresh(tmp_path, "b"), _ring(5, step=11))
    assert run(detect_cycles, past_edge, cycle__window_days=60) == []


def test_the_whole_search_has_a_budget(tmp_path):
    data = build(tmp_path, _ring(5))
    # a budget of 0 lets the first search run and stops the other four first payments
    (finding,) = run(detect_cycles, data, cycle__max_paths=0)
    assert finding.metrics["searches_cut_short_in_case"] == 4
    assert run(detect_cycles, data, cycle__max_paths=-1) == []  # no search at all
