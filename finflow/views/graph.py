"""From a case to the graph a view draws: aggregated, labelled, risk-marked, within a budget.

All of it is vectorised over the transactions table; Python loops run only over what will be
drawn (at most the node budget). Money edges are aggregated per from→to pair, so a view never
draws one line per transaction.

Node keys are namespaced (``account:<id>``, ``party:<id>``, ``address:<id>``, ``country:XX``,
``cash``, ``name:<counterparty name>``, ``unknown``) so an account and a party can never collide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.company_status import deleted_companies
from finflow.detect.base import Finding
from finflow.flowindex import Lookups, flow_index
from finflow.frames import lookup_number, lookup_text
from finflow.money import main_currency
from finflow.normalize import guess_party_kind
from finflow.views.style import ROLE_ORDER

__all__ = ["CaseGraph", "RoleMark", "account_roles", "build_case_graph", "ego_keys", "select_nodes", "subject_key"]

#: A subject kind of a finding → the prefix of its node key.
_SUBJECT_PREFIX = {"account": "account:", "party": "party:", "address": "address:"}


@dataclass(frozen=True, slots=True)
class RoleMark:
    """One finding's suggestion about one node."""

    role: str
    score: float
    detector: str
    summary: str


@dataclass
class CaseGraph:
    """Everything a view may draw: nodes, edges, and what explains them.

    ``nodes``: key, kind, label, raw_id, volume, score, role (primary role or ""), deleted (the
    register's deletion date of a company, ``YYYY-MM-DD``, or "").
    ``edges``: source, target, relation (money | holds | address), amount (minor units in the
    main currency of the drawn transactions; only for width and volume), txn_count, first, last.
    ``flows``: money per source, target and currency (for exact totals in tooltips).
    ``txns``: transactions with their endpoint keys (for example texts and evidence tables).
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    flows: pd.DataFrame
    txns: pd.DataFrame
    marks: dict[str, list[RoleMark]] = field(default_factory=dict)
    centre: str | None = None
    #: per-graph facts computed on first use (tooltip texts); shared by copies made with ``replace``
    cache: dict = field(default_factory=dict, repr=False)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as nullable strings with blanks as missing (absent columns: all missing)."""
    if column not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    values = frame[column].astype("string").str.strip()
    return values.mask(values == "")


def subject_key(kind: str, subject_id: str) -> str | None:
    """Node key of a finding subject (``None`` for kinds not drawn, e.g. identifiers)."""
    prefix = _SUBJECT_PREFIX.get(kind)
    return None if prefix is None else prefix + subject_id


def role_marks(findings: Iterable[Finding]) -> dict[str, list[RoleMark]]:
    """Per node key, every finding's role suggestion, strongest first (stable order)."""
    marks: dict[str, list[RoleMark]] = {}
    for finding in findings:
        for subject in finding.subjects:
            key = subject_key(subject.kind, subject.id)
            if key is not None:
                marks.setdefault(key, []).append(
                    RoleMark(subject.role, finding.score, finding.detector, finding.summary)
                )
    for key, rows in marks.items():
        rows.sort(key=lambda m: (-m.score, ROLE_ORDER.index(m.role), m.detector, m.summary))
        marks[key] = rows
    return marks


def _endpoints(
    tx: pd.DataFrame,
    side: str,
    *,
    account_country: pd.Series,
    home_country: str,
    collapse_foreign: bool,
    keep: set[str],
) -> pd.Series:
    """Node key of each transaction's ``side`` ("from" or "to")."""
    account = _text(tx, f"{side}_account")
    country = _text(tx, f"{side}_country").str.upper()
    country = country.fillna(lookup_text(account, account_country))
    name = _text(tx, f"{side}_name")
    cash_channel = "cash_deposit" if side == "from" else "cash_withdrawal"
    foreign = country.notna() & (country != home_country)

    key = ("account:" + account).astype("string")
    no_account = account.isna()
    fallback = ("name:" + name).fillna("unknown")
    fallback = fallback.where(~foreign, "country:" + country)
    fallback = fallback.where(_text(tx, "channel") != cash_channel, "cash")
    key = key.where(~no_account, fallback)
    if collapse_foreign:
        collapse = foreign & ~no_account & ~key.isin(keep)
        key = key.where(~collapse, "country:" + country)
    return key.astype("string")


