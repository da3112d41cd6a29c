"""Loads that cannot be wedged: huge text is stored, never indexed; a failed load completes on re-run."""

from __future__ import annotations

import dataclasses

import pytest
from neo4j_example_case import ACC_KARI, ACC_OLA, OLA, build_case
from test_neo4j_load import EXAMPLE_GRAPH, _counts, _dump, assert_same_tables

from finflow.neo4j import load as loader
from finflow.neo4j.graphmodel import INDEX_KEY_CHARS
from finflow.neo4j.load import load_case
from finflow.neo4j.query import run_query
from finflow.neo4j.read import read_case

pytestmark = pytest.mark.neo4j

HUGE = 200_000


def _huge_case():
    """The example case with a 200,000-character name, holder name, address, e-mail and message."""
    case = build_case()
    parties = case.parties.copy()
    parties.loc[parties["party_id"] == OLA, "name"] = "Ola " + "Å" * HUGE  # 2 bytes each in UTF-8
    accounts = case.accounts.copy()
    accounts.loc[accounts["account_id"] == ACC_OLA, "holder_name"] = "H" * HUGE
    addresses = case.addresses.copy()
    addresses.loc[0, "normalized"] = "storgata " + "9" * HUGE
    identifiers = case.identifiers.copy()
    identifiers.loc[identifiers["kind"] == "email", "value"] = "x" * HUGE + "@example.org"
    transactions = case.transactions.copy()
    transactions.loc[0, "description"] = "D" * HUGE
    return dataclasses.replace(
        case, parties=parties, accounts=accounts, addresses=addresses, identifiers=identifiers,
        transactions=transactions,
    )  # fmt: skip


def _index_names(driver) -> set[str]:
    records, _, _ = driver.execute_query("SHOW INDEXES YIELD name RETURN name")
    return {r["name"] for r in records}


def test_a_200000_character_name_loads_reads_back_and_is_found_by_its_key(graph) -> None:
    case = _huge_case()
    load_case(graph, case, batch_size=3)
    assert _counts(graph) == EXAMPLE_GRAPH
    assert_same_tables(case, read_case(graph))  # the full texts are stored as they are
    records, _, _ = graph.execute_query(
        "MATCH (p:Party) WHERE p.name_key STARTS WITH 'ola ååå' RETURN p.party_id AS id, size(p.name) AS n, "
        "size(p.name_key) AS k"
    )
    assert [(r["id"], r["n"], r["k"]) for r in records] == [(OLA, HUGE + 4, INDEX_KEY_CHARS)]
    assert {"party_name_key", "identifier_value_key", "address_normalized_key"} <= _index_names(graph)
    assert not {"party_name", "identifier_value", "address_normalized"} & _index_names(graph)


def test_a_graph_with_the_old_text_indexes_heals_on_the_next_load(graph) -> None:
    for name, label, key in (("party_name", "Party", "name"), ("identifier_value", "Identifier", "value"),
                             ("address_normalized", "Address", "normalized")):  # fmt: skip
        graph.execute_query(f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{key})")
    graph.execute_query("CALL db.awaitIndexes(300)")
    load_case(graph, _huge_case(), batch_size=3)
    assert _counts(graph) == EXAMPLE_GRAPH
    assert "party_name" not in _index_names(graph)


class BatchFailedError(Exception):
    """Stands in for a server or network failure inside one batch's transaction."""


@pytest.mark.parametrize(("workers", "fail_at"), [(1, 3), (1, 9), (2, 22)])
def test_a_batch_failing_midway_leaves_nothing_and_a_rerun_completes(graph, monkeypatch, workers, fail_at) -> None:
    """The n-th batch fails after its first statement ran; its transaction rolls back, and loading
    again (into the half-loaded graph, which now takes the MERGE statements) completes it."""
    case = _huge_case()
    load_case(graph, case, batch_size=2, workers=workers)
    complete = _dump(graph)
    graph.execute_query("MATCH (n) DETACH DELETE n")

    batches = []
    real = loader._write

    def failing(tx, work):
        batches.append(len(work))
        if len(batches) == fail_at:
            tx.run(*work[0]).consume()  # part of the batch is written inside the transaction …
            raise BatchFailedError  # … and then it fails
        real(tx, work)

    monkeypatch.setattr(loader, "_write", failing)
    with pytest.raises(BatchFailedError):
        load_case(graph, case, batch_size=2, workers=workers)
    half = _counts(graph)
    assert 0 < half[0] < EXAMPLE_GRAPH[0] or half[1] < EXAMPLE_GRAPH[1]
    monkeypatch.setattr(loader, "_write", real)
    load_case(graph, case, batch_size=2, workers=workers)
    assert _dump(graph) == complete  # the same graph as one clean load: nothing twice, nothing missing
    assert_same_tables(case, read_case(graph))


def test_rents_and_payments_are_totalled_per_currency(graph) -> None:
    """rent_multiple_premises never adds a NOK rent to a EUR one."""
    case = build_case()
    leases = case.leases.copy()
    leases.loc[leases["lease_id"] == "lease-2", "currency"] = "EUR"
    transactions = case.transactions.copy()
    rent = (transactions["from_account"] == ACC_OLA) & (transactions["to_account"] == ACC_KARI)
    transactions.loc[rent & (transactions["txn_id"] == "txn-08"), "currency"] = "EUR"
    load_case(graph, dataclasses.replace(case, leases=leases, transactions=transactions))
    (row,) = run_query(graph, "rent_multiple_premises").records()
    assert row["agreed_rent"] == [{"currency": "EUR", "minor": 900_000}, {"currency": "NOK", "minor": 1_200_000}]
    assert row["paid_to_landlords"] == [
        {"currency": "EUR", "minor": 1_200_000}, {"currency": "NOK", "minor": 1_200_000}
    ]  # fmt: skip
    assert row["payments_to_landlords"] == 2
