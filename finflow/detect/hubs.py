"""Hubs and control (catalogue §1.1): sweeps to a controller, night-time client payments, shared ids.

A2: "Traffickers maintain control of the victims' bank accounts … and direct victims to deposit
money into their accounts and other accounts that the traffickers can access" (FinCEN
FIN-2020-A008). A swept account is reported as a *possible victim* — a case for protection — and
the account it is swept to as the *controller* once two or more accounts are swept to it.
A3: many small payments from unrelated private payers, at night where times are known (FINTRAC
2016-OA003; FinCEN 2020 "outside of normal business operating hours").
A4: phone numbers, e-mails and id-document numbers shared by several persons (FinCEN 2020).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding, Subject
from finflow.detect.common import fifo_forwarded, money_total, surname
from finflow.detect.util import (
    AccountInfo,
    account_codes,
    account_info,
    account_subject,
    currency_of,
    evidence,
    group_sum,
    in_order,
    light_transactions,
    month_index,
    party_subject,
    rows_with_ids,
    split_rows,
)

__all__ = ["NIGHT_P2P", "SHARED_IDENTIFIERS", "SWEEP"]


# -- A2 ------------------------------------------------------------------------------------------
def _sweep_candidates(data: CaseData, tx: pd.DataFrame, info: AccountInfo, params: Mapping[str, Any]) -> pd.DataFrame:
    """(victim, controller) pairs where, in enough months, most credits go to that controller.

    Counted on integer account codes and month numbers (:func:`account_codes`): the same sums
    as grouping the text columns, without hashing a million account ids per grouping.
    """
    from_code, to_code, accounts = account_codes(data)
    n = max(1, len(accounts))
    amount = tx["amount_minor"].to_numpy(dtype=np.int64)
    month = month_index(tx["ts"]).astype(np.int64)
    first, span = (int(month.min()), int(month.max() - month.min()) + 1) if len(month) else (0, 1)
    month -= first
    is_person = pd.Series(accounts, dtype=object).map(info.kind).eq("person").fillna(False).to_numpy(dtype=bool)
    # inflow per (victim, month): credits to private accounts
    credited = (to_code >= 0) & is_person[np.maximum(to_code, 0)]
    in_keys, in_of = np.unique(to_code[credited] * span + month[credited], return_inverse=True)
    in_sums = group_sum(in_of, amount[credited], len(in_keys))
    victim_code = np.zeros(n, dtype=bool)
    victim_code[np.unique(in_keys // span)] = True
    debited = (from_code >= 0) & victim_code[np.maximum(from_code, 0)]
    # what each victim passed to each account per month, and withdrew as cash
    to_acc = debited & (to_code >= 0)
    vm = from_code * span + month  # (victim, month)
    dest_keys, dest_of = np.unique(vm[to_acc] * n + to_code[to_acc], return_inverse=True)
    to_controller = group_sum(dest_of, amount[to_acc], len(dest_keys))
    cash = debited & (tx["channel"] == "cash_withdrawal").to_numpy(dtype=bool)
    cash_keys, cash_of = np.unique(vm[cash], return_inverse=True)
    cash_sums = group_sum(cash_of, amount[cash], len(cash_keys))
    pair_vm, controller = dest_keys // n, dest_keys % n
    cash_out = _lookup(cash_keys, cash_sums, pair_vm)
    inflow = _lookup(in_keys, in_sums, pair_vm)
    victim = pair_vm // span
    ok = (victim != controller) & ((to_controller + cash_out) >= params["forward_ratio_min"] * inflow)
    ok &= inflow >= params["min_monthly_inflow_minor"]
    # months per (victim, controller): keys are unique per month already
    pair_keys, months = np.unique(victim[ok] * n + controller[ok], return_counts=True)
    keep = pair_keys[months >= params["min_months"]]
    pairs = pd.DataFrame({"victim": accounts[keep // n].astype(str), "controller": accounts[keep % n].astype(str)})
    # not the holder's own other account
    same = [
        bool(info.label(v)) and info.label(v) == info.label(c)
        for v, c in zip(pairs["victim"], pairs["controller"], strict=True)
    ]
    return pairs[~np.array(same, dtype=bool)] if len(pairs) else pairs


def _lookup(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``values`` at sorted unique ``keys`` for each ``wanted`` key, 0 where a key is absent."""
    at = np.minimum(np.searchsorted(keys, wanted), max(0, len(keys) - 1))
    found = (keys[at] == wanted) if len(keys) else np.zeros(len(wanted), dtype=bool)
    return np.where(found, values[at] if len(keys) else 0, 0)


