"""Networks stay apart when only ordinary clients' small payments touch both, and are named after their lead."""

from __future__ import annotations

import pytest
from detectcase import CONFIG, account, build, person_holder, person_id, txn

from finflow.detect.registry import run_detectors
from finflow.leads import analyse

BOSS1, BOSS2 = account(3001), account(3002)
RING1 = [account(3010 + i) for i in range(3)]
RING2 = [account(3020 + i) for i in range(3)]
SHARED_CLIENTS = [account(3090), account(3091)]
LANDLORD = account(3095)


def _ring(controller: str, victims: list[str], base: int) -> list[dict]:
    rows = []
    for k, v in enumerate(victims):
        for m in range(3):
            for i in range(4):
                rows.append(txn(m * 30 + i, 2000, account(base + k * 10 + i), v, "p2p", "", time="23:00",
                                from_name=f"K{i} Kunde{base}{k}"))  # fmt: skip
                rows.append(txn(m * 30 + i, 2000, v, controller, "transfer", "", time="23:30"))
    return rows


def _holders() -> list[dict]:
    people = [person_holder(BOSS1, "Ola Sjef", "1970-01-01"), person_holder(BOSS2, "Per Leder", "1975-01-01")]
    people += [person_holder(v, f"Offer{i} Navn{i}", f"199{i}-01-01") for i, v in enumerate(RING1 + RING2)]
    people += [person_holder(c, f"Vanlig{i} Kunde", f"196{i}-01-01") for i, c in enumerate(SHARED_CLIENTS)]
    return people


def _client_payments() -> list[dict]:
    """Two ordinary clients pay one victim of each ring a few small amounts."""
    return [txn(d, 300, c, v, "p2p", "") for c in SHARED_CLIENTS for v in (RING1[0], RING2[0]) for d in (10, 40)]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    base = _ring(BOSS1, RING1, 4000) + _ring(BOSS2, RING2, 5000)
    clients = build(tmp_path_factory.mktemp("clients"), base + _client_payments(), holders=_holders())
    rent = [txn(m * 30 + 1, 15000, boss, LANDLORD, "transfer", "husleie") for boss in (BOSS1, BOSS2) for m in range(3)]
    landlord = build(tmp_path_factory.mktemp("landlord"), base + rent, holders=_holders())
    return clients, landlord


def _networks(data):
    return analyse(run_detectors(data, CONFIG), data, CONFIG).networks


def test_rings_touched_only_by_ordinary_clients_stay_apart(cases):
    networks = _networks(cases[0])
    rings = [n for n in networks if BOSS1 in n.flagged or BOSS2 in n.flagged]
    assert len(rings) == 2
    by_lead = {n.lead: n for n in rings}
    one, two = by_lead[person_id("Ola Sjef", "1970-01-01")], by_lead[person_id("Per Leder", "1975-01-01")]
    assert one.name == "network of Ola Sjef" and two.name == "network of Per Leder"
    assert set(RING1) <= set(one.flagged) and not set(RING2) & set(one.flagged)
    assert not set(SHARED_CLIENTS) & (set(one.members) | set(two.members))


def test_rings_paying_one_landlord_a_large_share_are_one_network(cases):
    networks = _networks(cases[1])
    (both,) = [n for n in networks if BOSS1 in n.flagged]
    assert BOSS2 in both.flagged and LANDLORD in both.members
    assert both.lead_role == "controller" and both.name in ("network of Ola Sjef", "network of Per Leder")
