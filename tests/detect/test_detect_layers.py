"""Layering shapes: bipartite layers and linked relays (stack, scatter-gather, gather-scatter)."""

from __future__ import annotations

import pytest
from detectcase import account, build
from shapecase import fresh, pay, run

from finflow.detect.layers import detect_bipartite, detect_gather_scatter, detect_scatter_gather, detect_stack

P = [account(1000 + i) for i in range(4)]  # payers / sources
Q = [account(1010 + i) for i in range(4)]  # payees / targets
R = [account(1020 + i) for i in range(6)]  # relays
EMPLOYER, BUREAU = account(1030), account(1031)


# -- bipartite -----------------------------------------------------------------------------------
def _layer(payers: int, payees: int, *, day: int = 10, spread: int = 1) -> list[dict]:
    rows, n = [], 0
    for i in range(payers):
        for j in range(payees):
            rows.append(pay(day + (n % spread), 4000 + 100 * n, P[i], Q[j]))
            n += 1
    return rows


def test_two_payers_each_paying_three_payees_are_a_bipartite_layer(tmp_path):
    (finding,) = run(detect_bipartite, build(tmp_path, _layer(2, 3)))
    assert {s.id for s in finding.subjects} == set(P[:2] + Q[:3])
    assert {s.role for s in finding.subjects} == {"facilitator"}
    assert finding.metrics["positions"][P[0]] == "source" and finding.metrics["positions"][Q[0]] == "sink"
    assert finding.metrics["payments"] == 6 and len(finding.evidence_txn_ids) == 6
    assert finding.summary.startswith("2 accounts each paid every one of 3 others (6 one-off payments, NOK 25 500)")
    expected = 0.4 + 0.4 * (6 / 16) + 0.15 * (5 / 10)
    assert finding.score == pytest.approx(expected, abs=1e-4)


def test_payments_in_the_layer_at_the_edge(tmp_path):
    data = build(tmp_path, _layer(2, 2))
    assert run(detect_bipartite, data) == []  # 4 payments < min_edges 6
    assert len(run(detect_bipartite, data, bipartite__min_edges=4)) == 1


def test_layer_window_at_its_edge(tmp_path):
    assert len(run(detect_bipartite, build(fresh(tmp_path, "a"), _layer(2, 3, spread=5)))) == 1  # days 10-14
    assert run(detect_bipartite, build(fresh(tmp_path, "b"), _layer(2, 3, spread=6))) == []  # days 10-15


def test_two_companies_paying_the_same_staff_every_month_are_no_layer(tmp_path):
    rows = [row for month in range(3) for row in _layer(2, 3, day=30 * month + 24)]
    assert run(detect_bipartite, build(tmp_path, rows)) == []


# -- relays --------------------------------------------------------------------------------------
def _scatter_gather(*, keep: float = 0.9, relays: int = 3, last_extra: float = 0.0) -> list[dict]:
    rows = []
    for i in range(relays):
        rows.append(pay(1, 20000, P[0], R[i]))
        rows.append(pay(3, round(20000 * keep, 2) + (last_extra if i == relays - 1 else 0), R[i], Q[0]))
    return rows


def test_relays_keeping_the_same_commission_are_a_scatter_gather(tmp_path):
    (finding,) = run(detect_scatter_gather, build(tmp_path, _scatter_gather()))
    roles = {s.id: s.role for s in finding.subjects}
    assert roles[P[0]] == roles[Q[0]] == "controller"
    assert {roles[r] for r in R[:3]} == {"facilitator"}
    assert finding.metrics["positions"][P[0]] == "source" and finding.metrics["positions"][Q[0]] == "sink"
    assert finding.metrics["intermediaries"] == 3 and finding.metrics["fee_rate"] == 0.1
    assert finding.metrics["received_minor"] == 6_000_000 and finding.metrics["passed_on_minor"] == 5_400_000
    assert "3 intermediaries each passed on exactly 90% of what they received (keeping 10%)" in finding.summary
    assert run(detect_stack, build(fresh(tmp_path, "s"), _scatter_gather())) == []
    assert run(detect_gather_scatter, build(fresh(tmp_path, "g"), _scatter_gather())) == []


