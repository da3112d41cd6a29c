"""The money moves the laundering-typology detectors search, built once per case.

Fan-in, fan-out, cycles, bipartite layers, stacks, scatter-gather and gather-scatter (the
AMLSim/AMLworld set, ``finflow.detect.fan``, ``cycles``, ``layers``) all look at the same thing:
transfers from one known account to another, in time order, with exact amounts. This module
builds that once per case as integer-coded numpy arrays, together with the facts every typology
judges by:

- **relationships**: how often each (payer, payee) pair transacts in the case and over which
  days. A pattern is carried by *one-off* relationships — a pair that pays once or twice, only
  for the pattern — while a landlord's tenants, an employer's staff and a family's remittances
  repeat month after month;
- **amount floors per currency** (``min_amount_minor`` in the ``typologies`` configuration):
  an amount is only ever compared with a threshold, or with another amount, of its own currency;
- **account activity**: first and last day each account is seen, for judging a burst against
  the account's own history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.util import case_cache, light_transactions

__all__ = ["Moves", "currency_threshold", "move_index", "near_threshold_share"]

_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class Moves:
    """Account-to-account transfers, in time order (``ts``, then ``txn_id``).

    Accounts and currencies are integer codes into ``accounts`` and ``currencies``. Per move:
    ``src``/``dst`` account codes, ``day`` (days since 1970-01-01 of the booking date), ``ts``,
    ``amount`` (minor units), ``cur`` (currency code), ``txn`` (txn id), ``pair_count`` (moves
    of the same payer to the same payee in the case) and ``pair_span`` (days between that
    pair's first and last move).
    """

    accounts: np.ndarray
    currencies: list[str]
    src: np.ndarray
    dst: np.ndarray
    day: np.ndarray
    ts: np.ndarray
    amount: np.ndarray
    cur: np.ndarray
    txn: np.ndarray
    pair_count: np.ndarray
    pair_span: np.ndarray
    first_day: np.ndarray  # per account: first day it is seen in any move (either side)
    last_day: np.ndarray
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.src)

    def one_off(self, max_payments: int, within_days: int) -> np.ndarray:
        """Moves of relationships that pay at most ``max_payments`` times, all within ``within_days``."""
        return (self.pair_count <= max_payments) & (self.pair_span < within_days)

    @cached_property
    def span_days(self) -> int:
        """Days the case's moves cover (at least 1)."""
        return int(self.day.max() - self.day.min() + 1) if len(self) else 1

    def account(self, code: int) -> str:
        return str(self.accounts[code])

    def date(self, day: int) -> str:
        return str(_EPOCH + np.timedelta64(int(day), "D"))


def move_index(data: CaseData, params: Mapping[str, Any]) -> Moves:
    """The case's :class:`Moves` under the ``typologies`` settings (built once per case and settings)."""
    key = ("moves", tuple(sorted(params["channels"])), tuple(sorted(params["min_amount_minor"].items())))
    cache = case_cache(data)
    if key not in cache:
        cache[key] = _build(light_transactions(data), params)
    return cache[key]


def _build(tx: pd.DataFrame, params: Mapping[str, Any]) -> Moves:
    frm = tx["from_account"].to_numpy(dtype=object)
    to = tx["to_account"].to_numpy(dtype=object)
    keep = ~pd.isna(frm) & ~pd.isna(to)
    keep &= np.isin(tx["channel"].to_numpy(dtype=object), list(params["channels"]))
    cur_codes, currencies = pd.factorize(tx["currency"].to_numpy(dtype=object), sort=True)
    floors = np.array([int(params["min_amount_minor"].get(str(c), 0)) for c in currencies], dtype=np.int64)
    amount = tx["amount_minor"].to_numpy(dtype=np.int64)
    keep &= amount >= (floors[cur_codes] if len(currencies) else 0)
    idx = np.flatnonzero(keep)
    idx = idx[frm[idx] != to[idx]]
    ts, txn = tx["ts"].to_numpy()[idx], tx["txn_id"].to_numpy(dtype=object)[idx].astype(str)
    order = np.lexsort((txn, ts))
    idx, ts, txn = idx[order], ts[order], txn[order]
    codes, accounts = pd.factorize(np.concatenate([frm[idx], to[idx]]).astype(str), sort=True)
    n = len(idx)
    src, dst = codes[:n].astype(np.int32), codes[n:].astype(np.int32)
    used, cur = np.unique(cur_codes[idx], return_inverse=True)
    day = (tx["booking_date"].to_numpy()[idx].astype("datetime64[D]") - _EPOCH).astype(np.int32)
    pair = src.astype(np.int64) * max(1, len(accounts)) + dst
    _, inverse, counts = np.unique(pair, return_inverse=True, return_counts=True)
    first = np.full(len(counts), np.iinfo(np.int32).max, dtype=np.int32)
    last = np.full(len(counts), np.iinfo(np.int32).min, dtype=np.int32)
    np.minimum.at(first, inverse, day)
    np.maximum.at(last, inverse, day)
    seen_first = np.full(len(accounts), np.iinfo(np.int32).max, dtype=np.int32)
    seen_last = np.full(len(accounts), np.iinfo(np.int32).min, dtype=np.int32)
    for side in (src, dst):
        np.minimum.at(seen_first, side, day)
        np.maximum.at(seen_last, side, day)
    return Moves(
        accounts=np.asarray(accounts, dtype=object),
        currencies=[str(currencies[c]) for c in used],
        src=src,
        dst=dst,
        day=day,
        ts=ts,
        amount=amount[idx],
        cur=cur.astype(np.int16),
        txn=txn.astype(object),
        pair_count=counts[inverse].astype(np.int32),
        pair_span=(last - first)[inverse].astype(np.int32),
        first_day=seen_first,
        last_day=seen_last,
    )


def currency_threshold(params: Mapping[str, Any], key: str, currency: str) -> int | None:
    """A per-currency threshold of the ``typologies`` settings (None when the currency has none)."""
    value = params[key].get(currency)
    return None if value is None else int(value)


def near_threshold_share(amounts: np.ndarray, currency: str, params: Mapping[str, Any]) -> float:
    """Share of ``amounts`` just under the currency's reporting threshold ([band × X, X)); 0 without one."""
    threshold = currency_threshold(params, "reporting_threshold_minor", currency)
    if threshold is None or len(amounts) == 0:
        return 0.0
    near = (amounts >= params["near_threshold_band"] * threshold) & (amounts < threshold)
    return float(near.mean())
