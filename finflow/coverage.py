"""Statement coverage: which periods of each account the case holds statements for.

For every account with a statement in the case: its holder and bank, the source files, the
dates covered (the union of its statements' periods), the gaps (no statement between the first
and last covered date, and before or after the case period), statements that overlap, and
balance continuity where balances are given: each statement's opening + in − out must equal its
closing, and each statement's opening the closing of the one before it, per currency, in integer
minor units. A break is reported with the amounts, never smoothed over.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from finflow.banks import bank_of
from finflow.casedata import CaseData
from finflow.money import format_minor
from finflow.safecsv import write_csv

__all__ = [
    "BREAK_COLUMNS",
    "COVERAGE_COLUMNS",
    "GAP_COLUMNS",
    "Coverage",
    "case_period",
    "compute_coverage",
    "write_coverage",
]

COVERAGE_COLUMNS = [
    "account", "holder", "bank", "bank_code", "country", "sources", "statements", "first_date", "last_date",
    "covered", "covered_days", "gaps", "gap_days", "overlaps", "balance_checks", "balance_breaks",
]  # fmt: skip
GAP_COLUMNS = ["account", "gap_start", "gap_end", "days", "where", "balance_across"]
BREAK_COLUMNS = [
    "account", "currency", "kind", "date", "statement", "previous_statement", "expected_minor", "found_minor",
    "difference_minor", "explanation",
]  # fmt: skip
OVERLAP_COLUMNS = ["account", "statement", "other_statement", "overlap_start", "overlap_end"]


@dataclass
class Coverage:
    """Per-account coverage and the gap, overlap and balance-break lists behind it."""

    period: tuple[dt.date, dt.date] | None
    accounts: pd.DataFrame
    gaps: pd.DataFrame
    overlaps: pd.DataFrame
    breaks: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def case_period(data: CaseData) -> tuple[dt.date, dt.date] | None:
    """First and last booking date of the case's transactions (None for a case without any)."""
    if data.transactions.empty:
        return None
    dates = pd.to_datetime(data.transactions["booking_date"])
    return dates.min().date(), dates.max().date()


def _day(value: object) -> dt.date:
    return pd.Timestamp(value).date()


def _label(row: pd.Series) -> str:
    ref = row["statement_ref"]
    place = f"{row['source_file']}:{row['source_locator']}"
    return f"{ref} ({place})" if isinstance(ref, str) and ref else place


