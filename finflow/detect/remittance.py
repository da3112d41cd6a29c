"""Remittances (catalogue §1.3): money to origin corridors, pooled beneficiaries, structuring.

C1: outflows to origin or high-risk countries, stronger after cash deposits (FinCEN FIN-2014-A008
"cash deposits … followed by wire transfers to countries with high migrant populations";
Europol 2015). C2: several unrelated senders to one foreign beneficiary (FIN-2014-A008). C3: salary
sent abroad within days (FIN-2014-A008). C4: money transfers just below the NOK 8 000 customer
due-diligence limit (hvitvaskingsforskriften § 4-1a). Country lists are dated data files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding, Subject
from finflow.detect.common import money_total, nok, surname
from finflow.detect.labour import salary_credits
from finflow.detect.util import (
    account_info,
    account_subject,
    currency_of,
    evidence,
    light_transactions,
    load_list,
    month_index,
)
from finflow.normalize import guess_party_kind

__all__ = ["CORRIDOR_OUTFLOWS", "FOREIGN_BENEFICIARY", "MTO_STRUCTURING", "SALARY_ABROAD", "cross_border"]


def destination_country(tx: pd.DataFrame) -> pd.Series:
    """The payee's country: ``to_country``, else the IBAN prefix of ``to_account``."""
    prefix = tx["to_account"].astype("string").str.slice(0, 2).str.upper()
    iban_like = prefix.str.fullmatch("[A-Z]{2}").fillna(False)
    return tx["to_country"].astype("string").str.upper().fillna(prefix.where(iban_like))


def cross_border(tx: pd.DataFrame, home: str) -> pd.DataFrame:
    """Debits leaving the home country, with their destination country."""
    country = destination_country(tx)
    out = tx.assign(dest_country=country)
    mask = country.notna().to_numpy(dtype=bool) & (country != home).fillna(False).to_numpy(dtype=bool)
    return out[mask & tx["from_account"].notna().to_numpy(dtype=bool)]


def corridor_countries(params: Mapping[str, Any]) -> dict[str, float]:
    """Country → weight: origin corridors 1.0, FATF-listed countries ``fatf_weight``."""
    weights: dict[str, float] = {}
    fatf = load_list(params["fatf_list"])
    for code in fatf["call_for_action"] + fatf["increased_monitoring"]:
        weights[str(code)] = float(params["fatf_weight"])
    corridors = load_list(params["corridor_list"])
    for key in ("sex_trafficking", "labour_and_begging"):
        for code in corridors[key]:
            weights[str(code)] = 1.0
    return weights


def _cash_before(tx: pd.DataFrame, out: pd.DataFrame, hours: int) -> np.ndarray:
    """Whether a cash deposit reached the paying account within ``hours`` before each outflow."""
    cash = tx[(tx["channel"] == "cash_deposit") & tx["to_account"].notna()]
    if cash.empty or out.empty:
        return np.zeros(len(out), dtype=bool)
    left = out[["ts"]].assign(acc=out["from_account"].astype(str), _i=np.arange(len(out))).sort_values("ts")
    right = cash[["ts"]].assign(acc=cash["to_account"].astype(str), cash_ts=cash["ts"]).sort_values("ts")
    merged = pd.merge_asof(left, right, on="ts", by="acc", direction="backward")
    ok = (merged["ts"] - merged["cash_ts"]) <= pd.Timedelta(hours=hours)
    result = np.zeros(len(out), dtype=bool)
    result[merged["_i"].to_numpy()] = ok.fillna(False).to_numpy(dtype=bool)
    return result


