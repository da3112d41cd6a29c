"""One account's (or one holder's) money over time: the facts behind ``finflow account``.

Built from the shared :mod:`finflow.flowindex`, so it costs the account's own transactions, not a
pass over the case. Amounts stay per currency; a transfer between two accounts of the same
holder is ``own`` and counts neither as money in nor as money out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from finflow.accountid import AccountRef
from finflow.casedata import CaseData
from finflow.detect.base import Finding
from finflow.flowindex import flow_index
from finflow.money import format_minor

__all__ = ["Marker", "Timeline", "build_timeline", "monthly", "timeline_text"]


@dataclass(frozen=True)
class Marker:
    """A finding on the time axis: the span of its evidence (within the case)."""

    number: int
    detector: str
    role: str
    score: float
    summary: str
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    finding_id: str


@dataclass
class Timeline:
    ref: AccountRef
    sources: list[str]
    rows: pd.DataFrame  # one per transaction, see build_timeline
    markers: list[Marker] = field(default_factory=list)


def _text(values: pd.Series) -> pd.Series:
    out = values.astype("string").str.strip()
    return out.mask(out == "")


def _counterparty(tx: pd.DataFrame, side: str, holders: pd.Series) -> pd.Series:
    """How the other side of each transaction is named: holder/name and account, cash, country."""
    account = _text(tx[f"{side}_account"])
    name = _text(tx[f"{side}_name"])
    name = account.map(holders).astype("string").fillna(name)
    cash = "cash_deposit" if side == "from" else "cash_withdrawal"
    country = _text(tx[f"{side}_country"]) if f"{side}_country" in tx.columns else pd.Series(pd.NA, index=tx.index)
    label = (name + " (" + account + ")").fillna(name).fillna(account)
    label = label.fillna(("country " + country.astype("string")).where(country.notna()))
    label = label.where(~(account.isna() & (_text(tx["channel"]) == cash)), "cash")
    return label.fillna("(not recorded)").astype("string")


def build_timeline(data: CaseData, ref: AccountRef, findings: Sequence[Finding] = ()) -> Timeline:
    """The transactions of ``ref``'s accounts in time order, with the findings that concern them.

    ``rows`` columns: txn_id, ts, has_time, direction (in | out | own), amount_minor, currency,
    account (ours), counterparty, channel, description, source (file:row).
    """
    index = flow_index(data)
    mine = set(ref.accounts)
    tx = index.account_rows(ref.accounts)
    out_side = _text(tx["from_account"]).isin(mine).fillna(False).to_numpy(dtype=bool)
    in_side = _text(tx["to_account"]).isin(mine).fillna(False).to_numpy(dtype=bool)
    direction = pd.Series("in", index=tx.index, dtype="string")
    direction[out_side & ~in_side] = "out"
    direction[out_side & in_side] = "own"
    holders = index.lookups.holder_name
    to_cp, from_cp = _counterparty(tx, "to", holders), _counterparty(tx, "from", holders)
    rows = pd.DataFrame(
        {
            "txn_id": tx["txn_id"].astype("string"),
            "ts": tx["ts"],
            "has_time": tx["has_time"].astype(bool),
            "direction": direction,
            "amount_minor": tx["amount_minor"].astype("int64"),
            "currency": tx["currency"].astype("string"),
            "account": _text(tx["from_account"]).where(direction == "out", _text(tx["to_account"])),
            "counterparty": to_cp.where(direction != "in", from_cp),
            "channel": _text(tx["channel"]).fillna(""),
            "description": _text(tx["description"]).fillna(""),
            "source": (tx["source_file"].astype("string") + ":" + tx["source_locator"].astype("string")).fillna(""),
        }
    ).reset_index(drop=True)
    table = index.accounts
    sources = table.loc[table["account_id"].isin(mine), "sources"]
    files = sorted({s for joined in sources for s in str(joined).split("; ") if s})
    return Timeline(ref, files, rows, _markers(data, ref, findings, set(rows["txn_id"].dropna())))


def _markers(data: CaseData, ref: AccountRef, findings: Sequence[Finding], txn_ids: set[str]) -> list[Marker]:
    """Findings naming one of the accounts (or the party), or resting on one of its transactions."""
    index = flow_index(data)
    mine = set(ref.accounts)
    markers = []
    for finding in findings:
        named = [s for s in finding.subjects if (s.kind == "account" and s.id in mine) or
                 (s.kind == "party" and s.id == ref.id)]  # fmt: skip
        touches = txn_ids.intersection(finding.evidence_txn_ids)
        if not named and not touches:
            continue
        evidence = index.rows(touches or finding.evidence_txn_ids)
        first = evidence["ts"].min() if len(evidence) else None
        last = evidence["ts"].max() if len(evidence) else None
        role = named[0].role if named else "evidence"
        markers.append(Marker(len(markers) + 1, finding.detector, role, finding.score, finding.summary,
                              first, last, finding.finding_id))  # fmt: skip
    return markers


def monthly(rows: pd.DataFrame) -> pd.DataFrame:
    """Money in and out per calendar month and currency (counts and exact minor-unit totals)."""
    columns = ["month", "currency", "in_count", "in_minor", "out_count", "out_minor"]
    moving = rows[rows["direction"] != "own"]
    if moving.empty:
        return pd.DataFrame(columns=columns)
    frame = moving.assign(month=moving["ts"].dt.strftime("%Y-%m"))
    grouped = frame.groupby(["month", "currency", "direction"], sort=True)["amount_minor"].agg(["size", "sum"])
    wide = grouped.unstack("direction", fill_value=0)
    out = pd.DataFrame(index=wide.index)
    for side in ("in", "out"):
        out[f"{side}_count"] = wide[("size", side)] if ("size", side) in wide.columns else 0
        out[f"{side}_minor"] = wide[("sum", side)] if ("sum", side) in wide.columns else 0
    out = out.reset_index()
    for column in columns[2:]:
        out[column] = out[column].astype("int64")
    return out[columns]


def _table(header: list[str], lines: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    """Fixed-width columns sized to their longest cell: nothing is cut."""
    widths = [max(len(r[k]) for r in [header, *lines]) for k in range(len(header))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if k in right else c.ljust(w)
                         for k, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()  # fmt: skip

    return [fmt(header), *(fmt(r) for r in lines)]


def timeline_text(timeline: Timeline, *, limit: int | None = 100) -> str:
    """The terminal form: holder, sources, monthly in/out per currency, transactions in time order.

    Plain text; the caller cleans it for the terminal (:func:`finflow.terminal.echo`).
    """
    ref, rows = timeline.ref, timeline.rows
    accounts = ", ".join(ref.accounts)
    lines = [f"{ref.label} — {'party ' + ref.id + ', ' if ref.kind == 'party' else ''}account(s) {accounts}"]
    lines.append("sources: " + ("; ".join(timeline.sources) or "(none recorded)"))
    if len(rows):
        lines.append(f"{len(rows):,} transactions, {rows['ts'].min():%Y-%m-%d} to {rows['ts'].max():%Y-%m-%d}")
    else:
        lines.append("no transactions in this case")
    month = monthly(rows)
    if len(month):
        lines.append("")
        lines.append("monthly in / out")
        cells = [[m, c, f"{ic:,}", format_minor(im, c), f"{oc:,}", format_minor(om, c)]
                 for m, c, ic, im, oc, om in month.itertuples(index=False)]  # fmt: skip
        lines += _table(["month", "currency", "in #", "in", "out #", "out"], cells, right={2, 3, 4, 5})
    if timeline.markers:
        lines.append("")
        lines.append("findings")
        for m in timeline.markers:
            span = f"{m.first:%Y-%m-%d}..{m.last:%Y-%m-%d}" if m.first is not None else "no dated evidence"
            lines.append(f"  [{m.number}] {m.detector} ({m.role}, score {m.score:.2f}, {span}): {m.summary}")
    if len(rows):
        lines.append("")
        shown = rows if limit is None else rows.head(limit)
        cells = []
        for r in shown.itertuples(index=False):
            when = f"{r.ts:%Y-%m-%d %H:%M}" if r.has_time else f"{r.ts:%Y-%m-%d}"
            sign = {"in": "+", "out": "-", "own": "="}[r.direction]
            cells.append([when, r.direction, sign + format_minor(r.amount_minor, r.currency), str(r.counterparty),
                          r.channel, r.description])  # fmt: skip
        lines += _table(["date", "dir", "amount", "counterparty", "channel", "text"], cells, right={2})
        if len(shown) < len(rows):
            lines.append(f"... {len(rows) - len(shown):,} more transaction(s): use --all, or see the timeline HTML")
    return "\n".join(lines)
