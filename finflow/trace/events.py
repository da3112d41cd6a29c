"""The transactions a trace walks over, as plain arrays in a time-respecting processing order.

Both tracers (paths and proceeds) replay transactions one by one through per-account state, so
they need the same two things: a compact view of the transactions (account codes, terminal
nodes, amounts) and an order in which every account sees its own transactions in time order.

Ordering rule (documented in ``docs/tracing.md``):

- Within one account, events are ordered by booking date, then time of day. A transaction
  without a time may have happened at any moment of its day, so for the *receiving* account it
  counts as arriving at the start of the day and for the *sending* account as leaving at the
  end of the day: an untimed outflow can carry anything that arrived the same day, and an
  untimed inflow can fund any outflow that day. At the same instant inflows come before
  outflows; remaining ties go by ``txn_id``.
- Every account's own order is respected across accounts by a topological sort of these
  per-account chains. Where the chains contradict each other (money going back and forth on
  the same day without times), the earliest transaction by (date, time, ``txn_id``) goes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from finflow.casedata import CaseData

__all__ = [
    "CASH",
    "WHOLE_CASE_SHARE",
    "AccountCodes",
    "Events",
    "account_codes",
    "load_events",
    "near_events",
    "near_rows",
    "other_currency_count",
    "processing_order",
    "reachable",
]

#: Node label for cash (a deposit's source or a withdrawal's destination).
CASH = "cash"

_DAY_START = 0
_DAY_END = 24 * 60


@dataclass
class Events:
    """Filtered transactions of one currency, as arrays aligned by position.

    ``src``/``dst`` are account codes (index into ``accounts``) or -1 for a terminal node
    (cash, or a foreign counterparty); ``src_node``/``dst_node`` are the display labels
    (account id, ``"cash"`` or ``"country:XX"``).
    """

    frame: pd.DataFrame  # txn_id, booking_date, minutes, amount_minor, src_node, dst_node
    src: np.ndarray
    dst: np.ndarray
    accounts: list[str]
    currency: str
    skipped_other_currency: int
    skipped_self_transfers: int
    skipped_below_minimum: int

    def __len__(self) -> int:
        return len(self.frame)

    def code_of(self, account_id: str) -> int:
        """Account code, or -1 when the account has no transaction in the window."""
        return self._codes.get(account_id, -1)

    def __post_init__(self) -> None:
        self._codes = {a: i for i, a in enumerate(self.accounts)}


def _node_labels(account: pd.Series, country: pd.Series, home: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels (account id, ``cash``, or ``country:XX`` when foreign) and an is-account mask."""
    ids = account.to_numpy(dtype=object, na_value=None)
    codes = country.astype("string").str.strip().str.upper()
    foreign = (codes.notna() & (codes != "") & (codes != home)).to_numpy(dtype=bool)
    missing = pd.isna(ids)
    labels = np.where(missing, CASH, ids).astype(object)
    if foreign.any():
        labels[foreign] = ("country:" + codes[foreign]).to_numpy(dtype=object)
    return labels, ~missing & ~foreign


def pick_currency(frame: pd.DataFrame, preferred: pd.Series | None = None) -> str:
    """The currency to trace in: the only one, or the most frequent in ``preferred`` rows."""
    pool = preferred if preferred is not None and len(preferred) else frame["currency"]
    counts = pool.astype("string").value_counts()
    if counts.empty:
        raise ValueError("no transactions to trace")
    top = counts[counts == counts.max()].index
    return str(sorted(top)[0])


