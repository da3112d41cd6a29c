"""An in-memory case: the canonical tables, ready for analysis.

Detectors, tracing, views and Neo4j read a :class:`CaseData`, whichever store it came from
(the embedded Parquet store or Neo4j). Column types are normalised here once: dates become
``datetime64``, and transactions gain ``ts`` (booking date plus time when known) and ``has_time``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

from finflow.model import TABLES, empty_table

__all__ = ["CaseData"]

_DATE_COLUMNS = {
    "transactions": ["booking_date"],
    "parties": ["birth_date"],
    "party_addresses": ["valid_from", "valid_to"],
    "companies": ["founded"],
    "leases": ["start_date", "end_date"],
}


def _prepare(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    for column in _DATE_COLUMNS.get(name, []):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    if name == "transactions":
        frame["amount_minor"] = frame["amount_minor"].astype("int64")
        times = frame["booking_time"].astype("string")
        frame["has_time"] = times.notna().to_numpy()
        offset = pd.to_timedelta((times.fillna("00:00") + ":00").to_numpy())
        frame["ts"] = (frame["booking_date"] + offset).astype("datetime64[s]")
    return frame


@dataclass
class CaseData:
    """The canonical tables of one case (each a DataFrame with the model's columns)."""

    transactions: pd.DataFrame = field(default_factory=lambda: empty_table("transactions"))
    parties: pd.DataFrame = field(default_factory=lambda: empty_table("parties"))
    accounts: pd.DataFrame = field(default_factory=lambda: empty_table("accounts"))
    addresses: pd.DataFrame = field(default_factory=lambda: empty_table("addresses"))
    party_addresses: pd.DataFrame = field(default_factory=lambda: empty_table("party_addresses"))
    identifiers: pd.DataFrame = field(default_factory=lambda: empty_table("identifiers"))
    company_roles: pd.DataFrame = field(default_factory=lambda: empty_table("company_roles"))
    companies: pd.DataFrame = field(default_factory=lambda: empty_table("companies"))
    leases: pd.DataFrame = field(default_factory=lambda: empty_table("leases"))
    sightings: pd.DataFrame = field(default_factory=lambda: empty_table("sightings"))
    rejects: pd.DataFrame = field(default_factory=lambda: empty_table("rejects"))

    def __post_init__(self) -> None:
        for f in fields(self):
            setattr(self, f.name, _prepare(f.name, getattr(self, f.name)))

    @classmethod
    def from_tables(cls, tables: dict[str, pd.DataFrame]) -> CaseData:
        """Build from a mapping of table name to frame; missing tables are empty."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown tables: {sorted(unknown)}")
        return cls(**tables)
