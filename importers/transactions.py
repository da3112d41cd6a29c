"""Turning an adapter's parsed transaction rows into canonical tables.

Every transaction adapter parses its format into the canonical columns (booking_date as a
``datetime64``/date, ``amount_minor``, raw account strings …) and hands the frame to
:func:`finish_transactions`, which normalises account identifiers, fills countries from
account numbers, derives content ids and produces the ``accounts`` and ``parties`` rows for the
account holders named in the data.

Transaction ids are derived from what both sides of a payment agree on — booking date, amount,
currency, debit and credit account — plus the occurrence number of that same key within the
source. So re-importing a file gives the same ids; the payer's and the payee's statements of the
same transfer give the same id (one transaction, two provenances); and two genuinely identical
payments in one file stay two transactions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from finflow.arrowcol import arrow_array, arrow_text
from finflow.ids import ID_SEPARATOR, hash_ids, holder_party_id
from finflow.normalize import guess_party_kind, normalize_accounts

from .base import Source

__all__ = ["TRANSACTION_KEY", "finish_transactions", "transaction_ids"]

TRANSACTION_KEY = ["booking_date", "amount_minor", "currency", "from_account", "to_account"]


def finish_transactions(rows: pd.DataFrame, source: Source) -> dict[str, pd.DataFrame]:
    """Canonical ``transactions``, ``accounts`` and ``parties`` tables from parsed rows.

    ``rows`` must have the transaction columns of :data:`finflow.model.SCHEMAS` except
    ``txn_id`` and provenance, plus ``source_locator``; account columns hold raw text.
    """
    frame = rows.reset_index(drop=True).copy()
    accounts_by_side = {}
    for side in ("from", "to"):
        norm = normalize_accounts(frame[f"{side}_account"])
        accounts_by_side[side] = norm
        frame[f"{side}_account"] = norm["account_id"]
        country = frame[f"{side}_country"].astype("string").str.strip().str.upper()
        country = country.mask(country == "")
        frame[f"{side}_country"] = country.fillna(norm["country"])
    frame["booking_date"] = _dates(frame["booking_date"])
    frame["txn_id"] = transaction_ids(frame)
    for column, value in source.provenance(frame["source_locator"]).items():
        frame[column] = value

    accounts, parties = _holders(frame, accounts_by_side, source)
    return {"transactions": frame, "accounts": accounts, "parties": parties}


def transaction_ids(frame: pd.DataFrame) -> pd.Series:
    """``txn-…`` ids: the hash of the transaction key and its occurrence number in this source.

    The key is joined in Arrow and occurrences are counted on integer codes of its columns, so
    only the final hashing runs per row.
    """
    parts = [_text(frame[column]) for column in TRANSACTION_KEY]
    occurrence = pa.array(_occurrence([_codes(frame[column]) for column in TRANSACTION_KEY]))
    occurrence = occurrence.cast(pa.large_string())
    joined = pc.binary_join_element_wise(*parts, occurrence, pa.scalar(ID_SEPARATOR, pa.large_string()))
    return hash_ids("txn", joined, frame.index)


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a key column: equal codes for equal values (numbers stand for themselves)."""
    array = arrow_array(values)
    if pa.types.is_date32(array.type):
        array = array.cast(pa.int32())
    if not pa.types.is_integer(array.type):  # text: null and "" are the same key, as in the id
        array = pc.dictionary_encode(pc.fill_null(array.cast(pa.large_string()), "")).indices
    return np.asarray(pc.fill_null(array.cast(pa.int64()), -1).to_numpy(), dtype=np.int64)


