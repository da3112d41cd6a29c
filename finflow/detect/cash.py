"""Pass-through and cash (catalogue §1.4, §1.5, §1.10): conduits, cash-fed accounts, begging.

D1: money out within hours of coming in, again and again, to few destinations (FATF–APG 2018
"rapid in/out transactions"; FinCEN FIN-2020-A008 funnel accounts). E1: accounts fed by cash with
no ordinary income, or cash deposits just under the Norwegian thresholds (FIN-2020-A008 "frequent
cash deposits with no ACH payments"; FFIEC App. F). J2: frequent small cash deposits by persons
without income, passed to an organiser or abroad (forced begging; US TIP report, Europol 2016).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding
from finflow.detect.common import fifo_forwarded, money_total, nok
from finflow.detect.labour import salary_credits
from finflow.detect.util import (
    account_codes,
    account_info,
    account_subject,
    case_cache,
    currency_of,
    evidence,
    group_sum,
    in_order,
    light_transactions,
    month_index,
    split_rows,
)

__all__ = ["BEGGING", "CASH_FED", "PASS_THROUGH"]


def _monthly(data: CaseData, salary_pattern: str) -> pd.DataFrame:
    """Per (account, month): credits, cash deposits (count, value, median), salary credits.

    Built once per case and pattern: ``cash_fed`` and ``begging`` both read it (and only read it).
    """
    cache = case_cache(data)
    key = ("monthly cash", salary_pattern)
    if key not in cache:
        cache[key] = _monthly_table(light_transactions(data), salary_pattern)
    return cache[key]


def _monthly_table(tx: pd.DataFrame, salary_pattern: str) -> pd.DataFrame:
    cred = tx[tx["to_account"].notna()]
    cred = cred.assign(acc=cred["to_account"].astype(str), month=month_index(cred["ts"]),
                       cash=(cred["channel"] == "cash_deposit").to_numpy(dtype=bool))  # fmt: skip
    sal_ids = set(salary_credits(tx, salary_pattern)["txn_id"])
    cred["salary"] = cred["txn_id"].isin(sal_ids).to_numpy(dtype=bool)
    g = cred.groupby(["acc", "month"])
    per = g.agg(credits=("amount_minor", "sum"), salary=("salary", "sum"))
    cash = cred[cred["cash"]].groupby(["acc", "month"])["amount_minor"].agg(["size", "sum", "median"])
    per = per.join(cash.rename(columns={"size": "cash_n", "sum": "cash_value", "median": "cash_median"}))
    return per.fillna({"cash_n": 0, "cash_value": 0})


def detect_cash_fed(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    if tx.empty:
        return []
    per = _monthly(data, params["salary_pattern"])
    fed = per[(per["cash_n"] >= params["min_cash_deposits"]) & (per["salary"] == 0)
              & (per["cash_value"] >= params["min_cash_share"] * per["credits"])]  # fmt: skip
    # structuring: ≥ N deposits in 7 days inside [band·X, X) for a threshold X
    cash = tx[(tx["channel"] == "cash_deposit") & tx["to_account"].notna()]
    cash = cash.assign(acc=cash["to_account"].astype(str), day=(cash["ts"] - pd.Timestamp("2000-01-01")).dt.days)
    near = np.zeros(len(cash), dtype=bool)
    for x in params["thresholds_minor"]:
        near |= (cash["amount_minor"].to_numpy() >= params["near_threshold_band"] * x) & (
            cash["amount_minor"].to_numpy() < x
        )
    structured: dict[str, pd.DataFrame] = {}
    for acc, g in cash[near].sort_values(["ts", "txn_id"]).groupby("acc"):
        days = g["day"].to_numpy()
        counts = np.searchsorted(days, days + params["structuring_days"], side="left") - np.arange(len(days))
        if counts.max() >= params["min_structured_deposits"]:
            start = int(np.argmax(counts))
            structured[acc] = g.iloc[start : start + int(counts[start])]
    info = account_info(data)
    findings = []
    fed_accounts = set(fed.index.get_level_values(0))
    cash = cash.assign(month=month_index(cash["ts"]))
    cash_by = split_rows(cash[cash["acc"].isin(fed_accounts)], "acc")
    for acc in sorted(fed_accounts | set(structured)):
        months = fed.loc[acc] if acc in fed_accounts else fed.iloc[0:0]
        parts, ids, score = [], [], 0.0
        if len(months):
            share = float(months["cash_value"].sum() / months["credits"].sum())
            parts.append(
                f"{int(months['cash_n'].sum())} cash deposits ({share:.0%} of credits) and no salary "
                f"in {len(months)} month(s)"
            )
            mine = cash_by[acc]
            rows = mine[mine["month"].isin(months.index.to_numpy())]
            ids += evidence(rows, params["max_evidence"])
            score = 0.35 + 0.05 * len(months) + 0.2 * share
        if acc in structured:
            rows = structured[acc]
            parts.append(
                f"{len(rows)} cash deposits within {params['structuring_days']} days just below a reporting threshold"
            )
            ids += rows["txn_id"].astype(str).tolist()
            score = max(score, 0.5) + 0.2
        role = "front" if info.kind.get(acc) == "company" else "unknown"
        findings.append(
            Finding(
                detector="cash_fed",
                subjects=[account_subject(info, acc, role)],
                score=min(1.0, score),
                summary="; ".join(parts),
                parameters=dict(params),
                evidence_txn_ids=ids,
                metrics={"cash_months": len(months), "structured": acc in structured},
            )
        )
    return findings


def detect_pass_through(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    if tx.empty:
        return []
    # per account, on integer codes: inflow, credits, outflow on the out channels, destinations
    from_code, to_code, accounts = account_codes(data)
    n = len(accounts)
    amount = tx["amount_minor"].to_numpy(dtype=np.int64)
    is_move = (from_code >= 0) & tx["channel"].isin(params["out_channels"]).to_numpy(dtype=bool)
    inflow = group_sum(to_code, amount, n)
    n_in = np.bincount(to_code[to_code >= 0], minlength=n)
    outflow = group_sum(from_code[is_move], amount[is_move], n)
    n_out = np.bincount(from_code[is_move], minlength=n)
    to_dest = is_move & (to_code >= 0)
    pairs = np.unique(from_code[to_dest].astype(np.int64) * max(1, n) + to_code[to_dest])
    dests = np.bincount(pairs // max(1, n), minlength=n)
    ok = (n_in > 0) & (n_out > 0)  # accounts with both credits and moves, as an inner join
    ok &= outflow >= params["min_forward_share"] * inflow
    ok &= (n_in >= params["min_cycles"]) & (inflow >= params["min_inflow_minor"])
    ok &= dests <= params["max_destinations"]
    cand = pd.DataFrame({"dests": dests[ok]}, index=accounts[np.flatnonzero(ok)].astype(str))
    chosen = np.zeros(n + 1, dtype=bool)  # position n stands for "no account" (code -1)
    chosen[np.flatnonzero(ok)] = True
    cred = tx[chosen[to_code]].assign(acc=lambda f: f["to_account"].astype(str))
    moves = tx[chosen[from_code] & is_move]
    moves = moves.assign(acc=moves["from_account"].astype(str))
    info = account_info(data)
    within = np.timedelta64(int(params["forward_hours"]), "h")
    findings = []
    # each candidate's rows in time order, split out of one sort
    in_by = split_rows(in_order(data, cred), "acc")
    out_by = split_rows(in_order(data, moves), "acc")
    conduits: dict[str, tuple[float, int, pd.DataFrame, pd.DataFrame]] = {}
    next_hop: dict[str, str | None] = {}
    for acc in sorted(cand.index):
        c = in_by[acc]
        d = out_by[acc]
        fwd, out_t = fifo_forwarded(c["ts"].to_numpy(), c["amount_minor"].to_numpy(), d["ts"].to_numpy(),
                                    d["amount_minor"].to_numpy(), within, newest_first=True)  # fmt: skip
        share = fwd.sum() / max(1, c["amount_minor"].sum())
        cycles = int((fwd >= 0.9 * c["amount_minor"].to_numpy()).sum())
        if share >= params["min_forward_share"] and cycles >= params["min_cycles"]:
            conduits[acc] = (float(share), cycles, c, pd.concat([c[fwd > 0], d[out_t > 0]]))
            next_hop[acc] = _main_counterparty(d, "to_account")
    for acc, (share, cycles, c, rows) in conduits.items():
        # the start of a chain: one account that is not itself a conduit supplies most of the money
        feeders = c[c["from_account"].notna()].groupby("from_account")["amount_minor"].sum()
        top = str(feeders.idxmax()) if len(feeders) else None
        supplies_most = len(feeders) and feeders.max() >= params["min_feeder_share"] * c["amount_minor"].sum()
        origin = top if supplies_most and top not in conduits else None
        # a conduit fed from outside the chain that passes on into another conduit is where money
        # enters the chain: the front of it, not one more mule
        enters_chain = next_hop[acc] in conduits and top not in conduits
        subjects = [account_subject(info, acc, "front" if enters_chain else "facilitator")]
        if origin is not None:
            subjects.append(account_subject(info, origin, "controller"))
        findings.append(
            Finding(
                detector="pass_through",
                subjects=subjects,
                score=min(1.0, 0.4 + 0.4 * share + 0.01 * cycles),
                summary=(
                    f"passed on {share:.0%} of {money_total(c)} received within "
                    f"{params['forward_hours']} h ({cycles} in/out cycles) to "
                    f"{int(cand.loc[acc, 'dests'])} destination(s)"
                    + (f"; most of it came from {info.label(origin) or origin}" if origin else "")
                    + (f"; the first of a chain of conduits (next: {next_hop[acc]})" if enters_chain else "")
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(rows, params["max_evidence"]),
                metrics={
                    "forwarded_share": round(share, 4),
                    "cycles": cycles,
                    "origin": origin,
                    "enters_chain": enters_chain,
                },
            )
        )
    return findings


def _main_counterparty(rows: pd.DataFrame, column: str) -> str | None:
    """The account in ``column`` that takes (or gives) the most money in ``rows``."""
    named = rows[rows[column].notna()]
    if named.empty:
        return None
    return str(named.groupby(column)["amount_minor"].sum().idxmax())


def detect_begging(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    if tx.empty:
        return []
    info = account_info(data)
    per = _monthly(data, params["salary_pattern"])
    small = per[(per["cash_n"] >= params["min_cash_deposits"]) & (per["cash_median"] <= params["max_median_minor"])
                & (per["salary"] == 0)]  # fmt: skip
    small = small[[info.is_person(a) for a in small.index.get_level_values(0)]]
    if small.empty:
        return []
    members = sorted(set(small.index.get_level_values(0)))
    out = tx[tx["from_account"].isin(members) & tx["to_account"].notna()]
    out = out.assign(
        acc=out["from_account"].astype(str), dest=out["to_account"].astype(str), month=month_index(out["ts"])
    )
    per_dest = out.groupby(["acc", "dest"])["amount_minor"].sum()
    by_org: dict[str, list[str]] = {}
    for acc in members:
        cash_value = float(small.loc[acc, "cash_value"].sum())
        if acc not in per_dest.index.get_level_values(0):
            continue
        dests = per_dest.loc[acc]
        top = str(dests.idxmax())
        if dests.max() >= params["min_passed_share"] * cash_value:
            by_org.setdefault(top, []).append(acc)
    findings = []
    for org, accs in sorted(by_org.items()):
        if len(accs) < params["min_members"]:
            continue
        rows = out[(out["dest"] == org) & out["acc"].isin(accs)]
        deposits = tx[tx["to_account"].isin(accs) & (tx["channel"] == "cash_deposit")]
        findings.append(
            Finding(
                detector="begging",
                subjects=[account_subject(info, org, "controller")]
                + [account_subject(info, a, "possible_victim") for a in accs],
                score=min(1.0, 0.45 + 0.1 * len(accs)),
                summary=(
                    f"{len(accs)} persons without income each made ≥ {params['min_cash_deposits']} "
                    f"small cash deposits a "
                    f"month (median ≤ {nok(params['max_median_minor'], currency_of(deposits))}) and passed most of it "
                    "to this account, "
                    f"total {money_total(rows)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(pd.concat([rows, deposits]), params["max_evidence"]),
                metrics={"members": len(accs), "deposits": len(deposits)},
            )
        )
    return findings


CASH_FED = Detector(
    name="cash_fed",
    title="Cash-fed account with no ordinary income (E1)",
    description=(
        "An account living on cash deposits with no salary, or with several cash deposits in a week just "
        "under a reporting or identification threshold."
    ),
    run=detect_cash_fed,
    config_section="cash",
)
PASS_THROUGH = Detector(
    name="pass_through",
    title="Rapid in/out conduit (D1)",
    description="Nearly everything that comes in leaves again within hours to a few destinations, month after month.",
    run=detect_pass_through,
    config_section="pass_through",
)
BEGGING = Detector(
    name="begging",
    title="Forced begging pattern (J2)",
    description=(
        "Several persons without income make many small cash deposits and pass most of the money to one "
        "organiser's account."
    ),
    run=detect_begging,
    config_section="begging",
)
