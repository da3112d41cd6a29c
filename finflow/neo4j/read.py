"""Reading a case back out of Neo4j into the canonical tables.

The inverse of :mod:`finflow.neo4j.load`: one fixed query per table, returning the model's
columns in order, so the same detectors run on a case whether it came from the Parquet store or
from the graph. A record counts as a row of a table when it carries that table's ``batch_id``
(see :mod:`finflow.neo4j.graphmodel`); nodes that only exist because something referenced them
are not rows.
"""

from __future__ import annotations

import neo4j
import pandas as pd
import pyarrow as pa

from finflow.casedata import CaseData
from finflow.model import SCHEMAS, conform
from finflow.neo4j.graphmodel import PROVENANCE, QUIET

__all__ = ["READ_QUERIES", "read_case", "read_table"]


def _prov(var: str) -> str:
    return ", ".join(f"{var}.{k} AS {k}" for k in PROVENANCE)


READ_QUERIES: dict[str, str] = {
    "transactions": f"""
MATCH (t:Transaction) WHERE t.batch_id IS NOT NULL
OPTIONAL MATCH (a:Account)-[:PERFORMS]->(t)
OPTIONAL MATCH (t)-[:BENEFITS_TO]->(b:Account)
RETURN t.txn_id AS txn_id, t.booking_date AS booking_date, t.booking_time AS booking_time,
       t.amount_minor AS amount_minor, t.currency AS currency,
       a.account_id AS from_account, b.account_id AS to_account,
       t.from_name AS from_name, t.to_name AS to_name,
       t.from_country AS from_country, t.to_country AS to_country,
       t.channel AS channel, t.description AS description, t.txn_ref AS txn_ref, {_prov("t")}
ORDER BY txn_id
""",
    "parties": f"""
MATCH (p:Party) WHERE p.batch_id IS NOT NULL
RETURN p.party_id AS party_id, p.kind AS kind, p.name AS name, p.birth_date AS birth_date,
       p.org_number AS org_number, p.country AS country, {_prov("p")}
ORDER BY party_id
""",
    "accounts": f"""
MATCH (a:Account) WHERE a.batch_id IS NOT NULL
OPTIONAL MATCH (h:Party)-[:HOLDS]->(a)
WITH a, min(h.party_id) AS holder
RETURN a.account_id AS account_id, a.scheme AS scheme, a.validated AS validated,
       a.country AS country, holder AS holder_party_id, a.holder_name AS holder_name, {_prov("a")}
ORDER BY account_id
""",
    "addresses": f"""
MATCH (a:Address) WHERE a.batch_id IS NOT NULL
RETURN a.address_id AS address_id, a.street AS street, a.postcode AS postcode, a.city AS city,
       a.country AS country, a.normalized AS normalized, {_prov("a")}
ORDER BY address_id
""",
    "party_addresses": f"""
MATCH (p:Party)-[x:REGISTERED_AT]->(a:Address) WHERE x.batch_id IS NOT NULL
RETURN p.party_id AS party_id, a.address_id AS address_id,
       CASE x.kind WHEN '' THEN null ELSE x.kind END AS kind,
       x.valid_from AS valid_from, x.valid_to AS valid_to, {_prov("x")}
ORDER BY party_id, address_id, kind
""",
    "identifiers": f"""
MATCH (p:Party)-[x:HAS_IDENTIFIER]->(i:Identifier) WHERE x.batch_id IS NOT NULL
RETURN i.identifier_id AS identifier_id, p.party_id AS party_id, i.kind AS kind, i.value AS value, {_prov("x")}
ORDER BY party_id, kind, value
""",
    "company_roles": f"""
MATCH (h:Party)-[x:ROLE]->(c:Party) WHERE x.batch_id IS NOT NULL
RETURN c.party_id AS company_party_id, h.party_id AS holder_party_id, x.role AS role,
       x.resigned AS resigned, {_prov("x")}
ORDER BY company_party_id, holder_party_id, role
""",
    "companies": """
MATCH (p:Party) WHERE p.registry_batch_id IS NOT NULL
RETURN p.party_id AS party_id, p.org_form AS org_form, p.industry_code AS industry_code,
       p.employees AS employees, p.founded AS founded, p.bankrupt AS bankrupt,
       p.in_liquidation AS in_liquidation, p.deleted AS deleted,
       p.registry_source_file AS source_file, p.registry_source_sha256 AS source_sha256,
       p.registry_source_locator AS source_locator, p.registry_batch_id AS batch_id
ORDER BY party_id
""",
    "leases": f"""
MATCH (l:Lease)-[:FOR_PREMISES]->(a:Address) WHERE l.batch_id IS NOT NULL
OPTIONAL MATCH (t:Party)-[:TENANT_OF]->(l)
OPTIONAL MATCH (ll:Party)-[:LANDLORD_OF]->(l)
OPTIONAL MATCH (o:Party)-[:OWNER_OF]->(l)
RETURN l.lease_id AS lease_id, t.party_id AS tenant_party_id, ll.party_id AS landlord_party_id,
       o.party_id AS owner_party_id, a.address_id AS premises_address_id,
       l.rent_minor AS rent_minor, l.currency AS currency,
       l.start_date AS start_date, l.end_date AS end_date, {_prov("l")}
ORDER BY lease_id
""",
    "statements": f"""
MATCH (st:Statement) WHERE st.batch_id IS NOT NULL
RETURN st.statement_id AS statement_id, st.account_id AS account_id, st.statement_ref AS statement_ref,
       st.period_start AS period_start, st.period_end AS period_end, st.period_basis AS period_basis,
       st.currency AS currency, st.opening_minor AS opening_minor, st.closing_minor AS closing_minor,
       st.credits_minor AS credits_minor, st.debits_minor AS debits_minor, st.entries AS entries,
       {_prov("st")}
ORDER BY statement_id
""",
    "sightings": f"""
MATCH (s:Sighting) WHERE s.batch_id IS NOT NULL
RETURN s.table AS table, s.record_id AS record_id, {_prov("s")}
ORDER BY table, record_id, source_sha256, source_locator
""",
    "rejects": """
MATCH (x:Reject) WHERE x.batch_id IS NOT NULL
RETURN x.source_file AS source_file, x.source_sha256 AS source_sha256,
       x.source_locator AS source_locator, x.batch_id AS batch_id, x.reason AS reason, x.raw AS raw
ORDER BY source_sha256, source_locator
""",
}