def _first_names(tx: pd.DataFrame, src: pd.Series, dst: pd.Series) -> pd.Series:
    """The first name each account key was written with in the extracts (by date, then id)."""
    pairs = pd.concat(
        [
            pd.DataFrame({"key": src, "name": _text(tx, "from_name"), "order": tx["_order"]}),
            pd.DataFrame({"key": dst, "name": _text(tx, "to_name"), "order": tx["_order"]}),
        ],
        ignore_index=True,
    ).dropna(subset=["key", "name"])
    pairs = pairs.sort_values(["order", "key"], kind="stable").drop_duplicates("key")
    return pd.Series(pairs["name"].to_numpy(), index=pairs["key"].to_numpy(), dtype="string")


def _given(value: object) -> bool:
    return value is not None and not pd.isna(value)


def _aggregate(txns: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Money per (source, target, currency), and per (source, target): transactions over all
    currencies, ``amount`` in the main currency only (minor units of two currencies never add up;
    the tooltips give every currency's total)."""
    flows = (
        txns.groupby(["source", "target", "currency"], sort=True)
        .agg(
            amount=("amount_minor", "sum"),
            txn_count=("txn_id", "size"),
            first=("date", "min"),
            last=("date", "max"),
        )
        .reset_index()
    )
    main = main_currency(txns["currency"])
    money = (
        flows.assign(amount=flows["amount"].where(flows["currency"] == main, 0))
        .groupby(["source", "target"], sort=True)
        .agg(
            amount=("amount", "sum"),
            txn_count=("txn_count", "sum"),
            first=("first", "min"),
            last=("last", "max"),
        )
        .reset_index()
    )
    money["relation"] = "money"
    return flows, money


def _party_nodes(
    look: Lookups, party_ids: set[str], fallback_names: pd.Series, held_accounts: dict[str, str]
) -> list[dict[str, str]]:
    """Person/company nodes; the kind is guessed from the name when the registry lacks it.

    A holder never named (e.g. known only as "whoever holds account X") is labelled by the account
    it holds, not by its id.
    """
    names = look.party_name.to_dict()
    kinds = look.party_kind.to_dict()
    fallback = fallback_names.to_dict()
    rows = []
    for pid in sorted(party_ids):
        name = names.get(pid, fallback.get(pid))
        kind = kinds.get(pid)
        if kind not in ("person", "company"):
            guessed = guess_party_kind(name if _given(name) else None)
            kind = "company" if guessed == "company" else "person"
        if _given(name):
            label = name
        elif pid in held_accounts:
            label = f"holder of {held_accounts[pid]}"
        else:
            label = pid
        rows.append({"key": f"party:{pid}", "kind": kind, "raw_id": pid, "label": label})
    return rows


def build_case_graph(
    data: CaseData,
    findings: Sequence[Finding],
    *,
    transactions: pd.DataFrame | None = None,
    home_country: str = "NO",
    collapse_foreign: bool = True,
    extra_keys: Iterable[str] = (),
) -> CaseGraph:
    """The full drawable graph of ``transactions`` (default: all of the case's).

    Foreign counterparty accounts are drawn as their country when ``collapse_foreign`` (the
    overview), unless a finding names them. Holders of drawn accounts are added with a ``holds``
    edge; flagged parties and addresses are added even without money of their own.
    """
    marks = role_marks(findings)
    keep = set(marks) | set(extra_keys)
    index = flow_index(data)
    look = index.lookups
    if transactions is None:
        tx = index.sorted_transactions
    else:
        tx = transactions.sort_values(["booking_date", "txn_id"], kind="stable").reset_index(drop=True)
        tx["_order"] = np.arange(len(tx))
    opts = {
        "account_country": look.account_country,
        "home_country": home_country.upper(),
        "collapse_foreign": collapse_foreign,
        "keep": keep,
    }
    src = _endpoints(tx, "from", **opts)
    dst = _endpoints(tx, "to", **opts)
    txns = pd.DataFrame(
        {
            "txn_id": tx["txn_id"].astype("string"),
            "source": src,
            "target": dst,
            "date": pd.to_datetime(tx["booking_date"]).dt.strftime("%Y-%m-%d").astype("string"),
            "amount_minor": tx["amount_minor"].astype("int64"),
            "currency": tx["currency"].astype("string"),
            "channel": _text(tx, "channel"),
            "description": _text(tx, "description"),
        }
    )
    flows, money = _aggregate(txns)

    # Money endpoints: accounts (labelled by holder, else the first name the extracts give),
    # cash, countries, named counterparties without an account.
    node_keys = pd.Index(pd.concat([money["source"], money["target"]]).unique(), dtype="string")
    nodes = pd.DataFrame({"key": node_keys})
    prefix = nodes["key"].str.extract(r"^([a-z]+)(?::|$)", expand=False)
    nodes["kind"] = prefix.replace({"name": "unknown"})
    nodes["raw_id"] = nodes["key"].str.replace(r"^[a-z]+:", "", regex=True)
    nodes.loc[nodes["key"].isin(["cash", "unknown"]), "raw_id"] = ""
    holder_name = look.holder_name
    holder_party = look.holder_party
    is_account = nodes["kind"] == "account"
    acct_ids = nodes["raw_id"].where(is_account)
    names = _first_names(tx, src, dst)
    label = lookup_text(acct_ids, holder_name).fillna(lookup_text(nodes["key"], names).where(is_account))
    nodes["label"] = label.fillna(nodes["raw_id"])
    nodes.loc[nodes["key"] == "cash", "label"] = "cash"
    nodes.loc[nodes["key"] == "unknown", "label"] = "unrecorded counterparty"

    # Holders: party nodes with a "holds" edge to each drawn account they hold.
    held = pd.DataFrame({"account": acct_ids, "party": lookup_text(acct_ids, holder_party)}).dropna()
    holds = pd.DataFrame(
        {
            "source": "party:" + held["party"],
            "target": "account:" + held["account"],
            "relation": "holds",
        }
    )
    party_ids = set(held["party"].tolist())
    party_ids |= {k.removeprefix("party:") for k in keep if k.startswith("party:")}

    # Flagged addresses (and any asked for): an "address" edge from each party registered there.
    address_ids = {k.removeprefix("address:") for k in keep if k.startswith("address:")}
    links = data.party_addresses
    links = links[links["address_id"].astype("string").isin(address_ids)]
    addr_edges = pd.DataFrame(
        {
            "source": "party:" + links["party_id"].astype("string"),
            "target": "address:" + links["address_id"].astype("string"),
            "relation": "address",
        }
    ).drop_duplicates()
    party_ids |= set(links["party_id"].astype("string").tolist())

    # A holder unknown to the parties table is named as on its account.
    held_name = pd.Series(lookup_text(held["account"], holder_name).to_numpy(), index=held["party"].to_numpy()).dropna()
    first_held = held.drop_duplicates("party")
    held_accounts = dict(zip(first_held["party"], first_held["account"], strict=True))
    extra = _party_nodes(look, party_ids, held_name[~held_name.index.duplicated()], held_accounts)
    addr_text = look.address_text
    for aid in sorted(address_ids):
        label = addr_text.get(aid, aid)
        extra.append({"key": f"address:{aid}", "kind": "address", "raw_id": aid, "label": label})
    # Flagged accounts without any drawn transaction still appear.
    present = set(nodes["key"].tolist())
    for key in sorted(k for k in keep if k.startswith("account:") and k not in present):
        aid = key.removeprefix("account:")
        label = holder_name.get(aid, aid)
        extra.append({"key": key, "kind": "account", "raw_id": aid, "label": label})
    extra_frame = pd.DataFrame(extra, columns=["key", "kind", "raw_id", "label"], dtype="string")
    extra_frame = extra_frame[~extra_frame["key"].isin(present)]
    nodes = pd.concat([nodes, extra_frame], ignore_index=True)

    edges = pd.concat([money, holds, addr_edges], ignore_index=True)
    edges = edges[edges["source"].isin(nodes["key"]) & edges["target"].isin(nodes["key"])]
    edges["amount"] = edges["amount"].fillna(0).astype("int64")
    edges["txn_count"] = edges["txn_count"].fillna(0).astype("int64")
    edges = edges.sort_values(["source", "target", "relation"], kind="stable")
    edges = edges.reset_index(drop=True)

    # Volume: money in plus money out (party: that of the accounts it holds).
    volume = money.groupby("source")["amount"].sum().add(money.groupby("target")["amount"].sum(), fill_value=0)
    nodes["volume"] = lookup_number(nodes["key"], volume).astype("int64")
    party_volume = holds.assign(v=lookup_number(holds["target"], volume)).groupby("source")["v"].sum()
    is_party = nodes["key"].str.startswith("party:")
    nodes.loc[is_party, "volume"] = lookup_number(nodes.loc[is_party, "key"], party_volume).astype("int64")
    # A company the register has deleted keeps its node, drawn with a dashed grey border.
    gone = deleted_companies(data)
    nodes["deleted"] = pd.Series(
        [gone.get(k.removeprefix("party:"), "") if gone and k.startswith("party:") else "" for k in nodes["key"]],
        index=nodes.index,
        dtype="string",
    )
    primary = {k: v[0] for k, v in marks.items()}
    nodes["score"] = lookup_number(nodes["key"], {k: m.score for k, m in primary.items()})
    nodes["role"] = lookup_text(nodes["key"], {k: m.role for k, m in primary.items()}, default="")
    nodes = nodes.sort_values("key", kind="stable").reset_index(drop=True)
    return CaseGraph(nodes=nodes, edges=edges, flows=flows, txns=txns, marks=marks)


def ego_keys(edges: pd.DataFrame, centre: str, hops: int) -> pd.Series:
    """Hop distance (ignoring direction) from ``centre`` to every node within ``hops``."""
    distance = {centre: 0}
    frontier = pd.Index([centre])
    for hop in range(1, hops + 1):
        out = edges.loc[edges["source"].isin(frontier), "target"]
        inc = edges.loc[edges["target"].isin(frontier), "source"]
        reached = pd.Index(pd.concat([out, inc]).unique()).difference(pd.Index(list(distance)))
        for key in reached:
            distance[key] = hop
        frontier = reached
        if frontier.empty:
            break
    return pd.Series(distance, name="hop")


def select_nodes(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    budget: int,
    *,
    hop: pd.Series | None = None,
) -> pd.Index:
    """The keys to draw when the graph is larger than ``budget``.

    Order of keeping: (in an ego view, nearer hops first), flagged subjects by score, their
    direct neighbours, then everything else by volume; ties by key, so the choice is stable.
    """
    if len(nodes) <= budget:
        return pd.Index(nodes["key"])
    flagged = nodes["score"] > 0
    flagged_keys = pd.Index(nodes.loc[flagged, "key"])
    near = pd.concat(
        [
            edges.loc[edges["source"].isin(flagged_keys), "target"],
            edges.loc[edges["target"].isin(flagged_keys), "source"],
        ]
    )
    tier = np.where(flagged, 0, np.where(nodes["key"].isin(near), 1, 2))
    ranked = nodes.assign(
        _hop=lookup_number(nodes["key"], hop).astype("int64") if hop is not None else 0,
        _tier=tier,
        _score=-nodes["score"],
        _volume=-nodes["volume"],
    ).sort_values(["_hop", "_tier", "_score", "_volume", "key"], kind="stable")
    return pd.Index(ranked["key"].head(budget))


def account_roles(findings: Iterable[Finding]) -> dict[str, str]:
    """Account id → the role its strongest finding suggests (for views keyed by account id)."""
    return {
        key.removeprefix("account:"): marks[0].role
        for key, marks in role_marks(findings).items()
        if key.startswith("account:")
    }
