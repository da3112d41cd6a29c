"""An in-memory case: the canonical tables, ready for analysis.

Detectors, tracing, views and Neo4j read a :class:`CaseData`, whichever store it came from
(the embedded Parquet store or Neo4j). Column types are normalised here once: dates become
``datetime64``, and transactions gain ``ts`` (booking date plus time when known) and ``has_time``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from finflow.arrowcol import arrow_array, arrow_text
from finflow.model import TABLES, empty_table
from finflow.money import check_totals_fit

__all__ = ["CaseData"]

_DATE_COLUMNS = {
    "transactions": ["booking_date"],
    "parties": ["birth_date"],
    "party_addresses": ["valid_from", "valid_to"],
    "companies": ["founded", "deleted"],
    "statements": ["period_start", "period_end"],
    "leases": ["start_date", "end_date"],
}


def _prepare(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    if name == "identifiers" and "identifier_id" not in frame.columns:
        raise ValueError(
            "this case was imported by an earlier finflow: its identifiers have no keyed identifier_id "
            "(finflow.casekey); import its files into a new case"
        )
    for column in _DATE_COLUMNS.get(name, []):
        frame[column] = _datetimes(frame[column])
    if name == "transactions":
        frame["amount_minor"] = frame["amount_minor"].astype("int64")
        # once here, so that no int64 sum of any part of the case can wrap around later
        check_totals_fit(frame["amount_minor"].to_numpy(), "the case's transaction amounts")
        seconds = _seconds_of_day(frame["booking_time"])
        frame["has_time"] = seconds.notna().to_numpy()
        offset = seconds.fillna(0).to_numpy(dtype="int64").astype("timedelta64[s]")
        frame["ts"] = (frame["booking_date"] + offset).astype("datetime64[s]")
    return frame


def _datetimes(values: pd.Series) -> pd.Series:
    """A date column as ``datetime64[s]``; Arrow dates are cast in Arrow (a million rows at once)."""
    if isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_date(values.dtype.pyarrow_dtype):
        array = arrow_array(values).cast(pa.timestamp("s"))
        return pd.Series(array.to_numpy(zero_copy_only=False), index=values.index, dtype="datetime64[s]")
    return pd.to_datetime(values).astype("datetime64[s]")


def _seconds_of_day(times: pd.Series) -> pd.Series:
    """Seconds since midnight of ``HH:MM`` times (null where no time is known)."""
    parts = pc.extract_regex(arrow_text(times), r"^(?P<h>\d{1,2}):(?P<m>\d{2})")
    found = pc.is_valid(parts)
    hours = pc.cast(pc.if_else(found, parts.field("h"), "0"), pa.int64())
    minutes = pc.cast(pc.if_else(found, parts.field("m"), "0"), pa.int64())
    seconds = pc.add(pc.multiply(hours, 3600), pc.multiply(minutes, 60))
    return pd.Series(pc.if_else(found, seconds, None).to_pandas(), index=times.index, dtype="Int64")


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
    statements: pd.DataFrame = field(default_factory=lambda: empty_table("statements"))
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

    def currencies(self) -> list[str]:
        """The currencies of the case's transactions, in code order."""
        if self.transactions.empty:
            return []
        return sorted(str(c) for c in self.transactions["currency"].dropna().unique())

    def in_currency(self, currency: str) -> CaseData:
        """The case with only its transactions in ``currency``; every other table as it is.

        What a detector sees when it runs on one currency at a time, so that none of its sums,
        shares or medians adds amounts of different currencies. Tables are shared, not copied.
        """
        view = copy.copy(self)
        view.__dict__.pop("_detect_cache", None)  # per-case caches (finflow.detect.util) start afresh
        view.__dict__.pop("_flow_index", None)  # and so does the flow index (finflow.flowindex)
        keep = (self.transactions["currency"] == currency).fillna(False).to_numpy(dtype=bool)
        view.transactions = self.transactions[keep].reset_index(drop=True)
        return view
