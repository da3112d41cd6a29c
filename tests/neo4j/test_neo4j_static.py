"""Checks that need no server: versions agree, every table and query file is covered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finflow.model import TABLES
from finflow.neo4j.connect import redact_uri, server_version
from finflow.neo4j.graphmodel import FRESH_STATEMENTS, LOAD_ORDER, LOAD_REFERENCES, LOAD_STATEMENTS, RECORD_NODES
from finflow.neo4j.library import QueryLibraryError, list_queries, load_query, queries_dir
from finflow.neo4j.read import READ_QUERIES

ROOT = Path(__file__).resolve().parents[2]


def test_harness_version_equals_compose_image_tag() -> None:
    pom = (ROOT / "tests/neo4j/harness/pom.xml").read_text(encoding="utf-8")
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    harness = re.search(r"<neo4j.version>([^<]+)</neo4j.version>", pom).group(1)
    image = re.search(r"image:\s*neo4j:(\S+)-community", compose).group(1)
    assert harness == image
    assert harness.startswith("5.26.")


def test_compose_commits_no_password_and_binds_loopback_only() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "NEO4J_AUTH=neo4j/${NEO4J_PASSWORD:?" in compose
    ports = re.findall(r'-\s*"([^"]+)"', compose)
    assert sorted(ports) == ["127.0.0.1:7474:7474", "127.0.0.1:7687:7687"]
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^NEO4J_PASSWORD=\s*$", example, re.MULTILINE)


def test_every_table_has_a_load_and_a_read_statement() -> None:
    assert set(LOAD_ORDER) == set(TABLES) == set(READ_QUERIES)


def test_load_statements_take_values_only_as_parameters() -> None:
    for statement in LOAD_STATEMENTS.values():
        assert statement.lstrip().startswith("UNWIND $rows AS r")
        assert "$" not in statement.replace("$rows", "")
    for name, statement in FRESH_STATEMENTS.items():
        assert name in LOAD_STATEMENTS and name in RECORD_NODES
        assert statement.lstrip().startswith("WITH $cols AS c\nUNWIND range(0, size(c.")
        assert "$" not in statement.replace("$cols", "") and "MERGE" not in statement
    for name, references in LOAD_REFERENCES.items():
        assert name in LOAD_STATEMENTS
        for ref in references:
            assert ref.statement.startswith("UNWIND $ids AS id MERGE")
            assert "$" not in ref.statement.replace("$ids", "")


def test_every_query_file_has_a_header_with_examples() -> None:
    names = list_queries()
    assert {
        "case_overview", "top_collectors", "money_trail_out", "money_trail_in",
        "rent_multiple_premises", "flows_by_country", "shared_addresses",
        "company_role_network", "flagged_entity",
    } <= set(names)  # fmt: skip
    for name in names:
        query = load_query(name)
        assert query.summary, name
        body = "\n".join(line for line in query.text.splitlines() if not line.startswith("//"))
        used = set(re.findall(r"\$([A-Za-z_]\w*)", body))
        assert used == set(query.examples), f"{name}: uses {used}, declares {set(query.examples)}"
        assert "apoc." not in body.lower() and "gds." not in body.lower()


def test_parameters_are_checked_and_coerced() -> None:
    query = load_query("money_trail_out")
    assert query.required == {"start"}
    with pytest.raises(QueryLibraryError, match="needs parameter start"):
        query.bind({})
    with pytest.raises(QueryLibraryError, match="no parameter hops"):
        query.bind({"start": "x", "hops": 2})
    assert query.coerce({"max_hops": "2", "start": "123"}) == {"max_hops": 2, "start": "123"}
    with pytest.raises(QueryLibraryError, match="not a valid int"):
        query.coerce({"max_hops": "two"})
    assert query.bind({"start": "x"}) == {
        "start": "x",
        "max_hops": 3,
        "from_date": "0001-01-01",
        "to_date": "9999-12-31",
        "min_amount": 0,
        "limit": 200,
    }


def test_query_names_cannot_escape_the_library() -> None:
    for name in ("../pyproject", "schema", "Case_Overview", "nope"):
        with pytest.raises(QueryLibraryError):
            load_query(name)
    assert (queries_dir() / "schema.cypher").is_file()


def test_server_version_and_uri_redaction() -> None:
    assert server_version("Neo4j/5.26.30") == (5, 26, 30)
    assert server_version("Neo4j/2025.01.0") == (2025, 1, 0)
    with pytest.raises(ValueError):
        server_version("Memgraph/2.1")
    assert redact_uri("neo4j://ola:secret@db.example:7687") == "neo4j://db.example:7687"
