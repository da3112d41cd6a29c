"""The graph model as fixed Cypher: one parameterised ``UNWIND $rows`` statement per table.

Labels, relationship types and property keys are spelled out here and nowhere else; rows only
ever travel as the ``$rows`` parameter (and the ids of referenced nodes as ``$ids``). Each
statement MERGEs on a unique key (see ``queries/schema.cypher``), so running a batch twice changes
nothing, and each one only touches what its own table says — a node referenced before its own row
arrives is created bare and completed later.

Rows travel lean: date columns as ISO text turned into ``Date`` values by ``date()`` here (the
driver's own date conversion costs more Python time than the rest of a row), and columns that are
null throughout a batch left out (a missing key reads as null, exactly like a null one).

Read-back rule: a node or relationship *is* a row of a table exactly when it carries that table's
``batch_id`` (companies: ``registry_batch_id``); bare nodes created by references are not rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from finflow.model import SCHEMAS
from finflow.normalize import normalize_name

__all__ = [
    "BATCH_UNIQUE_KEYS",
    "DATE_COLUMNS",
    "FRESH_STATEMENTS",
    "INDEX_KEYS",
    "INDEX_KEY_CHARS",
    "LOAD_ORDER",
    "LOAD_REFERENCES",
    "LOAD_STATEMENTS",
    "PROVENANCE",
    "QUIET",
    "RECORD_NODES",
    "SUBJECT_NODES",
    "IndexKey",
    "Referenced",
    "assign",
    "index_key",
    "props",
]

PROVENANCE: tuple[str, ...] = ("source_file", "source_sha256", "source_locator", "batch_id")


#: Session settings that silence "property key does not exist" warnings: optional columns that
#: are null throughout a case never become property keys, which is expected, not a mistake.
QUIET: dict[str, object] = {"notifications_disabled_classifications": ["UNRECOGNIZED"]}


#: Characters of a text kept in its index key. Neo4j refuses to index a value of more than about
#: 8 KB ("Property value is too large to index"), and one hostile 200,000-character name would
#: then fail every batch it is in, on every run. Free text is therefore never indexed itself:
#: each indexed text column has a bounded key property beside it (the full text stays, unindexed).
INDEX_KEY_CHARS = 200


@dataclass(frozen=True)
class IndexKey:
    """The bounded, indexed key ``key`` of a table's text column ``column``."""

    column: str
    key: str
    normalise: Callable[[str], str]


def _same(text: str) -> str:
    return text


#: Per table, the text columns looked up by value and the key property each is indexed by
#: (``queries/schema.cypher``): a name by its normalised form (as :func:`normalize_name`), the
#: already normalised address and identifier values as they are — each cut at INDEX_KEY_CHARS.
INDEX_KEYS: dict[str, IndexKey] = {
    "parties": IndexKey("name", "name_key", normalize_name),
    "addresses": IndexKey("normalized", "normalized_key", _same),
    "identifiers": IndexKey("value", "value_key", _same),
}


def index_key(text: object, normalise: Callable[[str], str] = _same) -> str | None:
    """The indexed key of ``text``: normalised, at most :data:`INDEX_KEY_CHARS` characters."""
    if not isinstance(text, str):
        return None
    key = normalise(text)[:INDEX_KEY_CHARS]
    return key or None


#: Date columns of each table: sent as ISO text (``YYYY-MM-DD``), stored as ``Date``.
DATE_COLUMNS: dict[str, frozenset[str]] = {
    name: frozenset(f.name for f in schema if pa.types.is_date(f.type)) for name, schema in SCHEMAS.items()
}


def _value(table: str, key: str, read: str = "r.{}") -> str:
    """How a statement reads column ``key`` (``read`` places it: a row map, or a column list)."""
    value = read.format(key)
    return f"date({value})" if key in DATE_COLUMNS[table] else value


def props(table: str, *keys: str) -> str:
    """A Cypher map projection of ``r`` with fixed keys, e.g. ``r {.a, d: date(r.d)}``."""
    return "r {" + ", ".join(f"{k}: {_value(table, k)}" if k in DATE_COLUMNS[table] else f".{k}" for k in keys) + "}"