def detect_sweeps(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    if tx.empty:
        return []
    info = account_info(data)
    pairs = _sweep_candidates(data, tx, info, params)
    if pairs.empty:
        return []
    # by booking date: many exports carry no time of day, and a sweep must not depend on the format
    within = np.timedelta64(int(params["forward_days"]), "D")
    confirmed: list[tuple[str, str, float, int, list[str]]] = []
    victims = set(pairs["victim"])
    # only the columns read below: each victim's rows are split out of these, in booking order
    in_cols = ["txn_id", "booking_date", "ts", "amount_minor", "to_account"]
    out_cols = ["txn_id", "booking_date", "amount_minor", "from_account", "to_account", "channel"]
    order = ("booking_date", "txn_id")
    in_by = split_rows(in_order(data, tx.loc[tx["to_account"].isin(victims), in_cols], order), "to_account")
    out_by = split_rows(in_order(data, tx.loc[tx["from_account"].isin(victims), out_cols], order), "from_account")
    for victim, controller in pairs.itertuples(index=False):
        credits = in_by[victim]
        mine = out_by[victim]
        debits = mine[((mine["to_account"] == controller) | (mine["channel"] == "cash_withdrawal")).to_numpy()]
        amount = credits["amount_minor"].to_numpy()
        fwd, out_in_time = fifo_forwarded(
            credits["booking_date"].to_numpy(), amount,
            debits["booking_date"].to_numpy(), debits["amount_minor"].to_numpy(), within,
        )  # fmt: skip
        months, of_month = np.unique(month_index(credits["ts"]), return_inverse=True)
        month_in = group_sum(of_month, amount, len(months))
        month_fwd = group_sum(of_month, fwd, len(months))
        good = (month_fwd >= params["forward_ratio_min"] * month_in) & (month_in >= params["min_monthly_inflow_minor"])
        if int(good.sum()) < params["min_months"]:
            continue
        share = float(month_fwd[good].sum() / month_in[good].sum())
        ids = evidence(debits[out_in_time > 0], params["max_evidence"])
        confirmed.append((victim, controller, share, int(good.sum()), ids))
    by_controller: dict[str, list[tuple[str, float, int, list[str]]]] = {}
    for victim, controller, share, n_months, ids in confirmed:
        by_controller.setdefault(controller, []).append((victim, share, n_months, ids))
    findings = []
    for controller, swept in sorted(by_controller.items()):
        if len(swept) < params["min_swept_accounts"]:
            continue
        ids = [i for s in swept for i in s[3]]
        rows = rows_with_ids(data, ids)
        share = sum(s[1] for s in swept) / len(swept)
        score = min(1.0, 0.5 + 0.1 * len(swept) + 0.2 * share)
        findings.append(
            Finding(
                detector="sweep",
                subjects=[account_subject(info, controller, "controller")]
                + [account_subject(info, v, "possible_victim") for v, *_ in swept],
                score=score,
                summary=(
                    f"{len(swept)} private accounts passed on on average {share:.0%} of what they received within "
                    f"{params['forward_days']} days to this account (or as cash), "
                    f"in {min(s[2] for s in swept)}+ months each; "
                    f"swept total {money_total(rows)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=ids,
                metrics={
                    "swept_accounts": len(swept),
                    "mean_forwarded_share": round(share, 4),
                    "swept_total_minor": int(rows["amount_minor"].sum()),
                    "currency": currency_of(rows),
                },
            )
        )
    return findings


# -- A3 ------------------------------------------------------------------------------------------
def _night(times: pd.Series, start: str, end: str) -> np.ndarray:
    text = times.astype("string")
    late = (text >= start).fillna(False).to_numpy(dtype=bool)
    early = (text < end).fillna(False).to_numpy(dtype=bool)
    return late | early


def detect_night_p2p(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    """Many small round P2P payments from distinct private payers into one private account."""
    tx = light_transactions(data)
    info = account_info(data)
    cred = tx[tx["to_account"].notna() & tx["from_account"].notna() & tx["channel"].isin(["p2p", "transfer"])]
    if cred.empty:
        return []
    to_person = cred["to_account"].astype("string").map(info.kind).eq("person").fillna(False).to_numpy(dtype=bool)
    from_company = cred["from_account"].astype("string").map(info.kind).eq("company").fillna(False).to_numpy(dtype=bool)
    cred = cred[to_person & ~from_company]
    amt = cred["amount_minor"].to_numpy()
    lo, hi = params["round_band_minor"]
    cred = cred.assign(
        month=month_index(cred["ts"]),
        round_=(amt % params["round_unit_minor"] == 0) & (amt >= lo) & (amt <= hi),
        night=_night(cred["booking_time"], *params["night_hours"]) & cred["has_time"].to_numpy(dtype=bool),
    )
    g = cred.groupby([cred["to_account"].astype(str), "month"])
    per = g.agg(
        payers=("from_account", "nunique"),
        round_share=("round_", "mean"),
        timed=("has_time", "sum"),
        night=("night", "sum"),
    )
    per["night_share"] = (per["night"] / per["timed"]).where(per["timed"] > 0)
    hit = per[(per["payers"] >= params["min_distinct_payers"]) & (per["round_share"] >= params["min_round_share"])]
    hit = hit[hit["night_share"].isna() | (hit["night_share"] >= params["min_night_share"])]
    findings = []
    hit_accounts = set(hit.index.get_level_values(0))
    cred_by = split_rows(cred[cred["to_account"].isin(hit_accounts).to_numpy()], "to_account")
    for account, months in hit.groupby(level=0):
        rows = cred_by[account]
        rows = rows[rows["month"].isin(months.index.get_level_values(1)).to_numpy()]
        payers = int(months["payers"].max())
        night = months["night_share"].dropna()
        night_text = f", {night.max():.0%} at night" if len(night) else " (times unknown)"
        score = min(1.0, 0.35 + 0.02 * payers + (0.25 * float(night.max()) if len(night) else 0.0))
        findings.append(
            Finding(
                detector="night_p2p",
                subjects=[account_subject(info, account, "possible_victim")],
                score=score,
                summary=(
                    f"up to {payers} distinct private payers in one month, {months['round_share'].max():.0%} round "
                    f"amounts{night_text}, in {len(months)} month(s)"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(rows, params["max_evidence"]),
                metrics={"max_payers_in_month": payers, "months": len(months)},
            )
        )
    return findings


# -- A4 ------------------------------------------------------------------------------------------
def detect_shared_identifiers(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    """A phone, e-mail or id number registered for several different persons.

    The finding names the identifier by its keyed ``identifier_id`` and its kind only: the number
    itself is personal data, shown in views only with ``--include-personal-ids``.
    """
    ids = data.identifiers[data.identifiers["kind"].isin(params["kinds"])]
    if ids.empty:
        return []
    counts = ids.groupby(["kind", "identifier_id"])["party_id"].nunique()
    hits = counts[counts >= params["min_parties"]]
    findings = []
    names = data.parties.drop_duplicates("party_id").set_index("party_id")["name"]
    for (kind, ident), n in hits.sort_index().items():
        parties = sorted(ids.loc[ids["identifier_id"] == ident, "party_id"].astype(str).unique())
        surnames = {surname(names.get(p)) for p in parties}
        if len(surnames) <= 1 and kind != "id_number":
            continue  # one family sharing a landline
        weight = params["kind_weight"].get(kind, 0.5)
        what = _IDENTIFIER_TEXT.get(kind, kind)
        findings.append(
            Finding(
                detector="shared_identifiers",
                subjects=[Subject("identifier", str(ident), "unknown", what)]
                + [party_subject(data, p, "unknown") for p in parties],
                score=min(1.0, weight * (0.6 + 0.1 * (int(n) - params["min_parties"]))),
                summary=f"one {what} is registered for {int(n)} different persons ({len(surnames)} surnames)",
                parameters=dict(params),
                evidence_records=[
                    {"table": "identifiers", "key": {"party_id": p, "identifier_id": str(ident)}} for p in parties
                ],
                metrics={"parties": int(n)},
            )
        )
    return findings


#: How a finding names an identifier's kind (never its value).
_IDENTIFIER_TEXT = {"phone": "phone number", "id_number": "id-document number", "email": "e-mail address"}


SWEEP = Detector(
    name="sweep",
    title="Victim-account sweeps to a controller (A2)",
    description=(
        "Several private accounts pass on most of what they receive within hours, month after month, to "
        "the same account: the swept accounts are possible victims, the receiving account a controller."
    ),
    run=detect_sweeps,
)
NIGHT_P2P = Detector(
    name="night_p2p",
    title="Many small P2P receipts at night (A3)",
    description=(
        "A private account receives many small, round payments from different private payers in a month, "
        "mostly at night where times are known — typical of client payments for commercial sex."
    ),
    run=detect_night_p2p,
)
SHARED_IDENTIFIERS = Detector(
    name="shared_identifiers",
    title="Identifiers shared by several persons (A4)",
    description=(
        "The same phone number, e-mail or identity-document number is registered for several different "
        "persons — one controller's phone on victims' accounts, or reused documents."
    ),
    run=detect_shared_identifiers,
    per_currency=False,
)
