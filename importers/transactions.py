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

import pandas as pd

from finflow.ids import content_ids, holder_party_id
from finflow.normalize import guess_party_kind, normalize_accounts

from .base import Source

__all__ = ["TRANSACTION_KEY", "finish_transactions"]

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
        frame[f"{side}_account"] = norm["account_id"].astype("string")
        country = frame[f"{side}_country"].astype("string").str.strip().str.upper()
        country = country.mask(country == "")
        frame[f"{side}_country"] = country.fillna(norm["country"].astype("string"))
    frame["booking_date"] = pd.to_datetime(frame["booking_date"]).dt.date
    key_cols = [frame[c].astype("string") for c in TRANSACTION_KEY]
    key = content_ids("key", key_cols)
    occurrence = key.groupby(key).cumcount().astype("string")
    frame["txn_id"] = content_ids("txn", [*key_cols, occurrence])
    for column, value in source.provenance(frame["source_locator"]).items():
        frame[column] = value

    accounts, parties = _holders(frame, accounts_by_side, source)
    return {"transactions": frame, "accounts": accounts, "parties": parties}


def _holders(
    frame: pd.DataFrame, normalized: dict[str, pd.DataFrame], source: Source
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One account row per account seen, holder named as most often written in this source."""
    pieces = []
    for side in ("from", "to"):
        norm = normalized[side]
        piece = pd.DataFrame(
            {
                "account_id": norm["account_id"].astype("string"),
                "scheme": norm["scheme"].astype("string"),
                "validated": norm["validated"].astype("boolean"),
                "country": frame[f"{side}_country"].astype("string"),
                "holder_name": frame[f"{side}_name"].astype("string").str.strip(),
                "source_locator": frame["source_locator"],
            }
        )
        pieces.append(piece[piece["account_id"].notna()])
    seen = pd.concat(pieces, ignore_index=True)
    if seen.empty:
        accounts = seen.assign(holder_party_id=pd.Series(dtype="string"))
    else:
        named = seen[seen["holder_name"].fillna("") != ""]
        best_name = (
            named.groupby(["account_id", "holder_name"], observed=True)
            .size()
            .reset_index(name="n")
            .sort_values(["account_id", "n", "holder_name"], ascending=[True, False, True])
            .drop_duplicates("account_id")
            .set_index("account_id")["holder_name"]
        )
        accounts = (
            seen.sort_values(["account_id", "source_locator"], kind="stable")
            .drop_duplicates("account_id")
            .drop(columns="holder_name")
            .reset_index(drop=True)
        )
        accounts["holder_name"] = accounts["account_id"].map(best_name).astype("string")
        accounts["holder_party_id"] = [holder_party_id(a) for a in accounts["account_id"]]
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
