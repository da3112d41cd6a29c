"""F2 claw-back: a worker's own loan instalments to a bank in the employer's circle are not handed back."""

from __future__ import annotations

from detectcase import CONFIG, account, build, company, company_holder, orgnr, person_holder, txn

from finflow.detect.labour import detect_clawback

EMPLOYER, BANK = account(700), account(701)
WORKER = account(710)


def _case(tmp_path, text: str):
    holders = [company_holder(EMPLOYER, "Renhold Test AS", 70), company_holder(BANK, "Storbank Norge ASA", 71),
               person_holder(WORKER, "Mona Jensen", "1985-05-05")]  # fmt: skip
    # one board member sits on both boards: the bank is in the employer's circle
    registry = {
        "companies": [company(70, "Renhold Test AS", "81.210", 5), company(71, "Storbank Norge ASA", "64.190", 900)],
        "roles": {orgnr(n): [(role, "Svein Styre", "1960-01-01")] for n, role in ((70, "LEDE"), (71, "MEDL"))},
    }
    rows = []
    for m in range(3):
        rows.append(txn(m * 30 + 20, 30000, EMPLOYER, WORKER, "salary", "Lønn"))
        rows.append(txn(m * 30 + 21, 22000, WORKER, BANK, "transfer", text))
    return build(tmp_path, rows, holders=holders, **registry)


def test_mortgage_instalments_to_a_bank_in_the_circle_are_not_clawback(tmp_path):
    assert detect_clawback(_case(tmp_path, "Boliglån avdrag og renter"), CONFIG["wage_clawback"]) == []


def test_the_same_payment_without_a_loan_text_is_clawback(tmp_path):
    (finding,) = detect_clawback(_case(tmp_path, "Tilbakebetaling"), CONFIG["wage_clawback"])
    assert finding.subjects[0].id == BANK and finding.metrics["workers"] == 1
