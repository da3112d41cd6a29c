"""collector, built by hand: many unrelated private senders, small amounts, passed on.

Score (docs/detectors.md, "Scores"): the weighted mean (``collector.weights``) of
``min(1, senders ÷ 15)``, ``max(forwarded share, swept share)``, ``max(0, 1 − median ÷ NOK 5 000)`` and
``min(1, person share)``. Thresholds: ≥ 10 senders when no swept account feeds it
(``min_senders_if_not_swept``), median ≤ NOK 5 000, ≥ 60 % of value from repeat senders, ≥ 60 %
passed on within 14 days.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from casebuilder import account, case_from_rows

from finflow.config import load_config
from finflow.detect.collector import detect_collectors

PARAMS = load_config()["collector"]
COLLECTOR = account(950)
OUTSIDE = "RO49AAAA1B31007593840000"
NAMES = ["Per Olsen", "Jon Berg", "Ali Khan", "Lars Dahl", "Tor Moe", "Erik Lie", "Nils Bakke", "Arne Vik",
         "Ole Strand", "Geir Foss", "Knut Aas"]  # fmt: skip
START = date(2026, 3, 2)


def _row(day: int, amount: float, frm: str | None, to: str, name: str, ref: str, time: str, **kw) -> dict:
    return {"date": (START + timedelta(days=day)).isoformat(), "time": time, "amount": f"{amount:.2f}",
            "currency": "NOK", "from_account": frm, "from_name": name, "to_account": to, "to_name": "Mona Holder",
            "channel": kw.get("channel", "p2p"), "description": "vipps", "txn_ref": ref}  # fmt: skip


def _case(tmp_path, senders: int = 10, amount: float = 1200, delay: int = 1, one_off: int = 0,
          one_off_amount: float = 1200):  # fmt: skip
    rows = []
    for i in range(senders):
        times = 1 if i >= senders - one_off else 2
        for k in range(times):
            value = one_off_amount if times == 1 else amount
            rows.append(_row(i * 2 + k, value, account(i), COLLECTOR, NAMES[i], f"in-{i}-{k}", "23:15"))
    rows += [_row(int(r["date"][8:]) - 2 + delay, float(r["amount"]), COLLECTOR, OUTSIDE, "Mona Holder",
                  f"out-{n}", "10:00", channel="remittance") for n, r in enumerate(list(rows))]  # fmt: skip
    return case_from_rows(tmp_path, rows)


def _score(senders: int, forwarded: float, median_minor: float, persons: float = 1.0) -> float:
    w = PARAMS["weights"]
    parts = {"senders": min(1.0, senders / (3 * PARAMS["min_distinct_senders"])), "forwarded": forwarded,
             "small_amounts": max(0.0, 1 - median_minor / PARAMS["max_median_amount_minor"]),
             "persons": min(1.0, persons)}  # fmt: skip
    return sum(w[k] * v for k, v in parts.items()) / sum(w.values())


def test_ten_unrelated_senders_passed_on_at_the_edge(tmp_path):
    (finding,) = detect_collectors(_case(tmp_path), PARAMS)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (COLLECTOR, "controller")
    assert finding.metrics["distinct_unrelated_senders"] == 10
    assert finding.score == pytest.approx(_score(10, 1.0, 120_000), abs=1e-4)


def test_nine_senders_without_swept_feeders_are_one_step_below(tmp_path):
    assert detect_collectors(_case(tmp_path, senders=9), PARAMS) == []


def test_a_median_of_nok_5000_is_at_the_edge(tmp_path):
    (finding,) = detect_collectors(_case(tmp_path, amount=5000), PARAMS)
    assert finding.score == pytest.approx(_score(10, 1.0, 500_000), abs=1e-4)


def test_a_median_one_ore_over_nok_5000_is_one_step_past(tmp_path):
    assert detect_collectors(_case(tmp_path, amount=5000.01), PARAMS) == []


def test_passed_on_within_14_days_counts_and_after_15_does_not(tmp_path):
    (finding,) = detect_collectors(_case(tmp_path, delay=14), PARAMS)  # 23:15 in, 10:00 out 14 days later
    assert finding.metrics["forwarded_share"] == 1.0
    other = tmp_path / "late"
    other.mkdir()
    assert detect_collectors(_case(other, delay=15), PARAMS) == []


def test_sixty_percent_from_repeat_senders_at_the_edge(tmp_path):
    # five senders pay 2 x NOK 1 200 (12 000), five pay once NOK 1 600 (8 000): 60 % from repeat senders
    (finding,) = detect_collectors(_case(tmp_path, one_off=5, one_off_amount=1600), PARAMS)
    assert finding.metrics["distinct_unrelated_senders"] == 10


def test_just_under_sixty_percent_from_repeat_senders_is_one_step_below(tmp_path):
    assert detect_collectors(_case(tmp_path, one_off=5, one_off_amount=1600.01), PARAMS) == []
