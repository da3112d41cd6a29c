"""Time-respecting path tracing: where could money from (or to) an account have gone?

Starting from an account (or every account of a party), follow transactions hop by hop. A
transaction continues a trail only if it did not happen before the money arrived (ordering
rule in :mod:`finflow.trace.events`), and an account can pass on no more than reached it along
the trail: each account keeps a *trail balance* (what arrived through the trail and has not yet
been passed on) and an outflow carries at most that much. The trail balance is drawn
shortest-trail first, so each part is labelled with the smallest hop that can explain it.
This is the most that *could* have followed the trail (trail money is assumed to leave first);
:func:`finflow.trace.proceeds.trace_proceeds` allocates by a named convention instead.

Backward tracing is the same walk with time and direction reversed: which inflows, received
before the money left, could have funded it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.trace.events import Events, near_events, pick_currency, processing_order, reachable
from finflow.trace.output import aggregate_trail_edges, write_trace

__all__ = ["TraceResult", "default_currency", "resolve_start", "trace_paths"]

_ROW_COLUMNS = [
    "hop",
    "txn_id",
    "booking_date",
    "from_node",
    "to_node",
    "amount_minor",
    "txn_amount_minor",
    "currency",
]


def resolve_start(data: CaseData, start: str) -> list[str]:
    """Account ids for ``start``: the account itself, or every account a party holds.

    ``start`` may be written in any form :func:`finflow.accountid.resolve_id` accepts (dotted
    or spaced account number, IBAN, holder name, unambiguous prefix).
    """
    from finflow.accountid import resolve_id

    return list(resolve_id(data, start).accounts)


@dataclass
class TraceResult:
    """Transactions on time-respecting trails from the start, with the amount each carried."""

    start: str
    start_accounts: list[str]
    direction: str
    parameters: dict[str, Any]
    currency: str
    rows: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def method_note(self) -> str:
        """How the trails were computed, in words for the case file."""
        p = self.parameters
        way = (
            "forward (where the money went)"
            if self.direction == "forward"
            else ("backward (where the money came from)")
        )
        window = f"{p['start_date'] or 'first transaction'} to {p['end_date'] or 'last transaction'}"
        return (
            f"Time-respecting trails {way} from {self.start} "
            f"({len(self.start_accounts)} account(s)), at most {p['max_hops']} hops, "
            f"currency {self.currency}, transactions from {window}, minimum amount "
            f"{p['min_amount_minor']} minor units. A transaction continues a trail only if it is "
            "not known to be earlier than the money's arrival (same day without a time counts as "
            "possible). Amounts carried on are capped by what reached each account along the "
            "trail, assuming trail money leaves first: an upper bound, not an allocation."
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per transaction and hop on a trail."""
        return self.rows.copy()

    def trail_edges(self) -> pd.DataFrame:
        """Trails aggregated per (from_node, to_node, hop) for the views."""
        return aggregate_trail_edges(self.rows, self.currency)

    def summary(self) -> list[dict[str, Any]]:
        """Per hop: how many transactions and how much was carried."""
        if self.rows.empty:
            return []
        by_hop = self.rows.groupby("hop").agg(txn_count=("txn_id", "nunique"), amount_minor=("amount_minor", "sum"))
        return [
            {"hop": int(h), "txn_count": int(r.txn_count), "amount_minor": int(r.amount_minor)}
            for h, r in by_hop.iterrows()
        ]

    def write(self, out_dir: str | Path) -> tuple[Path, Path]:
        """Write ``trace.json`` and ``trace.csv`` into ``out_dir``."""
        return write_trace(
            out_dir,
            kind="paths",
            method_note=self.method_note,
            parameters={"start": self.start, "direction": self.direction, **self.parameters},
            table=self.rows,
            trail_edges=self.trail_edges(),
            summary=self.summary(),
            currency=self.currency,
        )


def default_currency(data: CaseData, start_accounts: list[str], direction: str = "forward") -> str:
    """The start's most used currency (outflows forward, inflows backward); ties by code."""
    tx = data.transactions
    side = "from_account" if direction == "forward" else "to_account"
    return pick_currency(tx, tx.loc[tx[side].isin(start_accounts).fillna(False), "currency"])


