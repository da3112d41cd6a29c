"""Opening a driver to a Neo4j server, with the failures a user can fix reported in one line.

Wrong credentials, an unreachable server and an unsupported server version each become a
:class:`Neo4jConnectionError` (a ``click.ClickException``, so the CLI prints one line and exits
with status 1). The password never appears in a message, and neither do credentials embedded in
the URI.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import click
import neo4j
from neo4j import exceptions as neo4j_errors

__all__ = ["SUPPORTED_MAJOR_VERSIONS", "Neo4jConnectionError", "check_uri", "connect", "server_version"]

#: Neo4j major versions finflow's Cypher is written and tested for.
SUPPORTED_MAJOR_VERSIONS: tuple[int, ...] = (5,)

_AGENT = re.compile(r"^Neo4j/(\d+)\.(\d+)(?:\.(\d+))?")
_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class Neo4jConnectionError(click.ClickException):
    """Neo4j cannot be used: the message says why, in one line, without secrets."""


def redact_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid URI>"
    host = parts.netloc.rpartition("@")[2]  # as written, even when its port is invalid
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def check_uri(uri: str, setting: str = "NEO4J_URI") -> None:
    """Refuse a URI the driver cannot use (scheme, host, port 1-65535) in one line naming ``setting``."""
    problem = _uri_problem(uri)
    if problem:
        raise Neo4jConnectionError(f"{setting} {redact_uri(uri)!r}: {problem}")


def _uri_problem(uri: str) -> str | None:
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError as exc:
        text = str(exc)
        if "Port" in text:
            return f"the port must be a number from 1 to 65535 ({text})"
        return f"not a valid URI ({text})"
    if parts.scheme not in _SCHEMES:
        return f"the scheme must be one of {', '.join(_SCHEMES)}"
    if not parts.hostname:
        return "names no host"
    if port is not None and not 1 <= port <= 65535:
        return "the port must be a number from 1 to 65535"
    return None


def server_version(agent: str) -> tuple[int, int, int]:
    """Parse a server agent string such as ``Neo4j/5.26.30`` into ``(5, 26, 30)``."""
    match = _AGENT.match(agent or "")
    if not match:
        raise ValueError(f"unrecognised Neo4j server agent {agent!r}")
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def connect(
    uri: str,
    user: str,
    password: str,
    *,
    supported_major: tuple[int, ...] = SUPPORTED_MAJOR_VERSIONS,
    timeout: float = 15.0,
) -> neo4j.Driver:
    """A verified driver for ``uri``; raises :class:`Neo4jConnectionError` if it cannot be used.

    Connectivity and credentials are checked now, not at the first query, so a command fails
    before it has done any work.
    """
    shown = redact_uri(uri)
    check_uri(uri, "Neo4j URI")
    try:
        driver = neo4j.GraphDatabase.driver(
            uri, auth=(user, password), connection_timeout=timeout, max_transaction_retry_time=30.0
        )
    except (ValueError, neo4j_errors.ConfigurationError) as exc:
        raise Neo4jConnectionError(
            f"invalid Neo4j URI {shown!r}: {_scrubbed(exc, uri, password)}"
        ) from None
    try:
        driver.verify_connectivity()
        agent = driver.get_server_info().agent
    except neo4j_errors.AuthError:
        driver.close()
        raise Neo4jConnectionError(
            f"Neo4j at {shown} rejected the credentials for user {user!r} "
            "(check --user/--password or NEO4J_USER/NEO4J_PASSWORD)"
        ) from None
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as exc:
        driver.close()
        raise Neo4jConnectionError(
            f"cannot reach Neo4j at {shown}: {_scrubbed(exc, uri, password)} "
            "(is the server running? see docs/neo4j.md)"
        ) from None
    except neo4j_errors.Neo4jError as exc:
        driver.close()
        raise Neo4jConnectionError(
            f"Neo4j at {shown} refused the connection: {_scrubbed(exc, uri, password)}"
        ) from None
    try:
        major, minor, patch = server_version(agent)
    except ValueError:
        driver.close()
        raise Neo4jConnectionError(
            f"{shown} does not identify as Neo4j (agent {agent!r})"
        ) from None
    if major not in supported_major:
        driver.close()
        wanted = ", ".join(f"{m}.x" for m in supported_major)
        raise Neo4jConnectionError(
            f"Neo4j at {shown} is version {major}.{minor}.{patch}; finflow supports {wanted} "
            "(docker-compose.yml starts a supported one)"
        )
    return driver


def _scrubbed(exc: BaseException, uri: str, password: str) -> str:
    """The first line of an error, with the raw URI and the password taken out."""
    text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    text = text.replace(uri, redact_uri(uri))
    if password:
        text = text.replace(password, "***")
    return text
