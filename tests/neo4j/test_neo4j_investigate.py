"""`finflow investigate --neo4j`, then analysing the graph as read back from Neo4j."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from finflow.cli import main
from finflow.synth import generate

pytestmark = pytest.mark.neo4j


def test_investigate_into_neo4j_and_analyse_the_graph_gives_the_same_findings(graph, neo4j_server, tmp_path):
    env = {"NEO4J_URI": neo4j_server.uri, "NEO4J_USER": neo4j_server.user, "NEO4J_PASSWORD": neo4j_server.password}
    generate(4, 2000, tmp_path / "in")
    runner = CliRunner()
    first = runner.invoke(
        main,
        ["investigate", str(tmp_path / "in"), "--case", str(tmp_path / "case"), "--out", str(tmp_path / "local"),
         "--subject-views", "0", "--finding-views", "0", "--traces", "0", "--neo4j"],
        env=env,
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "findings into" in first.output and neo4j_server.password not in first.output
    second = runner.invoke(main, ["neo4j", "findings", "--source", "neo4j", "--out", str(tmp_path / "graph")], env=env)
    assert second.exit_code == 0, second.output

    def findings(folder):
        doc = json.loads((tmp_path / folder / "findings.json").read_text(encoding="utf-8"))
        return [(f["finding_id"], f["score"], tuple(f["evidence_txn_ids"])) for f in doc["findings"]]

    local, from_graph = findings("local"), findings("graph")
    assert local and local == from_graph
    with graph.session() as session:
        count = session.run("MATCH (f:Finding) RETURN count(f) AS n").single()["n"]
    assert count == len(local)


def test_investigate_neo4j_without_password_is_a_one_line_error(tmp_path):
    generate(4, 1000, tmp_path / "in")
    result = CliRunner().invoke(
        main,
        ["investigate", str(tmp_path / "in"), "--case", str(tmp_path / "c"), "--out", str(tmp_path / "o"),
         "--subject-views", "0", "--finding-views", "0", "--traces", "0", "--neo4j"],
        env={"NEO4J_PASSWORD": ""},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "set NEO4J_PASSWORD" in result.output and "Traceback" not in result.output


def test_reviews_reach_the_finding_nodes(graph, neo4j_server, tmp_path):
    """A review recorded with --neo4j is on its Finding node; investigate --neo4j writes it again."""
    env = {"NEO4J_URI": neo4j_server.uri, "NEO4J_USER": neo4j_server.user, "NEO4J_PASSWORD": neo4j_server.password}
    generate(4, 1000, tmp_path / "in")
    runner = CliRunner()
    args = ["investigate", str(tmp_path / "in"), "--case", str(tmp_path / "case"), "--out", str(tmp_path / "o"),
            "--subject-views", "0", "--finding-views", "0", "--traces", "0", "--neo4j"]  # fmt: skip
    first = runner.invoke(main, args, env=env)
    assert first.exit_code == 0, first.output
    doc = json.loads((tmp_path / "o" / "findings.json").read_text(encoding="utf-8"))
    fid = doc["findings"][0]["finding_id"]
    note = "' }) MATCH (n) DETACH DELETE n //"  # Cypher in a note stays text
    result = runner.invoke(
        main,
        ["review", fid, "--status", "dismissed", "--note", note, "--by", "Kari", "--case", str(tmp_path / "case"),
         "--neo4j"],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    query = "MATCH (f:Finding {finding_id: $id}) RETURN f.review_status AS s, f.review_note AS n, f.review_by AS b"
    with graph.session() as session:
        record = session.run(query, id=fid).single()
        total = session.run("MATCH (f:Finding) RETURN count(f) AS n").single()["n"]
    assert (record["s"], record["n"], record["b"]) == ("dismissed", note, "Kari")
    assert total == len(doc["findings"])
    # re-run: the Finding nodes are replaced and carry the review from the case
    again = runner.invoke(main, args, env=env)
    assert again.exit_code == 0, again.output
    with graph.session() as session:
        record = session.run(query, id=fid).single()
        others = session.run("MATCH (f:Finding) WHERE f.finding_id <> $id RETURN DISTINCT f.review_status AS s",
                             id=fid).value()  # fmt: skip
    assert record["s"] == "dismissed" and record["n"] == note
    assert others == ["open"]