def assign(var: str, table: str, *keys: str) -> str:
    """``SET`` items for fixed keys, e.g. ``t.a = r.a, t.d = date(r.d)``."""
    return ",\n    ".join(f"{var}.{k} = {_value(table, k)}" for k in keys)


def _when(expr: str) -> str:
    """``FOREACH`` list that holds ``expr`` once when it is not null (a conditional MERGE)."""
    return f"CASE WHEN {expr} IS NULL THEN [] ELSE [{expr}] END"


def _links(*links: tuple[str, str, str]) -> str:
    """Link the row's node, for each ``(other, unlinked, pattern)``, unless ``other`` is null.

    ``unlinked`` tells that the row's node has no relationship of the pattern's type yet (its
    degree, read on the node itself). Then the relationship is CREATEd: for a node without one,
    that is what MERGE would do, minus MERGE's look-up and its exclusive lock on ``other`` —
    often a hub (a busy account, a country) that concurrent batches would queue for. Otherwise (a
    repeated load) it is MERGEd. Within one statement every row is checked before any
    relationship is written, so a batch must name each node once (:data:`BATCH_UNIQUE_KEYS`); the
    check follows the row's ``SET``, which write-locks the node, so a concurrent batch cannot link
    it in between.
    """
    create = [
        f"FOREACH (_ IN CASE WHEN {other} IS NOT NULL AND {unlinked} THEN [1] ELSE [] END |\n  CREATE {pattern})"
        for other, unlinked, pattern in links
    ]
    merge = [
        f"FOREACH (_ IN CASE WHEN {other} IS NULL OR {unlinked} THEN [] ELSE [1] END |\n  MERGE {pattern})"
        for other, unlinked, pattern in links
    ]
    return "\n".join(create + merge)


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

COMPANY_PROPS = ("org_form", "industry_code", "employees", "founded", "bankrupt", "in_liquidation", "deleted")

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
SET p += {props("parties", "kind", "name", "name_key", "birth_date", "org_number", "country", *PROVENANCE)}
FOREACH (_ IN CASE WHEN r.kind = 'person' THEN [1] ELSE [] END | SET p:Person)
FOREACH (_ IN CASE WHEN r.kind = 'company' THEN [1] ELSE [] END | SET p:Company)
FOREACH (code IN {_when("r.country")} |
  MERGE (c:Country {{code: code}}) MERGE (p)-[:IN_COUNTRY]->(c))
""",
    "companies": f"""
UNWIND $rows AS r
MERGE (p:Party {{party_id: r.party_id}})
SET p:Company, p += {props("companies", *COMPANY_PROPS)},
    p.registry_source_file = r.source_file, p.registry_source_sha256 = r.source_sha256,
    p.registry_source_locator = r.source_locator, p.registry_batch_id = r.batch_id
""",
    "addresses": f"""
UNWIND $rows AS r
MERGE (a:Address {{address_id: r.address_id}})
SET a += {props("addresses", "street", "postcode", "city", "country", "normalized", "normalized_key", *PROVENANCE)}
FOREACH (code IN {_when("r.country")} |
  MERGE (c:Country {{code: code}}) MERGE (a)-[:IN_COUNTRY]->(c))
""",
    # Holder and country are MERGEd beforehand (LOAD_REFERENCES) and only looked up here.
    "accounts": f"""
UNWIND $rows AS r
MERGE (a:Account {{account_id: r.account_id}})
SET {assign("a", "accounts", "scheme", "validated", "country", "holder_name", *PROVENANCE)}
WITH a, r, NOT EXISTS {{ (a)<-[:HOLDS]-() }} AS unheld, NOT EXISTS {{ (a)-[:IN_COUNTRY]->() }} AS unplaced
OPTIONAL MATCH (p:Party {{party_id: r.holder_party_id}})
OPTIONAL MATCH (c:Country {{code: r.country}})
{_links(("p", "unheld", "(p)-[:HOLDS]->(a)"), ("c", "unplaced", "(a)-[:IN_COUNTRY]->(c)"))}
""",
    "party_addresses": f"""
