"""Earnings passed on through a conduit are a victim's, and patterns ordinary households show make no suspect alone."""

from __future__ import annotations

from detectcase import CONFIG, account, build, person_holder, txn

from finflow.detect.base import Finding, Subject
from finflow.roles import resolve_roles

BOSS, SPARE, VICTIM, MULE, ORIGIN = account(2101), account(2102), account(2103), account(2104), account(2105)
CLIENTS = [account(2110 + i) for i in range(8)]


def _holders() -> list[dict]:
    people = [person_holder(BOSS, "Kari Kontroll", "1980-05-05"), person_holder(SPARE, "Ola Slektning", "1955-01-01")]
    people += [person_holder(VICTIM, "Ada Offer", "1999-01-01"), person_holder(MULE, "Muldyr Hansen", "2001-04-04")]
    people += [person_holder(ORIGIN, "Opphav Person", "1970-02-02")]
    return people + [person_holder(c, f"Kunde{i} Klientsen", f"197{i % 10}-03-03") for i, c in enumerate(CLIENTS)]


def _rows(payers: list[str], conduit: str, to: str, via_spare: bool) -> list[dict]:
    """``payers`` pay ``conduit`` NOK 2 000 each on 8 days; it passes 95 % on to ``to`` the same day;
    with ``via_spare``, ``to`` is the controller's second account, which forwards 97 % to the controller."""
    rows = []
    for day in range(8):
        for payer in payers:
            rows.append(txn(day * 3, 2000, payer, conduit, "p2p", "Vipps"))
        rows.append(txn(day * 3, 1900 * len(payers), conduit, to, "transfer", "overføring"))
        if via_spare:
            rows.append(txn(day * 3 + 1, round(1900 * len(payers) * 0.97, 2), SPARE, BOSS, "transfer", "overføring"))
    return rows


def _findings(conduit: str) -> list[Finding]:
    controller = Finding("collector", [Subject("account", BOSS, "controller")], 0.9, "collects", {})
    relay = Finding("pass_through", [Subject("account", conduit, "facilitator")], 0.8, "passes on", {})
    return [controller, relay]


def test_a_conduit_paid_by_many_clients_that_feeds_the_controller_is_a_possible_victim(tmp_path):
    data = build(tmp_path, _rows(CLIENTS[:6], VICTIM, SPARE, via_spare=True), holders=_holders())
    roles = resolve_roles(_findings(VICTIM), data, CONFIG)
    resolved = [r for k, r in roles.roles.items() if VICTIM in roles.named_accounts.get(k, {k[1]})]
    assert [r.role for r in resolved] == ["possible_victim"]
    basis = resolved[0].basis
    assert "earnings" in basis and "through account" in basis


def test_a_conduit_relaying_one_origins_money_stays_a_facilitator(tmp_path):
    data = build(tmp_path, _rows([ORIGIN], MULE, SPARE, via_spare=True), holders=_holders())
    roles = resolve_roles(_findings(MULE), data, CONFIG)
    assert {r.role for k, r in roles.roles.items() if MULE in roles.named_accounts.get(k, {k[1]})} == {"facilitator"}


def test_just_under_the_payer_minimum_stays_a_facilitator(tmp_path):
    payers = CLIENTS[: CONFIG["roles"]["min_earning_payers"] - 1]
    data = build(tmp_path, _rows(payers, VICTIM, SPARE, via_spare=True), holders=_holders())
    roles = resolve_roles(_findings(VICTIM), data, CONFIG)
    assert {r.role for k, r in roles.roles.items() if VICTIM in roles.named_accounts.get(k, {k[1]})} == {"facilitator"}


def _rent(premises: int) -> Finding:
    return Finding("rent_several_premises", [Subject("account", "P", "controller")], 0.6, "rent", {},
                   metrics={"premises": premises, "landlords": premises, "overlap_months": 3})  # fmt: skip


def test_rent_for_several_homes_alone_makes_no_suspect():
    for premises in (2, 3, 6):
        assert resolve_roles([_rent(premises)], config=CONFIG).role(("account", "P")) == "context"


def test_rent_for_two_homes_still_corroborates_another_finding():
    other = Finding("collector", [Subject("account", "P", "controller")], 0.7, "collects", {})
    assert resolve_roles([_rent(2), other], config=CONFIG).role(("account", "P")) == "controller"


def test_money_sent_home_alone_makes_no_suspect():
    corridor = Finding("corridor_outflows", [Subject("account", "R", "controller")], 0.7, "sent home", {})
    roles = resolve_roles([corridor], config=CONFIG)
    assert roles.role(("account", "R")) == "context"
    assert "alone does not make a suspect" in roles.roles[("account", "R")].basis
