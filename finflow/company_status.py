"""Companies the register has deleted (Brønnøysund ``slettedato``), marked wherever one is shown.

A deleted company can still appear in a case: its accounts may have moved money before (or after)
the deletion, and a shell left behind is itself a lead. So every output that names a company says
so: ``status`` in the subject tables ("deleted 2024-05-01" or "active"), "(deleted DATE)" after
its name in the report, a dashed grey border in the views, ``deleted`` in the i2 and Neo4j
exports, ``dissolutionDate`` in FollowTheMoney. "active" means only that the case's register
data records no deletion.

An account subject takes the status of its holder: an account held by a deleted company is
marked as that company is.
"""

from __future__ import annotations

import pandas as pd

from finflow.casedata import CaseData
from finflow.flowindex import flow_index

__all__ = ["ACTIVE", "deleted_accounts", "deleted_companies", "status_text", "subject_status"]

ACTIVE = "active"


def deleted_companies(data: CaseData) -> dict[str, str]:
    """Party id → deletion date (``YYYY-MM-DD``) of every company the register has deleted."""

    def build() -> dict[str, str]:
        companies = data.companies
        if "deleted" not in companies.columns or companies.empty:
            return {}
        gone = companies.dropna(subset=["deleted"]).drop_duplicates("party_id")
        days = pd.to_datetime(gone["deleted"]).dt.strftime("%Y-%m-%d")
        return dict(zip(gone["party_id"].astype(str), days.astype(str), strict=True))

    return flow_index(data).memo(("deleted_companies",), build)


def deleted_accounts(data: CaseData) -> dict[str, str]:
    """Account id → deletion date of its holder, for accounts held by a deleted company."""

    def build() -> dict[str, str]:
        companies = deleted_companies(data)
        if not companies:
            return {}
        holders = data.accounts.dropna(subset=["holder_party_id"]).drop_duplicates("account_id")
        return {
            str(account): companies[str(party)]
            for account, party in zip(holders["account_id"], holders["holder_party_id"], strict=True)
            if str(party) in companies
        }

    return flow_index(data).memo(("deleted_accounts",), build)


def status_text(deleted: str | None) -> str:
    """``"deleted 2024-05-01"`` for a deletion date, else ``"active"``."""
    return f"deleted {deleted}" if deleted else ACTIVE


def subject_status(kind: str, subject_id: str, data: CaseData | None) -> str:
    """The register status of a ranked subject: a party, or an account through its holder."""
    if data is None:
        return ACTIVE
    if kind == "party":
        return status_text(deleted_companies(data).get(subject_id))
    if kind == "account":
        return status_text(deleted_accounts(data).get(subject_id))
    return ACTIVE
