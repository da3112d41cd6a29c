"""Money-transfer-operator (remittance) records: who sent how much to whom, via which agents.

No standard MTO layout exists, so finflow defines one (docs/formats-finflow.md), built from the
fields FATF Recommendation 16 requires to travel with a transfer:
``mto_txn_id,send_time,sender_name,sender_birth_date,sender_id_number,sender_address,sender_phone,
send_agent,receiver_name,receiver_country,receiver_city,receiver_phone,payout_time,payout_agent,
send_amount,send_currency,payout_amount,payout_currency,fee,fee_currency,status``.

Each executed transfer becomes one ``remittance`` transaction in the send currency between two
pseudo-accounts, so one sender and one beneficiary meet across transfers, agents and files:

- sender ``MTO-SENDER:<normalised name>|<tag>`` where the tag is a keyed hash (under the case
  key, :mod:`finflow.casekey`) of the name and the birth date, else the id number, else the phone,
  else the transfer id (a sender known by name alone is not joined);
- receiver ``MTO:<receiver country>:<normalised name>|<tag>``, the tag a keyed hash of the name
  and phone — the beneficiary key that "many unrelated senders to one foreign beneficiary" looks
  for.

The tags keep birth dates, id numbers and phones out of account ids, which every output shows;
the name part is cut at :data:`NAME_CHARS` characters (the tag covers the whole name), so an
account id stays short enough to index and to read.

The sender is a person party (strong id from name + birth date when given); phones, id numbers and
the sender's address become identifiers and addresses. Payout, fee and agents are kept in the
description. Transfers whose status says no money moved (pending, cancelled, refunded, failed …)
are rejected with that reason and counted in a note.
"""

from __future__ import annotations

import pandas as pd

from finflow.addresses import split_one_line
from finflow.ids import content_ids, keyed_ids
from finflow.money import is_currency, parse_amounts
from finflow.normalize import normalize_name

from .base import ImportResult, Source
from .parties import (
    Errors,
    address_frames,
    blank_to_null,
    identifiers_frame,
    normalize_id_numbers,
    normalize_phones,
    parties_frame,
    party_keys,
    read_checked,
    row_rejects,
    sniff_header,
)
from .transactions import finish_transactions

__all__ = [
    "COLUMNS",
    "DESCRIPTION",
    "EXECUTED",
    "FORMAT",
    "NAME_CHARS",
    "NOT_EXECUTED",
    "PRIORITY",
    "read",
    "sniff",
]

FORMAT = "remittance"
#: Characters of the normalised name kept readable in a pseudo-account id.
NAME_CHARS = 40
DESCRIPTION = "finflow money-transfer (MTO) CSV (mto_txn_id,send_time,sender_name,…,status)"
PRIORITY = 40

COLUMNS = (
    "mto_txn_id", "send_time", "sender_name", "sender_birth_date", "sender_id_number",
    "sender_address", "sender_phone", "send_agent", "receiver_name", "receiver_country",
    "receiver_city", "receiver_phone", "payout_time", "payout_agent", "send_amount",
    "send_currency", "payout_amount", "payout_currency", "fee", "fee_currency", "status",
)  # fmt: skip
#: Statuses meaning the sender's money left them.
EXECUTED = ("paid", "completed", "sent", "available")
#: Statuses meaning no money moved; such rows are rejected with the status as reason.
NOT_EXECUTED = ("pending", "cancelled", "canceled", "refunded", "reversed", "failed", "rejected")

_TIME = r"\d{4}-\d{2}-\d{2}(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)?"
_ZERO = r"0+(?:[.,]0+)?"


def sniff(head: bytes, name: str) -> bool:
    return sniff_header(head, ("mto_txn_id", "send_time", "sender_name", "receiver_name"))