def _date_text(value: object) -> str | None:
    return None if value is None else pd.Timestamp(value).date().isoformat()


def trace_paths(
    data: CaseData,
    start: str,
    *,
    direction: str = "forward",
    max_hops: int = 4,
    start_date: object = None,
    end_date: object = None,
    min_amount_minor: int = 0,
    currency: str | None = None,
    home_country: str = "NO",
) -> TraceResult:
    """Follow money from (``forward``) or to (``backward``) ``start`` over time-respecting trails."""
    if direction not in ("forward", "backward"):
        raise ValueError(f"direction must be 'forward' or 'backward', not {direction!r}")
    if max_hops < 1:
        raise ValueError("max_hops must be at least 1")
    start_accounts = resolve_start(data, start)
    if currency is None:
        currency = default_currency(data, start_accounts, direction)
    events = near_events(
        data,
        start_accounts,
        max_hops - 1,
        backward=direction == "backward",
        currency=currency,
        start_date=start_date,
        end_date=end_date,
        min_amount_minor=min_amount_minor,
        home_country=home_country,
    )
    parameters = {
        "max_hops": max_hops,
        "start_date": _date_text(start_date),
        "end_date": _date_text(end_date),
        "min_amount_minor": int(min_amount_minor),
        "currency": currency,
        "home_country": home_country,
    }
    rows = _walk(events, start_accounts, direction, max_hops)
    notes = []
    if events.skipped_other_currency:
        notes.append(f"{events.skipped_other_currency} transaction(s) in other currencies not traced")
    return TraceResult(start, start_accounts, direction, parameters, currency, rows, notes)


def _walk(events: Events, start_accounts: list[str], direction: str, max_hops: int) -> pd.DataFrame:
    forward = direction == "forward"
    src, dst = (events.src, events.dst) if forward else (events.dst, events.src)
    starts = {events.code_of(a) for a in start_accounts} - {-1}
    seeds = np.array(sorted(starts), dtype="int64")
    near = reachable(src, dst, seeds, max_hops - 1)
    rows = np.flatnonzero(np.isin(src, near))
    order = processing_order(events, rows)
    if not forward:
        order.reverse()
    amounts = events.frame["amount_minor"].tolist()
    src_l, dst_l = src.tolist(), dst.tolist()
    trail: dict[int, dict[int, int]] = {}
    out_txn: list[int] = []
    out_hop: list[int] = []
    out_amount: list[int] = []
    for i in order:
        s = src_l[i]
        amount = amounts[i]
        if s in starts:
            carried = [(1, amount)]
        else:
            held = trail.get(s)
            if not held:
                continue
            carried = []
            for depth in sorted(held):
                if amount == 0:
                    break
                part = min(held[depth], amount)
                carried.append((depth + 1, part))
                amount -= part
                if part == held[depth]:
                    del held[depth]
                else:
                    held[depth] -= part
        d = dst_l[i]
        for hop, part in carried:
            out_txn.append(i)
            out_hop.append(hop)
            out_amount.append(part)
            if d >= 0 and d not in starts and hop < max_hops:
                bucket = trail.setdefault(d, {})
                bucket[hop] = bucket.get(hop, 0) + part
    frame = events.frame
    idx = np.asarray(out_txn, dtype="int64")
    result = pd.DataFrame(
        {
            "hop": np.asarray(out_hop, dtype="int64"),
            "txn_id": frame["txn_id"].to_numpy()[idx],
            "booking_date": frame["booking_date"].to_numpy()[idx],
            "from_node": frame["src_node"].to_numpy()[idx],
            "to_node": frame["dst_node"].to_numpy()[idx],
            "amount_minor": np.asarray(out_amount, dtype="int64"),
            "txn_amount_minor": frame["amount_minor"].to_numpy()[idx],
            "currency": events.currency,
        },
        columns=_ROW_COLUMNS,
    )
    result["booking_date"] = pd.to_datetime(result["booking_date"])
    result = result.sort_values(["hop", "booking_date", "txn_id"], kind="stable")
    return result.reset_index(drop=True)
