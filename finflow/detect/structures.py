"""Structures (catalogue §1.8, §1.9): round trips, shared role-holders and addresses, fronts.

H1: a time-respecting cycle returning most of the money to its origin within a few hops and days
(FFIEC App. F "funds are moved back to the first bank"). The search is a bounded depth-first
search from candidate accounts over individual transactions, pruned by time and amount — never
an enumeration of all cycles of the case graph. I2/I3: companies sharing role-holders or a
residential business address. I1: the front-company profile of FinCEN FIN-2020-A008 (cash-heavy,
night-time business in a high-risk sector, linked to other companies).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding, Subject
from finflow.detect.common import nok
from finflow.detect.util import (
    account_info,
    account_subject,
    company_profile,
    currency_of,
    in_sector,
    light_transactions,
    month_index,
    party_subject,
)

__all__ = ["FRONT_COMPANY", "ROUND_TRIP", "SHARED_COMPANY_ADDRESS", "SHARED_ROLE_HOLDERS"]


# -- H1 ------------------------------------------------------------------------------------------
def _core(edges: pd.DataFrame) -> pd.DataFrame:
    """Drop, repeatedly, edges touching accounts that only send or only receive: cycles live in the rest."""
    while True:
        senders, receivers = set(edges["from_account"]), set(edges["to_account"])
        keep = edges["from_account"].isin(receivers) & edges["to_account"].isin(senders)
        if keep.all():
            return edges
        edges = edges[keep]


def detect_round_trips(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    moves = tx[tx["from_account"].notna() & tx["to_account"].notna() & (tx["from_account"] != tx["to_account"])]
    moves = moves[moves["amount_minor"] >= params["min_amount_minor"] * params["min_return_share"]]
    moves = moves.assign(from_account=moves["from_account"].astype(str), to_account=moves["to_account"].astype(str))
    moves = _core(moves)
    if moves.empty:
        return []
    moves = moves.sort_values(["ts", "txn_id"])
    out: dict[str, tuple[list, list, list, list]] = {}
    for src, g in moves.groupby("from_account", sort=True):
        out[src] = (g["ts"].to_list(), g["to_account"].to_list(), g["amount_minor"].to_list(), g["txn_id"].to_list())
    window = pd.Timedelta(days=int(params["max_days"]))
    max_hops, share = int(params["max_hops"]), float(params["min_return_share"])
    found: dict[tuple[str, ...], tuple[list[str], int, int]] = {}
    starts = moves[moves["amount_minor"] >= params["min_amount_minor"]]
    for origin, ts0, first, amount0, tid in starts[
        ["from_account", "ts", "to_account", "amount_minor", "txn_id"]
    ].itertuples(index=False):
        floor = share * amount0
        stack = [(first, ts0, [origin, first], [tid], amount0)]
        while stack:
            node, t, path, ids, last = stack.pop()
            if node not in out:
                continue
            times, dests, amounts, tids = out[node]
            i = bisect.bisect_left(times, t)
            while i < len(times) and times[i] - ts0 <= window:
                dest, amt = dests[i], amounts[i]
                if floor <= amt <= last * 1.05 and tids[i] not in ids:
                    if dest == origin:
                        key = tuple(sorted(path))
                        best = found.get(key)
                        if best is None or amt > best[2]:
                            found[key] = ([*ids, tids[i]], amount0, amt)
                    elif dest not in path and len(path) < max_hops:
                        stack.append((dest, times[i], [*path, dest], [*ids, tids[i]], amt))
                i += 1
    info = account_info(data)
    roles = data.company_roles[~data.company_roles["resigned"].fillna(False).astype(bool)]
    holders_of: dict[str, set[str]] = {}
    for company, holder in zip(
        roles["company_party_id"].astype(str), roles["holder_party_id"].astype(str), strict=True
    ):
        holders_of.setdefault(company, set()).add(holder)
    findings = []
    for members, (ids, sent, back) in sorted(found.items()):
        if len(ids) < params["min_hops"]:
            continue
        # H2: the people behind two or more of the companies in the cycle direct it
        companies = {info.party.get(a) for a in members} - {None}
        counts: dict[str, int] = {}
        for company in companies:
            for holder in holders_of.get(company, set()):
                counts[holder] = counts.get(holder, 0) + 1
        directors = sorted(h for h, n in counts.items() if n >= 2)
        rows = tx[tx["txn_id"].isin(ids)]
        days = (rows["ts"].max() - rows["ts"].min()).days
        cur = currency_of(rows)
        findings.append(
            Finding(
                detector="round_trip",
                subjects=[account_subject(info, a, "facilitator") for a in members]
                + [party_subject(data, h, "controller") for h in directors],
                score=min(1.0, 0.5 + 0.4 * back / sent + (0.1 if directors else 0.0)),
                summary=(
                    f"{nok(sent, cur)} went round {len(members)} accounts and "
                    f"{nok(back, cur)} ({back / sent:.0%}) came "
                    f"back to where it started within {days} days"
                    + (f"; {len(directors)} person(s) hold roles in several of these companies" if directors else "")
                ),
                parameters=dict(params),
                evidence_txn_ids=ids,
                metrics={"hops": len(ids), "returned_share": round(back / sent, 4), "days": int(days)},
                evidence_records=[
                    {"table": "company_roles", "key": {"holder_party_id": h, "company_party_id": c}}
                    for h in directors
                    for c in sorted(companies)
                    if h in holders_of.get(c, set())
                ],
            )
        )
    return findings


# -- I2 / I3 -------------------------------------------------------------------------------------
def _active_roles(data: CaseData, kinds: list[str]) -> pd.DataFrame:
    roles = data.company_roles
    return roles[~roles["resigned"].fillna(False).astype(bool) & roles["role"].isin(kinds)]


def _risky(profile: pd.DataFrame, params: Mapping[str, Any]) -> pd.Series:
    return in_sector(profile["industry_code"], params["risk_sector_prefixes"])


def detect_shared_role_holders(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    profile = company_profile(data)
    roles = _active_roles(data, params["role_kinds"])
    if roles.empty or profile.empty:
        return []
    risky = _risky(profile, params)
    active = profile[~profile["bankrupt"].fillna(False).astype(bool)]
    roles = roles[roles["company_party_id"].isin(active.index)]
    counts = roles.groupby("holder_party_id")["company_party_id"].nunique()
    findings = []
    # "young" is judged at the case's own reference date (its last transaction), never today
    dates = data.transactions["ts"] if len(data.transactions) else profile["founded"]
    cutoff = pd.Timestamp(dates.max()) - pd.DateOffset(months=int(params["young_months"]))
    for holder, n in counts[counts >= params["min_companies"]].sort_index().items():
        companies = sorted(roles.loc[roles["holder_party_id"] == holder, "company_party_id"].astype(str).unique())
        n_risky = int(risky.reindex(companies).fillna(False).sum())
        if n_risky < params["min_risky_companies"]:
            continue
        sub = profile.reindex(companies)
        young = int((sub["founded"] >= cutoff).sum())
        troubled = int(
            sub["bankrupt"].fillna(False).astype(bool).sum() + sub["in_liquidation"].fillna(False).astype(bool).sum()
        )
        if params["require_young_or_troubled"] and not (young or troubled):
            continue
        findings.append(
            Finding(
                detector="shared_role_holders",
                subjects=[party_subject(data, str(holder), "controller")]
                + [party_subject(data, c, "front") for c in companies],
                score=min(1.0, 0.35 + 0.08 * int(n) + 0.05 * n_risky + 0.1 * bool(young) + 0.1 * bool(troubled)),
                summary=(
                    f"holds board or management roles in {int(n)} active companies, {n_risky} in high-risk industries"
                    + (f", {young} founded in the last {params['young_months']} months" if young else "")
                ),
                parameters=dict(params),
                evidence_records=[
                    {"table": "company_roles", "key": {"company_party_id": c, "holder_party_id": str(holder)}}
                    for c in companies
                ],
                metrics={"companies": int(n), "risky_companies": n_risky},
            )
        )
    return findings


def _company_addresses(data: CaseData) -> tuple[pd.DataFrame, set[str]]:
    pa_ = data.party_addresses
    companies = set(data.companies["party_id"].astype(str))
    business = pa_[pa_["party_id"].isin(companies) & pa_["kind"].isin(["business"])]
    residential = set(
        pa_.loc[
            ~pa_["party_id"].isin(companies) & pa_["kind"].fillna("residence").eq("residence"), "address_id"
        ].astype(str)
    )
    return business, residential


def detect_shared_company_address(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    business, residential = _company_addresses(data)
    if business.empty:
        return []
    counts = business.groupby("address_id")["party_id"].nunique()
    names = data.addresses.drop_duplicates("address_id").set_index("address_id")["normalized"]
    findings = []
    for address, n in counts[counts >= params["min_companies_at_address"]].sort_index().items():
        if params["require_residential"] and str(address) not in residential:
            continue
        companies = sorted(business.loc[business["address_id"] == address, "party_id"].astype(str).unique())
        label = names.get(address)
        findings.append(
            Finding(
                detector="shared_company_address",
                subjects=[Subject("address", str(address), "unknown", label if isinstance(label, str) else None)]
                + [party_subject(data, c, "front") for c in companies],
                score=min(1.0, 0.4 + 0.05 * int(n)),
                summary=f"{int(n)} companies have their business address at the residential address {label or address}",
                parameters=dict(params),
                evidence_records=[
                    {"table": "party_addresses", "key": {"party_id": c, "address_id": str(address)}} for c in companies
                ],
                metrics={"companies": int(n)},
            )
        )
    return findings


# -- I1 ------------------------------------------------------------------------------------------
def detect_front_companies(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    profile = company_profile(data)
    if profile.empty:
        return []
    tx = light_transactions(data)
    info = account_info(data)
    risky = in_sector(profile["industry_code"], params["front_sector_prefixes"])
    roles = _active_roles(data, params["role_kinds"])
    role_counts = roles.groupby("holder_party_id")["company_party_id"].nunique()
    business, residential = _company_addresses(data)
    findings = []
    risky_companies = sorted(profile.index[risky.to_numpy()].astype(str))
    owner = {a: c for c in risky_companies for a in info.accounts_of(c)}
    incoming = tx[tx["to_account"].isin(list(owner))]
    if incoming.empty:
        return []
    start, end = params["night_hours"]
    hours = incoming["booking_time"].astype("string")
    cash_mask = (incoming["channel"] == "cash_deposit").to_numpy(dtype=bool)
    timed_mask = incoming["has_time"].to_numpy(dtype=bool)
    stats = (
        pd.DataFrame(
            {
                "company": incoming["to_account"].map(owner).to_numpy(),
                "amount": incoming["amount_minor"].to_numpy(),
                "cash": np.where(cash_mask, incoming["amount_minor"].to_numpy(), 0),
                "timed": timed_mask,
                "night": timed_mask & ((hours >= start) | (hours < end)).fillna(False).to_numpy(dtype=bool),
                "month": month_index(incoming["ts"]),
            }
        )
        .groupby("company")
        .agg(
            amount=("amount", "sum"),
            cash=("cash", "sum"),
            timed=("timed", "sum"),
            night=("night", "sum"),
            months=("month", "nunique"),
        )
    )
    held = roles.groupby("company_party_id")["holder_party_id"].agg(list)
    home_based = set(business.loc[business["address_id"].astype(str).isin(residential), "party_id"].astype(str))
    cash_rows = incoming[cash_mask]
    currency = currency_of(incoming)  # one currency per run: read once, not once per company
    for company, st in stats.iterrows():
        accounts = info.accounts_of(company)
        cash_share = float(st["cash"] / max(1, st["amount"]))
        night = float(st["night"] / st["timed"]) if st["timed"] else 0.0
        employees = profile.loc[company, "employees"]
        head_count = max(1, 0 if pd.isna(employees) else int(employees))
        per_employee = float(st["cash"]) / max(1, int(st["months"])) / head_count
        linked = any(role_counts.get(h, 0) >= 2 for h in held.get(company, [])) or company in home_based
        timed = int(st["timed"])
        cash = cash_rows[cash_rows["to_account"].isin(accounts)] if st["cash"] else cash_rows.iloc[0:0]
        signs = {
            f"cash {cash_share:.0%} of credits": cash_share >= params["min_cash_share"],
            f"{night:.0%} of timed credits at night": timed >= params["min_timed"]
            and night >= params["min_night_share"],
            f"cash {nok(per_employee, currency)} a month per registered employee": per_employee
            >= params["max_cash_per_employee_minor"],
            "shares role-holders or a residential address with other companies": linked,
        }
        met = [k for k, v in signs.items() if v]
        if len(met) < params["min_signs"]:
            continue
        code = profile.loc[company, "industry_code"]
        findings.append(
            Finding(
                detector="front_company",
                subjects=[party_subject(data, company, "front")]
                + [account_subject(info, a, "front") for a in accounts],
                score=min(1.0, 0.4 + 0.15 * len(met)),
                summary=f"industry {code}: " + "; ".join(met),
                parameters=dict(params),
                evidence_txn_ids=cash.sort_values(["amount_minor", "txn_id"], ascending=[False, True])["txn_id"]
                .head(params["max_evidence"])
                .astype(str)
                .tolist(),
                evidence_records=[{"table": "companies", "key": {"party_id": company}}],
                metrics={"signs": len(met), "cash_share": round(cash_share, 4), "night_share": round(night, 4)},
            )
        )
    return findings


ROUND_TRIP = Detector(
    name="round_trip",
    title="Round trip (H1)",
    description=(
        "Money leaves an account and, passing through at most a few others within a month, most of it comes "
        "back to where it started — moving money to make it look like business."
    ),
    run=detect_round_trips,
)
SHARED_ROLE_HOLDERS = Detector(
    name="shared_role_holders",
    title="Companies sharing role-holders (I2)",
    description="One person manages or sits on the board of several active companies in high-risk industries.",
    run=detect_shared_role_holders,
    config_section="companies",
    per_currency=False,
)
SHARED_COMPANY_ADDRESS = Detector(
    name="shared_company_address",
    title="Companies at one residential address (I3)",
    description="Several companies are registered at an address where people live.",
    run=detect_shared_company_address,
    config_section="companies",
    per_currency=False,
)
FRONT_COMPANY = Detector(
    name="front_company",
    title="Front-company profile (I1)",
    description=(
        "A business in a high-risk industry (massage, beauty, bars, cleaning, construction …) with at least "
        "two warning signs: mostly cash, night-time takings, more cash than its size explains, links to "
        "other companies through managers or a home address."
    ),
    run=detect_front_companies,
    config_section="companies",
)
