"""The next data requests: accounts the case sees only as counterparties, worth a production order.

An account with no statement of its own in the case, which exchanged money with accounts the
detectors flagged, is a candidate. Candidates are ranked by the money they exchanged with
flagged accounts (in the case's main currency; other currencies are shown, never added) and by
how many flagged accounts they dealt with (settings: ``requests`` in finflow/data/config.yaml),
grouped by the bank that keeps them (finflow.banks), each with the months to request and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from finflow.analysis import ROLE_WORDS, Analysis
from finflow.banks import bank_of, bank_register
from finflow.detect.util import AccountInfo
from finflow.money import format_minor, main_currency
from finflow.safecsv import write_csv

__all__ = ["REQUEST_COLUMNS", "Requests", "compute_requests", "write_requests"]

REQUEST_COLUMNS = [
    "rank", "bank_label", "bank", "bic", "bank_code", "country", "account", "holder", "score", "flagged_links",
    "networks", "currency", "exchanged_minor", "received_minor", "sent_minor", "other_currencies",
    "period_start", "period_end", "reason",
]  # fmt: skip


@dataclass
class Requests:
    """Ranked requests and the lines that introduce them (bank register and its date, counts)."""

    table: pd.DataFrame
    intro: list[str] = field(default_factory=list)


def _roles_text(accounts: list[str], analysis: Analysis, info: AccountInfo) -> str:
    counts: dict[str, int] = {}
    for account in accounts:
        word = ROLE_WORDS.get(analysis.role_of(account), "flagged account")
        counts[word] = counts.get(word, 0) + 1
    parts = []
    for word, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        names = [info.label(a) for a in accounts if ROLE_WORDS.get(analysis.role_of(a), "flagged account") == word]
        named = [n_ for n_ in names if n_][:2]
        plural = word if n == 1 else (word + "es" if word.endswith("s") else word + "s")
        parts.append(f"{n} {plural}" + (f" ({', '.join(named)})" if named else ""))
    return " and ".join(parts)


def _months(dates: pd.Series) -> tuple[str, str, str]:
    first, last = pd.Timestamp(dates.min()), pd.Timestamp(dates.max())
    start = first.to_period("M").start_time.date()
    end = last.to_period("M").end_time.date()
    return start.isoformat(), end.isoformat(), f"{first:%Y-%m} to {last:%Y-%m}"


def _best_candidates(sides: pd.DataFrame, currency: str, settings: dict[str, Any]) -> pd.Series:
    """Score of the ``max_requests`` best candidates, by account, computed over every candidate.

    The score compares each candidate with the largest money and link count of all candidates, so
    it is computed for all of them at once; the reasons (text) are then written for the best only.
    """
    links = sides.assign(flagged=sides["flagged"].astype(str)).groupby("account")["flagged"].nunique()
    links = links[links >= int(settings.get("min_flagged_links", 1))]
    main = sides[(sides["currency"] == currency).fillna(False).to_numpy(dtype=bool)]
    exchanged = main.groupby("account")["amount_minor"].sum().reindex(links.index, fill_value=0).astype("int64")
    if links.empty:
        return pd.Series(dtype=float)
    most_money = max(int(exchanged.max()), 1)
    most_links = max(int(links.max()), 1)
    score = (
        float(settings.get("amount_weight", 0.5)) * exchanged / most_money
        + float(settings.get("links_weight", 0.5)) * links / most_links
    ).round(4)
    accounts = links.index.astype(str)
    order = pd.DataFrame({"score": score.to_numpy(), "exchanged": exchanged.to_numpy(), "account": accounts})
    order = order.sort_values(["score", "exchanged", "account"], ascending=[False, False, True], kind="stable")
    best = order.head(int(settings.get("max_requests", 200)))
    return pd.Series(best["score"].to_numpy(dtype=float), index=best["account"].to_numpy(dtype=object))


def compute_requests(analysis: Analysis, config: dict[str, Any] | None = None) -> Requests:
    """Candidates for production orders, best first, grouped by bank."""
    settings = (config if config is not None else analysis.config).get("requests", {})
    data = analysis.data
    with_statement = set(data.statements["account_id"].astype(str))
    flagged = set(analysis.flagged)
    tx = data.transactions
    frm, to = tx["from_account"].astype("string"), tx["to_account"].astype("string")
    sides = pd.concat([
        pd.DataFrame({"account": to, "flagged": frm, "direction": "received"}),
        pd.DataFrame({"account": frm, "flagged": to, "direction": "sent"}),
    ])  # fmt: skip
    base = pd.concat([tx[["amount_minor", "currency", "booking_date"]]] * 2)
    sides = pd.concat([sides.reset_index(drop=True), base.reset_index(drop=True)], axis=1)
    keep = sides["flagged"].isin(flagged) & sides["account"].notna() & (sides["account"] != sides["flagged"])
    keep &= ~sides["account"].isin(with_statement)
    sides = sides[keep.fillna(False).to_numpy(dtype=bool)]
    intro = [
        bank_register().sentence,
        f"{len(with_statement)} account(s) have a statement in the case and are never listed here.",
    ]
    if sides.empty:
        intro.append("No account without a statement exchanged money with a flagged account.")
        return Requests(pd.DataFrame(columns=REQUEST_COLUMNS), intro)
    currency = main_currency(data.transactions["currency"])
    info = AccountInfo(data)
    schemes = data.accounts.drop_duplicates("account_id").set_index("account_id")["scheme"].astype(str)
    member_of: dict[str, list[int]] = {}
    for number, network in enumerate(analysis.networks, start=1):
        for account in network.members:
            member_of.setdefault(account, []).append(number)
    chosen = _best_candidates(sides, currency, settings)
    if chosen.empty:
        intro.append("No account without a statement exchanged money with enough flagged accounts.")
        return Requests(pd.DataFrame(columns=REQUEST_COLUMNS), intro)
    sides = sides[sides["account"].isin(chosen.index).fillna(False).to_numpy(dtype=bool)]
    rows = []
    for account, group in sides.groupby("account", sort=True):
        account = str(account)
        links = sorted(set(group["flagged"].astype(str)))
        main = group[group["currency"] == currency]
        received = int(main.loc[main["direction"] == "received", "amount_minor"].sum())
        sent = int(main.loc[main["direction"] == "sent", "amount_minor"].sum())
        others = group[group["currency"] != currency].groupby("currency")["amount_minor"].sum()
        start, end, months = _months(group["booking_date"])
        bank = bank_of(account, schemes.get(account, "other"))
        said = []
        for direction, word in (("received", "from"), ("sent", "to")):
            part = group[group["direction"] == direction]
            if part.empty:
                continue
            amounts = part.groupby("currency")["amount_minor"].sum()
            money = ", ".join(format_minor(int(v), str(c)) for c, v in amounts.sort_index().items())
            who = _roles_text(sorted(set(part["flagged"].astype(str))), analysis, info)
            said.append(f"{direction} {money} {word} {who}")
        networks = member_of.get(account, [])
        reason = "; ".join(said) + f", {months}"
        if account in flagged:
            word = ROLE_WORDS.get(analysis.role_of(account), "flagged account")
            reason = f"itself named in {len(analysis.flagged[account])} finding(s) ({word}); " + reason
        if networks:
            reason += f"; in network(s) {', '.join(str(n) for n in networks)}"
        rows.append({
            "bank_label": bank.label, "bank": bank.bank, "bic": bank.bic, "bank_code": bank.bank_code,
            "country": bank.country, "account": account, "holder": info.label(account) or "",
            "flagged_links": len(links),
            "networks": ",".join(str(n) for n in networks), "currency": currency,
            "exchanged_minor": received + sent, "received_minor": received, "sent_minor": sent,
            "other_currencies": "; ".join(f"{format_minor(int(v), str(c))}" for c, v in others.sort_index().items()),
            "period_start": start, "period_end": end, "reason": reason,
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["score"] = frame["account"].map(chosen).astype(float)
    frame = frame.sort_values(["score", "exchanged_minor", "account"], ascending=[False, False, True], kind="stable")
    frame = frame.reset_index(drop=True)
    frame["rank"] = range(1, len(frame) + 1)
    best = frame.groupby("bank_label")["rank"].min()
    frame["_group"] = frame["bank_label"].map(best)
    frame = frame.sort_values(["_group", "rank"], kind="stable").drop(columns="_group").reset_index(drop=True)
    intro.append(f"{len(frame)} account(s) to request from {frame['bank_label'].nunique()} bank(s).")
    return Requests(frame[REQUEST_COLUMNS], intro)


def write_requests(requests: Requests, out_dir: str | Path) -> Path:
    """``requests.csv`` (through finflow.safecsv)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "requests.csv", requests.table)
    return out / "requests.csv"