def _union(periods: list[tuple[dt.date, dt.date]]) -> list[list[dt.date]]:
    merged: list[list[dt.date]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _money(value: int, currency: str) -> str:
    return format_minor(int(value), currency) if currency else str(value)


def _balance_checks(account: str, rows: pd.DataFrame) -> tuple[int, list[dict], dict[tuple, str]]:
    """Checks made, breaks found, and for each pair of consecutive statements whether balances chain."""
    checks, breaks, chain = 0, [], {}
    for currency, group in rows.groupby(rows["currency"].fillna(""), sort=True):
        group = group.sort_values(["period_start", "period_end", "statement_id"])
        previous = None
        for _, row in group.iterrows():
            opening, closing = row["opening_minor"], row["closing_minor"]
            have = pd.notna(opening) and pd.notna(closing)
            if have and pd.notna(row["credits_minor"]) and pd.notna(row["debits_minor"]):
                checks += 1
                expected = int(opening) + int(row["credits_minor"]) - int(row["debits_minor"])
                if expected != int(closing):
                    breaks.append({
                        "account": account, "currency": currency, "kind": "within statement",
                        "date": _day(row["period_end"]).isoformat(), "statement": _label(row), "previous_statement": "",
                        "expected_minor": expected, "found_minor": int(closing),
                        "difference_minor": int(closing) - expected,
                        "explanation": f"opening {_money(opening, currency)} + in "
                        f"{_money(row['credits_minor'], currency)} - out {_money(row['debits_minor'], currency)} = "
                        f"{_money(expected, currency)}, "
                        f"but the closing balance is {_money(closing, currency)}",
                    })  # fmt: skip
            if previous is not None and pd.notna(previous["closing_minor"]) and pd.notna(opening):
                checks += 1
                key = (_day(previous["period_end"]), _day(row["period_start"]))
                if int(previous["closing_minor"]) != int(opening):
                    chain[key] = "break"
                    breaks.append({
                        "account": account, "currency": currency, "kind": "between statements",
                        "date": _day(row["period_start"]).isoformat(), "statement": _label(row),
                        "previous_statement": _label(previous), "expected_minor": int(previous["closing_minor"]),
                        "found_minor": int(opening), "difference_minor": int(opening) - int(previous["closing_minor"]),
                        "explanation": f"closing balance {_money(previous['closing_minor'], currency)} on "
                        f"{_day(previous['period_end'])}, but the next statement opens with "
                        f"{_money(opening, currency)} on {_day(row['period_start'])}",
                    })  # fmt: skip
                else:
                    chain.setdefault(key, "continuous")
            previous = row
    return checks, breaks, chain


def _account_coverage(account: str, rows: pd.DataFrame, period: tuple[dt.date, dt.date] | None) -> dict:
    periods = [(_day(s), _day(e)) for s, e in zip(rows["period_start"], rows["period_end"], strict=True)]
    covered = _union(periods)
    checks, breaks, chain = _balance_checks(account, rows)
    gaps = []

    def across(before: dt.date, after: dt.date) -> str:
        found = {v for (end, start), v in chain.items() if end <= before and start >= after}
        return "break" if "break" in found else ("continuous" if found else "unknown")

    if period and covered[0][0] > period[0]:
        gaps.append((period[0], covered[0][0] - dt.timedelta(days=1), "before first statement", "unknown"))
    for (_, end), (start, _) in itertools.pairwise(covered):
        day = dt.timedelta(days=1)
        gaps.append((end + day, start - day, "between statements", across(end, start)))
    if period and covered[-1][1] < period[1]:
        gaps.append((covered[-1][1] + dt.timedelta(days=1), period[1], "after last statement", "unknown"))
    ordered = rows.sort_values(["period_start", "period_end", "statement_id"]).reset_index(drop=True)
    overlaps = []
    for i in range(len(ordered)):
        for j in range(i + 1, len(ordered)):
            a, b = ordered.iloc[i], ordered.iloc[j]
            if _day(b["period_start"]) > _day(a["period_end"]):
                break
            overlaps.append({
                "account": account, "statement": _label(a), "other_statement": _label(b),
                "overlap_start": _day(b["period_start"]).isoformat(),
                "overlap_end": min(_day(a["period_end"]), _day(b["period_end"])).isoformat(),
            })  # fmt: skip
    return {"covered": covered, "gaps": gaps, "overlaps": overlaps, "breaks": breaks, "checks": checks}


def compute_coverage(data: CaseData, period: tuple[dt.date, dt.date] | None = None) -> Coverage:
    """Coverage of every account with a statement; ``period`` defaults to :func:`case_period`."""
    period = period or case_period(data)
    statements = data.statements
    accounts = data.accounts.drop_duplicates("account_id").set_index("account_id") if len(data.accounts) else None
    rows, gaps, overlaps, breaks = [], [], [], []
    for account, group in statements.groupby("account_id", sort=True):
        account = str(account)
        info = _account_coverage(account, group, period)
        holder, scheme = "", "other"
        if accounts is not None and account in accounts.index:
            holder = accounts.at[account, "holder_name"]
            holder = "" if pd.isna(holder) else str(holder)
            scheme = str(accounts.at[account, "scheme"])
        bank = bank_of(account, scheme)
        covered = info["covered"]
        gap_days = sum((end - start).days + 1 for start, end, _, _ in info["gaps"])
        rows.append({
            "account": account, "holder": holder, "bank": bank.bank, "bank_code": bank.bank_code,
            "country": bank.country, "sources": "; ".join(sorted(set(group["source_file"].astype(str)))),
            "statements": len(group), "first_date": covered[0][0].isoformat(), "last_date": covered[-1][1].isoformat(),
            "covered": "; ".join(f"{s.isoformat()}..{e.isoformat()}" for s, e in covered),
            "covered_days": sum((e - s).days + 1 for s, e in covered), "gaps": len(info["gaps"]), "gap_days": gap_days,
            "overlaps": len(info["overlaps"]), "balance_checks": info["checks"], "balance_breaks": len(info["breaks"]),
        })  # fmt: skip
        gaps += [
            {"account": account, "gap_start": s.isoformat(), "gap_end": e.isoformat(), "days": (e - s).days + 1,
             "where": where, "balance_across": bal}
            for s, e, where, bal in info["gaps"]
        ]  # fmt: skip
        overlaps += info["overlaps"]
        breaks += info["breaks"]
    notes = []
    if statements.empty:
        notes.append("The case holds no bank statement (camt.053 or bank CSV export): nothing to cover.")
    return Coverage(
        period,
        pd.DataFrame(rows, columns=COVERAGE_COLUMNS),
        pd.DataFrame(gaps, columns=GAP_COLUMNS),
        pd.DataFrame(overlaps, columns=OVERLAP_COLUMNS),
        pd.DataFrame(breaks, columns=BREAK_COLUMNS),
        notes,
    )


def write_coverage(coverage: Coverage, out_dir: str | Path) -> dict[str, Path]:
    """``coverage.csv``, ``coverage_gaps.csv``, ``coverage_overlaps.csv``, ``balance_breaks.csv``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "coverage.csv": coverage.accounts, "coverage_gaps.csv": coverage.gaps,
        "coverage_overlaps.csv": coverage.overlaps, "balance_breaks.csv": coverage.breaks,
    }  # fmt: skip
    for name, frame in files.items():
        write_csv(out / name, frame)
    return {name: out / name for name in files}
