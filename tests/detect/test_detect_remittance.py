"""Remittances: corridors (C1), pooled foreign beneficiary (C2), salary abroad (C3), structuring (C4)."""

from __future__ import annotations

from detectcase import CONFIG, account, build, company_holder, person_holder, txn

from finflow.detect.remittance import (
    detect_corridor_outflows,
    detect_foreign_beneficiary,
    detect_mto_structuring,
    detect_salary_abroad,
)

SENDER = account(200)
EMPLOYER = account(201)
RO_IBAN = "RO49AAAA1B31007593840000"
PARAMS = CONFIG["remittance"]
HOLDERS = [person_holder(SENDER, "Ion Popa", "1990-01-01"), company_holder(EMPLOYER, "Arbeidsgiver AS", 5)]


def test_cash_followed_by_transfers_to_an_origin_country(tmp_path):
    rows = []
    for d in (2, 9, 16):
        rows.append(txn(d, 9000, None, SENDER, "cash_deposit", "Innskudd automat", time="10:00"))
        rows.append(txn(d + 1, 8500, SENDER, RO_IBAN, "remittance", "", time="09:00", to_country="RO"))
    data = build(tmp_path, rows, holders=HOLDERS)
    (finding,) = detect_corridor_outflows(data, PARAMS)
    assert finding.subjects[0].id == SENDER and finding.subjects[0].role == "controller"
    assert finding.metrics["transfers"] == 3 and finding.metrics["after_cash_share"] == 1.0
    assert "3 transfers to RO" in finding.summary and "100% within 72 h after a cash deposit" in finding.summary


def test_a_monthly_family_remittance_from_salary_is_not_flagged(tmp_path):
    rows = []
    for m in range(3):
        rows.append(txn(30 * m + 20, 32000, EMPLOYER, SENDER, "salary", "Lønn"))
        rows.append(txn(30 * m + 25, 4000, SENDER, RO_IBAN, "remittance", "", to_country="RO"))
    data = build(tmp_path, rows, holders=HOLDERS)
    assert detect_corridor_outflows(data, PARAMS) == []


def _senders(names: list[str]) -> tuple[list[dict], list[dict]]:
    accs = [account(220 + i) for i in range(len(names))]
    holders = [person_holder(a, n, f"199{i}-01-01") for i, (a, n) in enumerate(zip(accs, names, strict=True))]
    rows = [
        txn(5 + i, 3000, a, RO_IBAN, "remittance", "", to_name="Maria Ionescu", to_country="RO")
        for i, a in enumerate(accs)
    ]
    return rows, holders


def test_unrelated_senders_paying_one_beneficiary_abroad(tmp_path):
    rows, holders = _senders(["Ion Popa", "Dan Rusu", "Ana Lupu"])
    data = build(tmp_path, rows, holders=holders)
    (finding,) = detect_foreign_beneficiary(data, PARAMS)
    assert finding.subjects[0].id == RO_IBAN and finding.subjects[0].role == "controller"
    assert finding.metrics["senders"] == 3


def test_siblings_supporting_their_mother_are_not_flagged(tmp_path):
    rows, holders = _senders(["Ion Popa", "Dan Popa", "Ana Popa"])
    data = build(tmp_path, rows, holders=holders)
    assert detect_foreign_beneficiary(data, PARAMS) == []


def _salary_then_abroad(share: float) -> list[dict]:
    rows = []
    for m in range(3):
        rows.append(txn(30 * m + 20, 20000, EMPLOYER, SENDER, "salary", "Lønn"))
        rows.append(txn(30 * m + 21, 20000 * share, SENDER, RO_IBAN, "remittance", "", to_country="RO"))
    return rows


def test_salary_sent_abroad_within_days(tmp_path):
    data = build(tmp_path, _salary_then_abroad(0.85), holders=HOLDERS)
    (finding,) = detect_salary_abroad(data, PARAMS)
    assert finding.subjects[0].id == SENDER and finding.subjects[0].role == "possible_victim"
    assert finding.metrics == {"months": 3, "share": 0.85}


def test_a_fifth_of_the_salary_abroad_is_not_flagged(tmp_path):
    data = build(tmp_path, _salary_then_abroad(0.2), holders=HOLDERS)
    assert detect_salary_abroad(data, PARAMS) == []


def test_money_transfers_just_below_8000(tmp_path):
    rows = [txn(d, 7800, SENDER, RO_IBAN, "remittance", "", to_country="RO") for d in (1, 3, 5)]
    data = build(tmp_path, rows, holders=HOLDERS)
    findings = detect_mto_structuring(data, PARAMS)
    assert {f.metrics["side"] for f in findings} == {"sender", "beneficiary"}
    assert all(f.metrics["transfers"] == 3 for f in findings)
    assert "each between NOK 6 400 and NOK 8 000" in findings[0].summary


def test_transfers_well_below_the_limit_are_not_structuring(tmp_path):
    rows = [txn(d, 5000, SENDER, RO_IBAN, "remittance", "", to_country="RO") for d in (1, 3, 5)]
    data = build(tmp_path, rows, holders=HOLDERS)
    assert detect_mto_structuring(data, PARAMS) == []


def test_a_corridor_without_cash_does_not_offer_zero_percent_as_a_reason(tmp_path):
    per_month = PARAMS["min_transfers_per_month"]
    rows = [txn(1 + d, 8500, SENDER, RO_IBAN, "remittance", "", to_country="RO") for d in range(per_month + 1)]
    data = build(tmp_path, rows, holders=HOLDERS)
    (finding,) = detect_corridor_outflows(data, PARAMS)
    assert finding.metrics["after_cash_share"] == 0.0
    assert "cash deposit" not in finding.summary and "0%" not in finding.summary
