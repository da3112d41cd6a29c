"""The graph model as fixed Cypher: one parameterised ``UNWIND $rows`` statement per table.

Labels, relationship types and property keys are spelled out here and nowhere else; rows only
ever travel as the ``$rows`` parameter. Each statement MERGEs on a unique key (see
``queries/schema.cypher``), so running a batch twice changes nothing, and each one only touches
what its own table says — a node referenced before its own row arrives is created bare and
completed later.

Read-back rule: a node or relationship *is* a row of a table exactly when it carries that table's
``batch_id`` (companies: ``registry_batch_id``); bare nodes created by references are not rows.
"""

from __future__ import annotations

__all__ = [
    "LOAD_ORDER",
    "LOAD_STATEMENTS",
    "PROVENANCE",
    "QUIET",
    "RECORD_NODES",
    "SUBJECT_NODES",
    "props",
]

PROVENANCE: tuple[str, ...] = ("source_file", "source_sha256", "source_locator", "batch_id")


#: Session settings that silence "property key does not exist" warnings: optional columns that
#: are null throughout a case never become property keys, which is expected, not a mistake.
QUIET: dict[str, object] = {"notifications_disabled_classifications": ["UNRECOGNIZED"]}


def props(*keys: str) -> str:
    """A Cypher map projection of ``r`` with fixed keys, e.g. ``r {.a, .b}``."""
    return "r {" + ", ".join(f".{k}" for k in keys) + "}"


def _when(expr: str) -> str:
    """``FOREACH`` list that holds ``expr`` once when it is not null (a conditional MERGE)."""
    return f"CASE WHEN {expr} IS NULL THEN [] ELSE [{expr}] END"


TXN_PROPS = (
    "booking_date",
    "booking_time",
    "amount_minor",
    "currency",
    "from_name",
    "to_name",
    "from_country",
    "to_country",
    "channel",
    "description",
    "txn_ref",
    *PROVENANCE,
)

COMPANY_PROPS = ("org_form", "industry_code", "employees", "founded", "bankrupt", "in_liquidation")

#: Tables whose records are nodes: a sighting of one is linked ``-[:SEEN_IN]->`` from it.
RECORD_NODES: dict[str, tuple[str, str]] = {
    "transactions": ("Transaction", "txn_id"),
    "parties": ("Party", "party_id"),
    "accounts": ("Account", "account_id"),
    "addresses": ("Address", "address_id"),
    "leases": ("Lease", "lease_id"),
}

_SIGHTED = "\n".join(
    f"FOREACH (id IN CASE WHEN r.table = '{table}' THEN [r.record_id] ELSE [] END |\n"
    f"  MERGE (n:{label} {{{key}: id}}) MERGE (n)-[:SEEN_IN]->(s))"
    for table, (label, key) in RECORD_NODES.items()
)