def test_a_lone_relay_is_not_reported(tmp_path):
    assert run(detect_scatter_gather, build(tmp_path, _scatter_gather(relays=1))) == []


def test_rounding_tolerance_at_its_edge(tmp_path):
    # one in, one out: half a minor unit each, so 1 øre off still matches and 2 øre do not
    assert len(run(detect_scatter_gather, build(fresh(tmp_path, "a"), _scatter_gather(relays=2, last_extra=0.01)))) == 1
    assert run(detect_scatter_gather, build(fresh(tmp_path, "b"), _scatter_gather(relays=2, last_extra=0.02))) == []


def test_only_the_configured_commissions_count(tmp_path):
    data = build(tmp_path, _scatter_gather(keep=0.93))
    assert run(detect_scatter_gather, data) == []  # 7 % is not a listed commission
    assert len(run(detect_scatter_gather, data, relay__fee_rates=[0.07])) == 1


def test_relay_window_at_its_edge(tmp_path):
    rows = _scatter_gather(relays=2)
    for row in rows[1::2]:
        row["date"] = "2026-02-05"  # 30 days after the money came in
    assert run(detect_scatter_gather, build(fresh(tmp_path, "a"), rows)) == []
    assert len(run(detect_scatter_gather, build(fresh(tmp_path, "b"), rows), relay__window_days=31)) == 1


def test_a_relay_never_matches_across_currencies(tmp_path):
    rows = _scatter_gather(relays=2)
    rows[1]["currency"] = "EUR"  # NOK 20 000 in, EUR 18 000 out: not 90 % of anything
    rows[1]["amount"] = "1800.00"
    assert run(detect_scatter_gather, build(tmp_path, rows)) == []


def test_a_hub_gathering_and_scattering_beside_a_linked_relay_is_a_gather_scatter(tmp_path):
    rows = [pay(1, 10000, P[0], R[0]), pay(1, 10000, P[1], R[0]), pay(3, 9000, R[0], Q[0]), pay(3, 9000, R[0], Q[1])]
    rows += [pay(1, 8000, P[1], R[1]), pay(4, 7200, R[1], Q[2])]  # shares the payer P[1], keeps 10 % too
    (finding,) = run(detect_gather_scatter, build(tmp_path, rows))
    assert finding.subjects[0].id == R[0] and finding.subjects[0].role == "controller"
    assert {s.role for s in finding.subjects[1:] if s.id not in R} == {"facilitator"}
    assert finding.metrics["sources"] == 2 and finding.metrics["sinks"] == 3


def test_relays_paying_relays_are_a_stack(tmp_path):
    rows = [pay(1, 20000, P[0], R[0]), pay(1, 20000, P[1], R[1])]
    rows += [pay(2, 18000, R[0], R[2]), pay(2, 18000, R[1], R[3])]
    rows += [pay(4, 16200, R[2], Q[0]), pay(4, 16200, R[3], Q[0])]
    (finding,) = run(detect_stack, build(tmp_path, rows))
    roles = {s.id: s.role for s in finding.subjects}
    assert {roles[a] for a in R[:4]} == {"facilitator"}
    assert roles[P[0]] == roles[P[1]] == roles[Q[0]] == "controller"
    assert finding.metrics["intermediaries"] == 4 and len(finding.evidence_txn_ids) == 6


def test_a_payroll_bureau_funded_by_its_client_is_no_relay(tmp_path):
    staff = Q[:4] + P[:4]
    rows = []
    for month in range(3):
        rows.append(pay(30 * month + 20, 8 * 30000 * 1.47, EMPLOYER, BUREAU))
        rows += [pay(30 * month + 24, 30000, BUREAU, w, channel="salary") for w in staff]
    data = build(tmp_path, rows)
    assert run(detect_scatter_gather, data) == [] and run(detect_stack, data) == []
    assert run(detect_gather_scatter, data) == []
