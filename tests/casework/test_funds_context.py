"""Money from and to flagged accounts means listed suspects and possible victims, never context.

Hand-built: a salaried landlord is paid rent by a tenant and by a payer a finding names; the
payer's money counts as "from flagged accounts" only when the payer is listed as a suspect or a
possible victim, not when the finding leaves it context. Each counterpart changes one thing.
"""

from __future__ import annotations

from pathlib import Path

from finflow.analysis import analyse
from finflow.config import load_config
from finflow.detect.base import Finding, Subject
from finflow.funds import listed_accounts, source_and_application
from tests.casebuilder import account, case_from_rows

ME, EMPLOYER, PAYER, LANDLORD = (account(n) for n in (41, 42, 43, 44))
CONFIG = load_config()


def _row(date: str, amount: str, frm: str, to: str, text: str, channel: str = "transfer") -> dict:
    return {"date": date, "amount": amount, "currency": "NOK", "from_account": frm, "to_account": to,
            "channel": channel, "description": text}  # fmt: skip


def _case(tmp_path: Path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    rows = []
    for m in (1, 2, 3):
        rows.append(_row(f"2026-0{m}-25", "40000.00", EMPLOYER, ME, "Lønn", channel="salary"))
        rows.append(_row(f"2026-0{m}-02", "9000.00", PAYER, ME, "Husleie"))  # rent paid to me
        rows.append(_row(f"2026-0{m}-03", "12000.00", ME, LANDLORD, "Husleie"))  # my own rent
    return case_from_rows(tmp_path, rows)


def _weak(subject: str) -> Finding:
    """Rent for several homes: a pattern that alone makes no suspect (context)."""
    return Finding("rent_several_premises", [Subject("account", subject, "controller")], 0.7, "rent for 3 homes", {},
                   metrics={"premises": 3})  # fmt: skip


def _collects(subject: str) -> Finding:
    return Finding("collector", [Subject("account", subject, "controller")], 0.8, "collects from 6 payers", {})


def _nok(analysis) -> dict:
    result = source_and_application(analysis, ME, CONFIG)
    entry = next(e for e in result.currencies if e["currency"] == "NOK")
    assert entry["explained_minor"] + entry["unexplained_minor"] == entry["inflow_minor"]
    return entry


def test_money_from_a_payer_a_finding_leaves_context_is_not_from_a_flagged_account(tmp_path):
    analysis = analyse(_case(tmp_path), CONFIG, findings=[_weak(PAYER)])
    assert PAYER in analysis.flagged and PAYER not in listed_accounts(analysis)  # named, but context
    nok = _nok(analysis)
    assert nok["inflow_by_class"]["flagged"] == 0 and nok["inflow_by_class"]["unknown"] == 2_700_000


def test_the_same_payer_listed_as_a_suspect_is_a_flagged_account(tmp_path):
    analysis = analyse(_case(tmp_path), CONFIG, findings=[_weak(PAYER), _collects(PAYER)])
    assert PAYER in listed_accounts(analysis)
    nok = _nok(analysis)
    assert nok["inflow_by_class"]["flagged"] == 2_700_000 and nok["inflow_by_class"]["unknown"] == 0


def test_money_from_a_listed_possible_victim_is_from_a_flagged_account(tmp_path):
    sweep = Finding("sweep", [Subject("account", LANDLORD, "controller"), Subject("account", PAYER, "possible_victim")],
                    0.9, "passes on 90 %", {})  # fmt: skip
    analysis = analyse(_case(tmp_path), CONFIG, findings=[sweep])
    assert analysis.roles[PAYER] == "possible_victim"
    assert _nok(analysis)["inflow_by_class"]["flagged"] == 2_700_000


def test_rent_paid_to_a_context_landlord_is_rent_and_to_a_listed_one_is_to_flagged(tmp_path):
    context = _nok(analyse(_case(tmp_path / "a"), CONFIG, findings=[_weak(LANDLORD)]))
    assert context["outflow_by_use"]["rent"] == 3_600_000 and context["outflow_by_use"]["to_flagged"] == 0
    listed = _nok(analyse(_case(tmp_path / "b"), CONFIG, findings=[_weak(LANDLORD), _collects(LANDLORD)]))
    assert listed["outflow_by_use"]["to_flagged"] == 3_600_000 and listed["outflow_by_use"]["rent"] == 0


def test_a_salaried_person_paying_a_listed_landlord_keeps_its_salary_explained(tmp_path):
    nok = _nok(analyse(_case(tmp_path), CONFIG, findings=[_collects(LANDLORD)]))
    assert nok["inflow_by_class"]["salary_pension"] == 12_000_000
    assert nok["unexplained_minor"] == 2_700_000  # only the rent it receives from an unknown payer
