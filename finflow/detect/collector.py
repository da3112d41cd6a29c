"""A1 — collector (controller) accounts: money from many unrelated people, passed on.

An account that, within one window, receives from many distinct private persons who are not
family (no shared surname with the holder), in small amounts, and forwards most of it within
hours, is where a controller collects victims' earnings (FinCEN FIN-2020-A008 "funnel
accounts"; FIN-2014-A008 "multiple, apparently unrelated, customers sending … to the same
beneficiary").

What keeps innocent look-alikes out: a landlord's tenants pay rent-sized amounts (median above
the small-amount limit); a shop or a treasurer keeps what it takes in (little forwarded within
hours). An account that sends nearly all its outflow to one other collector candidate is a
feeder — typically a victim's account swept to the controller — and is left to the sweep
detector, which reports it as a possible victim, not a suspect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding, Subject
from finflow.detect.common import fifo_forwarded, nok, surname
from finflow.detect.util import (
    account_codes,
    currency_of,
    group_sum,
    in_order,
    light_transactions,
    split_rows,
    top_txn_ids,
)
from finflow.graph import account_holders

__all__ = ["DETECTOR", "detect_collectors"]

_OUT_CHANNELS_EXCLUDED = ("fee",)
_CREDIT_COLUMNS = ("txn_id", "ts", "amount_minor", "currency", "from_account", "from_name", "to_account")
_DEBIT_COLUMNS = ("txn_id", "ts", "amount_minor", "from_account")


def detect_collectors(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    tx = light_transactions(data)
    if tx.empty:
        return []
    holders = account_holders(data)
    kind = holders["kind"]
    from_code, to_code, accounts = account_codes(data)
    both = (from_code >= 0) & (to_code >= 0)
    credits = tx[both]
    # holder kind per account, read for each row through its code; unknown kinds guessed from the name
    account_kind = pd.Series(accounts, dtype=object).map(kind).to_numpy(dtype=object)
    sender_kind = account_kind[from_code[both]]
    known = pd.notna(sender_kind) & (sender_kind != "unknown")
    names = credits["from_name"].fillna("").to_numpy(dtype=object)
    guess = ~known
    looks = {n: "company" if _looks_company(n) else "person" for n in pd.unique(names[guess])}
    is_person = np.where(known, sender_kind == "person", False)
    is_person[guess] = [looks[n] == "person" for n in names[guess]]
    is_person = is_person.astype(bool)
    person_row = np.zeros(len(tx), dtype=bool)
    person_row[np.flatnonzero(both)[is_person]] = True
    # distinct senders per receiving account, counted on codes
    pairs = np.unique(to_code[both][is_person].astype(np.int64) * len(accounts) + from_code[both][is_person])
    receivers, n_senders = np.unique(pairs // max(1, len(accounts)), return_counts=True)
    distinct = pd.Series(n_senders, index=accounts[receivers])
    candidates = set(distinct[distinct >= params["min_distinct_senders"]].index)
    if not candidates:
        return []

    main_destination = _main_destinations(data, tx, params["feeder_top_share"])
    # a victim's account swept into a person's collector account; an account whose money goes
    # mostly to a money-transfer operator or a landlord (companies) is not a feeder
    feeders = {
        a
        for a, dest in main_destination.items()
        if a in candidates and dest in candidates and dest != a and kind.get(dest) == "person"
    }
    # without a swept feeder an account needs many senders in one window: skip those that
    # cannot have them over the whole period (a necessary condition, so nothing is lost)
    fed = set(main_destination.values())
    assess = {a for a in candidates - feeders if a in fed or distinct[a] >= params["min_senders_if_not_swept"]}
    assessed = np.isin(np.arange(len(accounts)), accounts.get_indexer(sorted(assess)))
    # only the columns the assessment reads: each account's rows are split out of these
    all_credits = tx.loc[assessed[to_code] & (to_code >= 0), list(_CREDIT_COLUMNS)].copy()
    all_credits["is_person"] = person_row[all_credits.index.to_numpy()]
    # the sender as an integer (null and "" alike, as the text comparison had them): see _assess
    sender = from_code[all_credits.index.to_numpy()] + 1
    empty = accounts.get_indexer([""])[0]
    all_credits["sender_code"] = np.where(sender == empty + 1, 0, sender) if empty >= 0 else sender
    names = all_credits["from_name"].fillna("")
    surnames = {n: surname(n) for n in names.unique()}
    all_credits["sender_surname"] = names.map(surnames)
    findings = []
    credits_by_account = split_rows(in_order(data, all_credits), "to_account")
    excluded = tx["channel"].isin(_OUT_CHANNELS_EXCLUDED).to_numpy(dtype=bool)
    debits = tx.loc[assessed[from_code] & (from_code >= 0) & ~excluded, list(_DEBIT_COLUMNS)]
    debits_by_account = split_rows(in_order(data, debits), "from_account")
    for account in sorted(assess):
        holder_name = holders["holder_name"].get(account)
        finding = _assess(
            account,
            holder_name,
            credits_by_account[account],
            debits_by_account.get(account, debits.iloc[0:0]),
            {src for src, dest in main_destination.items() if dest == account},
            params,
        )
        if finding is not None:
            findings.append(finding)
    return findings


def _looks_company(name: object) -> bool:
    from finflow.normalize import guess_party_kind

    return guess_party_kind(name if isinstance(name, str) else None) == "company"


def _main_destinations(data: CaseData, tx: pd.DataFrame, top_share: float) -> dict[str, str]:
    """Swept accounts: sender → the one account that takes nearly all it receives.

    A sender counts as swept when at least ``top_share`` of its outflow goes to one account and
    that is at least half of what the sender received — "what arrives leaves to the same place"
    (A2). A sender whose inflows we do not see (no statement of it in the case) is never called
    swept: that one payee takes all its *visible* outflow says nothing.
    """
    from_code, to_code, accounts = account_codes(data)
    n = len(accounts)
    amount = tx["amount_minor"].to_numpy(dtype=np.int64)
    out = (from_code >= 0) & ~tx["channel"].isin(_OUT_CHANNELS_EXCLUDED).to_numpy(dtype=bool)
    totals = group_sum(from_code[out], amount[out], n)
    inflow = group_sum(to_code, amount, n)  # 0 for an account that receives nothing
    paired = out & (to_code >= 0)
    keys, pair_of = np.unique(from_code[paired].astype(np.int64) * n + to_code[paired], return_inverse=True)
    pair_amount = group_sum(pair_of, amount[paired], len(keys))
    sender, receiver = keys // n, keys % n
    out_share = pair_amount / totals[sender]
    received = inflow[sender]
    top = (out_share >= top_share) & (pair_amount >= 0.5 * received) & (received > 0)
    return dict(zip(accounts[sender[top]], accounts[receiver[top]], strict=True))


def _assess(
    account: str,
    holder_name: object,
    credits: pd.DataFrame,
    debits: pd.DataFrame,
    swept_senders: set[str],
    params: Mapping[str, Any],
) -> Finding | None:
    own_surname = surname(holder_name)
    window = np.timedelta64(int(params["window_days"]), "D")
    is_person = credits["is_person"].to_numpy(dtype=bool)
    senders = credits["sender_code"].to_numpy()  # one integer per sending account (0: none)
    related = (credits["sender_surname"].to_numpy(dtype=object) == own_surname) & bool(own_surname)
    counted = is_person & ~related
    ts = credits["ts"].to_numpy()

    days = ts.astype("datetime64[D]")
    best = _best_window(days.astype(np.int64), senders, counted, int(params["window_days"]))
    if best is None:
        return None
    first_day = np.datetime64(int(best[0]), "D")
    in_window = (days >= first_day) & (days < first_day + window)
    n_senders = len(np.unique(senders[in_window & counted]))
    if n_senders < params["min_distinct_senders"]:
        return None
    start = int(np.flatnonzero(in_window)[0])
    end = int(np.flatnonzero(in_window)[-1])
    # the gates below read numpy arrays; rows are only taken out of the frame for an account that passes
    amount = credits["amount_minor"].to_numpy(dtype=np.int64)
    in_person_window = in_window & counted
    median = float(np.median(amount[in_person_window]))
    sender_codes = np.unique(senders[in_person_window], return_inverse=True)[1]
    payments = np.bincount(sender_codes)
    per_sender_sum = np.zeros(len(payments), dtype=np.int64)
    np.add.at(per_sender_sum, sender_codes, amount[in_person_window])
    repeat_share = float(per_sender_sum[payments >= 2].sum()) / max(1, int(per_sender_sum.sum()))
    if repeat_share < params["min_repeat_share"]:
        return None
    non_cash_value = int(amount[in_window & credits["from_account"].notna().to_numpy(dtype=bool)].sum())
    person_value = int(amount[in_window & is_person].sum())
    person_share = person_value / max(1, non_cash_value)
    if median > params["max_median_amount_minor"] or person_share < params["min_person_share"]:
        return None
    window_credits = credits[in_window]
    person_window = credits[in_person_window]

    forwarded, out_in_time = fifo_forwarded(
        ts,
        credits["amount_minor"].to_numpy(),
        debits["ts"].to_numpy(),
        debits["amount_minor"].to_numpy(),
        np.timedelta64(int(params["forward_days"]), "D"),
    )
    window_in = int(window_credits["amount_minor"].sum())
    forwarded_share = int(forwarded[in_window].sum()) / max(1, window_in)
    from_swept = window_credits["from_account"].isin(swept_senders).to_numpy()
    swept_share = int(window_credits["amount_minor"].to_numpy()[from_swept].sum()) / max(1, window_in)
    swept_in = swept_share >= params["min_swept_share"]
    passed_on = forwarded_share >= params["min_forward_share"] and n_senders >= params["min_senders_if_not_swept"]
    if not (swept_in or passed_on):
        return None

    w = params["weights"]
    parts = {
        "senders": min(1.0, n_senders / (3 * params["min_distinct_senders"])),
        "forwarded": max(forwarded_share, swept_share),
        "small_amounts": max(0.0, 1 - median / params["max_median_amount_minor"]),
        "persons": min(1.0, person_share),
    }
    score = sum(w[k] * v for k, v in parts.items()) / sum(w.values())
    first = pd.Timestamp(ts[start]).date()
    last = pd.Timestamp(ts[end]).date()
    currency = currency_of(credits)
    summary = (
        f"received from {n_senders} distinct unrelated private senders in {params['window_days']} days "
        f"({first} to {last}), median {nok(median, currency)}, forwarded {forwarded_share:.0%} "
        f"within {params['forward_days']} days"
    )
    if swept_share:
        summary += f"; {swept_share:.0%} came from accounts that pass nearly all their money to it"
    out_in_window = debits[(out_in_time > 0)]
    out_in_window = out_in_window[
        (out_in_window["ts"] >= ts[start])
        & (out_in_window["ts"] <= ts[end] + np.timedelta64(int(params["forward_days"]), "D"))
    ]
    evidence = pd.concat([person_window, out_in_window])
    return Finding(
        detector="collector",
        subjects=[Subject("account", account, "controller", holder_name if isinstance(holder_name, str) else None)],
        score=score,
        summary=summary,
        parameters=dict(params),
        evidence_txn_ids=top_txn_ids(evidence["amount_minor"], evidence["txn_id"], params["max_evidence"]),
        metrics={
            "distinct_unrelated_senders": int(n_senders),
            "window_start": str(first),
            "window_end": str(last),
            "median_credit_minor": round(median),
            "person_share": round(person_share, 4),
            "repeat_sender_share": round(repeat_share, 4),
            "forwarded_share": round(forwarded_share, 4),
            "swept_in_share": round(swept_share, 4),
            "window_inflow_minor": window_in,
            "currency": currency,
        },
    )


def _best_window(
    days: np.ndarray, senders: np.ndarray, counted: np.ndarray, window_days: int
) -> tuple[int, int] | None:
    """The first day of the ``window_days`` calendar days with the most distinct counted senders.

    Returns ``(first day number, distinct senders)``. A sender is in the window starting on day
    ``x`` when one of its payments falls on days ``x … x + window_days - 1``; each payment covers
    the window starts ``[day - window_days + 1, day]``, so counting covered starts over merged
    per-sender intervals gives every window's distinct count at once.
    """
    if not counted.any():
        return None
    first_day = int(days[counted].min())
    span = int(days[counted].max()) - first_day + 1
    keys = np.unique(senders[counted].astype(np.int64) * span + (days[counted] - first_day))  # by sender, day
    sender, day = keys // span, keys % span + first_day
    new_sender = np.r_[True, sender[1:] != sender[:-1]]
    starts = new_sender | np.r_[True, np.diff(day) > window_days]  # a gap leaves a start uncovered
    ends = np.r_[starts[1:], True]
    lo, hi = day[starts] - window_days + 1, day[ends]
    origin = int(lo.min())
    coverage = np.zeros(int(hi.max()) - origin + 2, dtype=np.int64)
    np.add.at(coverage, lo - origin, 1)
    np.add.at(coverage, hi - origin + 1, -1)
    running = np.cumsum(coverage)
    x = origin + int(np.argmax(running))
    # start on the first payment day of that window: same senders, and later payments kept in
    first = int(day[day >= x].min())
    return first, int(running[x - origin])


DETECTOR = Detector(
    name="collector",
    title="Collector (controller) account",
    description=(
        "An account receiving money from many different, unrelated private persons in a short "
        "time, in small amounts, and passing most of it on within hours — where a controller "
        "collects victims' earnings."
    ),
    run=detect_collectors,
)
