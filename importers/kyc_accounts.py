"""Bank KYC / account-holder extracts (``accounts.csv``): who holds which account.

Columns: ``account,holder_name,holder_kind,holder_birth_date,holder_org_number,bank,opened``
(docs/formats-finflow.md). Each row gives the account its *strong* holder: the company's
``org_party_id`` or the person's ``person_party_id`` (normalised name + birth date). A transaction
import only knows "whoever holds account X" (``holder-…``); with this extract the case store and
:mod:`finflow.resolve` put the real holder in its place. A holder without a strong key keeps the
``holder-…`` placeholder, so nothing is guessed.
"""

from __future__ import annotations

import pandas as pd

from finflow.ids import content_ids
from finflow.normalize import normalize_accounts

from .base import ImportResult, Source
from .parties import (
    Errors,
    blank_to_null,
    parse_dates,
    parties_frame,
    party_keys,
    read_checked,
    row_rejects,
    sniff_header,
    with_provenance,
)

__all__ = ["COLUMNS", "DESCRIPTION", "FORMAT", "PRIORITY", "read", "sniff"]

FORMAT = "kyc_accounts"
DESCRIPTION = "finflow account-holder (KYC) CSV (account,holder_name,holder_kind,holder_birth_date,…)"
PRIORITY = 40

COLUMNS = ("account", "holder_name", "holder_kind", "holder_birth_date", "holder_org_number")
COLUMNS += ("bank", "opened")


def sniff(head: bytes, name: str) -> bool:
    return sniff_header(head, ("account", "holder_name", "holder_kind"))


def read(path: str, source: Source) -> ImportResult:
    records, frame = read_checked(path, source, COLUMNS)
    loc = frame["source_locator"]
    errors = Errors(frame.index)
    errors.fail(frame["account"] == "", "account is empty")
    kind = frame["holder_kind"].str.lower()
    errors.fail(~kind.isin(["person", "company"]), "holder_kind must be person or company")
    company, person = kind == "company", kind == "person"
    errors.fail(
        company & (frame["holder_org_number"] == ""),
        "holder_kind is company but holder_org_number is empty",
    )
    errors.fail(
        person & (frame["holder_org_number"] != ""),
        "holder_kind is person but holder_org_number is set",
    )
    errors.fail(
        company & (frame["holder_birth_date"] != ""),
        "holder_kind is company but holder_birth_date is set",
    )
    _, bad_opened = parse_dates(frame["opened"])
    errors.fail(bad_opened, "opened is not a valid YYYY-MM-DD date")
    keys = party_keys(
        frame["holder_name"],
        frame["holder_org_number"],
        frame["holder_birth_date"],
        source,
        loc,
        "holder",
        errors,
    )
    norm = normalize_accounts(frame["account"])
    strong = keys["org_number"].notna() | keys["birth_date"].notna()
    placeholder = content_ids("holder", [norm["account_id"].astype("string")])
    keys["party_id"] = keys["party_id"].where(strong, placeholder)
    keys["kind"] = keys["kind"].where(strong, kind.where(kind.isin(["person", "company"]), "unknown"))
    keys["name"] = blank_to_null(frame["holder_name"])

    # one holder per account: a later row naming a different holder is a conflict, not a fact
    ok = ~errors.bad
    account_id = norm["account_id"].astype("string")
    first_holder = keys["party_id"][ok].groupby(account_id[ok]).transform("first")
    first_loc = loc[ok].groupby(account_id[ok]).transform("first")
    conflict = pd.Series(False, index=frame.index)
    conflict[ok] = (keys["party_id"][ok] != first_holder).to_numpy()
    reason = "account already listed at " + first_loc.reindex(frame.index).fillna("") + " with another holder"
    errors.reason = errors.reason.mask(conflict & errors.reason.isna(), reason)

    good = ~errors.bad
    accounts = pd.DataFrame(
        {
            "account_id": account_id,
            "scheme": norm["scheme"].astype("string"),
            "validated": norm["validated"].astype("boolean").fillna(False).astype(bool),
            "country": norm["country"].astype("string"),
            "holder_party_id": keys["party_id"],
            "holder_name": keys["name"],
        }
    )[good]
    accounts = with_provenance(accounts, source, loc[good])
    parties = parties_frame(keys[good], None, source, loc[good])
    rejects = row_rejects(records.rejects, source, loc, errors, frame, COLUMNS)
    notes = []
    weak = int((~strong & good).sum())
    if weak:
        notes.append(f"{weak} account holder(s) without org number or birth date kept as unresolved holders")
    return ImportResult(FORMAT, records.rows_read, {"accounts": accounts, "parties": parties}, rejects, notes)