UNWIND $rows AS r
MERGE (p:Party {{party_id: r.party_id}})
MERGE (a:Address {{address_id: r.address_id}})
MERGE (p)-[x:REGISTERED_AT {{kind: coalesce(r.kind, '')}}]->(a)
SET x += {props("party_addresses", "valid_from", "valid_to", *PROVENANCE)}
""",
    "identifiers": f"""
UNWIND $rows AS r
MERGE (p:Party {{party_id: r.party_id}})
MERGE (i:Identifier {{identifier_id: r.identifier_id}})
SET i.kind = r.kind, i.value = r.value, i.value_key = r.value_key
MERGE (p)-[x:HAS_IDENTIFIER]->(i)
SET x += {props("identifiers", *PROVENANCE)}
""",
    "company_roles": f"""
UNWIND $rows AS r
MERGE (c:Party {{party_id: r.company_party_id}})
MERGE (h:Party {{party_id: r.holder_party_id}})
MERGE (h)-[x:ROLE {{role: r.role}}]->(c)
SET x += {props("company_roles", "resigned", *PROVENANCE)}
""",
    "leases": f"""
UNWIND $rows AS r
MERGE (l:Lease {{lease_id: r.lease_id}})
SET l += {props("leases", "rent_minor", "currency", "start_date", "end_date", *PROVENANCE)}
MERGE (a:Address {{address_id: r.premises_address_id}})
MERGE (l)-[:FOR_PREMISES]->(a)
FOREACH (id IN {_when("r.tenant_party_id")} |
  MERGE (p:Party {{party_id: id}}) MERGE (p)-[:TENANT_OF]->(l))
FOREACH (id IN {_when("r.landlord_party_id")} |
  MERGE (p:Party {{party_id: id}}) MERGE (p)-[:LANDLORD_OF]->(l))
FOREACH (id IN {_when("r.owner_party_id")} |
  MERGE (p:Party {{party_id: id}}) MERGE (p)-[:OWNER_OF]->(l))
""",
    # Both accounts are MERGEd beforehand (LOAD_REFERENCES) and only looked up here.
    "transactions": f"""
UNWIND $rows AS r
MERGE (t:Transaction {{txn_id: r.txn_id}})
SET {assign("t", "transactions", *TXN_PROPS)}
WITH t, r, NOT EXISTS {{ (t)<-[:PERFORMS]-() }} AS unpaid, NOT EXISTS {{ (t)-[:BENEFITS_TO]->() }} AS unreceived
OPTIONAL MATCH (a:Account {{account_id: r.from_account}})
OPTIONAL MATCH (b:Account {{account_id: r.to_account}})
{_links(("a", "unpaid", "(a)-[:PERFORMS]->(t)"), ("b", "unreceived", "(t)-[:BENEFITS_TO]->(b)"))}
""",
    "statements": f"""
UNWIND $rows AS r
MERGE (st:Statement {{statement_id: r.statement_id}})
SET st += {
        props(
            "statements",
            "account_id",
            "statement_ref",
            "period_start",
            "period_end",
            "period_basis",
            "currency",
            "opening_minor",
            "closing_minor",
            "credits_minor",
            "debits_minor",
            "entries",
            *PROVENANCE,
        )
    }
WITH st, r
MATCH (a:Account {{account_id: r.account_id}})
MERGE (a)-[:HAS_STATEMENT]->(st)
""",
    "sightings": f"""
UNWIND $rows AS r
MERGE (s:Sighting {{sighting_id: r.sighting_id}})
SET s += {props("sightings", "table", "record_id", *PROVENANCE)}
{_SIGHTED}
""",
    "rejects": f"""
