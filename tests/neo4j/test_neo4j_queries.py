"""Every query in queries/ run against the loaded example case, with its expected answer."""

from __future__ import annotations

import pytest
from neo4j_example_case import (
    ACC_KARI,
    ACC_MARIA,
    ACC_OLA,
    ACC_RO,
    ACC_SE,
    build_case,
    example_findings,
)

from finflow.neo4j.findings import write_findings
from finflow.neo4j.library import list_queries
from finflow.neo4j.load import load_case
from finflow.neo4j.query import run_query

pytestmark = pytest.mark.neo4j

ACC_ANA, ACC_NORDLYS = "15030000003", "15030000005"


def _trail(accounts, txns, dates, amounts, currencies):
    return {
        "accounts": accounts,
        "txn_ids": txns,
        "dates": dates,
        "amounts_minor": amounts,
        "currencies": currencies,
    }


EXPECTED: dict[str, list[tuple[dict, list[dict]]]] = {
    "case_overview": [
        (
            {},
            [
                {"item": "persons", "count": 4},
                {"item": "companies", "count": 2},
                {"item": "accounts", "count": 7},
                {"item": "accounts only seen as counterparties", "count": 2},
                {"item": "transactions", "count": 11},
                {"item": "account-to-account transfers", "count": 7},
                {"item": "cash deposits", "count": 3},
                {"item": "cash withdrawals", "count": 1},
                {"item": "addresses", "count": 6},
                {"item": "leases", "count": 3},
                {"item": "identifiers (phones, e-mails, ids)", "count": 2},
                {"item": "countries", "count": 2},
                {"item": "findings", "count": 2},
            ],
        )
    ],
    "top_collectors": [
        (
            {},
            [
                {"account_id": ACC_OLA, "holder": "Ola Hansen", "currency": "NOK", "senders": 3,
                 "cash_deposits": 0, "credits": 3, "total_in_minor": 1_030_000},
                {"account_id": ACC_MARIA, "holder": "Maria Popescu", "currency": "NOK",
                 "senders": 0, "cash_deposits": 2, "credits": 2, "total_in_minor": 800_000},
            ],
        ),
        ({"min_sources": 3, "limit": 5}, [{"account_id": ACC_OLA}]),
        ({"min_sources": 1, "limit": 1}, [{"account_id": ACC_OLA}]),
    ],
    "money_trail_out": [
        (
            {"start": "party-maria"},  # a person: the trail starts at the accounts they hold
            [
                {"hops": 1, "reaches": ACC_OLA, **_trail(
                    [ACC_MARIA, ACC_OLA], ["txn-03"], ["2024-01-07"], [450_000], ["NOK"])},
                {"hops": 2, "reaches": ACC_RO, **_trail(
                    [ACC_MARIA, ACC_OLA, ACC_RO], ["txn-03", "txn-06"],
                    ["2024-01-07", "2024-01-10"], [450_000, 900_000], ["NOK", "NOK"])},
                # txn-07 (Ola to Kari on 3 January) is older than Maria's money: not followed
                {"hops": 2, "reaches": ACC_KARI, **_trail(
                    [ACC_MARIA, ACC_OLA, ACC_KARI], ["txn-03", "txn-08"],
                    ["2024-01-07", "2024-01-11"], [450_000, 1_200_000], ["NOK", "NOK"])},
                {"hops": 3, "reaches": ACC_SE, **_trail(
                    [ACC_MARIA, ACC_OLA, ACC_KARI, ACC_SE], ["txn-03", "txn-08", "txn-10"],
                    ["2024-01-07", "2024-01-11", "2024-01-12"], [450_000, 1_200_000, 700_000],
                    ["NOK", "NOK", "SEK"])},
            ],
        ),
        ({"start": ACC_MARIA, "max_hops": 1}, [{"hops": 1, "txn_ids": ["txn-03"]}]),
        ({"start": ACC_SE}, []),
        ({"start": ACC_MARIA, "from_date": "2024-01-08"}, []),  # Maria's payment is older
        (
            {"start": "party-ola", "min_amount": 800_000},  # txn-10 (700 000) is below it
            [{"txn_ids": ["txn-07"]}, {"txn_ids": ["txn-06"]}, {"txn_ids": ["txn-08"]}],
        ),
        ({"start": "party-ola", "to_date": "2024-01-10"}, [
            {"txn_ids": ["txn-07"]}, {"txn_ids": ["txn-06"]},
        ]),
        ({"start": "no-such-account"}, []),
    ],
    "money_trail_in": [
        (
            {"target": ACC_SE},
            [
                {"hops": 1, "origin": ACC_KARI, "txn_ids": ["txn-10"]},
                {"hops": 2, "origin": ACC_OLA, "txn_ids": ["txn-07", "txn-10"]},
                {"hops": 2, "origin": ACC_OLA, "txn_ids": ["txn-08", "txn-10"]},
                {"hops": 3, "origin": ACC_MARIA, "txn_ids": ["txn-03", "txn-08", "txn-10"],
                 "dates": ["2024-01-07", "2024-01-11", "2024-01-12"],
                 "accounts": [ACC_MARIA, ACC_OLA, ACC_KARI, ACC_SE]},
                {"hops": 3, "origin": ACC_ANA, "txn_ids": ["txn-04", "txn-08", "txn-10"]},
                {"hops": 3, "origin": ACC_NORDLYS, "txn_ids": ["txn-05", "txn-08", "txn-10"]},
            ],
        ),
        ({"target": ACC_SE, "min_amount": 300_000, "from_date": "2024-01-08"}, [
            {"txn_ids": ["txn-10"]}, {"txn_ids": ["txn-08", "txn-10"]},
            {"txn_ids": ["txn-04", "txn-08", "txn-10"]},
        ]),
        ({"target": "party-kari", "max_hops": 1}, [
            {"origin": ACC_OLA, "txn_ids": ["txn-07"]},
            {"origin": ACC_OLA, "txn_ids": ["txn-08"]},
        ]),
    ],
    "rent_multiple_premises": [
        (
            {},
            [
                {"party_id": "party-ola", "name": "Ola Hansen", "premises": 2, "leases": 2,
                 "addresses": ["Storgata 1, 0155 Oslo", "Storgata 3, 0155 Oslo"],
                 "landlords": ["Kari Berg"], "agreed_rent": [{"currency": "NOK", "minor": 2_100_000}],
                 "payments_to_landlords": 2, "paid_to_landlords": [{"currency": "NOK", "minor": 2_400_000}]},
            ],
        ),
        ({"min_premises": 3}, []),
    ],
    "flows_by_country": [
        (
            {},
            [
                {"country": "NO", "currency": "NOK", "transactions": 5, "total_minor": 3_430_000,
                 "senders": 4, "receivers": 2, "abroad": False},
                {"country": "RO", "currency": "NOK", "transactions": 1, "total_minor": 900_000,
                 "senders": 1, "receivers": 1, "abroad": True},
                {"country": "SE", "currency": "SEK", "transactions": 1, "total_minor": 700_000,
                 "senders": 1, "receivers": 1, "abroad": True},
            ],
        ),
        ({"home_country": "SE"}, [{"abroad": True}, {"abroad": True}, {"abroad": False}]),
    ],
    "shared_addresses": [
        (
            {},
            [
                {"address_id": "addr-4", "address": "Bjørkeveien 2, 0581 Oslo", "parties": 3,
                 "persons": 2, "companies": 1,
                 "registered": ["Ana Ionescu (person, residence)",
                                "Fjord Bygg AS (company, business)",
                                "Maria Popescu (person, residence)"]},
            ],
        ),
        ({"min_parties": 4}, []),
    ],
    "company_role_network": [
        (
            {"company": "999000001"},
            [
                {"company": "Nordlys Massasje AS", "holder_id": "party-maria",
                 "holder": "Maria Popescu", "role": "DAGL", "resigned": False,
                 "other_company": None, "other_org_number": None, "other_role": None,
                 "other_resigned": None},
                {"company": "Nordlys Massasje AS", "holder_id": "party-ola", "holder": "Ola Hansen",
                 "role": "LEDE", "resigned": False, "other_company": "Fjord Bygg AS",
                 "other_org_number": "999000002", "other_role": "MEDL", "other_resigned": True},
            ],
        ),
        ({"company": "party-fjord"}, [
            {"holder": "Ana Ionescu", "role": "DAGL", "other_company": None},
            {"holder": "Ola Hansen", "role": "MEDL", "other_company": "Nordlys Massasje AS"},
        ]),
    ],
    "flagged_entity": [
        (
            {"id": ACC_OLA},
            [
                {"detector": "collector", "score": 0.9, "role": "controller", "via": "itself",
                 "subject": ACC_OLA, "run_id": "run-1",
                 "evidence": [
                     {"txn_id": "txn-03", "date": "2024-01-07", "amount_minor": 450_000,
                      "currency": "NOK", "from": ACC_MARIA, "to": ACC_OLA,
                      "source_file": "transactions.csv", "source_locator": "row 4"},
                     {"txn_id": "txn-04", "date": "2024-01-08", "amount_minor": 380_000,
                      "currency": "NOK", "from": ACC_ANA, "to": ACC_OLA,
                      "source_file": "transactions.csv", "source_locator": "row 5"},
                     {"txn_id": "txn-05", "date": "2024-01-09", "amount_minor": 200_000,
                      "currency": "NOK", "from": ACC_NORDLYS, "to": ACC_OLA,
                      "source_file": "transactions.csv", "source_locator": "row 6"},
                 ]},
            ],
        ),
        (
            {"id": "party-ola"},  # the person's own findings and those on the account they hold
            [
                {"detector": "collector", "via": "held account", "subject": ACC_OLA},
                {"detector": "collector", "via": "itself", "subject": "party-ola"},
                {"detector": "rent_multiple", "via": "itself", "subject": "party-ola",
                 "role": "facilitator"},
            ],
        ),
        ({"id": "addr-1"}, [{"detector": "rent_multiple", "role": "unknown"}]),
        ({"id": ACC_KARI}, []),
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def example_graph(neo4j_driver):
    """The example case and its two findings, loaded once for all query tests (read only)."""
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    load_case(neo4j_driver, build_case())
    write_findings(neo4j_driver, example_findings(), "run-1")
    return neo4j_driver


def test_every_query_file_has_expectations() -> None:
    assert sorted(EXPECTED) == list_queries()


CASES = [(name, params, rows) for name, runs in EXPECTED.items() for params, rows in runs]


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    CASES,
    ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)],
)
def test_query_answers(example_graph, name: str, params: dict, expected: list[dict]) -> None:
    result = run_query(example_graph, name, params)
    records = result.records()
    assert len(records) == len(expected), records
    for got, want in zip(records, expected, strict=True):
        assert {k: got[k] for k in want} == want
