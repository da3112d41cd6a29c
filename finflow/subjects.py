"""Ranking subjects: from many findings to one explainable list of who to look at first.

Roles come first (:mod:`finflow.roles`): one role per subject, resolved from all findings. A
subject's *evidence strength* then adds up what backs that role, with no cap, so the order holds
at the top of a large case:

    score = Σ_d w_d · s_d  +  victim · n_victims  +  month · n_months  +  money · log10(1 + m / money_unit)

``s_d`` is the strongest finding of detector ``d`` that supports the role (``w_d`` its weight, so
each corroborating detector adds at most ``w_d``); ``n_victims`` the possible victims whose money
the subject takes or who are named with it; ``n_months`` the calendar months and ``m`` the money
(the case's main currency, minor units, never summed over currencies) of the supporting
evidence transactions that touch the subject's own accounts. Weights live in the ``subjects``
section of the configuration. ``score_explanation`` says the same in one sentence per subject.

Suspects are listed by ``priority = score × role weight`` (``role_weights``: whoever directs the
money before the companies and conduits used); each network's controller comes first, ordered by
its network's top priority (:func:`finflow.leads.analyse`). Ties go to more detectors, more
victims, more money, more months — the subject id only when all evidence is equal. Possible
victims are ranked in their own table and never among suspects; context subjects (landlords,
senders) are in neither.

``status`` is the register's word on the subject (:mod:`finflow.company_status`): "deleted
2024-05-01" for a company deleted from the register (or an account it holds), else "active".

A subject's ``accounts`` are all accounts the case links to it: those findings name and, for a
party, every account whose holder it is (statements, KYC holder records, the registry).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from finflow.casedata import CaseData
from finflow.company_status import subject_status
from finflow.config import load_config
from finflow.detect.base import Finding
from finflow.detect.util import AccountInfo, account_info, light_transactions
from finflow.money import format_minor, main_currency
from finflow.roles import SUSPECT_ROLES, Key, RoleResolution, resolve_roles, subject_key

__all__ = ["COLUMNS", "SubjectRanking", "rank_subjects"]

#: Columns of both ranking tables.
COLUMNS = [
    "rank", "subject_kind", "subject_id", "label", "status", "priority", "score", "role", "role_basis", "network",
    "detectors", "victims", "months", "money", "money_minor", "accounts", "finding_ids", "score_explanation",
    "explanation", "evidence_txn_ids",
]  # fmt: skip


@dataclass(frozen=True)
class SubjectRanking:
    """Suspects (controllers, fronts, facilitators, sinks, unclear) and possible victims, each ranked."""

    suspects: pd.DataFrame
    victims: pd.DataFrame
    roles: RoleResolution | None = None

    def top(self, n: int) -> list[str]:
        """Subject ids of the ``n`` highest-ranked suspects."""
        return self.suspects["subject_id"].head(n).tolist()


def subject_accounts(key: Key, roles: RoleResolution, info: AccountInfo | None) -> list[str]:
    """Every account the case links to a subject: named by findings, or held by the party."""
    accounts = set(roles.named_accounts.get(key, set()))
    if key[0] == "party" and info is not None:
        accounts.update(info.accounts_of(key[1]))
    elif key[0] == "account":
        accounts.add(key[1])
    return sorted(accounts)


def _activity(
    data: CaseData | None, support: dict[Key, list[str]], accounts: dict[Key, list[str]]
) -> tuple[dict[Key, int], dict[Key, int], str]:
    """Per subject: money (main currency) and months of its supporting evidence on its own accounts."""
    if data is None or not support:
        return {}, {}, "NOK"
    tx = light_transactions(data)
    currency = main_currency(data.transactions["currency"])
    keys = list(support)
    index = {k: i for i, k in enumerate(keys)}
    pairs = pd.DataFrame(
        [(index[k], t) for k, ids in support.items() for t in ids], columns=["subject", "txn_id"]
    ).drop_duplicates()
    own = pd.DataFrame([(index[k], a) for k in keys for a in accounts[k]], columns=["subject", "account"])
    if pairs.empty or own.empty:
        return {}, {}, currency
    rows = tx[tx["txn_id"].isin(set(pairs["txn_id"]))][["txn_id", "from_account", "to_account", "amount_minor",
                                                         "currency", "ts"]]  # fmt: skip
    joined = pairs.merge(rows, on="txn_id")
    sides = [
        joined.merge(own, left_on=["subject", side], right_on=["subject", "account"])
        for side in ("from_account", "to_account")
    ]
    mine = pd.concat(sides).drop_duplicates(["subject", "txn_id"])
    months = mine.assign(m=mine["ts"].astype("datetime64[s]").dt.to_period("M")).groupby("subject")["m"].nunique()
    money = mine[mine["currency"] == currency].groupby("subject")["amount_minor"].sum()
    by_key = dict(enumerate(keys))
    return (
        {by_key[i]: int(v) for i, v in money.items()},
        {by_key[i]: int(v) for i, v in months.items()},
        currency,
    )


def rank_subjects(
    findings: list[Finding],
    data: CaseData | None = None,
    config: Mapping[str, Any] | None = None,
    roles: RoleResolution | None = None,
) -> SubjectRanking:
    """Ranked suspects and possible victims (formula in the module docstring)."""
    config = config if config is not None else load_config()
    params = config["subjects"]
    weights, default = params["weights"], float(params["default_weight"])
    strength = params["strength"]
    roles = roles if roles is not None else resolve_roles(findings, data, config)
    info = account_info(data) if data is not None else None
    listed = {k: r for k, r in roles.roles.items() if r.role != "context"}
    supporting = {k: roles.supporting(k) for k in listed}
    accounts = {k: subject_accounts(k, roles, info) for k in listed}
    support_ids = {
        k: sorted({t for c in claims for t in c.finding.evidence_txn_ids}) for k, claims in supporting.items()
    }
    money, months, currency = _activity(data, support_ids, accounts)
    suspects, victims = [], []
    for key, resolved in listed.items():
        claims = supporting[key]
        best: dict[str, tuple[float, Finding]] = {}
        for c in claims:
            s = min(1.0, float(weights.get(c.finding.detector, default)) * c.finding.score * c.weight)
            if c.finding.detector not in best or s > best[c.finding.detector][0]:
                best[c.finding.detector] = (s, c.finding)
        detector_part = sum(s for s, _ in best.values())
        named_victims = set(roles.victims_of.get(key, set()))
        if resolved.role in SUSPECT_ROLES:
            for c in claims:
                for other in c.finding.subjects[1:]:
                    other_key = subject_key(other, info)
                    if other_key != key and roles.role(other_key) == "possible_victim":
                        named_victims.add(other_key)
        else:
            named_victims = set()
        n_victims, n_months, amount = len(named_victims), months.get(key, 0), money.get(key, 0)
        parts = {
            "detectors": detector_part,
            "victims": strength["victim"] * n_victims,
            "months": strength["month"] * n_months,
            "money": strength["money"] * math.log10(1 + amount / float(strength["money_unit_minor"])),
        }
        score = round(sum(parts.values()), 4)
        used = sorted({f.finding_id: f for _, f in best.values()}.values(), key=lambda f: (-f.score, f.finding_id))
        top = params["top_evidence"]
        evidence = sorted({t for f in used for t in f.evidence_txn_ids[:top]})[:top]
        ranked_detectors = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        explained = (
            f"{score:.2f} = {len(best)} detector(s) "
            + "(" + ", ".join(f"{d} {s:.2f}" for d, (s, _) in ranked_detectors[:4])
            + (", …" if len(best) > 4 else "") + f") {parts['detectors']:.2f}"
            + f" + {n_victims} possible victim(s) {parts['victims']:.2f}"
            + f" + {n_months} month(s) of evidence {parts['months']:.2f}"
            + f" + {format_minor(amount, currency)} in evidence {parts['money']:.2f}"
        )  # fmt: skip
        row = {
            "priority": round(score * float(params["role_weights"].get(resolved.role, 1.0)), 4),
            "subject_kind": key[0],
            "subject_id": key[1],
            "label": roles.labels.get(key),
            "status": subject_status(key[0], key[1], data),
            "score": score,
            "role": resolved.role,
            "role_basis": resolved.basis,
            "network": None,
            "detectors": ",".join(sorted(best)),
            "victims": n_victims,
            "months": n_months,
            "money": format_minor(amount, currency),
            "money_minor": amount,
            "accounts": ",".join(accounts[key]),
            "finding_ids": ",".join(f.finding_id for f in used),
            "score_explanation": explained,
            "explanation": " | ".join(f"{f.detector}: {roles.notes.get(f.finding_id, f.summary)}" for f in used[:3]),
            "evidence_txn_ids": ",".join(evidence),
        }
        (victims if resolved.role == "possible_victim" else suspects).append(row)
    return SubjectRanking(order(pd.DataFrame(suspects)), order(pd.DataFrame(victims)), roles)


#: At equal priority and evidence, who is listed first: whoever directs the money.
ROLE_ORDER = {"controller": 0, "possible_victim": 0, "front": 1, "facilitator": 2, "sink": 3, "unknown": 4}


def order(frame: pd.DataFrame, lift: Mapping[str, float] | None = None, first: set[str] | None = None) -> pd.DataFrame:
    """Sort a ranking table: ``first`` (the networks' controllers), then priority (``lift`` raises
    a network's lead to its network's top), then evidence, then id."""
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame = frame.copy()
    frame["_detectors"] = frame["detectors"].astype(str).str.count(",") + 1
    lifted = frame["subject_id"].map(lambda s: (lift or {}).get(s, 0.0)).astype(float)
    frame["_first"] = frame["subject_id"].isin(first or set()).astype(int)
    frame["_key"] = frame["priority"].astype(float).where(frame["priority"].astype(float) >= lifted, lifted)
    frame["_lead"] = (lifted > 0).astype(int)
    frame["_order"] = frame["role"].map(ROLE_ORDER).fillna(9)
    frame = frame.sort_values(
        ["_first", "_key", "_lead", "priority", "_detectors", "victims", "money_minor", "months", "_order",
         "subject_id"],
        ascending=[False, False, False, False, False, False, False, False, True, True],
        kind="stable",
    )  # fmt: skip
    frame = frame.reset_index(drop=True)
    frame["rank"] = range(1, len(frame) + 1)
    return frame[COLUMNS].reset_index(drop=True)
