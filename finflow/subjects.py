"""Ranking subjects: from many findings to one explainable list of who to look at first.

Findings name accounts and parties. Accounts are folded into their holder party when the holder
is known (a KYC or registry extract names a strong holder), so a person with three flagged accounts
is one subject. Each subject's score combines its findings as independent signals:

    score = 1 - Π_d (1 - w_d · s_d)

over detectors ``d`` (``s_d`` the strongest finding of that detector about the subject, ``w_d``
the detector's weight from the ``subjects`` section of the configuration). A subject that a finding
names only as context (not first, role ``unknown`` — a landlord, a sender) counts with
``context_weight``. Two different patterns
therefore outrank one, and no detector can push a score above 1.

Subjects are listed by ``priority = score × role weight`` (``role_weights``: whoever directs the
money before the companies and conduits used), so a controller is not buried under the
accounts that carry his money; ``score`` itself stays the plain combination above.

Possible victims are never ranked among suspects: a subject that any finding calls a possible
victim is listed with the victims unless its combined *controller* score is higher than its
victim score (a victim who has become a recruiter is still reported — as a controller).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect.base import ROLES, Finding
from finflow.detect.util import AccountInfo

__all__ = ["COLUMNS", "SubjectRanking", "rank_subjects"]

#: Columns of both ranking tables.
COLUMNS = [
    "rank", "subject_kind", "subject_id", "label", "priority", "score", "role", "detectors", "accounts",
    "finding_ids", "explanation", "evidence_txn_ids",
]  # fmt: skip

_RANKED_KINDS = ("account", "party")


@dataclass(frozen=True)
class SubjectRanking:
    """Suspects (controllers, facilitators, fronts, unknown) and possible victims, each ranked."""

    suspects: pd.DataFrame
    victims: pd.DataFrame

    def top(self, n: int) -> list[str]:
        """Subject ids of the ``n`` highest-ranked suspects."""
        return self.suspects["subject_id"].head(n).tolist()


def _combine(scores: Iterable[float]) -> float:
    remaining = 1.0
    for s in scores:
        remaining *= 1.0 - s
    return round(1.0 - remaining, 4)


def _subject_key(kind: str, sid: str, label: str | None, info: AccountInfo | None) -> tuple[str, str, str | None]:
    if kind == "account" and info is not None:
        party = info.party.get(sid)
        if isinstance(party, str):
            return "party", party, label
    return kind, sid, label


def rank_subjects(
    findings: list[Finding], data: CaseData | None = None, config: Mapping[str, Any] | None = None
) -> SubjectRanking:
    """Combine findings into ranked subject tables (see the module docstring for the formula)."""
    params = (config if config is not None else load_config())["subjects"]
    weights = params["weights"]
    info = AccountInfo(data) if data is not None else None
    # (subject) -> detector -> role -> best score; plus bookkeeping
    best: dict[tuple[str, str], dict[str, dict[str, tuple[float, Finding]]]] = defaultdict(lambda: defaultdict(dict))
    labels: dict[tuple[str, str], str | None] = {}
    accounts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for finding in findings:
        w = float(weights.get(finding.detector, params["default_weight"]))
        for position, subject in enumerate(finding.subjects):
            if subject.kind not in _RANKED_KINDS:
                continue
            # a finding is about its first subject and whoever it gives a role; the others
            # (a landlord, a sender) are context and count for less
            context = position > 0 and subject.role == "unknown"
            kind, sid, label = _subject_key(subject.kind, subject.id, subject.label, info)
            key = (kind, sid)
            if subject.kind == "account":
                accounts[key].add(subject.id)
            if labels.get(key) is None:
                labels[key] = label
            slot = best[key][finding.detector]
            weighted = min(1.0, w * finding.score * (params["context_weight"] if context else 1.0))
            if subject.role not in slot or weighted > slot[subject.role][0]:
                slot[subject.role] = (weighted, finding)
    suspects, victims = [], []
    for key, per_detector in best.items():
        role_scores = {
            role: _combine(slot[role][0] for slot in per_detector.values() if role in slot) for role in ROLES
        }
        overall = _combine(max(s for s, _ in slot.values()) for slot in per_detector.values())
        is_victim = role_scores["possible_victim"] > 0 and role_scores["controller"] <= role_scores["possible_victim"]
        if is_victim:
            role = "possible_victim"
            score = role_scores["possible_victim"]
        else:
            ranked = sorted(
                (r for r in ROLES if r != "possible_victim"), key=lambda r: (-role_scores[r], ROLES.index(r))
            )
            role = ranked[0]
            score = overall
        unique = {f.finding_id: f for slot in per_detector.values() for _, f in slot.values()}
        used = sorted(unique.values(), key=lambda f: (-f.score, f.finding_id))
        evidence = sorted({t for f in used for t in f.evidence_txn_ids[: params["top_evidence"]]})[
            : params["top_evidence"]
        ]
        row = {
            "priority": round(score * float(params["role_weights"].get(role, 1.0)), 4),
            "subject_kind": key[0],
            "subject_id": key[1],
            "label": labels.get(key),
            "score": score,
            "role": role,
            "detectors": ",".join(sorted(per_detector)),
            "accounts": ",".join(sorted(accounts[key])),
            "finding_ids": ",".join(f.finding_id for f in used),
            "explanation": " | ".join(f"{f.detector}: {f.summary}" for f in used[:3]),
            "evidence_txn_ids": ",".join(evidence),
        }
        (victims if is_victim else suspects).append(row)
    return SubjectRanking(_table(suspects), _table(victims))


#: At equal scores, who is listed first: the person directing the money before the companies used.
_ROLE_ORDER = {"controller": 0, "possible_victim": 0, "front": 1, "facilitator": 2, "unknown": 3}


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"])
    frame["_order"] = frame["role"].map(_ROLE_ORDER).fillna(9)
    frame = frame.sort_values(["priority", "_order", "subject_id"], ascending=[False, True, True], kind="stable")
    frame = frame.drop(columns="_order").reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame
