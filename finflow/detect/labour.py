"""Labour exploitation (catalogue §1.6): shared wage accounts, claw-back, payroll gaps, debts.

F1 several workers' wages into one account; F2 wages clawed back after payday; F3+F6 payroll
that does not match the registered headcount, boosted in labour-intensive industries; F4 fixed
recurring "debt" repayments from several workers to one recipient; F5 many people registered at
one address. Sources: FinCEN FIN-2020-A008 ("multiple employees receiving their salaries in the
same account"; salaries "transferred to the traffickers … via … wire transfers"), FATF–APG 2018.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding, Subject
from finflow.detect.common import money_total, nok
from finflow.detect.util import (
    AccountInfo,
    account_info,
    account_subject,
    company_profile,
    currency_of,
    evidence,
    in_sector,
    light_transactions,
    month_index,
    party_subject,
    people_behind,
    role_holders,
    split_rows,
    text_matches,
)

__all__ = ["CLAWBACK", "CROWDED_ADDRESS", "DEBT_REPAYMENTS", "PAYROLL_GAP", "SHARED_WAGE_ACCOUNT"]


def salary_credits(tx: pd.DataFrame, pattern: str) -> pd.DataFrame:
    """Salary-like credits: channel ``salary`` or a wage word in the payment text."""
    mask = (tx["channel"] == "salary").to_numpy(dtype=bool) | text_matches(tx["description"], pattern)
    return tx[mask & tx["to_account"].notna().to_numpy(dtype=bool) & tx["from_account"].notna().to_numpy(dtype=bool)]


# -- F1 ------------------------------------------------------------------------------------------
def detect_shared_wage_account(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    """An account receiving ≥ N salary credits in one month, from ≥ 2 employers or as a batch."""
    tx = light_transactions(data)
    sal = salary_credits(tx, params["salary_pattern"])
    if sal.empty:
        return []
    sal = sal.assign(month=month_index(sal["ts"]))
    per = sal.groupby(["to_account", "month"], observed=True).agg(
        n=("txn_id", "size"), employers=("from_account", "nunique")
    )
    same_day = sal.groupby(["to_account", "month", "from_account", "booking_date"], observed=True).size()
    batch = (same_day >= 2).groupby(level=["to_account", "month"], observed=True).any()
    per["batch"] = batch.reindex(per.index, fill_value=False)
    hit = per[(per["n"] >= params["min_salary_credits"]) & ((per["employers"] >= 2) | per["batch"])]
    if hit.empty:
        return []
    info = account_info(data)
    findings = []
    for account, months in hit.groupby(level="to_account", observed=True):
        rows = sal[(sal["to_account"] == account) & sal["month"].isin(months.index.get_level_values("month"))]
        n_months = len(months)
        most = int(months["n"].max())
        employers = int(rows["from_account"].nunique())
        score = min(1.0, 0.5 + 0.1 * n_months + 0.05 * (most - params["min_salary_credits"]))
        subjects = [account_subject(info, account, "controller")]
        subjects += [account_subject(info, e, "unknown") for e in sorted(rows["from_account"].astype(str).unique())]
        findings.append(
            Finding(
                detector="shared_wage_account",
                subjects=subjects,
                score=score,
                summary=(
                    f"received up to {most} salary payments in one month ({n_months} month(s)) from "
                    f"{employers} payer account(s), total {money_total(rows)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(rows, params["max_evidence"]),
                metrics={"months": n_months, "max_salary_credits_in_month": most, "payers": employers},
            )
        )
    return findings


# -- F2 ------------------------------------------------------------------------------------------
def _after_payday(tx: pd.DataFrame, sal: pd.DataFrame, hours: int, exclude: str | None = None) -> pd.DataFrame:
    """Debits of salary recipients (texts matching ``exclude`` left out) matched to the latest
    salary credit before them (≤ hours)."""
    workers = set(sal["to_account"].astype(str))
    debits = tx[tx["from_account"].isin(workers) & tx["to_account"].notna()]
    if exclude and len(debits):
        debits = debits[~text_matches(debits["description"], exclude)]
    if debits.empty:
        return debits.assign(sal_txn=pd.Series(dtype="string"))
    left = debits[["txn_id", "ts", "from_account", "to_account", "amount_minor", "currency"]].rename(
        columns={"from_account": "worker", "to_account": "dest"}
    )
    left = left.assign(worker=left["worker"].astype(str), dest=left["dest"].astype(str)).sort_values("ts")
    right = sal[["txn_id", "ts", "to_account", "from_account", "amount_minor"]].rename(
        columns={"txn_id": "sal_txn", "ts": "sal_ts", "to_account": "worker", "from_account": "employer",
                 "amount_minor": "salary"}
    )  # fmt: skip
    right = right.assign(worker=right["worker"].astype(str), employer=right["employer"].astype(str))
    merged = pd.merge_asof(
        left, right.sort_values("sal_ts"), left_on="ts", right_on="sal_ts", by="worker", direction="backward"
    )
    merged = merged[merged["sal_txn"].notna()]
    within = (merged["ts"] - merged["sal_ts"]) <= pd.Timedelta(hours=hours)
    return merged[within.to_numpy(dtype=bool)]


def _role_holder_accounts(data: CaseData, info: AccountInfo) -> dict[str, set[str]]:
    """Per company account: accounts of its active role-holders and of the companies they run."""
    roles = data.company_roles[~data.company_roles["resigned"].fillna(False).astype(bool)]
    pairs = pd.DataFrame(
        {
            "company": roles["company_party_id"].astype(str).to_numpy(),
            "holder": roles["holder_party_id"].astype(str).to_numpy(),
        }
    )
    # a company reaches its holders, and through them every company those holders run
    reach = pairs.merge(pairs.rename(columns={"company": "other"}), on="holder")
    targets: dict[str, set[str]] = {}
    for company, holder, other in reach.itertuples(index=False):
        bucket = targets.setdefault(company, set())
        bucket.add(holder)
        bucket.add(other)
    out: dict[str, set[str]] = {}
    for company, parties in targets.items():
        held = {a for p in parties for a in info.accounts_of(p)}
        for account in info.accounts_of(company):
            out.setdefault(account, set()).update(held - {account})
    return out


def detect_clawback(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    """Workers paying back ≥ half a salary within hours of payday to the employer's circle."""
    tx = light_transactions(data)
    sal = salary_credits(tx, params["salary_pattern"])
    if sal.empty:
        return []
    # loan instalments to a bank are the worker's own bills, not money handed back
    matched = _after_payday(tx, sal, params["within_hours"], exclude=params["exclude_pattern"])
    if matched.empty:
        return []
    matched = matched.assign(month=month_index(matched["sal_ts"]))
    per = matched.groupby(["worker", "sal_txn", "dest"], observed=True).agg(
        paid=("amount_minor", "sum"), salary=("salary", "first"), employer=("employer", "first"),
        month=("month", "first"),
    ).reset_index()  # fmt: skip
    per = per[per["paid"] >= params["min_share_of_salary"] * per["salary"]]
    if per.empty:
        return []
    info = account_info(data)
    circle = _role_holder_accounts(data, info)
    in_circle = np.array(
        [d == e or d in circle.get(e, ()) for d, e in zip(per["dest"], per["employer"], strict=True)], dtype=bool
    )
    workers_per_dest = per.groupby("dest")["worker"].nunique()
    common = per["dest"].map(workers_per_dest).to_numpy() >= params["min_workers_common"]
    per = per[in_circle | common].assign(circle=in_circle[in_circle | common])
    months = per.groupby(["worker", "dest"])["month"].nunique()
    qualified = months[months >= params["min_months"]].reset_index()[["worker", "dest"]]
    if qualified.empty:
        return []
    per = per.merge(qualified, on=["worker", "dest"])
    findings = []
    for dest, rows in per.groupby("dest"):
        workers = sorted(rows["worker"].unique())
        txn = matched[
            matched["dest"].eq(dest) & matched["worker"].isin(workers) & matched["sal_txn"].isin(rows["sal_txn"])
        ]
        sal_rows = sal[sal["txn_id"].isin(rows["sal_txn"])]
        share = float(rows["paid"].sum() / max(1, rows["salary"].sum()))
        employers = sorted(rows["employer"].unique())
        why = "the employer or its role-holders" if rows["circle"].any() else "a common account"
        score = min(1.0, 0.45 + 0.1 * len(workers) + 0.2 * share + (0.1 if rows["circle"].any() else 0.0))
        subjects = [account_subject(info, dest, "controller")]
        # when the money goes to a company (often the manager's own sole proprietorship), the
        # people who run it are who it reaches
        subjects += [
            party_subject(data, p, "controller") for p in people_behind(data, info, dest, params["owner_roles"])
        ]
        subjects += [account_subject(info, e, "front" if e != dest else "controller") for e in employers if e != dest]
        subjects += [account_subject(info, w, "possible_victim") for w in workers]
        cur = currency_of(txn)
        findings.append(
            Finding(
                detector="wage_clawback",
                subjects=subjects,
                score=score,
                summary=(
                    f"{len(workers)} worker(s) paid back on average {share:.0%} of their salary within "
                    f"{params['within_hours']} h of payday to {why}, in {rows['month'].nunique()} month(s), "
                    f"total {nok(int(rows['paid'].sum()), cur)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(pd.concat([txn, sal_rows]), params["max_evidence"]),
                metrics={
                    "workers": len(workers),
                    "mean_share": round(share, 4),
                    "to_employer_circle": bool(rows["circle"].any()),
                },
            )
        )
    return findings


# -- F3 + F6 -------------------------------------------------------------------------------------
def detect_payroll_gap(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    """A registered company whose wage payments do not match its headcount."""
    tx = light_transactions(data)
    profile = company_profile(data)
    if profile.empty or tx.empty:
        return []
    info = account_info(data)
    company_accounts = {a: p for p in profile.index.astype(str) for a in info.accounts_of(p)}
    if not company_accounts:
        return []
    out = tx[tx["from_account"].isin(list(company_accounts))].assign(
        company=lambda f: f["from_account"].astype(str).map(company_accounts), month=lambda f: month_index(f["ts"])
    )
    incoming = tx[tx["to_account"].isin(list(company_accounts))]
    credits = incoming.groupby(incoming["to_account"].astype(str).map(company_accounts))["amount_minor"].sum()
    payroll_mask = (out["channel"] == "salary").to_numpy(dtype=bool) | text_matches(
        out["description"], params["salary_pattern"]
    )
    to_person = out["to_account"].astype("string").map(info.kind).eq("person").fillna(False).to_numpy(dtype=bool)
    payroll = out[payroll_mask & to_person]
    tax_paid = set(out.loc[text_matches(out["description"], params["tax_pattern"]), "company"])
    labour = in_sector(profile["industry_code"], params["labour_intensive_prefixes"])
    findings = []
    cur = currency_of(tx)  # one currency per run (run_detectors): the figures below are in it
    active = out.groupby("company")["month"].nunique()
    pay_by = split_rows(payroll, "company")
    # per company and month, for all companies at once: persons paid, payroll total
    per_month = payroll.groupby(["company", "month"])
    paid_most = per_month["to_account"].nunique().groupby(level=0).max()
    monthly_median = per_month["amount_minor"].sum().groupby(level=0).median()
    paid_total = payroll.groupby("company")["amount_minor"].sum()
    for company, row in profile.iterrows():
        company = str(company)
        if active.get(company, 0) == 0:
            continue
        pay = pay_by.get(company, payroll.iloc[0:0])
        paid_persons = int(paid_most.get(company, 0))
        employees = row["employees"]
        registered = not pd.isna(employees)
        reasons: list[str] = []
        strength = 0.0
        if company not in tax_paid:
            limit = max(
                params["min_paid_persons"], params["paid_to_registered_ratio"] * (employees if registered else 0)
            )
            if paid_persons >= limit:
                reasons.append(
                    f"paid {paid_persons} persons in one month against "
                    f"{int(employees) if registered else 'no'} registered employees"
                )
                strength = max(strength, 0.6)
        if registered and employees >= params["min_registered_for_wage_check"] and len(pay):
            monthly = monthly_median[company]
            per_employee = float(monthly) / float(employees)
            if per_employee < params["min_monthly_wage_minor"]:
                reasons.append(
                    f"median monthly payroll {nok(monthly, cur)} is {nok(per_employee, cur)} per registered employee "
                    f"({int(employees)})"
                )
                strength = max(strength, 0.55 + 0.3 * (1 - per_employee / params["min_monthly_wage_minor"]))
        total_in = int(credits.get(company, 0))
        if labour.get(company, False) and total_in >= params["min_credits_for_share"]:
            share = float(paid_total.get(company, 0)) / total_in
            if share < params["max_payroll_share_labour"]:
                reasons.append(f"payroll {share:.0%} of {nok(total_in, cur)} received, in a labour-intensive industry")
                strength = max(strength, 0.5)
        if not reasons:
            continue
        if labour.get(company, False):
            strength *= params["labour_intensive_multiplier"]
        if company not in tax_paid:
            strength += params["no_tax_boost"]
        findings.append(
            Finding(
                detector="payroll_gap",
                subjects=[party_subject(data, company, "front")]
                + [account_subject(info, a, "front") for a in info.accounts_of(company)]
                + [party_subject(data, p, "controller") for p in role_holders(data, company, params["manager_roles"])],
                score=min(1.0, strength),
                summary="; ".join(reasons)
                + (f" (industry {row['industry_code']})" if isinstance(row["industry_code"], str) else "")
                + ("" if company in tax_paid else "; no withholding-tax payments seen"),
                parameters=dict(params),
                evidence_txn_ids=evidence(pay, params["max_evidence"]),
                evidence_records=[{"table": "companies", "key": {"party_id": company}}],
                metrics={
                    "registered_employees": None if not registered else int(employees),
                    "max_paid_persons_in_month": paid_persons,
                    "tax_payments_seen": company in tax_paid,
                    "labour_intensive": bool(labour.get(company, False)),
                },
            )
        )
    return findings


# -- F4 ------------------------------------------------------------------------------------------
def detect_debt_repayments(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    """Several private accounts paying one recipient the same amount month after month."""
    tx = light_transactions(data)
    info = account_info(data)
    pay = tx[tx["from_account"].notna() & tx["to_account"].notna() & tx["channel"].isin(["transfer", "p2p"])]
    # subscriptions (telecom, gym, insurance) are fixed monthly payments to companies: F4 looks at
    # private recipients; the unlicensed-agency variant needs a staffing-agency register
    private = pay["from_account"].map(info.kind).eq("person").fillna(False).to_numpy(dtype=bool) & ~pay[
        "to_account"
    ].map(info.kind).eq("company").fillna(False).to_numpy(dtype=bool)
    pay = pay[private]
    # a recipient needs several distinct payers before amounts are compared
    payers_per_dst = pay.groupby("to_account")["from_account"].nunique()
    pay = pay[pay["to_account"].isin(set(payers_per_dst[payers_per_dst >= params["min_payers"]].index))]
    if pay.empty:
        return []
    pay = pay.assign(
        month=month_index(pay["ts"]), src=pay["from_account"].astype(str), dst=pay["to_account"].astype(str)
    )
    fixed = pay.groupby(["src", "dst", "amount_minor"]).agg(months=("month", "nunique"), n=("txn_id", "size"))
    fixed = fixed[(fixed["months"] >= params["min_months"]) & (fixed["n"] <= fixed["months"] + 1)].reset_index()
    payers = fixed.groupby("dst")["src"].nunique()
    hits = payers[payers >= params["min_payers"]]
    findings = []
    fixed = fixed[fixed["dst"].isin(set(hits.index))]
    fixed_by = dict(tuple(fixed.groupby("dst")))
    # each recipient's fixed-amount payments, matched for all recipients at once
    matched = pay[pay["dst"].isin(set(hits.index))].merge(
        fixed[["dst", "src", "amount_minor"]], on=["dst", "src", "amount_minor"]
    )
    # a landlord collecting rent is not a creditor of workers: rent words excluded
    rent_words = text_matches(matched["description"], params["exclude_pattern"])
    rent_share = pd.Series(rent_words, dtype="float64").groupby(matched["dst"].to_numpy()).mean()
    matched_by = dict(tuple(matched.groupby("dst")))
    for dst in sorted(hits.index):
        rows = fixed_by[dst]
        srcs = sorted(rows["src"].unique())
        if rent_share.get(dst, 0.0) > 0.5:
            continue
        txn = matched_by.get(dst, matched.iloc[0:0])
        total = int(txn["amount_minor"].sum())
        cur = currency_of(txn)
        findings.append(
            Finding(
                detector="debt_repayments",
                subjects=[account_subject(info, dst, "controller")]
                + [account_subject(info, s, "possible_victim") for s in srcs],
                score=min(1.0, 0.4 + 0.1 * len(srcs) + 0.05 * int(rows["months"].max())),
                summary=(
                    f"{len(srcs)} private accounts each paid a fixed amount every month for up to "
                    f"{int(rows['months'].max())} months, total {nok(total, cur)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(txn, params["max_evidence"]),
                metrics={
                    "payers": len(srcs),
                    "max_months": int(rows["months"].max()),
                    "total_minor": total,
                    "currency": cur,
                },
            )
        )
    return findings


# -- F5 ------------------------------------------------------------------------------------------
def detect_crowded_address(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    """Many persons registered at one residential address at the same time."""
    pa_ = data.party_addresses
    if pa_.empty:
        return []
    kinds = data.parties.drop_duplicates("party_id").set_index("party_id")["kind"]
    res = pa_[pa_["kind"].fillna("residence").isin(["residence"])]
    res = res[res["party_id"].map(kinds).eq("person").fillna(False).to_numpy(dtype=bool)]
    current = res[res["valid_to"].isna()]
    counts = current.groupby("address_id")["party_id"].nunique()
    hits = counts[counts >= params["min_persons"]]
    addresses = data.addresses.drop_duplicates("address_id").set_index("address_id")["normalized"]
    findings = []
    for address, n in hits.sort_index().items():
        persons = sorted(current.loc[current["address_id"] == address, "party_id"].astype(str).unique())
        label = addresses.get(address)
        findings.append(
            Finding(
                detector="crowded_address",
                subjects=[Subject("address", str(address), "unknown", label if isinstance(label, str) else None)]
                + [party_subject(data, p, "possible_victim") for p in persons],
                score=min(1.0, 0.3 + 0.05 * (int(n) - params["min_persons"]) + 0.1),
                summary=f"{int(n)} persons are registered as living at {label or address}",
                parameters=dict(params),
                evidence_records=[
                    {
                        "table": "party_addresses",
                        "key": {"party_id": p, "address_id": str(address), "kind": "residence"},
                    }
                    for p in persons
                ],
                metrics={"persons": int(n)},
            )
        )
    return findings


SHARED_WAGE_ACCOUNT = Detector(
    name="shared_wage_account",
    title="Several workers' wages into one account (F1)",
    description=(
        "One account receives several salary payments in the same month — from different employers, "
        "or several at once from one employer — as when a controller holds the workers' wages."
    ),
    run=detect_shared_wage_account,
)
CLAWBACK = Detector(
    name="wage_clawback",
    title="Wage claw-back after payday (F2)",
    description=(
        "Workers send a large part of each salary, within hours of payday and month after month, back "
        "to the employer, its managers or one common account."
    ),
    run=detect_clawback,
)
PAYROLL_GAP = Detector(
    name="payroll_gap",
    title="Payroll does not match headcount (F3, F6)",
    description=(
        "A company pays far less in wages than its registered headcount implies, or pays more people than "
        "it registers without paying withholding tax; stronger in labour-intensive industries."
    ),
    run=detect_payroll_gap,
)
DEBT_REPAYMENTS = Detector(
    name="debt_repayments",
    title="Recurring fixed 'debt' repayments from several workers (F4)",
    description=(
        "Several private accounts pay one recipient the same fixed amount every month, as when "
        "recruitment or travel debts are being repaid."
    ),
    run=detect_debt_repayments,
)
CROWDED_ADDRESS = Detector(
    name="crowded_address",
    title="Many persons registered at one address (F5)",
    description="Many persons registered at one residential address at the same time (worker housing).",
    run=detect_crowded_address,
    per_currency=False,
)