LOAD_STATEMENTS: dict[str, str] = {
    "parties": f"""
UNWIND $rows AS r
MERGE (p:Party {{party_id: r.party_id}})
SET p += {props("kind", "name", "birth_date", "org_number", "country", *PROVENANCE)}
FOREACH (_ IN CASE WHEN r.kind = 'person' THEN [1] ELSE [] END | SET p:Person)
FOREACH (_ IN CASE WHEN r.kind = 'company' THEN [1] ELSE [] END | SET p:Company)
FOREACH (code IN {_when("r.country")} |
  MERGE (c:Country {{code: code}}) MERGE (p)-[:IN_COUNTRY]->(c))
""",
    "companies": f"""
UNWIND $rows AS r
MERGE (p:Party {{party_id: r.party_id}})
SET p:Company, p += {props(*COMPANY_PROPS)},
    p.registry_source_file = r.source_file, p.registry_source_sha256 = r.source_sha256,
    p.registry_source_locator = r.source_locator, p.registry_batch_id = r.batch_id
""",
    "addresses": f"""
UNWIND $rows AS r
MERGE (a:Address {{address_id: r.address_id}})
SET a += {props("street", "postcode", "city", "country", "normalized", *PROVENANCE)}
FOREACH (code IN {_when("r.country")} |
  MERGE (c:Country {{code: code}}) MERGE (a)-[:IN_COUNTRY]->(c))
""",
    "accounts": f"""
UNWIND $rows AS r
MERGE (a:Account {{account_id: r.account_id}})
SET a += {props("scheme", "validated", "country", "holder_name", *PROVENANCE)}
FOREACH (holder IN {_when("r.holder_party_id")} |
  MERGE (p:Party {{party_id: holder}}) MERGE (p)-[:HOLDS]->(a))
FOREACH (code IN {_when("r.country")} |
  MERGE (c:Country {{code: code}}) MERGE (a)-[:IN_COUNTRY]->(c))
""",
    "party_addresses": f"""
UNWIND $rows AS r
MERGE (p:Party {{party_id: r.party_id}})
MERGE (a:Address {{address_id: r.address_id}})
MERGE (p)-[x:REGISTERED_AT {{kind: coalesce(r.kind, '')}}]->(a)
SET x += {props("valid_from", "valid_to", *PROVENANCE)}
""",
    "identifiers": f"""
UNWIND $rows AS r
MERGE (p:Party {{party_id: r.party_id}})
MERGE (i:Identifier {{identifier_id: r.identifier_id}})
SET i.kind = r.kind, i.value = r.value
MERGE (p)-[x:HAS_IDENTIFIER]->(i)
SET x += {props(*PROVENANCE)}
""",
    "company_roles": f"""
UNWIND $rows AS r
MERGE (c:Party {{party_id: r.company_party_id}})
MERGE (h:Party {{party_id: r.holder_party_id}})
MERGE (h)-[x:ROLE {{role: r.role}}]->(c)
SET x += {props("resigned", *PROVENANCE)}
""",
    "leases": f"""
UNWIND $rows AS r
MERGE (l:Lease {{lease_id: r.lease_id}})
SET l += {props("rent_minor", "currency", "start_date", "end_date", *PROVENANCE)}
MERGE (a:Address {{address_id: r.premises_address_id}})
MERGE (l)-[:FOR_PREMISES]->(a)
FOREACH (id IN {_when("r.tenant_party_id")} |
  MERGE (p:Party {{party_id: id}}) MERGE (p)-[:TENANT_OF]->(l))
FOREACH (id IN {_when("r.landlord_party_id")} |
  MERGE (p:Party {{party_id: id}}) MERGE (p)-[:LANDLORD_OF]->(l))
FOREACH (id IN {_when("r.owner_party_id")} |
  MERGE (p:Party {{party_id: id}}) MERGE (p)-[:OWNER_OF]->(l))
""",
    "transactions": f"""
UNWIND $rows AS r
MERGE (t:Transaction {{txn_id: r.txn_id}})
SET t += {props(*TXN_PROPS)}
FOREACH (id IN {_when("r.from_account")} |
  MERGE (a:Account {{account_id: id}}) MERGE (a)-[:PERFORMS]->(t))
FOREACH (id IN {_when("r.to_account")} |
  MERGE (b:Account {{account_id: id}}) MERGE (t)-[:BENEFITS_TO]->(b))
""",
    "sightings": f"""
UNWIND $rows AS r
MERGE (s:Sighting {{sighting_id: r.sighting_id}})
SET s += {props("table", "record_id", *PROVENANCE)}
{_SIGHTED}
""",
    "rejects": f"""
UNWIND $rows AS r
MERGE (x:Reject {{reject_id: r.reject_id}})
SET x += {props("reason", "raw", *PROVENANCE)}
""",
}

#: Tables in loading order: entities first, then what links them, transactions last.
LOAD_ORDER: tuple[str, ...] = tuple(LOAD_STATEMENTS)

#: Subject kind of a finding → (label, key property) of the node it names.
SUBJECT_NODES: dict[str, tuple[str, str]] = {
    "account": ("Account", "account_id"),
    "party": ("Party", "party_id"),
    "address": ("Address", "address_id"),
    "identifier": ("Identifier", "identifier_id"),
}
