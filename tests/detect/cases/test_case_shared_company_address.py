"""shared_company_address, built by hand: many companies registered at someone's home.

Score (docs/detectors.md, "Scores"): ``min(1, 0.4 + 0.05 × companies)``.
Thresholds (``companies``): ``min_companies_at_address`` 5, ``require_residential`` true (a person
is registered as living at the address).
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, build, company, org_id

from finflow.detect.structures import detect_shared_company_address

PARAMS = CONFIG["companies"]
HOME = "Hjemmeveien 2"


def _resident(street: str = HOME) -> dict:
    return {"name": "Bo Beboer", "birth_date": "1980-01-01", "nationality": "NO", "street": street,
            "postcode": "0150", "city": "Oslo", "country": "NO", "address_from": "2020-01-01"}  # fmt: skip


def _companies(n: int, street: str = HOME) -> list[dict]:
    return [company(460 + i, f"Firma {i} AS", "43.120", 0, street=street) for i in range(n)]


def _score(companies: int) -> float:
    return min(1.0, 0.4 + 0.05 * companies)


def test_five_companies_at_a_home_at_the_edge(tmp_path):
    (finding,) = detect_shared_company_address(build(tmp_path, companies=_companies(5), persons=[_resident()]), PARAMS)
    assert finding.subjects[0].kind == "address" and finding.subjects[0].role == "unknown"
    assert [s.id for s in finding.subjects[1:]] == sorted(org_id(460 + i) for i in range(5))
    assert all(s.role == "front" for s in finding.subjects[1:])
    assert finding.metrics == {"companies": 5} and finding.score == pytest.approx(_score(5))
    assert len(finding.evidence_records) == 5


def test_four_companies_is_one_step_below(tmp_path):
    assert detect_shared_company_address(build(tmp_path, companies=_companies(4), persons=[_resident()]), PARAMS) == []


def test_eight_companies_score_higher(tmp_path):
    (finding,) = detect_shared_company_address(build(tmp_path, companies=_companies(8), persons=[_resident()]), PARAMS)
    assert finding.score == pytest.approx(_score(8))


def test_the_same_companies_where_nobody_lives_are_not_flagged(tmp_path):
    data = build(tmp_path, companies=_companies(5), persons=[_resident("Annenveien 9")])
    assert detect_shared_company_address(data, PARAMS) == []


def test_without_the_residential_condition_an_office_address_counts(tmp_path):
    data = build(tmp_path, companies=_companies(5), persons=[_resident("Annenveien 9")])
    (finding,) = detect_shared_company_address(data, dict(PARAMS, require_residential=False))
    assert finding.metrics == {"companies": 5}


def test_companies_spread_over_two_homes_are_not_pooled(tmp_path):
    companies = _companies(3) + [
        company(470 + i, f"Annet {i} AS", "43.120", 0, street="Annenveien 9") for i in range(2)
    ]
    data = build(tmp_path, companies=companies, persons=[_resident(), _resident("Annenveien 9")])
    assert detect_shared_company_address(data, PARAMS) == []
