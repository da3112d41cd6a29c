"""Writing detector findings into the graph, next to what they are about.

Each :class:`~finflow.detect.base.Finding` becomes a ``(:Finding)`` node linked
``-[:CONCERNS {role}]->`` to its subjects and ``-[:EVIDENCE]->`` to its evidence transactions,
so "why is this account flagged?" is one query (``queries/flagged_entity.cypher``). A write
replaces every Finding already in the graph in one transaction: readers see the old run or the
new one, never a mix, and re-running never duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import neo4j

from finflow.detect.base import Finding
from finflow.neo4j.graphmodel import QUIET, SUBJECT_NODES

__all__ = ["FindingsReport", "finding_rows", "write_findings"]

_DELETE_OLD = "MATCH (f:Finding) DETACH DELETE f"

_CREATE = """
UNWIND $rows AS r
MERGE (f:Finding {finding_id: r.finding_id})
SET f += r {.detector, .score, .summary, .parameters, .metrics, .evidence_records,
            .evidence_txn_ids, .run_id, .review_status, .review_note, .review_by, .review_at,
            .review_changed, .review_history}
"""

#: ``finflow review --neo4j``: one finding's review onto its node, all values as parameters.
REVIEW_UPDATE = """
MATCH (f:Finding {finding_id: $finding_id})
SET f.review_status = $status, f.review_note = $note, f.review_by = $by, f.review_at = $at,
    f.review_changed = false
RETURN count(f) AS updated
"""

# One statement per subject kind: the label and key come from SUBJECT_NODES, never from data.
# MERGE, not MATCH: a finding is never silently cut off from its subject.
_CONCERNS = """
UNWIND $rows AS r
MATCH (f:Finding {{finding_id: r.finding_id}})
MERGE (n:{label} {{{key}: r.id}})
MERGE (f)-[c:CONCERNS {{role: r.role}}]->(n)
SET c.label = r.label
RETURN count(c) AS linked
"""

_EVIDENCE = """
UNWIND $rows AS r
MATCH (f:Finding {finding_id: r.finding_id})
MATCH (t:Transaction {txn_id: r.txn_id})
MERGE (f)-[:EVIDENCE]->(t)
RETURN count(t) AS linked
"""


@dataclass(frozen=True)
class FindingsReport:
    """What a write-back did; ``evidence_missing`` counts evidence ids not in the graph."""

    run_id: str
    findings: int
    replaced: int
    subjects_linked: int
    evidence_linked: int
    evidence_missing: int


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def finding_rows(
    findings: list[Finding], run_id: str, reviews: Mapping[str, Any] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Parameter rows for the three statements, in a stable order; reviews as ``review_*`` properties."""
    nodes: dict[str, dict[str, Any]] = {}
    subjects: dict[str, list[dict[str, Any]]] = {kind: [] for kind in SUBJECT_NODES}
    evidence: list[dict[str, Any]] = []
    for finding in findings:
        fid = finding.finding_id
        if fid in nodes:
            continue
        nodes[fid] = {
            "finding_id": fid,
            "detector": finding.detector,
            "score": finding.score,
            "summary": finding.summary,
            "parameters": _json(finding.parameters),
            "metrics": _json(finding.metrics),
            "evidence_records": _json(finding.evidence_records),
            "evidence_txn_ids": list(finding.evidence_txn_ids),
            "run_id": run_id,
            **_review_properties((reviews or {}).get(fid)),
        }
        for subject in finding.subjects:
            if subject.kind not in SUBJECT_NODES:
                raise ValueError(f"{finding.detector}: unknown subject kind {subject.kind!r}")
            subjects[subject.kind].append(
                {"finding_id": fid, "id": subject.id, "role": subject.role, "label": subject.label}
            )
        evidence.extend({"finding_id": fid, "txn_id": t} for t in finding.evidence_txn_ids)
    rows: dict[str, list[dict[str, Any]]] = {"findings": list(nodes.values()), "evidence": evidence}
    rows.update({f"subjects:{kind}": subjects[kind] for kind in SUBJECT_NODES})
    return rows


def _review_properties(state: Any) -> dict[str, Any]:
    if state is None:
        return {"review_status": "open", "review_note": "", "review_by": "", "review_at": "", "review_changed": False,
                "review_history": "[]"}  # fmt: skip
    return {
        "review_status": state.status,
        "review_note": state.note,
        "review_by": state.by,
        "review_at": state.at,
        "review_changed": state.changed_since_review,
        "review_history": _json(state.to_dict()["history"]),
    }


def write_findings(
    driver: neo4j.Driver,
    findings: list[Finding],
    run_id: str,
    *,
    database: str | None = None,
    reviews: Mapping[str, Any] | None = None,
) -> FindingsReport:
    """Replace the graph's findings with ``findings`` from run ``run_id``, in one transaction."""
    if not run_id:
        raise ValueError("run_id must not be empty")
    rows = finding_rows(findings, run_id, reviews)

    def work(tx: neo4j.ManagedTransaction) -> FindingsReport:
        replaced = tx.run(_DELETE_OLD).consume().counters.nodes_deleted
        tx.run(_CREATE, rows=rows["findings"]).consume()
        linked = 0
        for kind, (label, key) in SUBJECT_NODES.items():
            part = rows[f"subjects:{kind}"]
            if part:
                record = tx.run(_CONCERNS.format(label=label, key=key), rows=part).single()
                linked += record["linked"] if record else 0
        record = tx.run(_EVIDENCE, rows=rows["evidence"]).single()
        evidence = record["linked"] if record else 0
        return FindingsReport(
            run_id=run_id,
            findings=len(rows["findings"]),
            replaced=replaced,
            subjects_linked=linked,
            evidence_linked=evidence,
            evidence_missing=len(rows["evidence"]) - evidence,
        )

    with driver.session(database=database, **QUIET) as session:
        return session.execute_write(work)
