"""third_party_rent, built by hand: the rent of others' leases paid month after month.

Score (docs/detectors.md, "Scores"): ``min(1, 0.3 + 0.15 × leases + 0.03 × most months paid on one lease)``.
Thresholds (``rent``): ``min_leases`` 2, ``min_months`` 2, ``min_rent_minor`` NOK 3 000.
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, person_holder, txn

from finflow.detect.rent import detect_third_party_rent

PARAMS = CONFIG["rent"]
PAYER, LANDLORD = account(400), account(401)
TENANT_NAMES = [("Ana Lupu", "1995-07-14"), ("Ioana Rusu", "1996-08-15"), ("Elena Dima", "1997-09-16")]


def _holders(payer_name: str = "Boss Mann") -> list[dict]:
    return [person_holder(PAYER, payer_name, "1980-05-05"), person_holder(LANDLORD, "Lars Utleier", "1960-04-04")]


def _lease(i: int, rent: float, tenant: tuple[str, str] | None = None) -> dict:
    name, birth = tenant or TENANT_NAMES[i]
    return {"lease_ref": f"L-{i}", "premises_street": f"Storgata {5 + 2 * i}", "premises_postcode": "0150",
            "premises_city": "Oslo", "landlord_name": "Lars Utleier", "landlord_birth_date": "1960-04-04",
            "tenant_name": name, "tenant_birth_date": birth, "monthly_rent": f"{rent:.2f}", "currency": "NOK",
            "start_date": "2025-12-01"}  # fmt: skip


def _pay(rent: float, months: int, payer: str = PAYER, offset: int = 0) -> list[dict]:
    # no rent word: the lease alone makes these rent payments
    return [txn(m * 30 + 1 + offset, rent, payer, LANDLORD, "transfer", "") for m in range(months)]


def _score(leases: int, months: int) -> float:
    return min(1.0, 0.3 + 0.15 * leases + 0.03 * months)


RENTS = [9000, 8500, 7000]


def _case(tmp_path, leases: int = 2, months: list[int] | None = None, rents: list[float] | None = None, **kw):
    months = months or [2] * leases
    rents = rents or RENTS[:leases]
    rows = [r for i in range(leases) for r in _pay(rents[i], months[i], offset=i)]
    return build(tmp_path, rows, holders=_holders(kw.get("payer_name", "Boss Mann")),
                 leases=[_lease(i, rents[i], kw.get("tenants", [None] * 3)[i]) for i in range(leases)])  # fmt: skip


def test_two_leases_for_two_months_at_the_edge(tmp_path):
    (finding,) = detect_third_party_rent(_case(tmp_path), PARAMS)
    assert finding.subjects[0].id == PAYER and finding.subjects[0].role == "controller"
    assert [(s.label, s.role) for s in finding.subjects[1:]] == [
        ("Ana Lupu", "possible_victim"),
        ("Ioana Rusu", "possible_victim"),
    ]
    assert finding.metrics == {"leases": 2, "tenants": 2}
    assert finding.score == pytest.approx(_score(2, 2))
    assert "total NOK 35 000" in finding.summary and len(finding.evidence_txn_ids) == 4


def test_one_lease_is_one_step_below_min_leases(tmp_path):
    assert detect_third_party_rent(_case(tmp_path, leases=1), PARAMS) == []


def test_one_month_on_a_lease_is_one_step_below_min_months(tmp_path):
    # the second lease paid once drops out, leaving one lease: below min_leases
    assert detect_third_party_rent(_case(tmp_path, months=[2, 1]), PARAMS) == []


def test_score_grows_with_leases_and_the_longest_run(tmp_path):
    (finding,) = detect_third_party_rent(_case(tmp_path, leases=3, months=[4, 2, 3]), PARAMS)
    assert finding.metrics == {"leases": 3, "tenants": 3}
    assert finding.score == pytest.approx(_score(3, 4))


def test_rent_exactly_at_the_minimum_counts(tmp_path):
    (finding,) = detect_third_party_rent(_case(tmp_path, rents=[3000, 3000.01]), PARAMS)
    assert finding.metrics["leases"] == 2


def test_rent_one_ore_below_the_minimum_is_not_rent(tmp_path):
    assert detect_third_party_rent(_case(tmp_path, rents=[2999.99, 3000]), PARAMS) == []


def test_a_parent_paying_two_childrens_rent_is_family(tmp_path):
    tenants = [("Ana Mann", "2001-07-14"), ("Ola Mann", "2003-08-15"), None]
    assert detect_third_party_rent(_case(tmp_path, tenants=tenants), PARAMS) == []


def test_a_tenant_paying_two_leases_of_her_own_is_not_third_party(tmp_path):
    tenants = [("Boss Mann", "1980-05-05")] * 2 + [None]
    assert detect_third_party_rent(_case(tmp_path, tenants=tenants), PARAMS) == []


def test_a_payer_nobody_knows_is_not_called_a_third_party(tmp_path):
    rows = [r for i in range(2) for r in _pay(RENTS[i], 2, payer=account(402), offset=i)]
    data = build(tmp_path, rows, holders=_holders()[1:], leases=[_lease(i, RENTS[i]) for i in range(2)])
    assert detect_third_party_rent(data, PARAMS) == []


def test_a_stricter_setting_moves_the_edge(tmp_path):
    assert detect_third_party_rent(_case(tmp_path), dict(PARAMS, min_months=3)) == []
