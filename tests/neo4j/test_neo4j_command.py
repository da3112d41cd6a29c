"""The ``finflow neo4j`` commands end to end against the real server."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from neo4j_example_case import ACC_OLA, build_case, build_collector_case

from finflow.detect.registry import run_detectors
from finflow.model import TABLES, conform
from finflow.neo4j.command import neo4j_group

pytestmark = pytest.mark.neo4j


def write_case(data, directory: Path) -> Path:
    """Store ``data`` as a case directory (the embedded store's table files)."""
    tables = directory / "tables"
    tables.mkdir(parents=True)
    for name in TABLES:
        pq.write_table(conform(name, getattr(data, name)), tables / f"{name}.parquet")
    return directory


@pytest.fixture
def env(neo4j_server) -> dict[str, str]:
    return {
        "NEO4J_URI": neo4j_server.uri,
        "NEO4J_USER": neo4j_server.user,
        "NEO4J_PASSWORD": neo4j_server.password,
    }


def invoke(args: list[str], env: dict[str, str]):
    return CliRunner().invoke(neo4j_group, args, env=env, catch_exceptions=False)


def test_load_then_query_in_every_format(graph, env, tmp_path) -> None:
    case_dir = write_case(build_case(), tmp_path / "case")
    result = invoke(["load", "--case", str(case_dir), "--batch-size", "4"], env)
    assert result.exit_code == 0, result.output
    assert "Loaded 48 rows in 17 batches" in result.output

    result = invoke(["query", "top_collectors", "--param", "min_sources=3", "--format", "csv"], env)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["account_id"], r["senders"], r["total_in_minor"]) for r in rows] == [(ACC_OLA, "3", "1030000")]

    result = invoke(["query", "money_trail_out", "-p", "start=party-maria", "-p", "max_hops=2",
                     "--format", "json"], env)  # fmt: skip
    assert result.exit_code == 0, result.output
    trails = json.loads(result.output)
    assert [t["txn_ids"] for t in trails] == [["txn-03"], ["txn-03", "txn-06"], ["txn-03", "txn-08"]]

    result = invoke(["query", "shared_addresses"], env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["address_id", "address", "parties"]
    assert lines[2].startswith("addr-4") and lines[-1] == "(1 row)"


def test_query_mistakes_are_one_line_errors(graph, env) -> None:
    cases = [
        (["query", "money_trail_out"], "needs parameter start"),
        (["query", "money_trail_out", "-p", "start=x", "-p", "max_hops=many"], "not a valid int"),
        (["query", "nope"], "no query named 'nope'"),
        (["query", "case_overview", "-p", "broken"], "is not key=value"),
    ]
    for args, message in cases:
        result = invoke(args, env)
        assert result.exit_code != 0
        assert message in result.output and "Traceback" not in result.output


def test_wrong_password_fails_cleanly(graph, env, tmp_path) -> None:
    bad = dict(env, NEO4J_PASSWORD="definitely-wrong-pw")
    result = invoke(["query", "case_overview"], bad)
    assert result.exit_code == 1
    assert "rejected the credentials" in result.output
    assert "definitely-wrong-pw" not in result.output and "Traceback" not in result.output
    no_password = {k: v for k, v in env.items() if k != "NEO4J_PASSWORD"}
    result = CliRunner(env={"NEO4J_PASSWORD": None}).invoke(neo4j_group, ["query", "case_overview"], env=no_password)
    assert result.exit_code == 1 and "no Neo4j password" in result.output


def test_findings_command_writes_the_detectors_findings(graph, env, tmp_path) -> None:
    data = build_collector_case()
    case_dir = write_case(data, tmp_path / "case")
    assert invoke(["load", "--case", str(case_dir)], env).exit_code == 0
    expected = run_detectors(data)
    result = invoke(["findings", "--case", str(case_dir), "--run-id", "run-a"], env)
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(expected)} findings (run run-a), replacing 0" in result.output
    records, _, _ = graph.execute_query("MATCH (f:Finding) RETURN f.finding_id AS id, f.run_id AS run ORDER BY id")
    assert [(r["id"], r["run"]) for r in records] == sorted((f.finding_id, "run-a") for f in expected)
    result = invoke(["query", "flagged_entity", "-p", f"id={expected[0].subjects[0].id}",
                     "--format", "json"], env)  # fmt: skip
    flagged = {row["finding_id"]: row for row in json.loads(result.output)}
    first = flagged[expected[0].finding_id]
    assert first["detector"] == expected[0].detector
    assert [e["txn_id"] for e in first["evidence"]] == sorted(
        expected[0].evidence_txn_ids, key=lambda t: (data.transactions.set_index("txn_id").loc[t, "booking_date"], t)
    )


def test_queries_lists_the_library(env) -> None:
    result = invoke(["queries"], env)
    assert result.exit_code == 0
    assert "money_trail_out  (start*, max_hops, from_date, to_date, min_amount, limit)" in result.output
