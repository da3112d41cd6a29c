"""The case analysed once: findings, ranked subjects, networks and the role of each flagged account.

Shared by ``finflow requests`` and ``finflow funds``, which need to know which accounts the
detectors flagged and what role each was given, exactly as ``finflow investigate`` ranks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finflow.casedata import CaseData
from finflow.detect.base import Finding
from finflow.detect.registry import run_detectors
from finflow.networks import Network, find_networks, flagged_accounts
from finflow.subjects import SubjectRanking, rank_subjects

__all__ = ["Analysis", "analyse", "from_parts"]

#: Role words as an investigator reads them.
ROLE_WORDS = {
    "controller": "controller", "possible_victim": "possible victim", "front": "front company",
    "facilitator": "facilitator", "unknown": "flagged account",
}  # fmt: skip


@dataclass
class Analysis:
    """A case with its findings, ranking and networks."""

    data: CaseData
    config: dict[str, Any]
    findings: list[Finding]
    ranking: SubjectRanking
    networks: list[Network]
    flagged: dict[str, set[str]] = field(default_factory=dict)  # account -> finding ids
    roles: dict[str, str] = field(default_factory=dict)  # flagged account -> role (ranking's)

    def role_of(self, account: str) -> str:
        return self.roles.get(account, "unknown")


def _roles(ranking: SubjectRanking) -> dict[str, str]:
    """Each ranked account's role; a possible victim's role wins over a suspect's listing."""
    roles: dict[str, str] = {}
    for table in (ranking.suspects, ranking.victims):
        for accounts, role in zip(table["accounts"], table["role"], strict=True):
            for account in str(accounts or "").split(","):
                if account and (account not in roles or role == "possible_victim"):
                    roles[account] = str(role)
    return roles


def from_parts(
    data: CaseData, config: dict[str, Any], findings: list[Finding], ranking: SubjectRanking, networks: list[Network]
) -> Analysis:
    """An analysis from results already computed (as ``finflow investigate`` has them)."""
    return Analysis(data, config, list(findings), ranking, networks, flagged_accounts(data, findings), _roles(ranking))


def analyse(data: CaseData, config: dict[str, Any], findings: list[Finding] | None = None) -> Analysis:
    """Run every detector (unless ``findings`` are given), rank subjects and group networks."""
    findings = run_detectors(data, config) if findings is None else list(findings)
    ranking = rank_subjects(findings, data, config)
    networks = find_networks(data, findings, config)
    return Analysis(data, config, findings, ranking, networks, flagged_accounts(data, findings), _roles(ranking))
