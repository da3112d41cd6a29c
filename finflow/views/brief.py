"""The report's first screen: who to look at and why, who to protect, and how they connect.

Reads the ranking and network tables generically (whatever columns they carry), so a ranking
with more fields (a role basis, a network named after its lead subject) shows them without any
change here. Money is per currency and exact; nothing here adds two currencies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Finding
from finflow.flowindex import flow_index
from finflow.money import format_minor, main_currency
from finflow.views.tooltips import ROLE_TEXT, clip

__all__ = [
    "CaseCounts",
    "Links",
    "SubjectRows",
    "field_value",
    "network_name",
    "reason",
    "subject_accounts",
    "subject_records",
    "swept_to",
]


@dataclass(frozen=True, slots=True)
class Links:
    """A table cell holding links (text, relative href) instead of text."""

    items: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def __str__(self) -> str:  # Markdown and plain-text fallbacks
        return ", ".join(text for text, _ in self.items)


@dataclass(frozen=True, slots=True)
class CaseCounts:
    """The three numbers every output states, counted once so they agree everywhere."""

    findings: int
    suspects: int
    victims: int

    @classmethod
    def of(cls, findings: Sequence[Finding], suspects: pd.DataFrame | None, victims: pd.DataFrame | None) -> CaseCounts:
        return cls(len(findings), 0 if suspects is None else len(suspects), 0 if victims is None else len(victims))

    def sentence(self) -> str:
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        return (
            f"{n(self.findings, 'finding', 'findings')}, {n(self.suspects, 'subject', 'subjects')} to look at, "
            f"{n(self.victims, 'possible victim', 'possible victims')} (for protection)"
        )


def field_value(row: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` that the row has and that is not blank (``None`` otherwise)."""
    for name in names:
        value = row.get(name)
        if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
            continue
        if isinstance(value, str) and not value.strip():
            continue
        return value
    return None


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value if str(v)]
    return [part for part in str(value).split(",") if part]


def subject_accounts(row: Mapping[str, Any]) -> list[str]:
    """The accounts a ranked subject stands for (its own id when it is an account)."""
    accounts = _split(field_value(row, "accounts", "account_ids"))
    sid = field_value(row, "subject_id", "id")
    if not accounts and sid is not None and field_value(row, "subject_kind", "kind") == "account":
        accounts = [str(sid)]
    return accounts


def subject_name(row: Mapping[str, Any]) -> str:
    """The subject's name, "(deleted DATE)" after it when the register has deleted the company."""
    label = field_value(row, "label", "name", "subject")
    sid = field_value(row, "subject_id", "id")
    status = field_value(row, "status")
    gone = f" ({status})" if isinstance(status, str) and status.startswith("deleted ") else ""
    if label is not None and sid is not None and field_value(row, "subject_kind") == "account":
        return f"{clip(label, 60)}{gone} ({sid})"
    return clip(str(label if label is not None else sid if sid is not None else "?"), 80) + gone


def role_text(row: Mapping[str, Any]) -> str:
    """The suggested role in words (the basis for it is in the subject's detail section)."""
    role = field_value(row, "role")
    return ROLE_TEXT.get(str(role), str(role)) if role is not None else ""


def reason(row: Mapping[str, Any], findings: Mapping[str, Finding]) -> str:
    """One line: the strongest finding about the subject, and how many more there are."""
    ids = [i for i in _split(field_value(row, "finding_ids")) if i in findings]
    if ids:
        ranked = sorted((findings[i] for i in ids), key=lambda f: (-f.score, f.finding_id))
        top = ranked[0]
        more = len(ranked) - 1
        tail = f" (+{more} more finding{'s' if more != 1 else ''})" if more else ""
        return f"{top.detector}: {clip(top.summary, 150)}{tail}"
    text = field_value(row, "explanation", "reason", "why")
    return clip(str(text).split(" | ")[0], 240) if text is not None else ""


