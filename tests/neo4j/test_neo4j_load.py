"""Loading a case, reading it back, and running the detectors on what came back."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from neo4j_example_case import HOSTILE, _table, build_case, build_collector_case

from finflow.casedata import CaseData
from finflow.detect.registry import run_detectors
from finflow.model import KEYS, TABLES
from finflow.neo4j.load import load_case
from finflow.neo4j.read import read_case

pytestmark = pytest.mark.neo4j

# The example as a graph: 6 parties, 7 accounts (2 only as counterparties), 6 addresses,
# 2 identifiers (one phone shared), 3 leases, 11 transactions, 2 countries, 1 sighting, 1 reject;
# IN_COUNTRY 6+6+5, HOLDS 5, REGISTERED_AT 6, HAS_IDENTIFIER 3, ROLE 4, lease links 3+3+3+2,
# PERFORMS 8 (not for 3 cash deposits), BENEFITS_TO 10 (not for 1 withdrawal), SEEN_IN 1.
EXAMPLE_GRAPH = (39, 65)


def _counts(driver) -> tuple[int, int]:
    nodes, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n")
    rels, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n")
    return nodes[0]["n"], rels[0]["n"]


def _by_key(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame.sort_values(KEYS[name]).reset_index(drop=True)


def assert_same_tables(left, right) -> None:
    for name in TABLES:
        a, b = _by_key(getattr(left, name), name), _by_key(getattr(right, name), name)
        assert list(a.columns) == list(b.columns), name
        assert dict(a.dtypes) == dict(b.dtypes), name
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)


def test_round_trip_gives_the_same_tables(graph) -> None:
    case = build_case()
    report = load_case(graph, case, batch_size=4)
    assert report.rows["transactions"] == 11 and report.batches == 17
    back = read_case(graph)
    assert_same_tables(case, back)
    assert len(back.transactions) == 11 and len(back.rejects) == 1


def test_graph_shape_of_the_example(graph) -> None:
    load_case(graph, build_case())
    assert _counts(graph) == EXAMPLE_GRAPH
    records, _, _ = graph.execute_query(
        "MATCH (a:Account) WHERE a.batch_id IS NULL RETURN a.account_id AS id ORDER BY id"
    )
    # counterparty accounts exist as nodes but are not rows of the accounts table
    assert [r["id"] for r in records] == ["RO49AAAA1B31007593840000", "SE4550000000058398257466"]
    records, _, _ = graph.execute_query(
        "MATCH (t:Transaction {channel: 'cash_deposit'}) "
        "RETURN t.txn_id AS id, EXISTS { (:Account)-[:PERFORMS]->(t) } AS from_account "
        "ORDER BY id"
    )
    assert [(r["id"], r["from_account"]) for r in records] == [
        ("txn-01", False), ("txn-02", False), ("txn-11", False)
    ]  # fmt: skip


def test_a_deleted_company_has_its_deletion_date_as_a_date(graph) -> None:
    load_case(graph, build_case())
    records, _, _ = graph.execute_query(
        "MATCH (c:Company) WHERE c.registry_batch_id IS NOT NULL "
        "RETURN c.name AS name, c.deleted AS deleted ORDER BY name"
    )
    deleted = {r["name"]: r["deleted"] for r in records}
    assert deleted["Nordlys Massasje AS"] is None  # still registered: no property at all
    assert deleted["Fjord Bygg AS"].to_native() == dt.date(2024, 5, 1)
    found, _, _ = graph.execute_query("MATCH (c:Company) WHERE c.deleted < date('2025-01-01') RETURN c.name AS name")
    assert [r["name"] for r in found] == ["Fjord Bygg AS"]


def test_hostile_text_is_stored_verbatim_and_never_run(graph) -> None:
    load_case(graph, build_case())
    records, _, _ = graph.execute_query("MATCH (t:Transaction {txn_id: 'txn-03'}) RETURN t.description AS d")
    assert records[0]["d"] == HOSTILE
    assert _counts(graph) == EXAMPLE_GRAPH  # the DETACH DELETE inside the text did nothing


def test_loading_twice_changes_nothing(graph) -> None:
    case = build_case()
    load_case(graph, case, batch_size=3)
    first = _counts(graph)
    load_case(graph, case, batch_size=5)
    assert _counts(graph) == first
    assert_same_tables(case, read_case(graph))


class KilledError(Exception):
    """Stands in for the process dying between two batches."""


def test_interrupted_load_completes_on_rerun_without_duplicates(graph) -> None:
    case = build_case()
    done = []

    def die_after_seven_batches(rows: int) -> None:
        done.append(rows)
        if len(done) == 7:
            raise KilledError

    with pytest.raises(KilledError):
        load_case(graph, case, batch_size=2, progress=die_after_seven_batches)
    partial = _counts(graph)
    assert 0 < partial[0] < EXAMPLE_GRAPH[0]
    load_case(graph, case, batch_size=2)
    assert _counts(graph) == EXAMPLE_GRAPH
    assert_same_tables(case, read_case(graph))


def test_progress_reports_every_row(graph) -> None:
    case = build_case()
    seen: list[int] = []
    report = load_case(graph, case, batch_size=5, progress=seen.append)
    assert sum(seen) == report.total_rows == 48
    assert len(seen) == report.batches and max(seen) <= 5


def test_detectors_find_the_same_on_the_graph_as_on_the_case(graph) -> None:
    case = build_collector_case()
    expected = run_detectors(case)
    assert expected, "the collector case must produce findings, or this test proves nothing"
    load_case(graph, case, batch_size=7)
    actual = run_detectors(read_case(graph))

    def summary(findings):
        return [(f.finding_id, f.score, f.evidence_txn_ids, f.evidence_records) for f in findings]

    assert summary(actual) == summary(expected)


def _links(driver, txn_id: str) -> tuple[int, int]:
    records, _, _ = driver.execute_query(
        "MATCH (t:Transaction {txn_id: $id}) "
        "RETURN COUNT { (:Account)-[:PERFORMS]->(t) } AS out, COUNT { (t)-[:BENEFITS_TO]->(:Account) } AS in",
        id=txn_id,
    )
    return records[0]["out"], records[0]["in"]


def test_a_transaction_repeated_within_a_batch_is_linked_once(graph) -> None:
    # New transactions get their links CREATEd; a batch naming a txn_id twice must not link twice.
    case = build_case()
    repeats = case.transactions[case.transactions["txn_id"].isin(["txn-04", "txn-05"])]
    doubled = dataclasses.replace(case, transactions=pd.concat([case.transactions, repeats, repeats]))
    load_case(graph, doubled, batch_size=1_000)
    assert _counts(graph) == EXAMPLE_GRAPH
    assert _links(graph, "txn-04") == (1, 1) and _links(graph, "txn-05") == (1, 1)


def test_a_bare_transaction_node_gets_its_links_once(graph) -> None:
    # A node that exists only as a reference (no links yet) is completed by the load, and a
    # second load of an already linked one adds nothing.
    graph.execute_query("CREATE (:Transaction {txn_id: 'txn-03'})")
    load_case(graph, build_case())
    assert _links(graph, "txn-03") == (1, 1)
    load_case(graph, build_case(), batch_size=2)
    assert _links(graph, "txn-03") == (1, 1)
    assert _counts(graph) == EXAMPLE_GRAPH


def _busy_case(n: int) -> CaseData:
    """``n`` transactions among 12 accounts, one of them a hub taking part in every third."""
    accounts = [f"1701000{i:04d}" for i in range(12)]
    frm = [None if i % 10 == 0 else accounts[(i * 7) % 12] for i in range(n)]
    to = [accounts[0] if i % 3 == 0 else accounts[(i * 5 + 1) % 12] for i in range(n)]
    transactions = _table(
        "transactions",
        {
            "txn_id": [f"busy-{i:05d}" for i in range(n)],
            "booking_date": [dt.date(2024, 1, 1) + dt.timedelta(days=i % 300) for i in range(n)],
            "booking_time": [None] * n,
            "amount_minor": [1_000 + i for i in range(n)],
            "currency": ["NOK"] * n,
            "from_account": frm,
            "to_account": to,
            "from_name": [None] * n,
            "to_name": [None] * n,
            "from_country": [None] * n,
            "to_country": [None] * n,
            "channel": ["cash_deposit" if f is None else "transfer" for f in frm],
            "description": [f"payment {i}" for i in range(n)],
            "txn_ref": [None] * n,
        },
    )
    accounts_table = _table(
        "accounts",
        {
            "account_id": accounts,
            "scheme": ["no_bban"] * 12,
            "validated": [True] * 12,
            "country": ["NO"] * 12,
            "holder_party_id": [None] * 12,
            "holder_name": [None] * 12,
        },
    )
    return CaseData(transactions=transactions, accounts=accounts_table)


def test_concurrent_batches_build_the_same_graph_as_one_at_a_time(graph) -> None:
    case = _busy_case(2_000)
    # 2,000 transactions, 12 accounts, 1 country; PERFORMS for 1,800, BENEFITS_TO 2,000, IN_COUNTRY 12
    expected = (2_013, 3_812)
    load_case(graph, case, batch_size=50, workers=4)
    assert _counts(graph) == expected
    assert_same_tables(case, read_case(graph))
    load_case(graph, case, batch_size=70, workers=3)
    assert _counts(graph) == expected
    graph.execute_query("MATCH (n) DETACH DELETE n")
    load_case(graph, case, batch_size=50, workers=1)
    assert _counts(graph) == expected


def test_a_table_with_a_repeated_key_is_written_in_order(graph) -> None:
    # Concurrent batches would make "the last row wins" a race; such a table is written in order.
    case = build_case()
    again = case.transactions[case.transactions["txn_id"] == "txn-04"].assign(description="second")
    load_case(graph, dataclasses.replace(case, transactions=pd.concat([case.transactions, again])),
              batch_size=2, workers=4)  # fmt: skip
    records, _, _ = graph.execute_query("MATCH (t:Transaction {txn_id: 'txn-04'}) RETURN t.description AS d")
    assert records[0]["d"] == "second"
    assert _links(graph, "txn-04") == (1, 1) and _counts(graph) == EXAMPLE_GRAPH


def test_empty_case_loads_and_reads_back_empty(graph) -> None:
    report = load_case(graph, CaseData())
    assert report.total_rows == 0 and report.batches == 0
    back = read_case(graph)
    assert all(len(getattr(back, name)) == 0 for name in TABLES)
    assert_same_tables(CaseData(), back)


def _dump(driver) -> tuple[list, list]:
    """Every node (labels, properties) and relationship (type, properties, ends' keys), sorted."""
    nodes, _, _ = driver.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, properties(a) AS a, properties(b) AS b"
    )
    return sorted(repr((sorted(r["l"]), sorted(r["p"].items()))) for r in nodes), sorted(
        repr((r["t"], sorted(r["p"].items()), sorted(r["a"].items()), sorted(r["b"].items()))) for r in rels
    )


def test_a_first_load_creates_exactly_the_graph_the_merge_statements_build(graph, monkeypatch) -> None:
    # Into an empty graph, accounts and transactions are CREATEd from columns; a reload MERGEs rows.
    from finflow.neo4j import load as loader

    case = _busy_case(300)
    taken: list[tuple[str, bool]] = []
    decide = loader._fresh

    def recorded(session, name, table, *, keys_unique):
        taken.append((name, decide(session, name, table, keys_unique=keys_unique)))
        return taken[-1][1]

    monkeypatch.setattr(loader, "_fresh", recorded)
    load_case(graph, case, batch_size=40, workers=2)
    assert ("transactions", True) in taken and ("accounts", True) in taken
    created = _dump(graph)
    graph.execute_query("MATCH (n) DETACH DELETE n")
    monkeypatch.setattr(loader, "_fresh", lambda session, name, table, *, keys_unique: False)
    load_case(graph, case, batch_size=40, workers=2)
    assert _dump(graph) == created
    taken.clear()
    monkeypatch.setattr(loader, "_fresh", recorded)
    load_case(graph, case, batch_size=40)  # nodes exist now: MERGE, and nothing changes
    assert ("transactions", False) in taken and _dump(graph) == created
