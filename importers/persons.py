"""Population-register extracts (``persons.csv``): people, their addresses over time, phones, ids.

Columns: ``name,birth_date,nationality,id_number,phone,street,postcode,city,country,address_from,
address_to`` (docs/formats-finflow.md). One row per person and address period, so a person with
three registered addresses appears on three rows — all with the same party id, derived from the
normalised name and birth date. Name and birth date are required: the register always has both,
and without them a person cannot be told apart from a namesake.
"""

from __future__ import annotations

import pandas as pd

from .base import ImportResult, Source
from .parties import (
    Errors,
    address_frames,
    identifiers_frame,
    normalize_id_numbers,
    normalize_phones,
    parse_dates,
    parties_frame,
    party_keys,
    read_checked,
    row_rejects,
    sniff_header,
)

__all__ = ["COLUMNS", "DESCRIPTION", "FORMAT", "PRIORITY", "read", "sniff"]

FORMAT = "persons"
DESCRIPTION = "finflow population-register CSV (name,birth_date,nationality,id_number,phone,street,…)"
PRIORITY = 40

COLUMNS = (
    "name", "birth_date", "nationality", "id_number", "phone", "street", "postcode", "city",
    "country", "address_from", "address_to",
)  # fmt: skip


def sniff(head: bytes, name: str) -> bool:
    return sniff_header(head, ("name", "birth_date", "nationality", "address_from"))


def read(path: str, source: Source) -> ImportResult:
    records, frame = read_checked(path, source, COLUMNS)
    loc = frame["source_locator"]
    errors = Errors(frame.index)
    errors.fail(frame["name"] == "", "name is empty")
    errors.fail(frame["birth_date"] == "", "birth_date is empty (a person needs name and birth date)")
    for column in ("nationality", "country"):
        value = frame[column].str.upper()
        errors.fail(
            (value != "") & ~value.str.fullmatch(r"[A-Z]{2}"),
            f"{column} is not a 2-letter country code",
        )
    keys = party_keys(
        frame["name"],
        pd.Series("", index=frame.index),
        frame["birth_date"],
        source,
        loc,
        "person",
        errors,
        prefix="",
    )
    valid_from, bad_from = parse_dates(frame["address_from"])
    valid_to, bad_to = parse_dates(frame["address_to"])
    errors.fail(bad_from, "address_from is not a valid YYYY-MM-DD date")
    errors.fail(bad_to, "address_to is not a valid YYYY-MM-DD date")
    errors.fail(
        valid_from.notna() & valid_to.notna() & (valid_to < valid_from),
        "address_to is before address_from",
    )
    errors.fail(
        (frame["street"] == "") & ((frame["address_from"] != "") | (frame["address_to"] != "")),
        "address dates given without a street",
    )
    phone = normalize_phones(frame["phone"])
    errors.fail((frame["phone"] != "") & phone.isna(), "phone has fewer than 5 digits")

    good = ~errors.bad
    g, gloc, party_id = frame[good], loc[good], keys["party_id"][good]
    parties = parties_frame(keys[good], g["nationality"], source, gloc)
    addresses, links, _ = address_frames(
        g["street"],
        g["postcode"],
        g["city"],
        g["country"],
        party_id,
        "residence",
        source,
        gloc,
        valid_from[good],
        valid_to[good],
    )
    identifiers = pd.concat(
        [
            identifiers_frame(party_id, "phone", phone[good], source, gloc),
            identifiers_frame(party_id, "id_number", normalize_id_numbers(g["id_number"]), source, gloc),
        ],
        ignore_index=True,
    )
    rejects = row_rejects(records.rejects, source, loc, errors, frame, COLUMNS)
    tables = {
        "parties": parties,
        "addresses": addresses,
        "party_addresses": links,
        "identifiers": identifiers,
    }
    return ImportResult(FORMAT, records.rows_read, tables, rejects)
