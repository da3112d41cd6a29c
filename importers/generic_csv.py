"""The generic transaction CSV: the format other tools and finflow's generator can always write.

UTF-8, comma-separated, header row. Columns (README.md documents them):
``date`` (YYYY-MM-DD, required), ``time`` (HH:MM), ``amount`` (positive decimal, ``.`` or ``,``
as decimal mark, required), ``currency`` (ISO 4217, required), ``from_account``, ``from_name``,
``from_country``, ``to_account``, ``to_name``, ``to_country``, ``channel`` (default
``transfer``), ``description``, ``txn_ref``. Only ``date``, ``amount`` and ``currency`` must be
present as columns; absent optional columns are empty.
"""

from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc

from finflow.arrowcol import arrow_array
from finflow.model import CHANNELS
from finflow.money import active_currencies, parse_amounts

from .base import ImportError_, ImportResult, Source, reject
from .csvutil import decode_head, read_records
from .transactions import finish_transactions

__all__ = ["COLUMNS", "DESCRIPTION", "FORMAT", "PRIORITY", "REQUIRED", "explain", "read", "sniff"]

FORMAT = "generic_csv"
DESCRIPTION = "finflow generic transaction CSV (date,amount,currency,from_account,to_account,…)"
PRIORITY = 90  # after the bank-specific formats, whose headers are more specific

COLUMNS = (
    "date", "time", "amount", "currency", "from_account", "from_name", "from_country",
    "to_account", "to_name", "to_country", "channel", "description", "txn_ref",
)  # fmt: skip
REQUIRED = ("date", "amount", "currency")


def sniff(head: bytes, name: str) -> bool:
    """A comma-separated header naming at least the required columns."""
    text = decode_head(head)
    if text is None:
        return False
    header = {c.strip().strip('"').lower() for c in text.splitlines()[0].split(",")} if text else set()
    return set(REQUIRED) <= header and ("from_account" in header or "to_account" in header)


def explain(head: bytes, name: str) -> str:
    """Which required columns the comma-separated header lacks."""
    text = decode_head(head)
    if text is None:
        return "not text"
    header = {c.strip().strip('"').lower() for c in text.splitlines()[0].split(",")} if text else set()
    missing = [c for c in REQUIRED if c not in header]
    if not missing and "from_account" not in header and "to_account" not in header:
        missing = ["from_account or to_account"]
    return f"the comma-separated header lacks {', '.join(missing)}"


def read(path: str, source: Source) -> ImportResult:
    with open(path, "rb") as fh:
        data = fh.read()
    records = read_records(data, source, delimiter=",")
    frame = records.frame
    frame.columns = [c.lower() if c != "source_locator" else c for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ImportError_(
            f"{source.name}: row 1 (header) lacks required column(s) {', '.join(missing)}; "
            f"expected columns: {', '.join(COLUMNS)}"
        )
    unknown = [c for c in frame.columns if c not in COLUMNS and c != "source_locator"]
    if unknown:
        raise ImportError_(
            f"{source.name}: row 1 (header) has unknown column(s) {', '.join(unknown[:10])}; "
            f"expected columns: {', '.join(COLUMNS)}"
        )
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.Series("", index=frame.index, dtype="string")
        frame[column] = frame[column].str.strip()
    parsed, errors = _parse(frame)
    bad = errors.notna()
    rejects = pd.concat(
        [
            records.rejects,
            reject(
                source,
                frame.loc[bad, "source_locator"].tolist(),
                errors[bad].tolist(),
                _raw(frame[bad]),
            ),
        ],
        ignore_index=True,
    )
    tables = finish_transactions(parsed[~bad.to_numpy()], source)
    return ImportResult(FORMAT, records.rows_read, tables, rejects)


def _parse(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Validate all rows at once; returns parsed rows and the first error of each row."""
    errors = pd.Series(pd.NA, index=frame.index, dtype="string")

    def fail(mask: pd.Series, reason: str) -> None:
        nonlocal errors
        errors = errors.mask(errors.isna() & mask.fillna(False).astype(bool), reason)

    date_text = frame["date"]
    dates = pd.to_datetime(
        date_text.where(date_text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d", errors="coerce"
    )
    fail(date_text == "", "date is empty")
    fail(dates.isna(), "date is not a valid YYYY-MM-DD date")
    time_text = frame["time"]
    valid_time = time_text.str.fullmatch(r"([01]\d|2[0-3]):[0-5]\d")
    fail((time_text != "") & ~valid_time, "time is not HH:MM (00:00-23:59)")
    currency = frame["currency"].str.upper()
    fail(currency == "", "currency is empty")
    fail(~currency.isin(active_currencies()), "currency is not an ISO 4217 code")
    amount, amount_error = parse_amounts(frame["amount"], currency)
    errors = errors.fillna(amount_error)
    channel = frame["channel"].str.lower().replace("", "transfer")
    fail(~channel.isin(CHANNELS), f"channel must be one of {', '.join(CHANNELS)}")
    for side in ("from", "to"):
        country = frame[f"{side}_country"].str.upper()
        fail((country != "") & ~country.str.fullmatch(r"[A-Z]{2}"), f"{side}_country is not a 2-letter country code")
    no_from, no_to = frame["from_account"] == "", frame["to_account"] == ""
    fail(no_from & no_to, "both from_account and to_account are empty")
    fail(no_from & (channel == "cash_withdrawal"), "a cash withdrawal needs from_account")
    fail(no_to & (channel == "cash_deposit"), "a cash deposit needs to_account")

    def blank_to_null(series: pd.Series) -> pd.Series:
        text = arrow_array(series)
        return pd.Series(pd.arrays.ArrowStringArray(pc.if_else(pc.equal(text, ""), None, text)), index=series.index)

    parsed = pd.DataFrame(
        {
            "booking_date": dates,
            "booking_time": blank_to_null(time_text),
            "amount_minor": amount,
            "currency": currency,
            "from_account": blank_to_null(frame["from_account"]),
            "to_account": blank_to_null(frame["to_account"]),
            "from_name": blank_to_null(frame["from_name"]),
            "to_name": blank_to_null(frame["to_name"]),
            "from_country": blank_to_null(frame["from_country"]),
            "to_country": blank_to_null(frame["to_country"]),
            "channel": channel,
            "description": blank_to_null(frame["description"]),
            "txn_ref": blank_to_null(frame["txn_ref"]),
            "source_locator": frame["source_locator"],
        }
    )
    return parsed, errors


def _raw(frame: pd.DataFrame) -> list[str]:
    cols = [c for c in COLUMNS if c in frame.columns]
    return (
        frame[cols].astype("string").fillna("").agg(",".join, axis=1).str.slice(0, 2000).tolist() if len(frame) else []
    )
