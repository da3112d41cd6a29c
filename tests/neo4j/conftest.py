"""A real Neo4j for the tests: ``NEO4J_URI`` when set, otherwise the test harness.

With ``NEO4J_URI`` (plus ``NEO4J_USER``/``NEO4J_PASSWORD``) the tests use that server — and WIPE
its default database before every test, so never point them at a case you care about. Otherwise
the session starts ``harness/Launcher.java`` on a free loopback port and stops it at the end.
When the server cannot be had, the tests are skipped — unless ``FINFLOW_REQUIRE_NEO4J=1`` (CI),
which turns that into a failure.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from neo4j_harness import HarnessError, start_harness

from finflow.neo4j.connect import Neo4jConnectionError, connect


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    user: str
    password: str


def _unavailable(reason: str) -> None:
    if os.environ.get("FINFLOW_REQUIRE_NEO4J") == "1":
        pytest.fail(f"Neo4j required (FINFLOW_REQUIRE_NEO4J=1) but unavailable: {reason}")
    pytest.skip(f"Neo4j unavailable: {reason}")


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    """Connection settings of the server the tests use."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        server = Neo4jServer(
            uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")
        )
        try:
            connect(server.uri, server.user, server.password).close()
        except Neo4jConnectionError as exc:
            _unavailable(exc.format_message())
        yield server
        return
    password = secrets.token_hex(12)
    try:
        server = start_harness(password)
    except HarnessError as exc:
        _unavailable(str(exc))
        return
    try:
        yield Neo4jServer(server.uri, "neo4j", password)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server: Neo4jServer):
    try:
        driver = connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    except Neo4jConnectionError as exc:
        _unavailable(exc.format_message())
        return
    yield driver
    driver.close()


@pytest.fixture
def graph(neo4j_driver):
    """The driver, on an empty database (every node and relationship deleted first)."""
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    return neo4j_driver
