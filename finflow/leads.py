"""Roles, ranking and networks together: the analysis step after the detectors.

Order matters: roles are resolved first (:mod:`finflow.roles`), subjects are ranked on the
evidence behind their roles (:mod:`finflow.subjects`), networks are grouped among the subjects
that are not mere context (:mod:`finflow.networks`). Then each network gets a lead — its
top-ranked controller (else its top-ranked suspect) — and is named after it. The networks'
controllers head the suspects list, each ordered by the highest priority in its network, and a
lead that is not a controller is lifted to the top of its network: an investigator starts with
the person directing each ring, not with the companies and conduits he uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect.base import Finding
from finflow.networks import Network, find_networks
from finflow.roles import RoleResolution, resolve_roles
from finflow.subjects import SubjectRanking, order, rank_subjects

__all__ = ["CaseAnalysis", "analyse", "lead_networks"]


@dataclass(frozen=True)
class CaseAnalysis:
    roles: RoleResolution
    ranking: SubjectRanking
    networks: list[Network]


def _members(table: pd.DataFrame) -> list[tuple[str, set[str]]]:
    return [
        (str(sid), {str(sid), *filter(None, str(accounts or "").split(","))})
        for sid, accounts in zip(table["subject_id"], table["accounts"], strict=True)
    ]


def lead_networks(ranking: SubjectRanking, networks: list[Network]) -> tuple[SubjectRanking, list[Network]]:
    """Name each network after its lead, put the networks' controllers first, tag every subject."""
    suspects, victims = ranking.suspects, ranking.victims
    if suspects.empty or not networks:
        return ranking, networks
    rows = _members(suspects)
    priority = dict(zip(suspects["subject_id"].astype(str), suspects["priority"].astype(float), strict=True))
    role = dict(zip(suspects["subject_id"].astype(str), suspects["role"].astype(str), strict=True))
    label = dict(zip(suspects["subject_id"].astype(str), suspects["label"], strict=True))
    lift: dict[str, float] = {}
    network_of: dict[str, str] = {}
    for network in networks:
        flagged = set(network.flagged)
        inside = [sid for sid, accounts in rows if accounts & flagged]
        if not inside:
            continue
        controllers = [sid for sid in inside if role[sid] == "controller"]
        lead = (controllers or inside)[0]  # rows are in rank order
        network.lead, network.lead_role = lead, role[lead]
        name = label[lead] if isinstance(label[lead], str) and label[lead] else lead
        network.name = f"network of {name}"
        lift[lead] = max(lift.get(lead, 0.0), max(priority[sid] for sid in inside))
        for sid in inside:
            network_of.setdefault(sid, network.name)
    for sid, accounts in _members(victims):
        for network in networks:
            if network.name and accounts & set(network.flagged):
                network_of.setdefault(sid, network.name)
                break
    suspects = suspects.assign(network=suspects["subject_id"].astype(str).map(network_of))
    victims = victims.assign(network=victims["subject_id"].astype(str).map(network_of)) if len(victims) else victims
    first = {sid for sid in lift if role[sid] == "controller"}
    suspects = order(suspects, lift, first)
    rank = dict(zip(suspects["subject_id"].astype(str), suspects["rank"], strict=True))
    networks = sorted(networks, key=lambda n: (rank.get(n.lead or "", len(rank) + 1), n.network_id))
    return SubjectRanking(suspects, victims, ranking.roles), networks


def analyse(findings: list[Finding], data: CaseData, config: Mapping[str, Any] | None = None) -> CaseAnalysis:
    """Resolve roles, rank subjects, group and name networks (see the module docstring)."""
    config = config if config is not None else load_config()
    roles = resolve_roles(findings, data, config)
    ranking = rank_subjects(findings, data, config, roles=roles)
    networks = find_networks(data, findings, config, roles=roles)
    ranking, networks = lead_networks(ranking, networks)
    return CaseAnalysis(roles, ranking, networks)
