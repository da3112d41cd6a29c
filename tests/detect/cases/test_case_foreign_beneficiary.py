"""foreign_beneficiary, built by hand: unrelated senders paying one beneficiary abroad.

Score (docs/detectors.md, "Scores"): ``min(1, 0.4 + 0.08 × senders)``.
Thresholds (``remittance``): ``min_senders`` 3 senders with as many surnames in one quarter (three
consecutive calendar months counted from ``year × 12 + month``: Dec–Feb, Mar–May, Jun–Aug, Sep–Nov).
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, person_holder, txn

from finflow.detect.remittance import detect_foreign_beneficiary

PARAMS = CONFIG["remittance"]
RO_IBAN = "RO49AAAA1B31007593840000"
NAMES = ["Ion Popa", "Dan Rusu", "Ana Lupu", "Mihai Dinu"]


def _case(tmp_path, names: list[str], days: list[int] | None = None, *, to: str | None = RO_IBAN,
          to_name: str = "Maria Ionescu", country: str = "RO"):  # fmt: skip
    accs = [account(430 + i) for i in range(len(names))]
    holders = [person_holder(a, n, f"199{i}-01-01") for i, (a, n) in enumerate(zip(accs, names, strict=True))]
    days = days or [5 + i for i in range(len(names))]
    rows = [txn(d, 3000, a, to, "remittance", "", to_name=to_name, to_country=country)
            for d, a in zip(days, accs, strict=True)]  # fmt: skip
    return build(tmp_path, rows, holders=holders), accs


def _score(senders: int) -> float:
    return min(1.0, 0.4 + 0.08 * senders)


def test_three_unrelated_senders_at_the_edge(tmp_path):
    data, accs = _case(tmp_path, NAMES[:3])
    (finding,) = detect_foreign_beneficiary(data, PARAMS)
    assert (finding.subjects[0].id, finding.subjects[0].role) == (RO_IBAN, "controller")
    assert [s.id for s in finding.subjects[1:]] == sorted(accs)
    assert finding.metrics == {"senders": 3}
    assert finding.score == pytest.approx(_score(3))
    assert "3 senders with 3 different surnames" in finding.summary and "RO" in finding.summary


def test_two_senders_is_one_step_below(tmp_path):
    data, _ = _case(tmp_path, NAMES[:2])
    assert detect_foreign_beneficiary(data, PARAMS) == []


def test_three_senders_with_two_surnames_is_one_step_below(tmp_path):
    data, _ = _case(tmp_path, ["Ion Popa", "Dan Popa", "Ana Lupu"])
    assert detect_foreign_beneficiary(data, PARAMS) == []


def test_four_senders_score_higher(tmp_path):
    data, _ = _case(tmp_path, NAMES)
    (finding,) = detect_foreign_beneficiary(data, PARAMS)
    assert finding.score == pytest.approx(_score(4))


def test_senders_split_over_two_quarters_are_not_pooled(tmp_path):
    # day 50 is 24 Feb 2026, day 56 is 2 Mar 2026: the third sender falls in the next quarter
    data, _ = _case(tmp_path, NAMES[:3], days=[48, 50, 56])
    assert detect_foreign_beneficiary(data, PARAMS) == []


def test_beneficiary_named_through_a_transfer_office_without_an_account(tmp_path):
    data, _ = _case(tmp_path, NAMES[:3], to=None)
    (finding,) = detect_foreign_beneficiary(data, PARAMS)
    assert finding.subjects[0].id == "maria ionescu@RO" and finding.score == pytest.approx(_score(3))


def test_a_company_beneficiary_is_not_pooled(tmp_path):
    data, _ = _case(tmp_path, NAMES[:3], to=None, to_name="Carpati Import SRL")
    assert detect_foreign_beneficiary(data, PARAMS) == []


def test_the_same_senders_paying_a_domestic_account_are_not_flagged(tmp_path):
    data, _ = _case(tmp_path, NAMES[:3], to=account(439), country="NO")
    assert detect_foreign_beneficiary(data, PARAMS) == []
