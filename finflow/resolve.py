"""Entity resolution: joining the parties of different sources on strong keys only, reversibly.

Rules (each a *merge*: the parties sharing one key become one):

- ``org_number`` — parties with the same organisation number are one company;
- ``account_holder`` — the unresolved holder of an account (``holder-…``, from transaction data)
  is the one strong holder a KYC extract names for that account (no merge when it names several);
- ``name_birth_date`` — persons with the same normalised name and birth date are one person;
- ``id_number`` — persons sharing an identity-document number are one person, unless their known
  birth dates differ (a shared document between different people is a finding, not a join).

Names alone, phones and addresses never merge anyone: sharing them is what the detectors look for.

Every merge is a group of rows in the ``merges`` table — ``merge_id`` (derived from the rule and
its evidence), ``rule``, ``evidence``, each member ``party_id`` with its name and the record it
came from, the ``target_party_id`` the group resolves to, and ``status`` (``active``/``undone``).
Resolution never edits the imported tables: :func:`apply_merges` derives the resolved view from
them and the active merges, so :func:`undo_merge` is exact, and an undone merge stays undone when
:func:`resolve_parties` runs again on new data.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pyarrow as pa

from finflow.ids import content_id, content_ids
from finflow.model import KEYS
from finflow.normalize import normalize_name

__all__ = [
    "MERGES_SCHEMA",
    "MERGE_COLUMNS",
    "PARTY_COLUMNS",
    "RULES",
    "apply_merges",
    "find_merges",
    "resolve_parties",
    "undo_merge",
]

RULES: tuple[str, ...] = ("org_number", "account_holder", "name_birth_date", "id_number")
MERGE_COLUMNS = [
    "merge_id", "rule", "evidence", "party_id", "party_name", "source_file", "source_locator",
    "target_party_id", "status",
]  # fmt: skip
#: How a case stores its merges table (all text; ``party_name``/``source_*`` may be null).
MERGES_SCHEMA = pa.schema(
    [pa.field(c, pa.string(), nullable=c in ("party_name", "source_file", "source_locator")) for c in MERGE_COLUMNS]
)
#: Columns holding party ids, per table: what a merge rewrites.
PARTY_COLUMNS: dict[str, tuple[str, ...]] = {
    "parties": ("party_id",),
    "accounts": ("holder_party_id",),
    "party_addresses": ("party_id",),
    "identifiers": ("party_id",),
    "company_roles": ("company_party_id", "holder_party_id"),
    "companies": ("party_id",),
    "leases": ("tenant_party_id", "landlord_party_id", "owner_party_id"),
}


def _empty_merges() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in MERGE_COLUMNS})


def _groups(rule: str, evidence: pd.Series, party_id: pd.Series) -> pd.DataFrame:
    """Membership rows for evidence keys shared by at least two distinct parties."""
    frame = pd.DataFrame({"evidence": evidence.astype("string"), "party_id": party_id.astype("string")})
    frame = frame.dropna().drop_duplicates()
    sizes = frame.groupby("evidence")["party_id"].transform("size")
    frame = frame[sizes >= 2].copy()
    frame["rule"] = rule
    return frame


def _person_keys(parties: pd.DataFrame) -> pd.DataFrame:
    wanted = (parties["kind"] == "person").fillna(False) & parties["birth_date"].notna()
    persons = parties[wanted & parties["name"].notna()]
    names = persons["name"].astype("string")
    table = {v: normalize_name(v) for v in names.unique()}
    norm = names.map(table).astype("string")
    birth = pd.to_datetime(persons["birth_date"]).dt.strftime("%Y-%m-%d").astype("string")
    return pd.DataFrame({"party_id": persons["party_id"].astype("string"), "name": norm, "birth": birth})


def _table(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    frame = tables.get(name)
    return frame if frame is not None and len(frame) else None


def find_merges(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """All merges the strong-key rules find in ``tables`` (status ``active``)."""
    parties = _table(tables, "parties")
    pieces = []
    if parties is not None:
        org = parties[parties["org_number"].notna()]
        pieces.append(_groups("org_number", "org_number=" + org["org_number"].astype("string"), org["party_id"]))
        keys = _person_keys(parties)
        pieces.append(
            _groups(
                "name_birth_date",
                "name=" + keys["name"] + "; birth_date=" + keys["birth"],
                keys["party_id"],
            )
        )
    accounts = _table(tables, "accounts")
    if accounts is not None:
        holders = accounts[["account_id", "holder_party_id"]].dropna().astype("string").drop_duplicates()
        weak = holders["holder_party_id"].str.startswith("holder-")
        strong_count = holders[~weak].groupby("account_id")["holder_party_id"].nunique()
        single = strong_count[strong_count == 1].index
        usable = holders[holders["account_id"].isin(single)]
        # the placeholder a transaction import made for the account, even where a store has
        # already put the strong holder on the account row itself
        accounts_single = pd.Series(single, dtype="string")
        placeholders = pd.DataFrame(
            {"account_id": accounts_single, "holder_party_id": content_ids("holder", [accounts_single])}
        )
        seen = set(parties["party_id"].astype("string")) if parties is not None else set()
        usable = pd.concat([usable, placeholders[placeholders["holder_party_id"].isin(seen)]], ignore_index=True)
        pieces.append(_groups("account_holder", "account=" + usable["account_id"], usable["holder_party_id"]))
    identifiers = _table(tables, "identifiers")
    if identifiers is not None and parties is not None:
        ids = identifiers[identifiers["kind"] == "id_number"][["party_id", "value"]].astype("string").drop_duplicates()
        births = parties[["party_id", "birth_date"]].dropna().drop_duplicates("party_id")
        births = births.assign(birth=pd.to_datetime(births["birth_date"]).dt.strftime("%Y-%m-%d"))
        ids = ids.merge(births[["party_id", "birth"]].astype("string"), on="party_id", how="left")
        conflicting = ids.groupby("value")["birth"].nunique() > 1
        ids = ids[~ids["value"].isin(conflicting[conflicting].index)]
        pieces.append(_groups("id_number", "id_number=" + ids["value"], ids["party_id"]))
    members = pd.concat([p for p in pieces if len(p)], ignore_index=True) if any(len(p) for p in pieces) else None
    if members is None:
        return _empty_merges()
    members["merge_id"] = content_ids("merge", [members["rule"], members["evidence"]]).to_numpy()
    members["status"] = "active"
    return _describe(members, parties)


def _describe(members: pd.DataFrame, parties: pd.DataFrame | None) -> pd.DataFrame:
    """Add each member's name and first record, and the target of its merge group's component."""
    if parties is not None:
        # each member's record: the same whatever order the tables come in
        order = ["party_id", "source_file", "source_sha256", "source_locator"]
        first = parties.sort_values(order, kind="stable").drop_duplicates("party_id")
        first = first[["party_id", "name", "source_file", "source_locator"]]
        first = first.astype("string").rename(columns={"name": "party_name"})
        members = members.drop(columns=["party_name", "source_file", "source_locator"], errors="ignore")
        members = members.merge(first, on="party_id", how="left")
    for column in MERGE_COLUMNS:
        if column not in members.columns:
            members[column] = pd.NA
    targets = _targets(members[members["status"] == "active"], parties)
    ids = members["party_id"].astype("string")
    members["target_party_id"] = ids.map(targets).astype("string").fillna(ids)
    merges = members[MERGE_COLUMNS].astype("string")
    return merges.sort_values(["merge_id", "party_id"], kind="stable").reset_index(drop=True)


def _strong_ids(parties: pd.DataFrame | None) -> set[str]:
    """Ids that *are* a strong key of some party (org id or person id): preferred as targets.

    Org ids are worked out from the org number; person ids are keyed with the case key, so they
    are taken from the rows importers gave one — a person row with name and birth date always
    carries its person id (``importers.parties.party_keys``).
    """
    if parties is None:
        return set()
    org = parties["org_number"].dropna().astype("string").unique()
    strong = {content_id("party", "org", o) for o in org}
    strong.update(_person_keys(parties)["party_id"].dropna().tolist())
    return strong


def _targets(members: pd.DataFrame, parties: pd.DataFrame | None) -> dict[str, str]:
    """party id → the id its connected component of active merges resolves to."""
    graph = nx.Graph()
    pairs = members[["merge_id", "party_id"]].dropna().astype(object).drop_duplicates()
    pairs = pairs.sort_values(["merge_id", "party_id"], kind="stable")
    first = pairs.groupby("merge_id", sort=False)["party_id"].transform("first")
    graph.add_nodes_from(pairs["party_id"].tolist())
    graph.add_edges_from(zip(first.tolist(), pairs["party_id"].tolist(), strict=True))
    members_only = None if parties is None else parties[parties["party_id"].isin(list(graph.nodes))]
    strong = _strong_ids(members_only)
    mapping: dict[str, str] = {}
    for component in nx.connected_components(graph):
        target = min(component, key=lambda p: (p not in strong, not p.startswith("party-"), p))
        mapping.update({p: target for p in component})
    return mapping


def apply_merges(tables: dict[str, pd.DataFrame], merges: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The resolved view: party ids rewritten to their targets, one parties row per party.

    The parties row of a resolved party takes each attribute from the first row that has it,
    the target's own rows first. Other tables lose rows that became exact key duplicates.
    """
    active = merges[merges["status"] == "active"] if len(merges) else merges
    parties = _table(tables, "parties")
    mapping = _targets(active, parties) if len(active) else {}
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        frame = frame.copy()
        for column in PARTY_COLUMNS.get(name, ()):
            ids = frame[column].astype("string")
            frame[column] = ids.map(mapping).astype("string").fillna(ids) if mapping else ids
        if name == "parties":
            frame = _consolidate(frame, tables[name], mapping)
        elif name in KEYS and name in PARTY_COLUMNS and len(frame):
            frame = frame.drop_duplicates(KEYS[name]).reset_index(drop=True)
        out[name] = frame
    return out


