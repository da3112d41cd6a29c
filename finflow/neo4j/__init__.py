"""Neo4j as a case store: load a case, read it back, write findings, run the query library.

The graph model is documented in ``docs/graph-model.md``; its constraints live in
``queries/schema.cypher``. Everything here talks to a real server through the official driver,
with parameterised Cypher only: labels, relationship types and property keys come from fixed
lists in :mod:`finflow.neo4j.graphmodel`, never from data.
"""

from __future__ import annotations

from finflow.neo4j.connect import Neo4jConnectionError, connect
from finflow.neo4j.findings import write_findings
from finflow.neo4j.load import apply_schema, load_case
from finflow.neo4j.query import QueryResult, run_query
from finflow.neo4j.read import read_case

__all__ = [
    "Neo4jConnectionError",
    "QueryResult",
    "apply_schema",
    "connect",
    "load_case",
    "read_case",
    "run_query",
    "write_findings",
]