def load_events(
    transactions: pd.DataFrame,
    *,
    currency: str,
    start_date: object = None,
    end_date: object = None,
    min_amount_minor: int = 0,
    home_country: str = "NO",
) -> Events:
    """Filter to the window and currency and build node labels (vectorised)."""
    tx = transactions
    keep = pd.Series(True, index=tx.index)
    if start_date is not None:
        keep &= tx["booking_date"] >= pd.Timestamp(start_date)
    if end_date is not None:
        keep &= tx["booking_date"] <= pd.Timestamp(end_date)
    in_window = tx[keep.to_numpy()]
    same_currency = (in_window["currency"].astype("string") == currency).fillna(False).to_numpy()
    other_currency = int((~same_currency).sum())
    tx = in_window[same_currency]
    home = home_country.upper()
    src_node, src_is_account = _node_labels(tx["from_account"], tx["from_country"], home)
    dst_node, dst_is_account = _node_labels(tx["to_account"], tx["to_country"], home)
    self_transfer = src_is_account & dst_is_account & (src_node == dst_node)
    amount = tx["amount_minor"].to_numpy(dtype="int64")
    small = (amount < min_amount_minor) & ~self_transfer
    ok = ~self_transfer & ~small
    if "has_time" in tx.columns:
        has_time = tx["has_time"].to_numpy(dtype=bool)
        seconds = (tx["ts"] - tx["booking_date"]).to_numpy().astype("timedelta64[s]").astype("int64")
        minutes = np.where(has_time, seconds // 60, -1)
    else:
        minutes = np.full(len(tx), -1, dtype="int64")
    frame = pd.DataFrame(
        {
            "txn_id": tx["txn_id"].to_numpy(dtype=object),
            "booking_date": tx["booking_date"].to_numpy().astype("datetime64[D]"),
            "minutes": minutes,
            "amount_minor": amount,
            "src_node": src_node,
            "dst_node": dst_node,
            "_src_acc": src_is_account,
            "_dst_acc": dst_is_account,
            "_m": np.maximum(minutes, 0),
        }
    )[ok]
    # Global presort: date, time (untimed as start of day), txn_id. Position = rank.
    frame = frame.sort_values(["booking_date", "_m", "txn_id"], kind="stable").reset_index(drop=True)
    both = np.concatenate(
        [
            np.where(frame["_src_acc"].to_numpy(), frame["src_node"].to_numpy(), None),
            np.where(frame["_dst_acc"].to_numpy(), frame["dst_node"].to_numpy(), None),
        ]
    )
    codes, uniques = pd.factorize(both, sort=True, use_na_sentinel=True)
    half = len(frame)
    accounts = [str(a) for a in uniques]
    src, dst = codes[:half].astype("int64"), codes[half:].astype("int64")
    return Events(
        frame=frame[["txn_id", "booking_date", "minutes", "amount_minor", "src_node", "dst_node"]],
        src=src,
        dst=dst,
        accounts=accounts,
        currency=currency,
        skipped_other_currency=other_currency,
        skipped_self_transfers=int(self_transfer.sum()),
        skipped_below_minimum=int(small.sum()),
    )


def other_currency_count(
    transactions: pd.DataFrame, *, currency: str, start_date: object = None, end_date: object = None
) -> int:
    """Transactions in the window but not in ``currency`` (the "not traced" note of a trace)."""
    tx = transactions
    keep = np.ones(len(tx), dtype=bool)
    if start_date is not None:
        keep &= (tx["booking_date"] >= pd.Timestamp(start_date)).to_numpy(dtype=bool)
    if end_date is not None:
        keep &= (tx["booking_date"] <= pd.Timestamp(end_date)).to_numpy(dtype=bool)
    same = (tx["currency"].astype("string") == currency).fillna(False).to_numpy(dtype=bool)
    return int((keep & ~same).sum())


@dataclass(frozen=True)
class AccountCodes:
    """Every account id as written (``from_account`` or ``to_account``), each row's two codes
    (-1: no account), and the distinct sender → receiver code pairs."""

    ids: pd.Index
    src: np.ndarray
    dst: np.ndarray
    pairs: tuple[np.ndarray, np.ndarray]


def account_codes(transactions: pd.DataFrame) -> AccountCodes:
    """The :class:`AccountCodes` of ``transactions`` (built once per case by :func:`near_events`)."""
    tx = transactions
    both = np.concatenate(
        [
            tx["from_account"].to_numpy(dtype=object, na_value=None),
            tx["to_account"].to_numpy(dtype=object, na_value=None),
        ]
    )
    codes, uniques = pd.factorize(both, use_na_sentinel=True)
    half = len(tx)
    src, dst = codes[:half].astype("int64"), codes[half:].astype("int64")
    both_known = (src >= 0) & (dst >= 0)
    pair = np.unique(src[both_known] * (len(uniques) + 1) + dst[both_known])
    pairs = (pair // (len(uniques) + 1), pair % (len(uniques) + 1))
    return AccountCodes(pd.Index(uniques, dtype=object), src, dst, pairs)


def near_rows(
    codes: AccountCodes,
    seeds: list[str],
    depth: int,
    *,
    backward: bool = False,
    both_sides: bool = False,
) -> np.ndarray:
    """Positions of the rows a trace from the accounts ``seeds`` can use, in case order.

    :func:`reachable` over every account-to-account row, as written (currency, window, foreign
    counterparties and self-transfers ignored), gives a superset of the accounts any trace of
    ``depth`` transfers reaches; a row is kept when such an account sends it (receives it when
    ``backward``; either, with ``both_sides``). A trace over these rows equals one over the whole
    case, since every row its walk could look at is among them, in the same relative order.
    """
    src, dst = (codes.dst, codes.src) if backward else (codes.src, codes.dst)
    pair_src, pair_dst = codes.pairs[::-1] if backward else codes.pairs
    start = codes.ids.get_indexer_for(pd.Index(sorted(set(seeds)), dtype=object))
    near = reachable(pair_src, pair_dst, start[start >= 0].astype("int64"), depth)
    is_near = np.zeros(len(codes.ids) + 1, dtype=bool)  # the extra last slot stands for "no account" (-1)
    is_near[near] = True
    keep = is_near[src]
    if both_sides:
        keep |= is_near[dst]
    return np.flatnonzero(keep)


#: Share of the case's rows above which a trace uses the whole case's (shared) events.
WHOLE_CASE_SHARE = 0.5

#: The columns :func:`load_events` reads.
_EVENT_COLUMNS = [
    "txn_id", "booking_date", "ts", "has_time", "currency", "amount_minor",
    "from_account", "to_account", "from_country", "to_country",
]  # fmt: skip


def near_events(
    data: CaseData,
    seeds: list[str],
    depth: int,
    *,
    backward: bool = False,
    both_sides: bool = False,
    also: list[str] | None = None,
    currency: str,
    start_date: object = None,
    end_date: object = None,
    min_amount_minor: int = 0,
    home_country: str = "NO",
) -> Events:
    """:func:`load_events` over only the rows :func:`near_rows` keeps (and the ids ``also``).

    The result traces exactly as the events of the whole case would; only the account codes
    differ. Its ``skipped_other_currency`` still counts the whole case's window (the other
    ``skipped_*`` counts, the kept rows only). When the rows are more than
    :data:`WHOLE_CASE_SHARE` of the case, the whole case's events (built once per window and
    shared by every trace of it) are returned instead.
    """
    from finflow.flowindex import flow_index, take_rows

    tx = data.transactions
    index = flow_index(data)
    codes = index.memo(("trace account codes",), lambda: account_codes(tx))
    rows = near_rows(codes, seeds, depth, backward=backward, both_sides=both_sides)
    if also:
        extra = index.memo(("trace txn positions",), lambda: pd.Index(tx["txn_id"].to_numpy(dtype=object)))
        found = extra.get_indexer_for(pd.Index(sorted(set(also)), dtype=object))
        rows = np.union1d(rows, found[found >= 0])
    window = (currency, start_date, end_date, int(min_amount_minor), home_country)
    if len(rows) > len(tx) * WHOLE_CASE_SHARE:
        return index.memo(
            ("trace events", *window),
            lambda: load_events(
                tx, currency=currency, start_date=start_date, end_date=end_date,
                min_amount_minor=min_amount_minor, home_country=home_country,
            ),
        )  # fmt: skip
    near = take_rows(tx[[c for c in _EVENT_COLUMNS if c in tx.columns]], rows)
    events = load_events(
        near,
        currency=currency,
        start_date=start_date,
        end_date=end_date,
        min_amount_minor=min_amount_minor,
        home_country=home_country,
    )
    events.skipped_other_currency = index.memo(
        ("trace other currency", currency, start_date, end_date),
        lambda: other_currency_count(tx, currency=currency, start_date=start_date, end_date=end_date),
    )
    return events


def reachable(src: np.ndarray, dst: np.ndarray, seeds: np.ndarray, depth: int) -> np.ndarray:
    """Account codes reachable from ``seeds`` in at most ``depth`` transfers (time ignored).

    A cheap superset of what a time-respecting trace can reach; used to skip transactions that
    cannot matter before the sequential replay.
    """
    mask = (src >= 0) & (dst >= 0)
    pairs = pd.DataFrame({"s": src[mask], "d": dst[mask]}).drop_duplicates()
    seen = np.unique(seeds[seeds >= 0])
    frontier = seen
    for _ in range(depth):
        if frontier.size == 0:
            break
        nxt = pairs.loc[pairs["s"].isin(frontier), "d"].unique()
        frontier = np.setdiff1d(nxt, seen, assume_unique=False)
        seen = np.union1d(seen, frontier)
    return seen


def processing_order(
    events: Events, rows: np.ndarray, *, src: np.ndarray | None = None, dst: np.ndarray | None = None
) -> list[int]:
    """Positions of ``rows`` (sorted ascending) in an order that respects every account's chain.

    See the module docstring for the rule. A topological sort in which each transaction waits
    for its predecessor in the sender's and in the receiver's chain; otherwise presort order.
    """
    src = events.src if src is None else src
    dst = events.dst if dst is None else dst
    rows = np.asarray(rows, dtype="int64")
    n = rows.size
    if n == 0:
        return []
    day = events.frame["booking_date"].to_numpy()[rows].astype("int64")
    minutes = events.frame["minutes"].to_numpy()[rows]
    s, d = src[rows], dst[rows]
    local = np.arange(n, dtype="int64")
    out_eff = np.where(minutes >= 0, minutes, _DAY_END)
    in_eff = np.where(minutes >= 0, minutes, _DAY_START)
    has_s, has_d = s >= 0, d >= 0
    acct = np.concatenate([s[has_s], d[has_d]])
    e_day = np.concatenate([day[has_s], day[has_d]])
    e_eff = np.concatenate([out_eff[has_s], in_eff[has_d]])
    e_side = np.concatenate([np.ones(has_s.sum(), "int64"), np.zeros(has_d.sum(), "int64")])
    e_txn = np.concatenate([local[has_s], local[has_d]])
    idx = np.lexsort((e_txn, e_side, e_eff, e_day, acct))
    acct, e_txn = acct[idx], e_txn[idx]
    same_next = np.zeros(acct.size, dtype=bool)
    same_next[:-1] = acct[1:] == acct[:-1]
    nxt = np.full(acct.size, -1, dtype="int64")
    nxt[:-1] = np.where(same_next[:-1], e_txn[1:], -1)
    indeg = np.bincount(e_txn[1:][same_next[:-1]], minlength=n).tolist()
    # Each transaction has at most two entries, hence at most two successors.
    succ_a = np.full(n, -1, dtype="int64")
    succ_b = np.full(n, -1, dtype="int64")
    first = np.ones(acct.size, dtype=bool)
    order_e = np.argsort(e_txn, kind="stable")
    sorted_txn = e_txn[order_e]
    first[1:] = sorted_txn[1:] != sorted_txn[:-1]
    firsts, seconds = order_e[first], order_e[~first]
    succ_a[e_txn[firsts]] = nxt[firsts]
    succ_b[e_txn[seconds]] = nxt[seconds]
    succ_a_l, succ_b_l = succ_a.tolist(), succ_b.tolist()

    # Scan in rank order; a transaction still waiting for a predecessor is emitted as soon as
    # its last predecessor is, so the result stays as close to the presort as possible.
    done = bytearray(n)
    out: list[int] = []
    emit = out.append

    def release(first: int, horizon: int) -> None:
        stack = [first]
        while stack:
            j = stack.pop()
            if done[j]:
                continue
            done[j] = 1
            emit(j)
            for k in (succ_a_l[j], succ_b_l[j]):
                if k >= 0 and not done[k]:
                    indeg[k] -= 1
                    if indeg[k] == 0 and k <= horizon:
                        stack.append(k)

    for i in range(n):
        if done[i] or indeg[i]:
            continue
        done[i] = 1
        emit(i)
        for k in (succ_a_l[i], succ_b_l[i]):
            if k >= 0 and not done[k]:
                indeg[k] -= 1
                if indeg[k] == 0 and k < i:  # a deferred transaction is now free
                    release(k, i)
    # Contradictory same-day chains (a cycle): the earliest remaining goes first.
    pointer = 0
    while len(out) < n:
        while done[pointer]:
            pointer += 1
        release(pointer, n)
    return rows[np.asarray(out, dtype="int64")].tolist()
