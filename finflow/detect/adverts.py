"""Advertising and travel (catalogue §1.7, B2): escort adverts, hotels and tickets for several people.

G1: "Frequent payments to online escort services for advertising, including small posting fees to
companies of online classifieds" (FinCEN FIN-2014-A008; FINTRAC 2016-OA003). B2/G2: payments for
short stays in several places, and travel for several people, in a short time (FINTRAC 2016-OA003).
Merchants are recognised by the configurable, dated lists in ``finflow/data/lists``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding
from finflow.detect.common import money_total
from finflow.detect.remittance import destination_country
from finflow.detect.util import (
    account_info,
    account_subject,
    case_cache,
    evidence,
    light_transactions,
    list_values,
    text_matches,
)

__all__ = ["ADVERT_PAYMENTS", "LODGING_TRAVEL"]


_NOT_PURCHASES = ("cash_deposit", "cash_withdrawal", "salary")


def _matches_distinct(text: tuple[np.ndarray, pd.Index], pattern: str) -> np.ndarray:
    """Regex over the distinct values only (``pd.factorize`` output): payee names and card texts
    repeat a great deal; missing text never matches."""
    codes, values = text
    if len(values) == 0:
        return np.zeros(len(codes), dtype=bool)
    matched = text_matches(pd.Series(values, dtype=object), pattern)
    return (codes >= 0) & matched[np.maximum(codes, 0)]


def _merchant_debits(data: CaseData, tx: pd.DataFrame, patterns: list[str]) -> pd.DataFrame:
    pattern = "|".join(f"(?:{p})" for p in patterns)
    cache = case_cache(data)
    if "purchase debits" not in cache:  # the same rows and texts for every merchant list
        debits = tx[tx["from_account"].notna().to_numpy(dtype=bool) & ~tx["channel"].isin(_NOT_PURCHASES).to_numpy()]
        cache["purchase debits"] = (debits, pd.factorize(debits["to_name"]), pd.factorize(debits["description"]))
    debits, names, texts = cache["purchase debits"]
    hit = _matches_distinct(names, pattern) | _matches_distinct(texts, pattern)
    return debits[hit].assign(
        payer=lambda f: f["from_account"].astype(str),
        merchant=lambda f: f["to_name"].astype("string").fillna(f["to_account"].astype("string")).fillna("?"),
        bin=lambda f: (f["ts"] - pd.Timestamp("2000-01-01")).dt.days // 1,
    )


def _windows(rows: pd.DataFrame, days: int, min_count: int, min_merchants: int) -> pd.DataFrame:
    """Per payer: the largest count of payments in any ``days``-day window starting at a payment."""
    out = []
    counts = rows["payer"].value_counts()
    rows = rows[rows["payer"].isin(set(counts[counts >= min_count].index))]
    for payer, g in rows.sort_values(["ts", "txn_id"]).groupby("payer"):
        day = g["bin"].to_numpy()
        merchants = g["merchant"].to_numpy()
        best = (0, 0, 0)
        j = 0
        for i in range(len(day)):
            while day[i] - day[j] >= days:
                j += 1
            n = i - j + 1
            m = len(set(merchants[j : i + 1]))
            if (n, m) > best[:2]:
                best = (n, m, j)
        if best[0] >= min_count and best[1] >= min_merchants:
            out.append((payer, best[0], best[1]))
    return pd.DataFrame(out, columns=["payer", "count", "merchants"])


def detect_advert_payments(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    rows = _merchant_debits(data, tx, list_values(params, "merchant_list", "patterns"))
    generic = _merchant_debits(data, tx, list_values(params, "merchant_list", "foreign_only"))
    abroad = destination_country(generic).fillna(params["home_country"]) != params["home_country"]
    rows = pd.concat([rows, generic[abroad.to_numpy(dtype=bool)]]).drop_duplicates("txn_id")
    if rows.empty:
        return []
    hits = _windows(rows, params["window_days"], params["min_payments"], 1)
    info = account_info(data)
    findings = []
    for payer, count, _ in hits.itertuples(index=False):
        mine = rows[rows["payer"] == payer]
        mode_share = float(mine["amount_minor"].value_counts(normalize=True).iloc[0])
        months = int(mine["ts"].dt.to_period("M").nunique())
        score = min(1.0, 0.45 + 0.03 * count + 0.15 * mode_share + 0.02 * months)
        findings.append(
            Finding(
                detector="advert_payments",
                subjects=[account_subject(info, payer, "controller")],
                score=score,
                summary=(
                    f"{len(mine)} payments to {mine['merchant'].nunique()} advertising/escort site(s) over {months} "
                    f"month(s), up to {count} within {params['window_days']} days, "
                    f"{mode_share:.0%} of the same amount, "
                    f"total {money_total(mine)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(mine, params["max_evidence"]),
                metrics={"payments": len(mine), "max_in_window": int(count), "repeat_share": round(mode_share, 4)},
            )
        )
    return findings


def detect_lodging_travel(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    info = account_info(data)
    findings = []
    persons = {a for a in tx["from_account"].dropna().astype(str).unique() if info.is_person(a)}
    for kind in ("lodging", "travel"):
        rows = _merchant_debits(data, tx, list_values(params, "merchant_list", kind))
        rows = rows[rows["payer"].isin(persons)]
        if rows.empty:
            continue
        need = params[f"min_{kind}_merchants"]
        hits = _windows(rows, params["window_days"], params[f"min_{kind}_payments"], need)
        for payer, count, merchants in hits.itertuples(index=False):
            mine = rows[rows["payer"] == payer]
            findings.append(
                Finding(
                    detector="lodging_travel",
                    subjects=[account_subject(info, payer, "facilitator")],
                    score=min(1.0, 0.25 + 0.05 * count + 0.05 * merchants),
                    summary=(
                        f"{count} {kind} payments at {merchants} different merchants "
                        f"within {params['window_days']} days "
                        f"({len(mine)} in all, total {money_total(mine)})"
                    ),
                    parameters=dict(params),
                    evidence_txn_ids=evidence(mine, params["max_evidence"]),
                    metrics={"kind": kind, "max_in_window": int(count), "merchants_in_window": int(merchants)},
                )
            )
    return findings


ADVERT_PAYMENTS = Detector(
    name="advert_payments",
    title="Payments to advertising / escort sites (G1)",
    description=(
        "Repeated payments, often of the same small amount, to escort or classified-advert sites — the "
        "cost of advertising victims for commercial sex."
    ),
    run=detect_advert_payments,
)
LODGING_TRAVEL = Detector(
    name="lodging_travel",
    title="Hotels and travel for several people (B2, G2)",
    description=(
        "Several hotel stays at different places, or several travel tickets, within two weeks, paid from "
        "one private account — moving people between cities."
    ),
    run=detect_lodging_travel,
)
