"""premises_network, built by hand: payers of several premises linked through their landlords.

Score (docs/detectors.md, "Scores"): ``min(1, 0.4 + 0.05 × premises + 0.1 × payers)``.
Thresholds (``rent``): ``min_payers`` 2, ``min_premises_in_network`` 3; a payer counts only when
``rent_several_premises`` or ``third_party_rent`` flags it.
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, person_holder, txn

from finflow.detect.rent import detect_premises_networks

PARAMS = CONFIG["rent"]
P1, P2, P3 = account(410), account(411), account(412)
L1, L2, L3 = account(415), account(416), account(417)
HOLDERS = [
    person_holder(P1, "Boss Mann", "1980-05-05"),
    person_holder(P2, "Hjelper Hansen", "1985-06-06"),
    person_holder(P3, "Tredje Olsen", "1986-06-06"),
    person_holder(L1, "Lars Utleier", "1960-04-04"),
    person_holder(L2, "Lise Eier", "1962-04-04"),
    person_holder(L3, "Leif Berg", "1955-01-01"),
]


def _rent(payer: str, landlord: str, amount: float, months: int = 2) -> list[dict]:
    return [txn(m * 30 + 1, amount, payer, landlord, "transfer", "Husleie") for m in range(months)]


def _score(premises: int, payers: int) -> float:
    return min(1.0, 0.4 + 0.05 * premises + 0.1 * payers)


def test_two_payers_and_three_premises_at_the_edge(tmp_path):
    # P1 rents two flats (L1 9 000, L2 8 000); P2 rents a third flat from L1 and the same L2 flat
    rows = _rent(P1, L1, 9000) + _rent(P1, L2, 8000) + _rent(P2, L1, 9500) + _rent(P2, L2, 8000)
    (finding,) = detect_premises_networks(build(tmp_path, rows, holders=HOLDERS), PARAMS)
    assert finding.metrics == {"payers": 2, "premises": 3, "landlords": 2}
    assert [s.id for s in finding.subjects if s.role == "controller"] == sorted([P1, P2])
    assert {s.id for s in finding.subjects if s.role == "unknown"} == {L1, L2}
    assert finding.score == pytest.approx(_score(3, 2))


def test_two_premises_is_one_step_below_the_network_size(tmp_path):
    rows = _rent(P1, L1, 9000) + _rent(P1, L2, 8000) + _rent(P2, L1, 9000) + _rent(P2, L2, 8000)
    assert detect_premises_networks(build(tmp_path, rows, holders=HOLDERS), PARAMS) == []


def test_one_payer_of_three_premises_is_one_step_below_min_payers(tmp_path):
    rows = _rent(P1, L1, 9000) + _rent(P1, L2, 8000) + _rent(P1, L3, 7000)
    assert detect_premises_networks(build(tmp_path, rows, holders=HOLDERS), PARAMS) == []


def test_score_counts_every_payer_and_premises(tmp_path):
    rows = _rent(P1, L1, 9000) + _rent(P1, L2, 8000) + _rent(P2, L2, 8500) + _rent(P2, L3, 7000)
    rows += _rent(P3, L3, 7500) + _rent(P3, L1, 9900)
    (finding,) = detect_premises_networks(build(tmp_path, rows, holders=HOLDERS), PARAMS)
    assert finding.metrics == {"payers": 3, "premises": 6, "landlords": 3}
    assert finding.score == pytest.approx(_score(6, 3))


def test_a_landlord_with_many_ordinary_tenants_is_no_network(tmp_path):
    # same landlord, five premises, but every tenant pays one home: nobody is a flagged payer
    tenants = [account(420 + i) for i in range(5)]
    holders = HOLDERS + [person_holder(t, f"Leietaker{i} Nilsen{i}", "1990-01-01") for i, t in enumerate(tenants)]
    rows = [r for i, t in enumerate(tenants) for r in _rent(t, L1, 8000 + 100 * i, months=3)]
    assert detect_premises_networks(build(tmp_path, rows, holders=holders), PARAMS) == []


def test_payers_of_several_premises_with_no_landlord_in_common_stay_apart(tmp_path):
    rows = _rent(P1, L1, 9000) + _rent(P1, L2, 8000) + _rent(P2, L3, 9500) + _rent(P2, L3, 7000)
    assert detect_premises_networks(build(tmp_path, rows, holders=HOLDERS), PARAMS) == []


def test_overlap_in_one_month_only_does_not_flag_a_payer(tmp_path):
    # P2 moves: flat A (L1) in months 0-1, flat B (L2) in months 1-2, so two flats at once in one
    # month only (min_overlap_months is 2) and P2 is not a payer of several premises
    moving = [txn(1, 9500, P2, L1, "transfer", "Husleie"), txn(31, 9500, P2, L1, "transfer", "Husleie"),
              txn(32, 8000, P2, L2, "transfer", "Husleie"), txn(62, 8000, P2, L2, "transfer", "Husleie")]  # fmt: skip
    rows = _rent(P1, L1, 9000) + _rent(P1, L2, 8000) + moving
    assert detect_premises_networks(build(tmp_path, rows, holders=HOLDERS), PARAMS) == []