def _occurrence(columns: list[np.ndarray]) -> np.ndarray:
    """0 for the first row of each distinct key, 1 for its second row … (in row order)."""
    n = len(columns[0])
    key, key_range = np.zeros(n, dtype=np.int64), 1
    for column in columns:  # fold the columns into one integer key, staying below 2**62
        codes, size = _compact(column)
        if key_range * size >= 2**62:
            key, uniques = pd.factorize(key)
            key_range = len(uniques)
        key, key_range = key * size + codes, key_range * size
    order = np.argsort(key, kind="stable")  # equal keys keep their row order
    sorted_key = key[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_key[1:] != sorted_key[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    occurrence = np.empty(n, dtype=np.int64)
    occurrence[order] = np.arange(n) - first
    return occurrence


def _compact(column: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes ``0 … size-1`` for a column: its offset from the minimum when the range is small."""
    if len(column) == 0:
        return column.astype(np.int64), 1
    low, high = int(column.min()), int(column.max())
    if high - low < 4 * len(column) + 1024:
        return column - low, high - low + 1
    codes, uniques = pd.factorize(column)
    return codes.astype(np.int64), max(1, len(uniques))


def _text(values: pd.Series) -> pa.Array:
    """A key column as Arrow text, nulls as empty (as :func:`finflow.ids.content_ids` does).

    Cast in Arrow, not through pandas' string conversion: amounts and dates are a million rows.
    """
    return pc.fill_null(arrow_array(values).cast(pa.large_string()), "")


def _dates(values: pd.Series) -> pd.Series:
    """Booking dates as Arrow ``date32`` (the store's type; prints as ``YYYY-MM-DD``)."""
    array = pa.array(pd.to_datetime(values).to_numpy(dtype="datetime64[s]")).cast(pa.date32())
    return pd.Series(pd.arrays.ArrowExtensionArray(array), index=values.index)


def _holders(
    frame: pd.DataFrame, normalized: dict[str, pd.DataFrame], source: Source
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One account row per account seen, holder named as most often written in this source.

    The row describing an account is its first mention (by row, payer side first); the counting
    runs as Arrow hash aggregations because a statement mentions its few accounts a million times.
    """
    mentions = _mentions(frame, normalized)
    first = mentions.group_by("account_id", use_threads=False).aggregate([("mention", "min")])
    first = first.filter(pc.is_valid(first["account_id"])).sort_by("account_id")
    mention = first["mention_min"].to_numpy()
    row, payee_side = mention // 2, (mention % 2).astype(bool)

    def pick(column: str) -> pd.Series:
        payer = normalized["from"][column] if column in normalized["from"] else frame[f"from_{column}"]
        payee = normalized["to"][column] if column in normalized["to"] else frame[f"to_{column}"]
        return pd.Series(np.where(payee_side, payee.take(row).to_numpy(object), payer.take(row).to_numpy(object)))

    accounts = pd.DataFrame(
        {
            "account_id": pd.Series(first["account_id"].to_pylist(), dtype="string"),
            "scheme": pick("scheme").astype("string"),
            "validated": pick("validated").astype("boolean"),
            "country": pick("country").astype("string"),
            "source_locator": pd.Series(frame["source_locator"].take(row).to_numpy(object), dtype="string"),
        }
    )
    accounts["holder_name"] = accounts["account_id"].map(_best_names(mentions)).astype("string")
    accounts["holder_party_id"] = pd.Series([holder_party_id(a) for a in accounts["account_id"]], dtype="string")
    for column, value in source.provenance(accounts["source_locator"]).items():
        accounts[column] = value
    accounts["validated"] = accounts["validated"].fillna(False).astype(bool)
    parties = pd.DataFrame(
        {
            "party_id": accounts["holder_party_id"],
            "kind": [guess_party_kind(n if isinstance(n, str) else None) for n in accounts["holder_name"]],
            "name": accounts["holder_name"],
            "birth_date": pd.Series(pd.NaT, index=accounts.index, dtype="datetime64[s]"),
            "org_number": pd.Series(pd.NA, index=accounts.index, dtype="string"),
            "country": accounts["country"],
        }
    )
    for column in ("source_file", "source_sha256", "source_locator", "batch_id"):
        parties[column] = accounts[column]
    return accounts, parties


def _mentions(frame: pd.DataFrame, normalized: dict[str, pd.DataFrame]) -> pa.Table:
    """Every account mention with the name written beside it; ``mention`` is row × 2 + side."""
    pieces = []
    for side_number, side in enumerate(("from", "to")):
        pieces.append(
            pa.table(
                {
                    "account_id": arrow_text(normalized[side]["account_id"]),
                    "holder_name": pc.utf8_trim_whitespace(arrow_text(frame[f"{side}_name"])),
                    "mention": np.arange(len(frame), dtype=np.int64) * 2 + side_number,
                }
            )
        )
    return pa.concat_tables(pieces)


def _best_names(seen: pa.Table) -> pd.Series:
    """Per account, the holder name written most often (ties: alphabetically first)."""
    counts = seen.group_by(["account_id", "holder_name"]).aggregate([("mention", "count")])
    named = pc.and_(pc.is_valid(counts["account_id"]), pc.fill_null(pc.not_equal(counts["holder_name"], ""), False))
    best = (
        counts.filter(named)
        .to_pandas()
        .sort_values(["account_id", "mention_count", "holder_name"], ascending=[True, False, True])
        .drop_duplicates("account_id")
    )
    return pd.Series(best["holder_name"].to_numpy(), index=best["account_id"].to_numpy(), dtype="string")
