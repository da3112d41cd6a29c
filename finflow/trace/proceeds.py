"""Proceeds tracing through commingled accounts (FIFO, LIFO, pro rata, LIBR).

Tainted inflows (each transaction, or each named group of transactions, its own *colour*)
become tainted lots in the receiving account. Every account that tainted money can reach keeps
a lot ledger in time order (:mod:`finflow.trace.events`); each outflow takes lots by the chosen
convention (:mod:`finflow.trace.ledger`), and tainted parts that land in another account become
tainted lots there, keeping their colour, for up to ``max_hops`` transfers.

Where each colour ends up: ``cash`` (withdrawn), ``foreign`` (sent to a counterparty outside
the home country), ``remaining`` (still in an account at the end of the window) or
``beyond_max_hops`` (moved on by a transfer past the hop limit; not followed, and the receiving
account treats it as untraced funds). For every colour, the amounts over those destinations sum
exactly to the amount traced.

Balances before the window are unknown: an account starts empty (or at a given clean opening
balance), and an outflow larger than the recorded balance draws the difference from unrecorded
funds, which count as clean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.money import format_minor
from finflow.trace.events import Events, near_events, processing_order, reachable
from finflow.trace.ledger import CLEAN, METHODS, Key, Ledger, make_ledger
from finflow.trace.output import aggregate_trail_edges, write_trace
from finflow.trace.paths import _date_text

__all__ = ["DESTINATION_KINDS", "ProceedsResult", "tainted_from", "trace_proceeds"]

DESTINATION_KINDS = ("cash", "foreign", "remaining", "beyond_max_hops")

_TABLE_COLUMNS = [
    "colour",
    "kind",
    "node",
    "amount_minor",
    "currency",
    "txn_count",
    "first_date",
    "last_date",
    "min_hop",
    "max_hop",
]


@dataclass
class ProceedsResult:
    """Where each colour of tainted money ended, and the transfers that carried it."""

    method: str
    parameters: dict[str, Any]
    currency: str
    traced: dict[str, int]  # colour → amount introduced
    destinations: pd.DataFrame  # colour, kind, node, hop, amount_minor, txn_id, booking_date
    movements: pd.DataFrame  # colour, hop, txn_id, booking_date, from_node, to_node, amount_minor
    notes: list[str] = field(default_factory=list)

    @property
    def method_note(self) -> str:
        """The convention and parameters, in words for the case file."""
        p = self.parameters
        window = f"{p['start_date'] or 'first transaction'} to {p['end_date'] or 'last transaction'}"
        given = p["opening_balances"]
        opening = (
            "Unknown opening balances are taken as zero"
            if not given
            else "Opening balances given for "
            + ", ".join(f"{a} ({format_minor(v, self.currency)})" for a, v in given.items())
            + " count as clean; other unknown opening balances are taken as zero"
        )
        return (
            f"Proceeds traced by {METHODS[self.method]}. "
            f"{len(self.traced)} tainted source(s) totalling "
            f"{format_minor(sum(self.traced.values()), self.currency)}, followed over at most "
            f"{p['max_hops']} transfers, "
            f"transactions from {window}, home country {p['home_country']}. "
            f"{opening}; an outflow larger than the recorded balance is deemed to use "
            "unrecorded clean funds. Same-day transactions without a time may carry money that "
            "arrived that day. Proportional shares are exact in minor units, rounded by largest "
            "remainder (ties to clean funds) so parts sum to the whole. This is an estimate under "
            "the chosen convention, not a finding of fact."
        )

    def to_frame(self) -> pd.DataFrame:
        """Per colour and destination: amount, transactions, dates and hops."""
        dest = self.destinations
        if dest.empty:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in _TABLE_COLUMNS})
        grouped = dest.groupby(["colour", "kind", "node"], sort=False)
        frame = grouped.agg(
            amount_minor=("amount_minor", "sum"),
            txn_count=("txn_id", "nunique"),
            first_date=("booking_date", "min"),
            last_date=("booking_date", "max"),
            min_hop=("hop", "min"),
            max_hop=("hop", "max"),
        ).reset_index()
        frame["currency"] = self.currency
        kind_rank = frame["kind"].map({k: i for i, k in enumerate(DESTINATION_KINDS)})
        frame = frame.assign(_k=kind_rank).sort_values(["colour", "_k", "node"], kind="stable")
        return frame[_TABLE_COLUMNS].reset_index(drop=True)

    def totals(self) -> pd.DataFrame:
        """Per colour: amount traced and how it splits over destination kinds."""
        rows = []
        for colour in sorted(self.traced):
            part = self.destinations[self.destinations["colour"] == colour]
            sums = part.groupby("kind")["amount_minor"].sum()
            row: dict[str, Any] = {"colour": colour, "traced_minor": self.traced[colour]}
            for kind in DESTINATION_KINDS:
                row[f"{kind}_minor"] = int(sums.get(kind, 0))
            rows.append(row)
        return pd.DataFrame(rows)

    def amount_at(self, kind: str, node: str, colour: str | None = None) -> int:
        """Traced amount (of one colour, or all) that ended at ``node`` as ``kind``."""
        dest = self.destinations
        mask = (dest["kind"] == kind) & (dest["node"] == node)
        if colour is not None:
            mask &= dest["colour"] == colour
        return int(dest.loc[mask, "amount_minor"].sum())

    def trail_edges(self) -> pd.DataFrame:
        """Tainted amounts per (from_node, to_node, hop), all colours together, for the views."""
        return aggregate_trail_edges(self.movements, self.currency)

    def write(self, out_dir: str | Path) -> tuple[Path, Path]:
        """Write ``trace.json`` and ``trace.csv`` into ``out_dir``."""
        return write_trace(
            out_dir,
            kind="proceeds",
            method_note=self.method_note,
            parameters={"method": self.method, **self.parameters},
            table=self.to_frame(),
            trail_edges=self.trail_edges(),
            summary=[{k: _plain(v) for k, v in r.items()} for r in self.totals().to_dict("records")],
            currency=self.currency,
        )


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def tainted_from(
    data: CaseData, senders: Sequence[str], receivers: Sequence[str] | None = None
) -> dict[str, list[str]]:
    """Colour per sender account: its transfers (into ``receivers``, if given) as txn ids."""
    tx = data.transactions
    out: dict[str, list[str]] = {}
    for sender in senders:
        mask = tx["from_account"].astype("string") == sender
        if receivers is not None:
            mask &= tx["to_account"].astype("string").isin(list(receivers))
        ids = sorted(tx.loc[mask.fillna(False), "txn_id"].astype(str))
        if not ids:
            where = f" into {', '.join(receivers)}" if receivers is not None else ""
            raise ValueError(f"no transactions from {sender}{where} to mark as tainted")
        out[sender] = ids
    return out


def _colours(tainted: Sequence[str] | Mapping[str, Sequence[str]]) -> dict[str, str]:
    """txn_id → colour name; each txn its own colour, or one colour per named group."""
    if isinstance(tainted, str):
        raise TypeError("tainted must be a list of txn ids or a dict of source name → txn ids")
    groups = tainted if isinstance(tainted, Mapping) else {t: [t] for t in tainted}
    out: dict[str, str] = {}
    for name, ids in groups.items():
        if isinstance(ids, str):
            ids = [ids]
        for txn_id in ids:
            if txn_id in out and out[txn_id] != name:
                raise ValueError(f"transaction {txn_id} is in two tainted sources: {out[txn_id]}, {name}")
            out[txn_id] = str(name)
    if not out:
        raise ValueError("no tainted transactions given")
    return out


def trace_proceeds(
    data: CaseData,
    tainted: Sequence[str] | Mapping[str, Sequence[str]],
    *,
    method: str = "fifo",
    max_hops: int = 4,
    start_date: object = None,
    end_date: object = None,
    currency: str | None = None,
    opening_balances: Mapping[str, int] | None = None,
    home_country: str = "NO",
) -> ProceedsResult:
    """Trace tainted inflows through commingled accounts by ``method`` (see module docstring)."""
    if method not in METHODS:
        raise ValueError(f"unknown tracing method {method!r}; choose one of {sorted(METHODS)}")
    if max_hops < 0:
        raise ValueError("max_hops must not be negative")
    colour_of = _colours(tainted)
    tx = data.transactions
    marked = tx[tx["txn_id"].isin(list(colour_of)).to_numpy(dtype=bool)]
    missing = sorted(set(colour_of) - set(marked["txn_id"].astype(str)))
    if missing:
        raise ValueError(f"tainted transaction(s) not in the case: {', '.join(missing[:10])}")
    currencies = sorted(set(marked["currency"].astype(str)))
    if currency is None:
        if len(currencies) > 1:
            raise ValueError(
                f"tainted transactions are in several currencies ({', '.join(currencies)}); "
                "trace one currency at a time"
            )
        currency = currencies[0]
    elif currencies != [currency]:
        raise ValueError(f"tainted transactions must all be in {currency}, found {currencies}")
    receivers = marked["to_account"].to_numpy(dtype=object, na_value=None)
    events = near_events(
        data,
        sorted({str(a) for a in receivers if a is not None}),
        max_hops,
        both_sides=True,
        also=list(colour_of),
        currency=currency,
        start_date=start_date,
        end_date=end_date,
        home_country=home_country,
    )
    ids = events.frame["txn_id"].to_numpy(dtype=object)
    hits = np.flatnonzero(pd.Series(ids).isin(list(colour_of)).to_numpy(dtype=bool))
    position = {str(ids[k]): int(k) for k in hits}
    outside = sorted(set(colour_of) - set(position))
    if outside:
        raise ValueError(
            "tainted transaction(s) outside the window or moving nothing (self-transfer): " + ", ".join(outside[:10])
        )
    names = sorted(set(colour_of.values()))
    colour_index = {name: k for k, name in enumerate(names)}
    marks = {position[t]: colour_index[c] for t, c in colour_of.items()}
    opening = dict(opening_balances or {})
    for account, amount in opening.items():
        if isinstance(amount, bool) or not isinstance(amount, (int, np.integer)) or amount < 0:
            raise ValueError(f"opening balance of {account} must be a whole, non-negative number of minor units")
    parameters = {
        "max_hops": max_hops,
        "start_date": _date_text(start_date),
        "end_date": _date_text(end_date),
        "currency": currency,
        "home_country": home_country,
        "opening_balances": {k: int(v) for k, v in sorted(opening.items())},
        "tainted": {name: sorted(t for t, c in colour_of.items() if c == name) for name in names},
    }
    traced, dest, moves = _replay(events, marks, method, max_hops, opening)
    result = ProceedsResult(
        method=method,
        parameters=parameters,
        currency=currency,
        traced={names[k]: v for k, v in sorted(traced.items())},
        destinations=_dest_frame(events, dest, names),
        movements=_move_frame(events, moves, names),
        notes=[],
    )
    _check_conservation(result)
    amounts = events.frame["amount_minor"].to_numpy()
    for k, name in enumerate(names):
        marked_total = int(sum(amounts[row] for row, c in marks.items() if c == k))
        if result.traced[name] < marked_total:
            result.notes.append(
                f"{name}: {format_minor(marked_total - result.traced[name], currency)} of its marked "
                "transactions already carried traced money of another source and kept that colour"
            )
    if events.skipped_other_currency:
        result.notes.append(f"{events.skipped_other_currency} transaction(s) in other currencies not traced")
    return result


def _replay(
    events: Events, marks: dict[int, int], method: str, max_hops: int, opening: dict[str, int]
) -> tuple[dict[int, int], list[tuple], list[tuple]]:
    """Replay the relevant transactions through the ledgers; return traced, dest, moves.

    Accounts holding no taint keep just a clean balance (floored at zero: unrecorded funds cover
    any shortfall); a lot ledger opens when taint arrives and closes when the taint is gone.
    Parts of one transfer arrive in the order they left the sender's ledger.
    """
    src, dst = events.src, events.dst
    mark_rows = np.array(sorted(marks), dtype="int64")
    tracked = reachable(src, dst, dst[mark_rows], max_hops)
    is_tracked = np.zeros(len(events.accounts) + 1, dtype=bool)  # the extra last slot: "no account" (-1)
    is_tracked[tracked] = True
    touches = is_tracked[src] | is_tracked[dst]
    touches[mark_rows] = True
    order = processing_order(events, np.flatnonzero(touches))

    balance = [0] * len(events.accounts)  # clean balance of accounts without a ledger
    for account, amount in opening.items():
        code = events.code_of(account)
        if code >= 0 and amount > 0:
            balance[code] = int(amount)
    ledgers: dict[int, Ledger] = {}
    amounts = events.frame["amount_minor"].tolist()
    src_l, dst_l = src.tolist(), dst.tolist()
    dst_node = events.frame["dst_node"].tolist()
    traced: dict[int, int] = dict.fromkeys(sorted(set(marks.values())), 0)
    dest: list[tuple] = []  # (colour, kind, node, hop, amount, row)
    moves: list[tuple] = []  # (colour, hop, amount, row)
    get_ledger = ledgers.get

    for i in order:
        s, d, amount = src_l[i], dst_l[i], amounts[i]
        ledger = get_ledger(s) if s >= 0 else None
        colour = marks.get(i)
        if ledger is None:
            if s >= 0:
                left = balance[s] - amount
                balance[s] = left if left > 0 else 0
            if colour is None:  # clean money moving: the common case
                if d >= 0:
                    target = get_ledger(d)
                    if target is None:
                        balance[d] += amount
                    else:
                        target.deposit(CLEAN, amount)
                continue
            parts: list[tuple[Key, int]] = [(CLEAN, amount)]
        else:
            parts = ledger.withdraw(amount)
            if ledger.is_clean():
                balance[s] = ledger.total()
                del ledgers[s]
        target = get_ledger(d) if d >= 0 else None
        for (part_colour, hop), part in parts:
            if part_colour < 0:
                if colour is None:
                    if target is not None:
                        target.deposit(CLEAN, part)
                    elif d >= 0:
                        balance[d] += part
                    continue
                part_colour, hop = colour, 0  # marked: its untraced part is new taint
                traced[colour] += part
            else:
                hop += 1
            if hop > max_hops:
                dest.append((part_colour, "beyond_max_hops", dst_node[i], hop, part, i))
                if target is not None:
                    target.deposit(CLEAN, part)
                elif d >= 0:
                    balance[d] += part
                continue
            moves.append((part_colour, hop, part, i))
            if d < 0:
                kind = "cash" if dst_node[i] == "cash" else "foreign"
                dest.append((part_colour, kind, dst_node[i], hop, part, i))
                continue
            if target is None:
                target = ledgers[d] = make_ledger(method)
                target.deposit(CLEAN, balance[d])
                balance[d] = 0
            target.deposit((part_colour, hop), part)

    for code in sorted(ledgers):
        for (colour, hop), part in sorted(ledgers[code].tainted().items()):
            dest.append((colour, "remaining", events.accounts[code], hop, part, -1))
    return traced, dest, moves


def _dest_frame(events: Events, dest: list[tuple], names: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(dest, columns=["colour", "kind", "node", "hop", "amount_minor", "row"])
    rows = frame["row"].to_numpy(dtype="int64")
    has_row = rows >= 0
    txn_ids = events.frame["txn_id"].to_numpy()
    dates = events.frame["booking_date"].to_numpy().astype("datetime64[s]")
    txn = np.full(len(frame), None, dtype=object)
    txn[has_row] = txn_ids[rows[has_row]]
    when = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[s]")
    when[has_row] = dates[rows[has_row]]
    out = pd.DataFrame(
        {
            "colour": [names[c] for c in frame["colour"].tolist()],
            "kind": frame["kind"].astype(object),
            "node": frame["node"].astype(object),
            "hop": frame["hop"].astype("int64"),
            "amount_minor": frame["amount_minor"].astype("int64"),
            "txn_id": txn,
            "booking_date": when,
        }
    )
    return out.sort_values(["colour", "kind", "node", "hop", "txn_id"], kind="stable").reset_index(drop=True)


def _move_frame(events: Events, moves: list[tuple], names: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(moves, columns=["colour", "hop", "amount_minor", "row"])
    rows = frame["row"].to_numpy(dtype="int64")
    ev = events.frame
    return pd.DataFrame(
        {
            "colour": [names[c] for c in frame["colour"].tolist()],
            "hop": frame["hop"].to_numpy(dtype="int64"),
            "txn_id": ev["txn_id"].to_numpy()[rows],
            "booking_date": ev["booking_date"].to_numpy().astype("datetime64[s]")[rows],
            "from_node": ev["src_node"].to_numpy()[rows],
            "to_node": ev["dst_node"].to_numpy()[rows],
            "amount_minor": frame["amount_minor"].to_numpy(dtype="int64"),
        }
    )


def _check_conservation(result: ProceedsResult) -> None:
    """Every colour's destinations must add up to exactly what was traced (an internal bug if not)."""
    ended = result.destinations.groupby("colour")["amount_minor"].sum()
    for colour, amount in result.traced.items():
        if int(ended.get(colour, 0)) != amount:
            raise RuntimeError(f"conservation broken for {colour}: traced {amount}, ended {int(ended.get(colour, 0))}")
