"""Lease extracts (``leases.csv``): who rents which premises from whom, for how much.

Columns (docs/formats-finflow.md): ``lease_ref``, the premises (``premises_street``,
``premises_postcode``, ``premises_city``), three parties — ``owner``, ``landlord`` (who collects
the rent; may be a manager, not the owner) and ``tenant`` — each as ``_name``, ``_org_number``,
``_birth_date``, then ``monthly_rent``, ``currency``, ``start_date``, ``end_date``.

A party with an org number is that company; a person with a birth date is that person; a name
alone stays tied to this lease row (see :mod:`finflow.importers.parties`). The lease id hashes the
reference with the premises and the landlord, so re-imports land on the same lease.
"""

from __future__ import annotations

import pandas as pd

from finflow.ids import content_ids
from finflow.money import parse_amounts

from .base import ImportResult, Source
from .parties import (
    Errors,
    address_frames,
    parse_dates,
    parties_frame,
    party_keys,
    read_checked,
    row_rejects,
    sniff_header,
    with_provenance,
)

__all__ = ["COLUMNS", "DESCRIPTION", "FORMAT", "PRIORITY", "ROLES", "read", "sniff"]

FORMAT = "leases"
DESCRIPTION = "finflow lease CSV (lease_ref,premises_street,…,tenant_name,…,monthly_rent,currency,…)"
PRIORITY = 40

ROLES = ("owner", "landlord", "tenant")
COLUMNS = (
    "lease_ref", "premises_street", "premises_postcode", "premises_city",
    *(f"{role}_{part}" for role in ROLES for part in ("name", "org_number", "birth_date")),
    "monthly_rent", "currency", "start_date", "end_date",
)  # fmt: skip


def sniff(head: bytes, name: str) -> bool:
    return sniff_header(head, ("lease_ref", "premises_street", "monthly_rent"))


def read(path: str, source: Source) -> ImportResult:
    records, frame = read_checked(path, source, COLUMNS)
    loc = frame["source_locator"]
    errors = Errors(frame.index)
    errors.fail(frame["lease_ref"] == "", "lease_ref is empty")
    errors.fail(frame["premises_street"] == "", "premises_street is empty")
    keys = {
        role: party_keys(
            frame[f"{role}_name"],
            frame[f"{role}_org_number"],
            frame[f"{role}_birth_date"],
            source,
            loc,
            role,
            errors,
        )
        for role in ROLES
    }
    for role in ROLES:
        named = frame[f"{role}_name"] != ""
        errors.fail(
            ~named & (frame[f"{role}_birth_date"] != ""),
            f"{role}_birth_date given without {role}_name",
        )
    errors.fail(
        keys["tenant"]["party_id"].isna() & keys["landlord"]["party_id"].isna(),
        "neither tenant nor landlord is named",
    )
    currency = frame["currency"].str.upper()
    rent_given = frame["monthly_rent"] != ""
    errors.fail(rent_given & (currency == ""), "monthly_rent given without currency")
    rent, rent_error = parse_amounts(frame["monthly_rent"], currency)
    errors.fail_each(rent_given & (currency != "") & rent_error.notna(), "monthly_rent: " + rent_error.fillna(""))
    start, bad_start = parse_dates(frame["start_date"])
    end, bad_end = parse_dates(frame["end_date"])
    errors.fail(bad_start, "start_date is not a valid YYYY-MM-DD date")
    errors.fail(bad_end, "end_date is not a valid YYYY-MM-DD date")
    errors.fail(start.notna() & end.notna() & (end < start), "end_date is before start_date")

    good = ~errors.bad
    g, gloc = frame[good], loc[good]
    addresses, _, premises_id = address_frames(
        g["premises_street"],
        g["premises_postcode"],
        g["premises_city"],
        None,
        None,
        "premises",
        source,
        gloc,
    )
    landlord_id = keys["landlord"]["party_id"][good]
    leases = pd.DataFrame(
        {
            "lease_id": content_ids("lease", [g["lease_ref"], premises_id, landlord_id]),
            "tenant_party_id": keys["tenant"]["party_id"][good],
            "landlord_party_id": landlord_id,
            "owner_party_id": keys["owner"]["party_id"][good],
            "premises_address_id": premises_id,
            "rent_minor": rent[good].astype("Int64"),
            "currency": currency[good].mask(currency[good] == ""),
            "start_date": start[good],
            "end_date": end[good],
        }
    )
    leases = with_provenance(leases, source, gloc)
    parties = pd.concat([parties_frame(keys[role][good], None, source, gloc) for role in ROLES], ignore_index=True)
    rejects = row_rejects(records.rejects, source, loc, errors, frame, COLUMNS)
    tables = {"leases": leases, "parties": parties, "addresses": addresses}
    return ImportResult(FORMAT, records.rows_read, tables, rejects)