def _consolidate(frame: pd.DataFrame, original: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    if frame.empty:
        return frame
    original_ids = original["party_id"].astype("string").to_numpy()
    own = pd.Series(original_ids == frame["party_id"].astype("string").to_numpy(), index=frame.index)
    frame = frame.assign(_own=~own, _order=range(len(frame)))
    frame["kind"] = frame["kind"].astype("string").mask(frame["kind"] == "unknown")
    frame = frame.sort_values(["party_id", "_own", "_order"], kind="stable")
    columns = [c for c in frame.columns if c not in ("party_id", "_own", "_order")]
    merged = frame.groupby("party_id", sort=True, dropna=False)[columns].first().reset_index()
    merged["kind"] = merged["kind"].fillna("unknown")
    return merged[[c for c in original.columns]].reset_index(drop=True)


def resolve_parties(
    tables: dict[str, pd.DataFrame], previous: pd.DataFrame | None = None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Find strong-key merges in the imported ``tables`` and return ``(resolved tables, merges)``.

    ``previous`` is the merges table of an earlier run: merges undone there stay undone.
    ``tables`` is not modified; keep it — it is what :func:`undo_merge` resolves again from.
    """
    merges = find_merges(tables)
    if previous is not None and len(previous) and len(merges):
        undone = set(previous.loc[previous["status"] == "undone", "merge_id"].astype("string"))
        merges["status"] = merges["status"].mask(merges["merge_id"].isin(undone), "undone")
        merges = _describe(merges, _table(tables, "parties"))
    return apply_merges(tables, merges), merges


def undo_merge(
    tables: dict[str, pd.DataFrame], merges: pd.DataFrame, merge_id: str
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Undo one merge: ``(resolved tables without it, merges with it marked undone)``.

    ``tables`` are the imported tables (as given to :func:`resolve_parties`).
    """
    if merge_id not in set(merges["merge_id"]):
        raise KeyError(f"no merge {merge_id!r}")
    merges = merges.copy()
    merges["status"] = merges["status"].mask(merges["merge_id"] == merge_id, "undone")
    merges = _describe(merges, _table(tables, "parties"))
    return apply_merges(tables, merges), merges
