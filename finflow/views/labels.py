"""Display names for graph nodes: an account's holder name as the data gives it."""

from __future__ import annotations

from finflow.casedata import CaseData

__all__ = ["holder_labels"]


def holder_labels(data: CaseData) -> dict[str, str]:
    """Account id → "holder name (account id)"; accounts without a name keep their id."""
    accounts = data.accounts.dropna(subset=["holder_name"])
    return {
        str(acc): f"{name} ({acc})" for acc, name in zip(accounts["account_id"], accounts["holder_name"], strict=True)
    }
