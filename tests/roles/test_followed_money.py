"""A victim's earnings followed through a relative's account to the controller: hand-built.

Six clients pay a conduit; it passes 95 % on to the controller's relative, whose own wages go
elsewhere, so most of what the relative pays out is not the controller's. Followed by amount,
the relative passes ``min_passed_share`` (70 %) or more of what it received from the conduit on to
the controller: the conduit is the controller's possible victim. One step below, or a mule relaying
one origin's money, stays a facilitator.
"""

from __future__ import annotations

from detectcase import CONFIG, account, build, company_holder, person_holder, txn

from finflow.detect.base import Finding, Subject
from finflow.roles import resolve_roles

BOSS, RELATIVE, CONDUIT, EMPLOYER, SHOP = (account(4300 + i) for i in range(5))
CLIENTS = [account(4310 + i) for i in range(6)]
HOLDERS = [
    person_holder(BOSS, "Kari Kontroll", "1980-05-05"),
    person_holder(RELATIVE, "Ola Kontroll", "1955-01-01"),
    person_holder(CONDUIT, "Ada Offer", "1999-01-01"),
    company_holder(EMPLOYER, "Arbeidsgiver AS", 11),
    company_holder(SHOP, "Butikk AS", 12),
]
HOLDERS += [person_holder(c, f"Kunde{i} Klientsen", f"197{i}-03-03") for i, c in enumerate(CLIENTS)]
SHARE = CONFIG["roles"]["min_passed_share"]


def _rows(payers: list[str], onward: float) -> list[dict]:
    """Each payer pays the conduit NOK 2 000 on 8 days; it passes 95 % to the relative the same day;
    the relative passes ``onward`` of that to the controller and spends its own NOK 60 000 wages."""
    rows = []
    for day in range(8):
        rows += [txn(day * 3, 2000, payer, CONDUIT, "p2p", "Vipps") for payer in payers]
        passed = 1900 * len(payers)
        rows.append(txn(day * 3, passed, CONDUIT, RELATIVE, "transfer", "overføring"))
        rows.append(txn(day * 3 + 1, round(passed * onward, 2), RELATIVE, BOSS, "transfer", "overføring"))
    for month in range(2):
        rows.append(txn(month * 30, 60000, EMPLOYER, RELATIVE, "salary", "Lønn"))
        rows.append(txn(month * 30 + 2, 59000, RELATIVE, SHOP, "card", "Butikk"))
    return rows


def _findings() -> list[Finding]:
    controller = Finding("collector", [Subject("account", BOSS, "controller")], 0.9, "collects", {})
    relay = Finding("pass_through", [Subject("account", CONDUIT, "facilitator")], 0.8, "passes on", {})
    return [controller, relay]


def _role(roles, acc: str) -> str:
    return next(roles.role(k) for k, accounts in roles.named_accounts.items() if acc in accounts)


def test_earnings_followed_through_a_relative_to_the_controller_make_a_possible_victim(tmp_path):
    data = build(tmp_path, _rows(CLIENTS, SHARE), holders=HOLDERS)
    roles = resolve_roles(_findings(), data, CONFIG)
    assert _role(roles, CONDUIT) == "possible_victim"
    basis = next(r.basis for k, r in roles.roles.items() if CONDUIT in roles.named_accounts.get(k, ()))
    assert f"goes to account {RELATIVE} (Ola Kontroll), which passes 70% of that on to controller" in basis
    assert roles.role(("account", RELATIVE)) == "context"  # the relative is named, not suspected


def test_the_relative_passing_less_than_the_share_on_leaves_a_facilitator(tmp_path):
    data = build(tmp_path, _rows(CLIENTS, SHARE - 0.02), holders=HOLDERS)
    assert _role(resolve_roles(_findings(), data, CONFIG), CONDUIT) == "facilitator"


def test_a_mule_relaying_one_origins_money_stays_a_facilitator(tmp_path):
    data = build(tmp_path, _rows(CLIENTS[:1], 0.95), holders=HOLDERS)
    assert _role(resolve_roles(_findings(), data, CONFIG), CONDUIT) == "facilitator"
