"""pass_through, round_trip and shared_role_holders, built by hand.

Scores (docs/detectors.md, "Scores"): pass_through ``min(1, 0.4 + 0.4 × forwarded share + 0.01 ×
cycles)``; round_trip ``min(1, 0.5 + 0.4 × returned ÷ sent + 0.1 with common role-holders)``;
shared_role_holders ``min(1, 0.35 + 0.08 × companies + 0.05 × risky + 0.1 young + 0.1 troubled)``.
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, company, orgnr, person_holder, txn

from finflow.detect.cash import detect_pass_through
from finflow.detect.structures import detect_round_trips, detect_shared_role_holders

PASS, TRIP, COMP = CONFIG["pass_through"], CONFIG["round_trip"], CONFIG["companies"]
ORIGIN, MULE = account(560), account(561)
DESTS = [account(562), account(563), account(564), account(565)]
HOLDERS = [person_holder(ORIGIN, "Ola Opphav", "1975-01-01"), person_holder(MULE, "Mia Muldyr", "2004-01-01")]


def _chain(amount: float = 5000, n: int = 4, share: float = 1.0, hours: int = 2, dests: int = 1,
           channel: str = "transfer") -> list[dict]:  # fmt: skip
    rows = []
    for i in range(n):
        day = 1 + 7 * i
        rows.append(txn(day, amount, ORIGIN, MULE, "transfer", "Faktura", time="08:00"))
        out_day, out_hour = day + (8 + hours) // 24, (8 + hours) % 24
        rows.append(txn(out_day, round(amount * share, 2), MULE, DESTS[i % dests], channel, "",
                        time=f"{out_hour:02d}:00"))  # fmt: skip
    return rows


def _pass_score(share: float, cycles: int) -> float:
    return min(1.0, 0.4 + 0.4 * share + 0.01 * cycles)


def test_nok_20000_passed_on_whole_four_times_at_the_edge(tmp_path):
    (finding,) = detect_pass_through(build(tmp_path, _chain(), holders=HOLDERS), PASS)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (MULE, "facilitator")
    assert (finding.subjects[1].id, finding.subjects[1].role) == (ORIGIN, "controller")
    assert finding.metrics["forwarded_share"] == 1.0 and finding.metrics["cycles"] == 4
    assert finding.score == pytest.approx(_pass_score(1.0, 4))


def test_just_under_nok_20000_is_one_step_below(tmp_path):
    assert detect_pass_through(build(tmp_path, _chain(amount=4999.99), holders=HOLDERS), PASS) == []


def test_ninety_percent_passed_on_at_the_edge(tmp_path):
    (finding,) = detect_pass_through(build(tmp_path, _chain(share=0.9), holders=HOLDERS), PASS)
    assert finding.metrics["forwarded_share"] == 0.9 and finding.score == pytest.approx(_pass_score(0.9, 4))


def test_under_ninety_percent_is_one_step_below(tmp_path):
    assert detect_pass_through(build(tmp_path, _chain(share=0.8999), holders=HOLDERS), PASS) == []


def test_passed_on_after_48_hours_counts_and_49_does_not(tmp_path):
    (finding,) = detect_pass_through(build(tmp_path, _chain(hours=48), holders=HOLDERS), PASS)
    assert finding.metrics["cycles"] == 4
    other = tmp_path / "late"
    other.mkdir()
    assert detect_pass_through(build(other, _chain(hours=49), holders=HOLDERS), PASS) == []


def test_two_passes_are_one_step_below_min_cycles(tmp_path):
    assert detect_pass_through(build(tmp_path, _chain(amount=10000, n=2), holders=HOLDERS), PASS) == []


def test_three_destinations_at_the_edge_four_one_step_past(tmp_path):
    (finding,) = detect_pass_through(build(tmp_path, _chain(dests=3), holders=HOLDERS), PASS)
    assert finding.metrics["cycles"] == 4
    other = tmp_path / "four"
    other.mkdir()
    assert detect_pass_through(build(other, _chain(dests=4), holders=HOLDERS), PASS) == []


def test_spending_it_by_card_is_living_not_passing_on(tmp_path):
    assert detect_pass_through(build(tmp_path, _chain(channel="card"), holders=HOLDERS), PASS) == []


# -- round_trip ----------------------------------------------------------------------------------

A, B, C = account(570), account(571), account(572)


def _trip(first: float = 50000, back_share: float = 0.7, last_day: int = 10) -> list[dict]:
    middle = first * (1 + back_share) / 2  # the middle hop between the first and the return
    return [txn(0, first, A, B, "transfer", "Faktura"), txn(3, middle, B, C, "transfer", "Lån"),
            txn(last_day, round(first * back_share, 2), C, A, "transfer", "Tilbakebetaling")]  # fmt: skip


def _trip_score(back: float, directors: bool = False) -> float:
    return min(1.0, 0.5 + 0.4 * back + (0.1 if directors else 0.0))


def test_nok_50000_round_three_accounts_with_70_percent_back_at_the_edge(tmp_path):
    (finding,) = detect_round_trips(build(tmp_path, _trip()), TRIP)
    assert {s.id for s in finding.subjects} == {A, B, C} and all(s.role == "facilitator" for s in finding.subjects)
    assert finding.score == pytest.approx(_trip_score(0.7))


def test_a_start_under_nok_50000_is_not_searched(tmp_path):
    assert detect_round_trips(build(tmp_path, _trip(first=49999.99)), TRIP) == []


def test_just_under_70_percent_back_is_one_step_below(tmp_path):
    assert detect_round_trips(build(tmp_path, _trip(back_share=0.6999)), TRIP) == []


def test_back_on_day_30_counts_and_day_31_does_not(tmp_path):
    (finding,) = detect_round_trips(build(tmp_path, _trip(last_day=30)), TRIP)
    assert finding.metrics["days"] == 30
    other = tmp_path / "late"
    other.mkdir()
    assert detect_round_trips(build(other, _trip(last_day=31)), TRIP) == []


def test_a_loan_repaid_between_two_accounts_is_not_a_round_trip(tmp_path):
    rows = [txn(0, 100000, A, B, "transfer", "Lån"), txn(20, 100000, B, A, "transfer", "Tilbakebetaling")]
    assert detect_round_trips(build(tmp_path, rows), TRIP) == []


# -- shared_role_holders -----------------------------------------------------------------------

ANCHOR = [txn(0, 100, account(575), account(576), "transfer", "")]  # the case's last day: 5 Jan 2026


def _companies(codes: list[str], founded: list[str]) -> dict:
    companies = [company(80 + i, f"Selskap {i} AS", code, 2, founded=f)
                 for i, (code, f) in enumerate(zip(codes, founded, strict=True))]  # fmt: skip
    return {"companies": companies, "roles": {orgnr(80 + i): [("DAGL", "Kari Direktør", "1970-01-01")]
                                              for i in range(len(codes))}}  # fmt: skip


def _roles_score(n: int, risky: int, young: bool, troubled: bool = False) -> float:
    return min(1.0, 0.35 + 0.08 * n + 0.05 * risky + 0.1 * young + 0.1 * troubled)


OLD = "2015-01-01"


def test_three_risky_companies_one_founded_24_months_ago_at_the_edge(tmp_path):
    data = build(tmp_path, ANCHOR, **_companies(["43.120", "43.310", "41.200"], [OLD, OLD, "2024-01-05"]))
    (finding,) = detect_shared_role_holders(data, COMP)
    assert finding.subjects[0].role == "controller" and all(s.role == "front" for s in finding.subjects[1:])
    assert finding.score == pytest.approx(_roles_score(3, 3, True))


def test_founded_a_day_earlier_the_companies_are_established(tmp_path):
    data = build(tmp_path, ANCHOR, **_companies(["43.120", "43.310", "41.200"], [OLD, OLD, "2024-01-04"]))
    assert detect_shared_role_holders(data, COMP) == []


def test_two_companies_are_one_step_below(tmp_path):
    data = build(tmp_path, ANCHOR, **_companies(["43.120", "41.200"], [OLD, "2025-06-01"]))
    assert detect_shared_role_holders(data, COMP) == []


def test_one_of_the_three_outside_high_risk_industries_is_one_step_below(tmp_path):
    data = build(tmp_path, ANCHOR, **_companies(["43.120", "62.010", "41.200"], [OLD, OLD, "2025-06-01"]))
    assert detect_shared_role_holders(data, COMP) == []


def test_four_companies_score_higher(tmp_path):
    data = build(tmp_path, ANCHOR, **_companies(["43.120", "43.310", "41.200", "81.210"], [OLD, OLD, OLD,
                                                                                          "2025-06-01"]))  # fmt: skip
    (finding,) = detect_shared_role_holders(data, COMP)
    assert finding.score == pytest.approx(_roles_score(4, 4, True))
