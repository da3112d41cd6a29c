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


def _column(tx: pd.DataFrame, column: str) -> list[str | None]:
    """A text column as Python strings, blanks and nulls as ``None`` (one account's rows are few:
    plain Python is faster here than pandas on Arrow strings)."""
    if column not in tx.columns:
        return [None] * len(tx)
    values = tx[column].astype(object).where(tx[column].notna(), None).tolist()
    return [v.strip() or None if isinstance(v, str) else (None if v is None else str(v)) for v in values]


def _label(account: str | None, name: str | None, country: str | None, channel: str | None, cash: str) -> str:
    """How the other side of a transaction is named: holder/name and account, cash, country."""
    if account is None and channel == cash:
        return "cash"
    if name and account:
        return f"{name} ({account})"
    if name or account:
        return str(name or account)
    return f"country {country}" if country else "(not recorded)"


def build_timeline(data: CaseData, ref: AccountRef, findings: Sequence[Finding] = ()) -> Timeline:
    """The transactions of ``ref``'s accounts in time order, with the findings that concern them.

    ``rows`` columns: txn_id, ts, has_time, direction (in | out | own), amount_minor, currency,
    account (ours), counterparty, channel, description, source (file:row).
    """
    index = flow_index(data)
    mine = set(ref.accounts)
    names = ("from_account", "to_account", "from_name", "to_name", "from_country", "to_country", "channel",
             "description", "source_file", "source_locator")  # fmt: skip
    present = [c for c in names if c in data.transactions.columns]
    tx = index.account_rows(ref.accounts, [*present, "has_time", "amount_minor", "currency"])
    holders = index.memo(("holder names",), lambda: index.lookups.holder_name.to_dict())
    cols = {c: _column(tx, c) for c in names}
    direction, account, counterparty = [], [], []
    for i in range(len(tx)):
        src, dst = cols["from_account"][i], cols["to_account"][i]
        out = src in mine
        way = ("own" if dst in mine else "out") if out else "in"
        side = "to" if way != "in" else "from"
        other = cols[f"{side}_account"][i]
        name = holders.get(other) if other else None
        channel = cols["channel"][i]
        direction.append(way)
        account.append(src if way == "out" else dst)
        counterparty.append(_label(other, name or cols[f"{side}_name"][i], cols[f"{side}_country"][i], channel,
                                   "cash_deposit" if side == "from" else "cash_withdrawal"))  # fmt: skip
    sources = [f"{f}:{loc}" if f else "" for f, loc in zip(cols["source_file"], cols["source_locator"], strict=True)]
    rows = pd.DataFrame(
        {
            "txn_id": tx["txn_id"].astype(str).to_numpy(dtype=object),
            "ts": tx["ts"].to_numpy(),
            "has_time": tx["has_time"].to_numpy(dtype=bool),
            "direction": direction,
            "amount_minor": tx["amount_minor"].to_numpy(dtype="int64"),
            "currency": tx["currency"].astype(str).to_numpy(dtype=object),
            "account": account,
            "counterparty": counterparty,
            "channel": [c or "" for c in cols["channel"]],
            "description": [d or "" for d in cols["description"]],
            "source": sources,
        }
    )
    table = index.accounts
    files = sorted({s for joined in table.loc[table["account_id"].isin(mine), "sources"]
                    for s in str(joined).split("; ") if s})  # fmt: skip
    return Timeline(ref, files, rows, _markers(data, ref, findings, set(rows["txn_id"])))


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
    totals: dict[tuple[str, str], list[int]] = {}
    months = [f"{t:%Y-%m}" for t in pd.DatetimeIndex(rows["ts"])]
    for month, currency, way, amount in zip(
        months, rows["currency"].tolist(), rows["direction"].tolist(), rows["amount_minor"].tolist(), strict=True
    ):
        if way == "own":
            continue
        cell = totals.setdefault((month, str(currency)), [0, 0, 0, 0])
        k = 0 if way == "in" else 2
        cell[k] += 1
        cell[k + 1] += int(amount)
    out = pd.DataFrame([[m, c, *v] for (m, c), v in sorted(totals.items())], columns=columns)
    for column in columns[2:]:
        out[column] = out[column].astype("int64")
    return out


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
