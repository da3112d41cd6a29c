"""The canonical case model: the typed tables every importer produces and every consumer reads.

A case is a set of tables (pandas DataFrames, stored as Parquet). Each table's columns and
types are declared here once, as a pyarrow schema, so importers, the store, the graph builder,
Neo4j loading and the views all agree on names and types.

Conventions
- Money is ``amount_minor`` (int64, minor units: øre, cents) plus ``currency`` (ISO 4217).
- Dates are ``date32``; an optional time of day is ``booking_time`` ("HH:MM").
- Every record carries provenance: ``source_file``, ``source_sha256``, ``source_locator``
  (row number or XML element path) and ``batch_id`` (the import that added it).
- Identifiers are derived from content (see :mod:`finflow.ids`), so importing a file twice
  yields the same ids and changes nothing.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

__all__ = [
    "ACCOUNT_SCHEMES",
    "ADDED_COLUMNS",
    "CHANNELS",
    "KEYS",
    "PARTY_KINDS",
    "PROVENANCE_FIELDS",
    "SCHEMAS",
    "TABLES",
    "conform",
    "empty_table",
]

#: Allowed transaction channels.
CHANNELS: tuple[str, ...] = (
    "transfer",
    "cash_deposit",
    "cash_withdrawal",
    "card",
    "p2p",
    "salary",
    "remittance",
    "fee",
    "other",
)

PARTY_KINDS: tuple[str, ...] = ("person", "company", "unknown")

#: ``no_bban``: Norwegian 11-digit account number (MOD11-checked);
#: ``iban``: IBAN (mod-97-checked); ``other``: kept verbatim, not validated.
ACCOUNT_SCHEMES: tuple[str, ...] = ("no_bban", "iban", "other")

PROVENANCE_FIELDS: list[pa.Field] = [
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("source_sha256", pa.string(), nullable=False),
    pa.field("source_locator", pa.string(), nullable=False),
    pa.field("batch_id", pa.string(), nullable=False),
]


def _schema(*fields: pa.Field, provenance: bool = True) -> pa.Schema:
    return pa.schema(list(fields) + (PROVENANCE_FIELDS if provenance else []))


SCHEMAS: dict[str, pa.Schema] = {
    "transactions": _schema(
        pa.field("txn_id", pa.string(), nullable=False),
        pa.field("booking_date", pa.date32(), nullable=False),
        pa.field("booking_time", pa.string()),  # "HH:MM" or null
        pa.field("amount_minor", pa.int64(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("from_account", pa.string()),  # null: cash deposit
        pa.field("to_account", pa.string()),  # null: cash withdrawal
        pa.field("from_name", pa.string()),
        pa.field("to_name", pa.string()),
        pa.field("from_country", pa.string()),
        pa.field("to_country", pa.string()),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("description", pa.string()),
        pa.field("txn_ref", pa.string()),
    ),
    "parties": _schema(
        pa.field("party_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("birth_date", pa.date32()),
        pa.field("org_number", pa.string()),
        pa.field("country", pa.string()),  # nationality (person) or registration country
    ),
    "accounts": _schema(
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("scheme", pa.string(), nullable=False),
        pa.field("validated", pa.bool_(), nullable=False),
        pa.field("country", pa.string()),
        pa.field("holder_party_id", pa.string()),
        pa.field("holder_name", pa.string()),
    ),
    "addresses": _schema(
        pa.field("address_id", pa.string(), nullable=False),
        pa.field("street", pa.string()),
        pa.field("postcode", pa.string()),
        pa.field("city", pa.string()),
        pa.field("country", pa.string()),
        pa.field("normalized", pa.string(), nullable=False),
    ),
    "party_addresses": _schema(
        pa.field("party_id", pa.string(), nullable=False),
        pa.field("address_id", pa.string(), nullable=False),
        pa.field("kind", pa.string()),  # residence | business | postal
        pa.field("valid_from", pa.date32()),
        pa.field("valid_to", pa.date32()),
    ),
    "identifiers": _schema(
        pa.field("identifier_id", pa.string(), nullable=False),  # keyed hash of kind + value
        pa.field("party_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # phone | id_number | email
        pa.field("value", pa.string(), nullable=False),
    ),
    "company_roles": _schema(
        pa.field("company_party_id", pa.string(), nullable=False),
        pa.field("holder_party_id", pa.string(), nullable=False),
        pa.field("role", pa.string(), nullable=False),  # DAGL, LEDE, INNH, MEDL, ...
        pa.field("resigned", pa.bool_(), nullable=False),
    ),
    "companies": _schema(
        pa.field("party_id", pa.string(), nullable=False),
        pa.field("org_form", pa.string()),
        pa.field("industry_code", pa.string()),
        pa.field("employees", pa.int64()),  # null when not registered
        pa.field("founded", pa.date32()),
        pa.field("bankrupt", pa.bool_()),
        pa.field("in_liquidation", pa.bool_()),
        pa.field("deleted", pa.date32()),  # the register's deletion date (slettedato); null: not deleted
    ),
    "leases": _schema(
        pa.field("lease_id", pa.string(), nullable=False),
        pa.field("tenant_party_id", pa.string()),
        pa.field("landlord_party_id", pa.string()),
        pa.field("owner_party_id", pa.string()),
        pa.field("premises_address_id", pa.string(), nullable=False),
        pa.field("rent_minor", pa.int64()),
        pa.field("currency", pa.string()),
        pa.field("start_date", pa.date32()),
        pa.field("end_date", pa.date32()),
    ),
    # One per bank statement (a camt.053 ``Stmt``, a bank CSV export): the period it covers and
    # its booked balances where the bank gives them, so that coverage and balance continuity can
    # be checked (finflow.coverage). ``period_basis``: "declared" (the statement names its period)
    # or "entries" (first to last booking date of its rows).
    "statements": _schema(
        pa.field("statement_id", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("statement_ref", pa.string()),  # the bank's statement id (camt Stmt/Id)
        pa.field("period_start", pa.date32(), nullable=False),
        pa.field("period_end", pa.date32(), nullable=False),
        pa.field("period_basis", pa.string(), nullable=False),
        pa.field("currency", pa.string()),
        pa.field("opening_minor", pa.int64()),  # booked balance before the period
        pa.field("closing_minor", pa.int64()),  # booked balance at its end
        pa.field("credits_minor", pa.int64()),  # booked in, in ``currency``
        pa.field("debits_minor", pa.int64()),  # booked out, as a positive number
        pa.field("entries", pa.int64(), nullable=False),
    ),
    # Further sightings of a record already in the case (e.g. a transfer seen on both the payer's
    # and the payee's statement): one row per extra provenance, so no source is forgotten.
    "sightings": _schema(
        pa.field("table", pa.string(), nullable=False),
        pa.field("record_id", pa.string(), nullable=False),
    ),
    "rejects": pa.schema(
        [
            pa.field("source_file", pa.string(), nullable=False),
            pa.field("source_sha256", pa.string(), nullable=False),
            pa.field("source_locator", pa.string(), nullable=False),
            pa.field("batch_id", pa.string(), nullable=False),
            pa.field("reason", pa.string(), nullable=False),
            pa.field("raw", pa.string()),
        ]
    ),
}

#: Nullable columns added to a table after cases were first written with it: a stored table
#: without one reads it as null (the next import writes it), instead of reading as damaged.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {"companies": ("deleted",)}

#: Table names in a stable order (loading order: nodes before relationships).
TABLES: tuple[str, ...] = tuple(SCHEMAS)

#: Primary key of each table, used to de-duplicate on merge.
KEYS: dict[str, list[str]] = {
    "transactions": ["txn_id"],
    "parties": ["party_id"],
    "accounts": ["account_id"],
    "addresses": ["address_id"],
    "party_addresses": ["party_id", "address_id", "kind"],
    "identifiers": ["party_id", "kind", "value"],
    "company_roles": ["company_party_id", "holder_party_id", "role"],
    "companies": ["party_id"],
    "leases": ["lease_id"],
    "statements": ["statement_id"],
    "sightings": ["table", "record_id", "source_sha256", "source_locator"],
    "rejects": ["source_sha256", "source_locator"],
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty DataFrame with the table's columns and dtypes."""
    return SCHEMAS[name].empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def conform(name: str, frame: pd.DataFrame) -> pa.Table:
    """Cast a DataFrame to the table's Arrow schema (column order, types, nullability).

    Raises ``ValueError`` naming the table and column when a column is missing or a required
    column has nulls — an importer bug, never user input, so it fails loudly.
    """
    schema = SCHEMAS[name]
    missing = [f.name for f in schema if f.name not in frame.columns]
    if missing:
        raise ValueError(f"table {name!r}: missing columns {missing}")
    table = pa.Table.from_pandas(frame[schema.names], preserve_index=False)
    table = table.cast(pa.schema([pa.field(f.name, f.type) for f in schema]))
    for field in schema:
        if not field.nullable and table.column(field.name).null_count:
            raise ValueError(f"table {name!r}: required column {field.name!r} has nulls")
    return table.cast(schema)
