"""sweep, night_p2p and shared_identifiers, built by hand.

Scores (docs/detectors.md, "Scores"): sweep ``min(1, 0.5 + 0.1 × swept accounts + 0.2 × mean swept
share)``; night_p2p ``min(1, 0.35 + 0.02 × payers + 0.25 × night share)`` (no night term when no
times are known); shared_identifiers ``min(1, kind weight × (0.6 + 0.1 × (persons − 3)))``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from detectcase import CONFIG, account, build, person_holder, txn
from shapecase import fresh

from finflow.detect.hubs import detect_night_p2p, detect_shared_identifiers, detect_sweeps
from finflow.synth.numbers import person_numbers

SWEEP, NIGHT, IDS = CONFIG["sweep"], CONFIG["night_p2p"], CONFIG["shared_identifiers"]
BOSS = account(520)
VICTIMS = [account(521), account(522), account(523)]
NAMES = ["Ana Lupu", "Ioana Rusu", "Maria Stoica"]


def _holders(boss_name: str = "Boss Mann") -> list[dict]:
    rows = [person_holder(BOSS, boss_name, "1980-05-05")]
    return rows + [person_holder(v, n, f"199{i}-02-02") for i, (v, n) in enumerate(zip(VICTIMS, NAMES, strict=True))]


def _month(victim: str, day: int, out: float, delay: int = 1, inflow: float = 1000, dest: str = BOSS) -> list[dict]:
    """Four client payments on ``day``, then ``out`` passed to ``dest`` ``delay`` days later."""
    rows = [txn(day, inflow, account(600 + 10 * VICTIMS.index(victim) + k), victim, "p2p", "", time="23:00")
            for k in range(4)]  # fmt: skip
    return [*rows, txn(day + delay, out, victim, dest, "transfer", "")]


def _ring(out: float = 3200, delay: int = 1, victims: int = 2, months: int = 2, inflow: float = 1000) -> list[dict]:
    """Each month ``out`` of the month's NOK 4 000 is swept, plus what was left over from the month before.

    (The leftover is swept too, as a controller takes the balance: first in, first out, it is old
    money and does not count as passed on in time.)
    """
    rows = []
    for v in VICTIMS[:victims]:
        left = 0.0
        for m in range(months):
            rows += _month(v, 5 + 30 * m, out + left, delay, inflow)
            left = 4 * inflow - out
    return rows


def _sweep_score(swept: int, share: float) -> float:
    return min(1.0, 0.5 + 0.1 * swept + 0.2 * share)


def test_two_accounts_swept_80_percent_in_two_months_at_the_edge(tmp_path):
    (finding,) = detect_sweeps(build(tmp_path, _ring(), holders=_holders()), SWEEP)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (BOSS, "controller")
    assert {(s.id, s.role) for s in finding.subjects[1:]} == {(v, "possible_victim") for v in VICTIMS[:2]}
    assert finding.metrics["swept_accounts"] == 2 and finding.metrics["mean_forwarded_share"] == 0.8
    assert finding.score == pytest.approx(_sweep_score(2, 0.8))


def test_one_krone_under_80_percent_is_one_step_below(tmp_path):
    assert detect_sweeps(build(tmp_path, _ring(out=3199), holders=_holders()), SWEEP) == []


def test_one_swept_account_is_a_household(tmp_path):
    assert detect_sweeps(build(tmp_path, _ring(victims=1), holders=_holders()), SWEEP) == []


def test_one_month_is_one_step_below_min_months(tmp_path):
    assert detect_sweeps(build(tmp_path, _ring(months=1), holders=_holders()), SWEEP) == []


def test_passed_on_two_days_later_counts_three_days_does_not(tmp_path):
    (finding,) = detect_sweeps(build(fresh(tmp_path, "a"), _ring(delay=2), holders=_holders()), SWEEP)
    assert finding.metrics["swept_accounts"] == 2
    assert detect_sweeps(build(fresh(tmp_path, "b"), _ring(delay=3), holders=_holders()), SWEEP) == []


def test_months_under_nok_3000_coming_in_are_ignored(tmp_path):
    # NOK 2 996 in (4 x 749), all of it passed on: too little to judge
    assert detect_sweeps(build(tmp_path, _ring(out=2996, inflow=749), holders=_holders()), SWEEP) == []


def test_three_accounts_swept_whole_score_higher(tmp_path):
    (finding,) = detect_sweeps(build(tmp_path, _ring(out=4000, victims=3), holders=_holders()), SWEEP)
    assert finding.score == pytest.approx(_sweep_score(3, 1.0))


def test_money_moved_to_the_holders_own_savings_account_is_not_a_sweep(tmp_path):
    # the "victims" all pay one account held by a person of the same name as each: their own
    holders = [person_holder(v, n, f"199{i}-02-02") for i, (v, n) in enumerate(zip(VICTIMS, NAMES, strict=True))]
    savings = [account(530), account(531)]
    holders += [person_holder(s, n, f"199{i}-02-02") for i, (s, n) in enumerate(zip(savings, NAMES, strict=False))]
    rows = [
        r for i, v in enumerate(VICTIMS[:2]) for m in range(2) for r in _month(v, 5 + 30 * m, 3200, dest=savings[i])
    ]
    assert detect_sweeps(build(tmp_path, rows, holders=holders), SWEEP) == []


# -- night_p2p ---------------------------------------------------------------------------------


def _receipts(payers: int = 10, night: int = 3, round_: int | None = None, timed: bool = True) -> list[dict]:
    round_ = payers if round_ is None else round_
    return [txn(1 + i, 1000 if i < round_ else 1037, account(700 + i), VICTIMS[0], "p2p", "",
                time=("23:00" if i < night else "13:00") if timed else None, from_name=f"P{i} Q{i}")
            for i in range(payers)]  # fmt: skip


def _night_score(payers: int, night: float | None) -> float:
    return min(1.0, 0.35 + 0.02 * payers + (0.25 * night if night is not None else 0.0))


def test_ten_payers_three_at_night_at_the_edge(tmp_path):
    (finding,) = detect_night_p2p(build(tmp_path, _receipts(), holders=_holders()), NIGHT)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (VICTIMS[0], "possible_victim")
    assert finding.metrics == {"max_payers_in_month": 10, "months": 1}
    assert finding.score == pytest.approx(_night_score(10, 0.3))


def test_nine_payers_are_one_step_below(tmp_path):
    assert detect_night_p2p(build(tmp_path, _receipts(payers=9, night=9), holders=_holders()), NIGHT) == []


def test_two_of_ten_at_night_are_one_step_below(tmp_path):
    assert detect_night_p2p(build(tmp_path, _receipts(night=2), holders=_holders()), NIGHT) == []


def test_half_round_amounts_at_the_edge_and_fewer_below(tmp_path):
    (finding,) = detect_night_p2p(build(fresh(tmp_path, "a"), _receipts(round_=5), holders=_holders()), NIGHT)
    assert finding.metrics["max_payers_in_month"] == 10
    assert detect_night_p2p(build(fresh(tmp_path, "b"), _receipts(round_=4), holders=_holders()), NIGHT) == []


def test_without_times_the_night_condition_is_not_applied(tmp_path):
    (finding,) = detect_night_p2p(build(tmp_path, _receipts(timed=False), holders=_holders()), NIGHT)
    assert "(times unknown)" in finding.summary and finding.score == pytest.approx(_night_score(10, None))


def test_round_amounts_above_nok_3000_are_not_in_the_band(tmp_path):
    rows = _receipts()
    for row in rows:
        row["amount"] = "3100.00"
    assert detect_night_p2p(build(tmp_path, rows, holders=_holders()), NIGHT) == []


# -- shared_identifiers ------------------------------------------------------------------------


def _person(name: str, birth: str, phone: str = "", id_number: str = "") -> dict:
    return {"name": name, "birth_date": birth, "nationality": "RO", "phone": phone, "id_number": id_number,
            "street": "Storgata 1", "postcode": "0150", "city": "Oslo", "country": "NO",
            "address_from": "2025-01-01"}  # fmt: skip


PHONE = "+47 412 34 567"
OTHERS = ["Ana Lupu", "Ioana Rusu", "Maria Stoica", "Elena Dima"]


def _ids_score(persons: int, weight: float) -> float:
    return min(1.0, weight * (0.6 + 0.1 * (persons - IDS["min_parties"])))


def test_a_phone_of_three_unrelated_persons_at_the_edge(tmp_path):
    people = [_person(n, f"199{i}-02-02", PHONE) for i, n in enumerate(OTHERS[:3])]
    (finding,) = detect_shared_identifiers(build(tmp_path, persons=people), IDS)
    assert finding.subjects[0].kind == "identifier" and finding.metrics == {"parties": 3}
    assert finding.score == pytest.approx(_ids_score(3, IDS["kind_weight"]["phone"]))


def test_a_phone_of_two_is_one_step_below(tmp_path):
    people = [_person(n, f"199{i}-02-02", PHONE) for i, n in enumerate(OTHERS[:2])]
    assert detect_shared_identifiers(build(tmp_path, persons=people), IDS) == []


def test_four_persons_score_higher(tmp_path):
    people = [_person(n, f"199{i}-02-02", PHONE) for i, n in enumerate(OTHERS)]
    (finding,) = detect_shared_identifiers(build(tmp_path, persons=people), IDS)
    assert finding.score == pytest.approx(_ids_score(4, IDS["kind_weight"]["phone"]))


def test_one_id_number_for_three_persons_of_one_family_is_flagged(tmp_path):
    births = [date(1990, 2, 2), date(1991, 2, 2), date(1992, 2, 2)]
    (number,) = person_numbers(np.random.default_rng(5), births[:1], np.array([True]))
    people = [_person(n, b.isoformat(), id_number=number) for n, b in zip(["Ana Lupu", "Dan Lupu", "Ion Lupu"],
                                                                          births, strict=True)]  # fmt: skip
    (finding,) = detect_shared_identifiers(build(tmp_path, persons=people), IDS)
    assert finding.score == pytest.approx(_ids_score(3, IDS["kind_weight"]["id_number"]))
