"""The ``statements`` table an importer gives for the statements it read (see finflow.model).

Kept so that coverage (finflow.coverage) can tell which periods of an account the case holds
and whether its booked balances chain from one statement to the next.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from finflow.ids import content_id
from finflow.model import SCHEMAS

from .base import Source

__all__ = ["STATEMENT_FIELDS", "statement_frame"]

#: What each statement tuple holds, in order (``source_locator`` first).
STATEMENT_FIELDS: tuple[str, ...] = (
    "source_locator", "account_id", "statement_ref", "period_start", "period_end", "period_basis",
    "currency", "opening_minor", "closing_minor", "credits_minor", "debits_minor", "entries",
)  # fmt: skip


def statement_frame(periods: Iterable[tuple], source: Source) -> pd.DataFrame:
    """Rows of the ``statements`` table; ids from the source's SHA-256 and the statement's place."""
    frame = pd.DataFrame(list(periods), columns=list(STATEMENT_FIELDS))
    if frame.empty:
        return frame.reindex(columns=SCHEMAS["statements"].names)
    frame["statement_id"] = [content_id("stmt", source.sha256, loc) for loc in frame["source_locator"]]
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").dt.date
    for column in ("opening_minor", "closing_minor", "credits_minor", "debits_minor"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    frame["entries"] = frame["entries"].astype("int64")
    for column, value in source.provenance(frame["source_locator"]).items():
        frame[column] = value
    return frame[SCHEMAS["statements"].names]
