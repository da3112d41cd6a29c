"""Findings written into the graph next to their subjects and evidence."""

from __future__ import annotations

import json

import pytest
from neo4j_example_case import ACC_OLA, build_case, example_findings

from finflow.detect.base import Finding, Subject
from finflow.neo4j.findings import write_findings
from finflow.neo4j.load import load_case

pytestmark = pytest.mark.neo4j


def _findings(driver) -> list[dict]:
    records, _, _ = driver.execute_query("MATCH (f:Finding) RETURN f {.*} AS f ORDER BY f.finding_id")
    return [r["f"] for r in records]


def test_findings_become_nodes_linked_to_subjects_and_evidence(graph) -> None:
    load_case(graph, build_case())
    findings = example_findings()
    report = write_findings(graph, findings, "run-1")
    assert (report.findings, report.replaced) == (2, 0)
    assert (report.subjects_linked, report.evidence_linked, report.evidence_missing) == (4, 5, 1)

    stored = {f["finding_id"]: f for f in _findings(graph)}
    collector = stored[findings[0].finding_id]
    assert collector["detector"] == "collector" and collector["score"] == 0.9
    assert json.loads(collector["parameters"]) == {"min_distinct_senders": 3, "window_days": 30}
    assert collector["run_id"] == "run-1"
    assert collector["evidence_txn_ids"] == ["txn-03", "txn-04", "txn-05"]

    # "why is this account flagged?" is one hop from the account
    records, _, _ = graph.execute_query(
        "MATCH (:Account {account_id: $acc})<-[c:CONCERNS]-(f:Finding)-[:EVIDENCE]->(t) "
        "RETURN f.detector AS d, c.role AS role, c.label AS label, collect(t.txn_id) AS txns",
        acc=ACC_OLA,
    )
    assert len(records) == 1
    row = records[0]
    assert (row["d"], row["role"], row["label"]) == ("collector", "controller", "Ola Hansen")
    assert sorted(row["txns"]) == ["txn-03", "txn-04", "txn-05"]
    records, _, _ = graph.execute_query(
        "MATCH (f:Finding)-[c:CONCERNS]->(a:Address {address_id: 'addr-1'}) RETURN f.detector AS d"
    )
    assert [r["d"] for r in records] == ["rent_multiple"]


def test_rerun_replaces_and_never_duplicates(graph) -> None:
    load_case(graph, build_case())
    findings = example_findings()
    write_findings(graph, findings, "run-1")
    report = write_findings(graph, findings + findings[:1], "run-2")
    assert (report.findings, report.replaced) == (2, 2)
    stored = _findings(graph)
    assert len(stored) == 2 and {f["run_id"] for f in stored} == {"run-2"}
    records, _, _ = graph.execute_query("MATCH (:Finding)-[r]->() RETURN type(r) AS t, count(*) AS n")
    assert {r["t"]: r["n"] for r in records} == {"CONCERNS": 4, "EVIDENCE": 5}

    write_findings(graph, findings[1:], "run-3")  # a later run without the collector finding
    assert [f["detector"] for f in _findings(graph)] == ["rent_multiple"]
    write_findings(graph, [], "run-4")
    assert _findings(graph) == []
    # the case itself is untouched by findings coming and going
    records, _, _ = graph.execute_query("MATCH (t:Transaction) RETURN count(t) AS n")
    assert records[0]["n"] == 11


def test_unknown_subject_kind_is_refused_before_writing(graph) -> None:
    bad = Finding("x", [Subject("vehicle", "AB12345")], 0.5, "s", {})
    with pytest.raises(ValueError, match="unknown subject kind 'vehicle'"):
        write_findings(graph, [bad], "run-1")
    assert _findings(graph) == []