UNWIND $rows AS r
MERGE (x:Reject {{reject_id: r.reject_id}})
SET x += {props("rejects", "reason", "raw", *PROVENANCE)}
""",
}


def _fresh(var: str, table: str, keys: tuple[str, ...], lookups: tuple[str, ...], *links: tuple[str, str]) -> str:
    """A table's statement for rows none of whose nodes exist yet: CREATE, no look-up, no MERGE.

    The batch travels as columns (``$cols``: one list per column, row ``i`` at index ``i``),
    which the server unpacks with far fewer allocations than one map per row. The node, ``var``
    with the table's label and key (:data:`RECORD_NODES`), is created with its key and ``keys``
    as properties; each link ``(other, pattern)`` is CREATEd when ``other``, found by the
    OPTIONAL MATCHes in ``lookups`` (which read ``c.<column>[i]``), exists. Nulls in a CREATE map
    set nothing, as ``SET x = null`` on a new node does, so the node is the one the MERGE
    statement builds.
    """
    label, key = RECORD_NODES[table]
    values = ", ".join(f"{k}: {_value(table, k, 'c.{}[i]')}" for k in (key, *keys))
    creates = [
        f"FOREACH (_ IN CASE WHEN {other} IS NULL THEN [] ELSE [1] END |\n  CREATE {pattern})"
        for other, pattern in links
    ]
    head = ["", "WITH $cols AS c", f"UNWIND range(0, size(c.{key}) - 1) AS i", f"CREATE ({var}:{label} {{{values}}})"]
    return "\n".join([*head, f"WITH {var}, c, i", *lookups, *creates, ""])


#: The statements for a table loaded into a graph that has none of its nodes yet (the first load
#: of a case into an empty database): the loader uses them when the label is empty and the
#: table's keys are unique, the MERGE statements above otherwise (a reload, a resumed load).
#: Neo4j's unique constraints still guard every CREATE.
FRESH_STATEMENTS: dict[str, str] = {
    "accounts": _fresh(
        "a", "accounts", ("scheme", "validated", "country", "holder_name", *PROVENANCE),
        (
            "OPTIONAL MATCH (p:Party {party_id: c.holder_party_id[i]})",
            "OPTIONAL MATCH (k:Country {code: c.country[i]})",
        ),
        ("p", "(p)-[:HOLDS]->(a)"), ("k", "(a)-[:IN_COUNTRY]->(k)"),
    ),
    "transactions": _fresh(
        "t", "transactions", TXN_PROPS,
        (
            "OPTIONAL MATCH (a:Account {account_id: c.from_account[i]})",
            "OPTIONAL MATCH (b:Account {account_id: c.to_account[i]})",
        ),
        ("a", "(a)-[:PERFORMS]->(t)"), ("b", "(t)-[:BENEFITS_TO]->(b)"),
    ),
}  # fmt: skip

#: Tables in loading order: entities first, then what links them, transactions last.
LOAD_ORDER: tuple[str, ...] = tuple(LOAD_STATEMENTS)


@dataclass(frozen=True)
class Referenced:
    """Nodes a table's rows point at through ``columns``, keyed by ``label.key``."""

    label: str
    key: str
    columns: tuple[str, ...]

    @property
    def statement(self) -> str:
        """MERGE of one batch's distinct, sorted ids (``$ids``), run before the table's statement."""
        return f"UNWIND $ids AS id MERGE (:{self.label} {{{self.key}: id}})"


#: Referenced nodes MERGEd first in each batch's transaction, once per distinct id, so that the
#: table's own statement only looks them up. Sorted ids also make concurrent loads lock them in
#: the same order.
LOAD_REFERENCES: dict[str, tuple[Referenced, ...]] = {
    "accounts": (
        Referenced("Party", "party_id", ("holder_party_id",)),
        Referenced("Country", "code", ("country",)),
    ),
    "transactions": (Referenced("Account", "account_id", ("from_account", "to_account")),),
}

#: Tables whose statement CREATEs the relationships of a node it finds without them (see
#: ``_links``): a batch must name each key once. The loader runs a repeated key's later rows as
#: further passes of the same transaction.
BATCH_UNIQUE_KEYS: dict[str, str] = {"accounts": "account_id", "transactions": "txn_id"}

#: Subject kind of a finding → (label, key property) of the node it names.
SUBJECT_NODES: dict[str, tuple[str, str]] = {
    "account": ("Account", "account_id"),
    "party": ("Party", "party_id"),
    "address": ("Address", "address_id"),
    "identifier": ("Identifier", "identifier_id"),
}