def detect_corridor_outflows(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    weights = corridor_countries(params)
    out = cross_border(tx, params["home_country"])
    out = out[out["dest_country"].isin(list(weights))]
    if out.empty:
        return []
    out = out.assign(
        payer=out["from_account"].astype(str), month=month_index(out["ts"]),
        after_cash=_cash_before(tx, out, params["cash_before_hours"]),
    )  # fmt: skip
    cred = tx[tx["to_account"].isin(set(out["payer"]))]
    inflow = cred.groupby([cred["to_account"].astype(str), month_index(cred["ts"])])["amount_minor"].sum()
    per = out.groupby(["payer", "month"]).agg(n=("txn_id", "size"), value=("amount_minor", "sum"))
    per["inflow"] = inflow.reindex(per.index).fillna(0).to_numpy()
    share = per["value"] / per["inflow"].where(per["inflow"] > 0)
    by_share = (share >= params["min_share_of_credits"]).fillna(False) & (per["n"] >= 2)
    hit = per[(per["n"] >= params["min_transfers_per_month"]) | by_share]
    info = account_info(data)
    findings = []
    for payer, months in hit.groupby(level=0):
        rows = out[(out["payer"] == payer) & out["month"].isin(months.index.get_level_values(1))]
        cash_share = float(rows["after_cash"].mean())
        countries = sorted(rows["dest_country"].unique())
        weight = max(weights[c] for c in countries)
        score = min(1.0, weight * (0.3 + 0.05 * len(months) + 0.02 * len(rows)) + params["cash_boost"] * cash_share)
        findings.append(
            Finding(
                detector="corridor_outflows",
                subjects=[account_subject(info, payer, "controller" if cash_share >= 0.5 else "unknown")],
                score=score,
                summary=(
                    f"{len(rows)} transfers to {', '.join(countries)} in {len(months)} month(s), total "
                    f"{money_total(rows)}"
                    # a share is evidence only when there is one: "0 % after a cash deposit" is not a reason
                    + (
                        f"; {cash_share:.0%} within {params['cash_before_hours']} h after a cash deposit"
                        if cash_share > 0
                        else ""
                    )
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(rows, params["max_evidence"]),
                metrics={
                    "transfers": len(rows),
                    "months": len(months),
                    "countries": countries,
                    "after_cash_share": round(cash_share, 4),
                },
            )
        )
    return findings


def _looks_company(name: object) -> bool:
    return guess_party_kind(name if isinstance(name, str) else None) == "company"


def detect_foreign_beneficiary(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    out = cross_border(tx, params["home_country"])
    if out.empty:
        return []
    key = (
        out["to_account"]
        .astype("string")
        .fillna(out["to_name"].astype("string").str.lower() + "@" + out["dest_country"])
    )
    out = out.assign(beneficiary=key, sender=out["from_account"].astype(str), quarter=month_index(out["ts"]) // 3)
    out = out[out["beneficiary"].notna()]
    info = account_info(data)
    company = out["to_name"].map(_looks_company).to_numpy(dtype=bool) | out["to_account"].map(
        lambda a: info.kind.get(a) == "company"
    ).to_numpy(dtype=bool)
    out = out[~company]
    out = out.assign(sender_surname=out["sender"].map(lambda a: surname(info.label(a))))
    per = out.groupby(["beneficiary", "quarter"]).agg(
        senders=("sender", "nunique"), surnames=("sender_surname", "nunique")
    )
    hit = per[(per["senders"] >= params["min_senders"]) & (per["surnames"] >= params["min_senders"])]
    findings = []
    for beneficiary, q in hit.groupby(level=0):
        rows = out[(out["beneficiary"] == beneficiary) & out["quarter"].isin(q.index.get_level_values(1))]
        senders = sorted(rows["sender"].unique())
        findings.append(
            Finding(
                detector="foreign_beneficiary",
                subjects=[
                    Subject(
                        "account",
                        str(beneficiary),
                        "controller",
                        str(rows["to_name"].dropna().iloc[0]) if rows["to_name"].notna().any() else None,
                    )
                ]
                + [account_subject(info, s, "unknown") for s in senders],
                score=min(1.0, 0.4 + 0.08 * len(senders)),
                summary=(
                    f"{len(senders)} senders with {int(q['surnames'].max())} different surnames paid one "
                    f"beneficiary in {', '.join(sorted(rows['dest_country'].unique()))}, "
                    f"total {money_total(rows)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(rows, params["max_evidence"]),
                metrics={"senders": len(senders)},
            )
        )
    return findings


def detect_salary_abroad(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    sal = salary_credits(tx, params["salary_pattern"])
    out = cross_border(tx, params["home_country"])
    out = out[out["from_account"].isin(set(sal["to_account"].astype(str)))]
    if out.empty:
        return []
    left = out[["txn_id", "ts", "amount_minor"]].assign(acc=out["from_account"].astype(str)).sort_values("ts")
    right = sal[["txn_id", "ts", "amount_minor"]].rename(columns={"txn_id": "sal_txn", "amount_minor": "salary"})
    right = right.assign(acc=sal["to_account"].astype(str), sal_ts=sal["ts"]).sort_values("ts")
    m = pd.merge_asof(left, right, on="ts", by="acc", direction="backward")
    m = m[(m["ts"] - m["sal_ts"] <= pd.Timedelta(hours=params["within_hours"])).fillna(False).to_numpy(dtype=bool)]
    per = m.groupby(["acc", "sal_txn"]).agg(
        sent=("amount_minor", "sum"), salary=("salary", "first"), sal_ts=("sal_ts", "first")
    )
    per = per[per["sent"] >= params["min_share"] * per["salary"]].reset_index()
    per["month"] = month_index(per["sal_ts"])
    months = per.groupby("acc")["month"].nunique()
    info = account_info(data)
    findings = []
    for acc, n in months[months >= params["min_months"]].items():
        sal_ids = per.loc[per["acc"] == acc, "sal_txn"]
        ids = list(m.loc[(m["acc"] == acc) & m["sal_txn"].isin(sal_ids), "txn_id"]) + list(sal_ids)
        rows = tx[tx["txn_id"].isin(ids)]
        share = float(per.loc[per["acc"] == acc, "sent"].sum() / per.loc[per["acc"] == acc, "salary"].sum())
        findings.append(
            Finding(
                detector="salary_abroad",
                subjects=[account_subject(info, acc, "possible_victim")],
                score=min(1.0, 0.3 + 0.05 * int(n) + 0.2 * min(1.0, share)),
                summary=(
                    f"sent on average {share:.0%} of the salary abroad within {params['within_hours']} h of payday, "
                    f"in {int(n)} months"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(rows, params["max_evidence"]),
                metrics={"months": int(n), "share": round(share, 4)},
            )
        )
    return findings


def detect_mto_structuring(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    lo = int(params["band"] * params["threshold_minor"])
    rem = tx[
        (tx["channel"] == "remittance") & (tx["amount_minor"] >= lo) & (tx["amount_minor"] < params["threshold_minor"])
    ]
    rem = rem[rem["from_account"].notna()]
    if rem.empty:
        return []
    info = account_info(data)
    cur = currency_of(rem)  # one currency per run (run_detectors): the band below is in it
    rem = rem.assign(
        sender=rem["from_account"].astype(str),
        beneficiary=rem["to_account"].astype("string").fillna(rem["to_name"].astype("string")).fillna("?"),
        day=(rem["ts"] - pd.Timestamp("2000-01-01")).dt.days,
    )
    findings = []
    for side in ("sender", "beneficiary"):
        for key, g in rem.sort_values(["ts", "txn_id"]).groupby(side):
            days = g["day"].to_numpy()
            counts = np.searchsorted(days, days + params["window_days"], side="left") - np.arange(len(days))
            if counts.max() < params["min_transfers"]:
                continue
            start = int(np.argmax(counts))
            rows = g.iloc[start : start + int(counts[start])]
            subject = (
                account_subject(info, key, "unknown")
                if side == "sender"
                else Subject("account", str(key), "controller")
            )
            findings.append(
                Finding(
                    detector="mto_structuring",
                    subjects=[subject],
                    score=min(1.0, 0.4 + 0.1 * (int(counts.max()) - params["min_transfers"] + 1)),
                    summary=(
                        f"{int(counts.max())} money transfers {'sent' if side == 'sender' else 'received'} within "
                        f"{params['window_days']} days, each between {nok(lo, cur)} and "
                        f"{nok(params['threshold_minor'], cur)}"
                    ),
                    parameters=dict(params),
                    evidence_txn_ids=rows["txn_id"].astype(str).tolist(),
                    metrics={"transfers": int(counts.max()), "side": side},
                )
            )
    return findings


CORRIDOR_OUTFLOWS = Detector(
    name="corridor_outflows",
    title="Outflows to origin or high-risk corridors (C1)",
    description=(
        "Repeated transfers to countries victims in Norway often come from, or to FATF-listed countries — "
        "stronger when each follows a cash deposit."
    ),
    run=detect_corridor_outflows,
    config_section="remittance",
)
FOREIGN_BENEFICIARY = Detector(
    name="foreign_beneficiary",
    title="Many unrelated senders to one foreign beneficiary (C2)",
    description="Several unrelated senders in Norway pay the same person or account abroad.",
    run=detect_foreign_beneficiary,
    config_section="remittance",
)
SALARY_ABROAD = Detector(
    name="salary_abroad",
    title="Salary sent abroad within days (C3)",
    description="Most of each salary leaves for another country within days of payday, month after month.",
    run=detect_salary_abroad,
    config_section="remittance",
)
MTO_STRUCTURING = Detector(
    name="mto_structuring",
    title="Money transfers just below NOK 8 000 (C4)",
    description=(
        "Several money transfers in a week, each just below the NOK 8 000 limit above which the transfer "
        "office must identify the customer."
    ),
    run=detect_mto_structuring,
    config_section="remittance",
)