def _times(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``(date, "HH:MM" or null, invalid mask)`` from local date-times."""
    well_formed = text.str.fullmatch(_TIME).fillna(False).astype(bool)
    day = text.str.slice(0, 10).where(well_formed)
    dates = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
    hhmm = text.str.slice(11, 16).where(well_formed & (text.str.len() > 10)).astype("string")
    invalid = (text != "") & dates.isna()
    return dates, hhmm, invalid.astype(bool)


def read(path: str, source: Source) -> ImportResult:
    records, frame = read_checked(path, source, COLUMNS)
    loc = frame["source_locator"]
    errors = Errors(frame.index)
    for column in ("mto_txn_id", "send_time", "sender_name", "receiver_name", "receiver_country",
                   "send_amount", "send_currency", "status"):  # fmt: skip
        errors.fail(frame[column] == "", f"{column} is empty")
    status = frame["status"].str.lower()
    known = status.isin(EXECUTED + NOT_EXECUTED)
    errors.fail((status != "") & ~known, f"status is not one of {', '.join(EXECUTED + NOT_EXECUTED)}")
    not_executed = status.isin(NOT_EXECUTED)
    errors.fail_each(not_executed, "status " + status + ": no money moved, kept out of flows")
    send_date, send_hhmm, bad_send = _times(frame["send_time"])
    errors.fail(bad_send, "send_time is not a valid YYYY-MM-DD[THH:MM[:SS]] local time")
    payout_date, payout_hhmm, bad_payout = _times(frame["payout_time"])
    errors.fail(bad_payout, "payout_time is not a valid YYYY-MM-DD[THH:MM[:SS]] local time")
    send_ts = send_date + pd.to_timedelta((send_hhmm.fillna("00:00") + ":00").to_numpy())
    payout_ts = payout_date + pd.to_timedelta((payout_hhmm.fillna("23:59") + ":00").to_numpy())
    errors.fail(payout_ts < send_ts, "payout_time is before send_time")
    country = frame["receiver_country"].str.upper()
    errors.fail(
        (country != "") & ~country.str.fullmatch(r"[A-Z]{2}"),
        "receiver_country is not a 2-letter country code",
    )
    currency = frame["send_currency"].str.upper()
    amount, amount_error = parse_amounts(frame["send_amount"], currency)
    errors.fail_each(amount_error.notna(), "send_amount: " + amount_error.fillna(""))
    payout_currency = frame["payout_currency"].str.upper()
    has_payout = (frame["payout_amount"] != "") | (payout_currency != "")
    _, payout_error = parse_amounts(frame["payout_amount"], payout_currency)
    errors.fail_each(
        has_payout & payout_error.notna(),
        "payout_amount/payout_currency: " + payout_error.fillna(""),
    )
    fee_currency = frame["fee_currency"].str.upper().mask(frame["fee_currency"] == "", currency)
    has_fee = (frame["fee"] != "") & ~frame["fee"].str.fullmatch(_ZERO).fillna(False).astype(bool)
    _, fee_error = parse_amounts(frame["fee"], fee_currency)
    errors.fail_each(has_fee & fee_error.notna(), "fee/fee_currency: " + fee_error.fillna(""))
    errors.fail(
        (frame["fee_currency"] != "") & ~frame["fee_currency"].str.upper().map(is_currency).astype(bool),
        "fee_currency is not an ISO 4217 code",
    )
    sender = party_keys(
        frame["sender_name"],
        pd.Series("", index=frame.index),
        frame["sender_birth_date"],
        source,
        loc,
        "sender",
        errors,
    )
    sender_phone = normalize_phones(frame["sender_phone"])
    receiver_phone = normalize_phones(frame["receiver_phone"])
    errors.fail((frame["sender_phone"] != "") & sender_phone.isna(), "sender_phone has fewer than 5 digits")
    errors.fail(
        (frame["receiver_phone"] != "") & receiver_phone.isna(),
        "receiver_phone has fewer than 5 digits",
    )
    id_number = normalize_id_numbers(frame["sender_id_number"])
    first = loc.groupby(frame["mto_txn_id"]).transform("first")
    errors.fail_each((first != loc) & (frame["mto_txn_id"] != ""), "mto_txn_id repeats " + first)

    good = ~errors.bad
    g, gloc = frame[good], loc[good]
    names = {side: _norm_names(g[f"{side}_name"]) for side in ("sender", "receiver")}
    birth = sender["birth_date"][good].dt.strftime("%Y-%m-%d").astype("string")
    sender_key = birth.fillna(id_number[good]).fillna(sender_phone[good]).fillna("transfer " + g["mto_txn_id"])
    sender_tag = _tag([names["sender"], sender_key], source)
    receiver_tag = _tag([names["receiver"], receiver_phone[good].fillna("")], source)
    from_account = "MTO-SENDER:" + names["sender"].str.slice(0, NAME_CHARS) + "|" + sender_tag
    to_account = "MTO:" + country[good] + ":" + names["receiver"].str.slice(0, NAME_CHARS) + "|" + receiver_tag
    rows = pd.DataFrame(
        {
            "booking_date": send_date[good],
            "booking_time": send_hhmm[good],
            "amount_minor": amount[good].astype("Int64"),
            "currency": currency[good],
            "from_account": from_account,
            "to_account": to_account,
            "from_name": g["sender_name"],
            "to_name": g["receiver_name"],
            "from_country": pd.Series(pd.NA, index=g.index, dtype="string"),
            "to_country": country[good],
            "channel": "remittance",
            "description": _description(g),
            "txn_ref": g["mto_txn_id"],
            "source_locator": gloc,
        }
    )
    tables = finish_transactions(rows, source)
    # the sender pseudo-account's holder is the sender themselves when a strong key names them
    sender_id = sender["party_id"][good].where(sender["birth_date"][good].notna())
    sender_id = sender_id.fillna(content_ids("holder", [from_account])).reset_index(drop=True)
    accounts = tables["accounts"]
    holder_of = pd.Series(sender_id.to_numpy(), index=from_account.to_numpy())
    holder_of = holder_of[~holder_of.index.duplicated()]
    is_sender = accounts["account_id"].isin(holder_of.index)
    accounts.loc[is_sender, "holder_party_id"] = accounts.loc[is_sender, "account_id"].map(holder_of)
    sender_keys = sender[good].assign(party_id=sender_id.to_numpy(), kind="person")
    placeholders = content_ids("holder", [from_account]).unique()
    parties = pd.concat(
        [
            tables["parties"][~tables["parties"]["party_id"].isin(placeholders)],
            parties_frame(sender_keys, None, source, gloc),
        ],
        ignore_index=True,
    )
    receiver_id = content_ids("holder", [to_account])
    sender_id.index = g.index
    street = split_one_line(g["sender_address"])
    addresses, links, _ = address_frames(
        street["street"],
        street["postcode"],
        street["city"],
        None,
        sender_id,
        "residence",
        source,
        gloc,
    )
    identifiers = pd.concat(
        [
            identifiers_frame(sender_id, "phone", sender_phone[good], source, gloc),
            identifiers_frame(sender_id, "id_number", id_number[good], source, gloc),
            identifiers_frame(receiver_id, "phone", receiver_phone[good], source, gloc),
        ],
        ignore_index=True,
    )
    tables.update(
        parties=parties,
        accounts=accounts,
        addresses=addresses,
        party_addresses=links,
        identifiers=identifiers,
    )
    rejects = row_rejects(records.rejects, source, loc, errors, frame, COLUMNS)
    notes = []
    skipped = int(not_executed.sum())
    if skipped:
        notes.append(
            f"{skipped} transfer(s) not executed (pending, cancelled, refunded …) kept out of flows as rejects"
        )
    return ImportResult(FORMAT, records.rows_read, tables, rejects, notes)


def _tag(parts: list[pd.Series], source: Source) -> pd.Series:
    """A keyed 20-hex tag of ``parts`` (personal data: never shown, never reversible without the key)."""
    return keyed_ids("mto", parts, source.key).str.slice(4).astype("string")


def _norm_names(names: pd.Series) -> pd.Series:
    values = names.astype("string")
    table = {v: normalize_name(v) for v in values.unique()}
    return values.map(table).astype("string")


def _description(frame: pd.DataFrame) -> pd.Series:
    """Payout, fee and agents as text: kept with the transaction, not turned into flows."""
    parts = {
        "status": frame["status"].str.lower(),
        "send agent": frame["send_agent"],
        "payout": (frame["payout_amount"] + " " + frame["payout_currency"].str.upper()).str.strip(),
        "payout time": frame["payout_time"],
        "payout agent": frame["payout_agent"],
        "receiver city": frame["receiver_city"],
        "fee": (frame["fee"] + " " + frame["fee_currency"].str.upper()).str.strip(),
    }
    text = "MTO transfer " + frame["mto_txn_id"]
    for label, value in parts.items():
        value = blank_to_null(value)
        text = text + ("; " + label + " " + value).fillna("")
    return text.astype("string")
