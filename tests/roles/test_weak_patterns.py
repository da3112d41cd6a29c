"""Rent for several homes and remittances in pieces make no suspect alone: hand-built cases.

Each case runs the real detector on imported transactions; its innocent counterpart changes one
thing — a finding about money taken or collected beside the weak pattern — and only then is the
subject a suspect.
"""

from __future__ import annotations

from detectcase import CONFIG, account, build, person_holder, txn

from finflow.detect.base import Finding, Subject
from finflow.detect.remittance import detect_mto_structuring
from finflow.detect.rent import detect_rent_several
from finflow.roles import SUSPECT_ROLES, resolve_roles
from finflow.subjects import rank_subjects

TENANT, SENDER = account(4101), account(4102)
LANDLORDS = [account(4110 + i) for i in range(3)]
RO_IBAN = "RO49AAAA1B31007593840000"
HOLDERS = [person_holder(TENANT, "Tone Leietaker", "1975-03-03"), person_holder(SENDER, "Ion Popa", "1990-01-01")]
HOLDERS += [person_holder(a, f"Utleier{i} Eiendom", f"196{i}-04-04") for i, a in enumerate(LANDLORDS)]


def _three_rents() -> list[dict]:
    """One private tenant pays rent for three flats to three landlords, three months running."""
    return [
        txn(m * 30 + 1, 8000 + 500 * i, TENANT, landlord, "transfer", "Husleie")
        for m in range(3)
        for i, landlord in enumerate(LANDLORDS)
    ]


def _remittances_in_pieces() -> list[dict]:
    """Three transfers home within a week, each just under the NOK 8 000 due-diligence limit."""
    return [txn(d, 7500, SENDER, RO_IBAN, "remittance", "", to_country="RO") for d in (1, 3, 5)]


def _collects(acc: str) -> Finding:
    """A finding about money collected from others: not a pattern households show."""
    return Finding("collector", [Subject("account", acc, "controller")], 0.7, "collects from 4 payers", {})


def _role_of(roles, acc: str) -> str:
    return next(roles.role(k) for k, accounts in roles.named_accounts.items() if acc in accounts)


def test_a_tenant_paying_three_rents_is_context_with_its_landlords(tmp_path):
    data = build(tmp_path, _three_rents(), holders=HOLDERS)
    (finding,) = detect_rent_several(data, CONFIG["rent"])
    assert finding.metrics["premises"] == 3 and finding.subjects[0].role == "controller"
    roles = resolve_roles([finding], data, CONFIG)
    assert _role_of(roles, TENANT) == "context"
    assert "alone does not make a suspect" in next(r.basis for r in roles.roles.values())
    assert all(_role_of(roles, landlord) == "context" for landlord in LANDLORDS)
    assert rank_subjects([finding], data, CONFIG).suspects.empty


def test_the_same_tenant_who_also_collects_money_is_a_controller(tmp_path):
    data = build(tmp_path, _three_rents(), holders=HOLDERS)
    findings = [*detect_rent_several(data, CONFIG["rent"]), _collects(TENANT)]
    roles = resolve_roles(findings, data, CONFIG)
    assert _role_of(roles, TENANT) == "controller"
    assert all(_role_of(roles, landlord) == "context" for landlord in LANDLORDS)
    suspects = rank_subjects(findings, data, CONFIG, roles=roles).suspects
    assert len(suspects) == 1 and suspects.loc[0, "detectors"] == "collector,rent_several_premises"


def test_remittances_in_pieces_alone_make_neither_sender_nor_beneficiary_a_suspect(tmp_path):
    data = build(tmp_path, _remittances_in_pieces(), holders=HOLDERS)
    findings = detect_mto_structuring(data, CONFIG["remittance"])
    assert {f.metrics["side"] for f in findings} == {"sender", "beneficiary"}
    roles = resolve_roles(findings, data, CONFIG)
    assert {roles.role(k) for k in roles.roles} == {"context"}
    assert rank_subjects(findings, data, CONFIG, roles=roles).suspects.empty


def test_a_sender_in_pieces_who_also_collects_money_is_a_suspect(tmp_path):
    data = build(tmp_path, _remittances_in_pieces(), holders=HOLDERS)
    findings = [*detect_mto_structuring(data, CONFIG["remittance"]), _collects(SENDER)]
    roles = resolve_roles(findings, data, CONFIG)
    assert _role_of(roles, SENDER) in SUSPECT_ROLES
    assert roles.role(("account", RO_IBAN)) == "context"  # the beneficiary still rests on the weak pattern alone


def test_two_weak_patterns_do_not_corroborate_each_other(tmp_path):
    data = build(tmp_path, _three_rents() + [{**r, "from_account": TENANT} for r in _remittances_in_pieces()],
                 holders=HOLDERS)  # fmt: skip
    findings = detect_rent_several(data, CONFIG["rent"]) + detect_mto_structuring(data, CONFIG["remittance"])
    assert {f.detector for f in findings if f.subjects[0].id == TENANT} == {"rent_several_premises", "mto_structuring"}
    assert _role_of(resolve_roles(findings, data, CONFIG), TENANT) == "context"