#: Ranked subjects or victims: their table, or its rows as ``to_dict("records")`` gives them
#: (a report with many networks turns the table into rows once, not once per network).
SubjectRows = pd.DataFrame | Sequence[Mapping[str, Any]] | None


def subject_records(frame: SubjectRows) -> list[Mapping[str, Any]]:
    """The rows of a :data:`SubjectRows` as mappings (read-only: they may be shared)."""
    if frame is None:
        return []
    return frame.to_dict("records") if isinstance(frame, pd.DataFrame) else list(frame)


def network_name(item: Mapping[str, Any], subjects: SubjectRows, index: int) -> str:
    """The network's own name if it has one, else "Network of <highest-ranked subject in it>"."""
    own = field_value(item, "name", "title", "lead_label")
    if own is not None:
        return clip(str(own), 120)
    members = set(_split(item.get("flagged"))) | set(_split(item.get("members")))
    if subjects is not None:
        for row in subject_records(subjects):
            accounts = set(subject_accounts(row)) | {str(field_value(row, "subject_id"))}
            if accounts & members:
                return f"Network of {subject_name(row)}"
    return f"Network {index + 1}"


def network_subjects(item: Mapping[str, Any], frame: SubjectRows) -> list[Mapping[str, Any]]:
    """Rows of ``frame`` (ranked subjects or victims) whose accounts are in the network."""
    if frame is None or len(frame) == 0:
        return []
    members = set(_split(item.get("flagged"))) | set(_split(item.get("members")))
    ids = set(_split(item.get("subject_ids")))
    out = []
    for row in subject_records(frame):
        sid = str(field_value(row, "subject_id", "id"))
        if sid in ids or set(subject_accounts(row)) & members or sid in members:
            out.append(row)
    return out


def money_text(value: Any, currency: Any = None) -> str:
    """A ``*_minor`` value: a currency → amount dict, or one amount beside its currency."""
    if isinstance(value, Mapping):
        return "; ".join(format_minor(int(v), str(c)) for c, v in sorted(value.items()))
    if value is not None and currency is not None:
        return format_minor(int(value), str(currency))
    return "" if value is None else str(value)


def swept_to(data: CaseData | None, accounts: Sequence[str], labels: Mapping[str, str], limit: int = 2) -> str:
    """Where the money of these accounts went: the largest receiver and any other taking 5 % or
    more, with their share of the outflows in the main currency."""
    if data is None or not accounts:
        return ""
    # the accounts' own rows from the case's index, not a scan of every transaction per victim
    columns = ["from_account", "to_account", "currency", "amount_minor", "channel"]
    tx = flow_index(data).account_rows(accounts, [c for c in columns if c in data.transactions.columns])
    own = set(accounts)
    out = tx[tx["from_account"].astype("string").isin(own).fillna(False)]
    out = out[~out["to_account"].astype("string").isin(own).fillna(False)]
    if out.empty:
        return "no outgoing payments in the case"
    currency = main_currency(out["currency"])
    out = out[out["currency"].astype("string") == currency]
    to = out["to_account"].astype("string")
    cash = out["channel"].astype("string") == "cash_withdrawal" if "channel" in out else False
    receiver = to.where(to.notna(), pd.Series("cash", index=out.index).where(cash, "unrecorded counterparty"))
    sums = out["amount_minor"].astype("int64").groupby(receiver.to_numpy()).sum()
    total = int(sums.sum())
    if total <= 0:
        return ""
    ranked = sorted(sums.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))
    # the largest receiver always; the next ones only when they took a real share (5 % or more)
    top = ranked[:1] + [kv for kv in ranked[1:limit] if int(kv[1]) * 20 >= total]
    parts = [
        f"{labels.get(str(k), str(k))}: {format_minor(int(v), currency)} ({int(v) * 100 // total} % of outflows)"
        for k, v in top
    ]
    return "; ".join(parts)
