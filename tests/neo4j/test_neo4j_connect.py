"""The connection helper against a real server: the three failures a user can fix."""

from __future__ import annotations

import socket

import pytest

from finflow.neo4j.connect import Neo4jConnectionError, connect

pytestmark = pytest.mark.neo4j


def test_connects_and_reports_server_version(neo4j_server) -> None:
    driver = connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    try:
        assert driver.get_server_info().agent.startswith("Neo4j/5.")
        records, _, _ = driver.execute_query("RETURN 1 AS one")
        assert records[0]["one"] == 1
    finally:
        driver.close()


def test_wrong_password_is_one_line_without_the_password(neo4j_server) -> None:
    wrong = "not-the-password-42"
    with pytest.raises(Neo4jConnectionError) as info:
        connect(neo4j_server.uri, neo4j_server.user, wrong)
    message = info.value.format_message()
    assert "rejected the credentials" in message
    assert wrong not in message and neo4j_server.password not in message
    assert "\n" not in message
    assert info.value.__suppress_context__  # no chained traceback


def test_unreachable_server_is_one_line(neo4j_server) -> None:
    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Neo4jConnectionError) as info:
        connect(f"bolt://127.0.0.1:{port}", "neo4j", neo4j_server.password, timeout=3)
    message = info.value.format_message()
    assert message.startswith(f"cannot reach Neo4j at bolt://127.0.0.1:{port}")
    assert neo4j_server.password not in message and "\n" not in message


def test_credentials_in_the_uri_are_not_echoed(neo4j_server) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(Neo4jConnectionError) as info:
        connect(f"bolt://ola:hunter2secret@127.0.0.1:{port}", "neo4j", "x", timeout=3)
    assert "hunter2secret" not in info.value.format_message()


def test_unsupported_server_version_is_refused(neo4j_server) -> None:
    with pytest.raises(Neo4jConnectionError) as info:
        connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password, supported_major=(6,))
    message = info.value.format_message()
    assert "is version 5." in message and "finflow supports 6.x" in message
    assert neo4j_server.password not in message