def _native(value: object) -> object:
    """Driver temporal values as Python ones (``neo4j.time.Date`` → ``datetime.date``)."""
    to_native = getattr(value, "to_native", None)
    return to_native() if to_native is not None else value


def read_table(driver: neo4j.Driver, name: str, *, database: str | None = None) -> pd.DataFrame:
    """One canonical table from the graph, typed like :func:`finflow.model.empty_table`."""
    schema = SCHEMAS[name]
    dates = {f.name for f in schema if pa.types.is_date(f.type)}
    if name not in READ_QUERIES:
        raise ValueError(f"table {name!r} has no read-back query in the graph model")
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS, **QUIET) as s:
        result = s.run(READ_QUERIES[name])
        keys = result.keys()
        records = list(result)
    columns: dict[str, list[object]] = {key: [] for key in keys}
    for record in records:
        for key, value in zip(keys, record.values(), strict=True):
            columns[key].append(_native(value) if key in dates and value is not None else value)
    table = pa.table({f.name: pa.array(columns[f.name], type=f.type) for f in schema})
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    return conform(name, frame).to_pandas(types_mapper=pd.ArrowDtype)


def read_case(driver: neo4j.Driver, *, database: str | None = None) -> CaseData:
    """The whole case stored in the graph, as :class:`~finflow.casedata.CaseData`."""
    return CaseData.from_tables({name: read_table(driver, name, database=database) for name in SCHEMAS})
