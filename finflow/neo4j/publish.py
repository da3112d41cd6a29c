"""Putting a whole investigation into Neo4j: the case graph, then its findings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from finflow.casedata import CaseData
from finflow.detect.base import Finding
from finflow.ids import content_id
from finflow.neo4j.connect import connect
from finflow.neo4j.findings import FindingsReport, write_findings
from finflow.neo4j.load import LoadReport, load_case

__all__ = ["Neo4jTarget", "publish"]


@dataclass(frozen=True, slots=True)
class Neo4jTarget:
    """Where to write: Bolt URI, credentials, database (None: the server's default)."""

    uri: str
    user: str
    password: str
    database: str | None = None


def publish(
    target: Neo4jTarget,
    data: CaseData,
    findings: list[Finding],
    *,
    progress: Callable[[int], None] | None = None,
    reviews: Mapping[str, Any] | None = None,
) -> tuple[LoadReport, FindingsReport]:
    """Load the case (idempotent) and replace the graph's findings with ``findings``."""
    driver = connect(target.uri, target.user, target.password)
    try:
        loaded = load_case(driver, data, progress=progress, database=target.database)
        run_id = content_id("run", *sorted(f.finding_id for f in findings))
        written = write_findings(driver, findings, run_id, database=target.database, reviews=reviews)
    finally:
        driver.close()
    return loaded, written
