"""A private taker passing the victims' money on to one listed person is an intermediary: hand-built.

Two victims pay the taker NOK 5 000 each in each of three months; the taker passes a fixed share
of it on to one private person. At ``min_intermediary_share`` (70 %) and above, the taker is an
intermediary (facilitator) and the receiver the controller; one step below, or when the receiver
is listed nowhere, or when the taker's own findings call it a controller, nothing changes.
"""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, company_holder, person_holder, txn

from finflow.detect.base import Finding, Subject
from finflow.roles import resolve_roles
from finflow.subjects import rank_subjects

TAKER, BOSS, V1, V2, FIRM = account(4201), account(4202), account(4203), account(4204), account(4205)
HOLDERS = [
    person_holder(TAKER, "Tore Mellommann", "1980-01-01"),
    person_holder(BOSS, "Kari Kontroll", "1975-02-02"),
    person_holder(V1, "Ada Offer", "1999-03-03"),
    person_holder(V2, "Bea Offer", "2000-04-04"),
    company_holder(FIRM, "Kontroll Holding AS", 7),
]
SHARE = CONFIG["roles"]["min_intermediary_share"]


def _rows(passed: float, to: str = BOSS) -> list[dict]:
    """Victims pay the taker NOK 10 000 a month; it passes ``passed`` of it on to ``to`` the next day."""
    rows = []
    for m in range(3):
        rows += [txn(m * 30 + 1, 5000, V1, TAKER, "transfer", "overføring")]
        rows += [txn(m * 30 + 2, 5000, V2, TAKER, "transfer", "overføring")]
        rows += [txn(m * 30 + 3, round(10000 * passed, 2), TAKER, to, "transfer", "overføring")]
    return rows


def _sweep() -> Finding:
    subjects = [Subject("account", TAKER, "controller"), Subject("account", V1, "possible_victim"),
                Subject("account", V2, "possible_victim")]  # fmt: skip
    return Finding("sweep", subjects, 0.9, "2 private accounts passed on 90 % to this account", {})


def _flagged(acc: str) -> Finding:
    """The receiver's own behaviour is flagged (cash deposits, no salary): a listed subject."""
    return Finding("cash_fed", [Subject("account", acc, "unknown")], 0.7, "cash deposits, no salary", {})


def _role(roles, acc: str) -> str:
    return next(roles.role(k) for k, accounts in roles.named_accounts.items() if acc in accounts)


def test_at_the_threshold_the_taker_is_an_intermediary_and_the_receiver_the_controller(tmp_path):
    data = build(tmp_path, _rows(SHARE), holders=HOLDERS)
    findings = [_sweep(), _flagged(BOSS)]
    roles = resolve_roles(findings, data, CONFIG)
    assert _role(roles, TAKER) == "facilitator" and _role(roles, BOSS) == "controller"
    assert {_role(roles, V1), _role(roles, V2)} == {"possible_victim"}
    boss = next(k for k, a in roles.named_accounts.items() if BOSS in a)
    taker = next(k for k, a in roles.named_accounts.items() if TAKER in a)
    assert len(roles.victims_of[boss]) == 2 and taker not in roles.victims_of
    assert roles.intermediaries == {taker: boss}
    assert "intermediary: passes 70% of the money it receives from 2 possible victim(s)" in roles.roles[taker].basis
    assert "Tore Mellommann passes 70%" in roles.roles[boss].basis
    suspects = rank_subjects(findings, data, CONFIG, roles=roles).suspects
    assert suspects["role"].tolist() == ["controller", "facilitator"]
    assert suspects.loc[0, "victims"] == 2 and "sweep" in suspects.loc[0, "detectors"]


def test_one_step_below_the_threshold_the_taker_stays_the_controller(tmp_path):
    data = build(tmp_path, _rows(SHARE - 0.01), holders=HOLDERS)
    roles = resolve_roles([_sweep(), _flagged(BOSS)], data, CONFIG)
    assert _role(roles, TAKER) == "controller" and _role(roles, BOSS) == "unknown"
    assert roles.intermediaries == {}


def test_a_receiver_listed_nowhere_is_not_made_the_controller(tmp_path):
    data = build(tmp_path, _rows(0.95), holders=HOLDERS)
    roles = resolve_roles([_sweep()], data, CONFIG)
    assert _role(roles, TAKER) == "controller"
    assert roles.role(("account", BOSS)) == "context" and roles.intermediaries == {}


def test_a_receiver_flagged_only_for_a_weak_pattern_is_not_made_the_controller(tmp_path):
    data = build(tmp_path, _rows(0.95), holders=HOLDERS)
    weak = Finding("mto_structuring", [Subject("account", BOSS, "unknown")], 0.6, "6 transfers in pieces", {},
                   metrics={"transfers": 6})  # fmt: skip
    roles = resolve_roles([_sweep(), weak], data, CONFIG)
    assert _role(roles, TAKER) == "controller" and _role(roles, BOSS) == "context"


def test_a_taker_whose_own_findings_call_it_a_controller_stays_the_controller(tmp_path):
    data = build(tmp_path, _rows(0.95), holders=HOLDERS)
    adverts = Finding("advert_payments", [Subject("account", TAKER, "controller")], 0.7, "pays an escort site", {})
    roles = resolve_roles([_sweep(), _flagged(BOSS), adverts], data, CONFIG)
    assert _role(roles, TAKER) == "controller" and _role(roles, BOSS) == "unknown"


def test_money_passed_on_to_a_company_makes_no_intermediary(tmp_path):
    data = build(tmp_path, _rows(0.95, to=FIRM), holders=HOLDERS)
    roles = resolve_roles([_sweep(), _flagged(FIRM)], data, CONFIG)
    assert _role(roles, TAKER) == "controller" and roles.intermediaries == {}


@pytest.mark.parametrize("share", [SHARE, 0.9])
def test_the_receiver_outranks_its_intermediary(tmp_path, share):
    data = build(tmp_path, _rows(share), holders=HOLDERS)
    findings = [_sweep(), _flagged(BOSS)]
    suspects = rank_subjects(findings, data, CONFIG).suspects
    assert suspects["label"].tolist() == ["Kari Kontroll", "Tore Mellommann"]
