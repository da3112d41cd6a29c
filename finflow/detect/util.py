"""Helpers the detector catalogue shares: holders, text patterns, registry look-ups, lists.

Everything here is vectorised over whole tables; detectors then loop only over candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from finflow.casedata import CaseData
from finflow.detect.base import Subject
from finflow.graph import account_holders

__all__ = [
    "AccountInfo",
    "account_codes",
    "account_info",
    "account_subject",
    "case_cache",
    "company_profile",
    "currency_of",
    "evidence",
    "group_sum",
    "in_order",
    "in_sector",
    "light_transactions",
    "load_list",
    "month_index",
    "party_subject",
    "people_behind",
    "role_holders",
    "rows_with_ids",
    "split_rows",
    "text_matches",
    "top_txn_ids",
]

_NON_CAPTURING = re.compile(r"(?<!\\)\((?!\?)")

#: Holder party ids that only stand for "whoever holds account X" (see finflow.ids).
_PLACEHOLDER_PREFIX = "holder-"


class AccountInfo:
    """Per-account holder facts, computed once per detector run."""

    def __init__(self, data: CaseData) -> None:
        frame = account_holders(data)
        frame.index = frame.index.astype(object)
        self.frame = frame.astype(object).where(frame.notna(), None)
        self.name = self.frame["holder_name"]
        self.kind = self.frame["kind"]
        party = self.frame["holder_party_id"]
        placeholder = party.map(lambda p: not isinstance(p, str) or p.startswith(_PLACEHOLDER_PREFIX))
        self.party = party.where(~placeholder.astype(bool), None)
        self._by_party: dict[str, list[str]] | None = None

    def label(self, account: str) -> str | None:
        name = self.name.get(account)
        return name if isinstance(name, str) and name else None

    def is_person(self, account: str) -> bool:
        return self.kind.get(account) == "person"

    def accounts_of(self, party_id: str) -> list[str]:
        """Accounts held by a (strongly identified) party."""
        if self._by_party is None:
            known = self.party.dropna()
            grouped: dict[str, list[str]] = {}
            for account, party in zip(known.index, known.to_numpy(), strict=True):
                grouped.setdefault(str(party), []).append(str(account))
            self._by_party = {p: sorted(a) for p, a in grouped.items()}
        return self._by_party.get(party_id, [])


_CACHE_ATTR = "_detect_cache"
_LIGHT_COLUMNS = (
    "txn_id", "booking_date", "booking_time", "ts", "has_time", "amount_minor", "currency", "from_account",
    "to_account", "from_name", "to_name", "to_country", "channel", "description",
)  # fmt: skip


def _cache(data: CaseData) -> dict[str, Any]:
    cache = getattr(data, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(data, _CACHE_ATTR, cache)
    return cache


def case_cache(data: CaseData) -> dict[str, Any]:
    """Facts built once per case and shared by detectors (the transaction view, indexes)."""
    return _cache(data)


def light_transactions(data: CaseData) -> pd.DataFrame:
    """The transaction columns detectors read, as plain numpy/object columns, built once per case.

    Arrow-backed columns make every boolean selection a per-column Arrow ``take``; detectors select
    rows thousands of times, so they work on this narrower, numpy-backed copy instead.
    """
    cache = _cache(data)
    if "tx" not in cache:
        tx = data.transactions
        out = {}
        for column in _LIGHT_COLUMNS:
            values = tx[column]
            if column in ("ts", "booking_date"):
                out[column] = pd.to_datetime(values).astype("datetime64[s]").to_numpy()
            elif column == "amount_minor":
                out[column] = values.to_numpy(dtype="int64")
            elif column == "has_time":
                out[column] = values.to_numpy(dtype=bool)
            else:
                # numpy object columns: row selection is a numpy take, not one Arrow call per column
                out[column] = pd.Series(_objects(values), dtype=object)
        cache["tx"] = pd.DataFrame(out)
    return cache["tx"]


def _objects(values: pd.Series) -> np.ndarray:
    """A column as a numpy object array with None for nulls (straight from Arrow when it is Arrow)."""
    if isinstance(values.dtype, pd.ArrowDtype) or values.dtype == "string":
        try:
            return np.asarray(pa.array(values, from_pandas=True).to_numpy(zero_copy_only=False), dtype=object)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    return values.astype(object).where(values.notna(), None).to_numpy(dtype=object)


def account_info(data: CaseData) -> AccountInfo:
    """:class:`AccountInfo` for the case, built once."""
    cache = _cache(data)
    if "info" not in cache:
        cache["info"] = AccountInfo(data)
    return cache["info"]


def account_subject(info: AccountInfo, account: str, role: str) -> Subject:
    return Subject("account", str(account), role, info.label(account))


def party_subject(data: CaseData, party_id: str, role: str) -> Subject:
    names = data.parties.drop_duplicates("party_id").set_index("party_id")["name"]
    name = names.get(party_id)
    return Subject("party", str(party_id), role, name if isinstance(name, str) else None)


def people_behind(data: CaseData, info: AccountInfo, account: str, kinds: Iterable[str]) -> list[str]:
    """Active role-holders (e.g. DAGL, INNH) of the company holding ``account``; [] for persons."""
    party = info.party.get(account)
    if not isinstance(party, str) or info.kind.get(account) != "company":
        return []
    return role_holders(data, party, kinds)


def role_holders(data: CaseData, company: str, kinds: Iterable[str]) -> list[str]:
    """Party ids of the company's active holders of the given roles (e.g. DAGL, INNH)."""
    roles = data.company_roles
    mask = (roles["company_party_id"] == company) & roles["role"].isin(list(kinds))
    mask &= ~roles["resigned"].fillna(False).astype(bool)
    return sorted(set(roles.loc[mask.to_numpy(dtype=bool), "holder_party_id"].astype(str)))


def text_matches(text: pd.Series, pattern: str) -> np.ndarray:
    """Case-insensitive regex search over free text (null text never matches)."""
    pattern = _NON_CAPTURING.sub("(?:", pattern)  # groups are for alternation, not extraction
    # the regex runs once per distinct text (texts repeat a great deal), vectorised on Arrow strings
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    if len(uniques) == 0:
        return np.zeros(len(text), dtype=bool)
    arrow = pd.Series(uniques).astype("string[pyarrow]")
    hit = arrow.str.contains(pattern, case=False, regex=True).fillna(False).to_numpy(dtype=bool)
    return np.where(codes >= 0, hit[np.maximum(codes, 0)], False)


#: ``year * 12 + month`` of 1970-01, the origin of numpy's month numbers.
_MONTH_ORIGIN = 1970 * 12 + 1


def month_index(ts: pd.Series | np.ndarray) -> np.ndarray:
    """Calendar month number (year*12 + month) per timestamp, for per-month counting.

    Numpy timestamps are converted to months in C (detectors call this on millions of rows);
    anything else, and missing timestamps (NaN months), go through pandas' calendar fields.
    """
    values = ts.to_numpy() if isinstance(ts, pd.Series) else np.asarray(ts)
    if values.dtype.kind == "M" and not np.isnat(values).any():
        months = values.astype("datetime64[M]").astype(np.int64) + _MONTH_ORIGIN
        return months.astype(np.int32)  # the dtype of pandas' year * 12 + month
    dates = pd.to_datetime(pd.Series(ts) if not isinstance(ts, pd.Series) else ts)
    return (dates.dt.year * 12 + dates.dt.month).to_numpy()


def split_rows(frame: pd.DataFrame, key: str, order: Sequence[str] = ()) -> dict[Any, pd.DataFrame]:
    """``frame``'s rows per value of column ``key`` (null keys left out), each group in ``order``.

    The same groups as ``dict(tuple(frame.groupby(key)))`` followed by a stable
    ``sort_values(order)`` of each, but with one sort of the whole frame instead of one per
    group: detectors split a million rows into thousands of accounts. Groups are slices of one
    reordered copy; keys come in sorted order, as from ``groupby``.
    """
    if order:
        frame = frame.sort_values(list(order), kind="stable")
    codes, uniques = pd.factorize(frame[key], sort=True)  # null keys: -1, sorted first and skipped
    by_key = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[by_key], np.arange(len(uniques) + 1))
    ordered = frame.iloc[by_key]
    return {uniques[i]: ordered.iloc[int(bounds[i]) : int(bounds[i + 1])] for i in range(len(uniques))}


def currency_of(frame: pd.DataFrame) -> str:
    """The one currency of some transactions (NOK when there are none).

    A detector run by :func:`finflow.detect.registry.run_detectors` sees one currency at a time,
    so its figures (medians, thresholds, totals) are all in it. Transactions in several currencies
    are an error here: an amount printed "in the most common currency" would misstate the others.
    """
    if frame.empty:
        return "NOK"
    codes = sorted({str(c) for c in frame["currency"].dropna().unique()})
    if len(codes) > 1:
        raise ValueError(
            f"transactions in {len(codes)} currencies ({', '.join(codes)}) cannot be summarised as one; "
            "run detectors through finflow.detect.registry.run_detectors, which runs them per currency"
        )
    return codes[0] if codes else "NOK"


def evidence(frame: pd.DataFrame, limit: int) -> list[str]:
    """Txn ids of the largest ``limit`` transactions (ties by id), so evidence is stable."""
    return top_txn_ids(frame["amount_minor"], frame["txn_id"], limit)


def top_txn_ids(amount: pd.Series, txn_id: pd.Series, limit: int) -> list[str]:
    """The ids of the ``limit`` largest amounts, ties by id: the rows
    ``sort_values(["amount_minor", "txn_id"], ascending=[False, True]).head(limit)`` keeps.

    Only the rows that can make the cut (amount at least the ``limit``-th largest) are sorted,
    in Python: a pandas sort on a text column factorizes it, and detectors ask for evidence
    thousands of times. Non-integer amounts, missing ids or a negative limit take pandas' path.
    """
    limit = int(limit)
    amounts = amount.to_numpy()
    ids = txn_id.to_numpy(dtype=object)
    if limit < 0 or amounts.dtype.kind not in "iu" or not all(isinstance(i, str) for i in ids):
        frame = pd.DataFrame({"amount_minor": amount.to_numpy(), "txn_id": ids})
        top = frame.sort_values(["amount_minor", "txn_id"], ascending=[False, True]).head(limit)
        return top["txn_id"].astype(str).tolist()
    if limit == 0 or len(amounts) == 0:
        return []
    if len(amounts) > limit:
        keep = amounts >= np.partition(amounts, len(amounts) - limit)[len(amounts) - limit]
        amounts, ids = amounts[keep], ids[keep]
    rows = sorted(zip((-amounts).tolist(), ids.tolist(), strict=True))
    return [i for _, i in rows[:limit]]


def in_order(data: CaseData, frame: pd.DataFrame, columns: Sequence[str] = ("ts", "txn_id")) -> pd.DataFrame:
    """Rows of :func:`light_transactions` in the order ``frame.sort_values(columns)`` gives.

    The whole table is sorted once per case and column list; a subset is then put in order by
    its rows' ranks (an integer sort), not by a new sort of its text columns. ``frame`` must
    keep the table's row labels (a selection of it, with or without added columns).
    """
    columns = tuple(columns)
    cache = _cache(data)
    key = ("rank", columns)
    tx = light_transactions(data)
    if not tx.index.equals(pd.RangeIndex(len(tx))):  # ranks are by position
        return frame.sort_values(list(columns), kind="stable")
    if key not in cache:
        order = _sorted_positions(data, tx, columns)
        rank = np.empty(len(tx), dtype=np.int64)
        rank[order] = np.arange(len(tx))
        cache[key] = rank
    rank = cache[key]
    return frame.iloc[np.argsort(rank[frame.index.to_numpy()], kind="stable")]


def account_codes(data: CaseData) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Each row's sending and receiving account of :func:`light_transactions` as integer codes.

    Returns ``(from_code, to_code, accounts)``: ``accounts[code]`` is the account, -1 stands for
    none, and codes follow the accounts' sorted order, so grouping by code groups (and orders)
    as grouping by the account text does — at the cost of integers, once per case.
    """
    cache = _cache(data)
    if "account codes" not in cache:
        tx = light_transactions(data)
        both = pd.concat([tx["from_account"], tx["to_account"]], ignore_index=True)
        codes, accounts = pd.factorize(both, sort=True)
        cache["account codes"] = (codes[: len(tx)], codes[len(tx) :], pd.Index(accounts, dtype=object))
    return cache["account codes"]


def group_sum(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact integer sums of ``values`` per key ``0 … size - 1`` (keys below 0 left out)."""
    keep = keys >= 0
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, keys[keep], values[keep].astype(np.int64))
    return out


def _sorted_positions(data: CaseData, tx: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """Row positions of ``tx`` in ``sort_values(columns, kind="stable")`` order.

    Text ids are ranked once (a numpy sort of fixed-width strings orders them as Python does);
    timestamps and ids are then sorted as integers. Columns of any other kind, or with missing
    values, go through pandas.
    """
    keys = []
    for column in columns:
        values = tx[column].to_numpy()
        if column == "txn_id":
            rank = _text_rank(data, column)
            if rank is None:
                break
            keys.append(rank)
        elif values.dtype.kind in "Mmiu" and not (values.dtype.kind in "Mm" and np.isnat(values).any()):
            keys.append(values)
        else:
            break
    else:
        return np.lexsort(keys[::-1]) if keys else np.arange(len(tx))
    return tx.sort_values(list(columns), kind="stable").index.to_numpy()


def _text_rank(data: CaseData, column: str) -> np.ndarray | None:
    """Each row's rank in a stable sort of a text column of :func:`light_transactions` (None
    when the column holds anything but text)."""
    cache = _cache(data)
    key = ("text rank", column)
    if key not in cache:
        values = light_transactions(data)[column].to_numpy(dtype=object)
        if not all(isinstance(v, str) and not v.endswith("\x00") for v in values):  # numpy drops trailing NULs
            cache[key] = None
        else:
            order = np.argsort(values.astype(str), kind="stable")
            rank = np.empty(len(values), dtype=np.int64)
            rank[order] = np.arange(len(values))
            cache[key] = rank
    return cache[key]


def rows_with_ids(data: CaseData, ids: Iterable[str]) -> pd.DataFrame:
    """The rows of :func:`light_transactions` whose ``txn_id`` is in ``ids``, in table order:
    ``tx[tx["txn_id"].isin(ids)]`` through an id index built once per case."""
    tx = light_transactions(data)
    cache = _cache(data)
    if "txn index" not in cache:
        cache["txn index"] = pd.Index(tx["txn_id"].to_numpy(dtype=object))
    index = cache["txn index"]
    wanted = list(dict.fromkeys(ids))
    if not index.is_unique:
        return tx[tx["txn_id"].isin(wanted)]
    positions = index.get_indexer(wanted)
    return tx.iloc[np.sort(positions[positions >= 0])]


def company_profile(data: CaseData) -> pd.DataFrame:
    """Per company party: name, industry code, registered employees (null when not registered)."""
    companies = data.companies.drop_duplicates("party_id").set_index("party_id")
    names = data.parties.drop_duplicates("party_id").set_index("party_id")["name"]
    out = companies[["industry_code", "employees", "founded", "bankrupt", "in_liquidation"]].copy()
    out["name"] = names.reindex(out.index)
    return out


def in_sector(codes: pd.Series, prefixes: Iterable[str]) -> pd.Series:
    """Whether each SN2007 industry code starts with one of ``prefixes`` (e.g. ``"81.2"``)."""
    prefixes = tuple(str(p) for p in prefixes)
    text = codes.astype("string").fillna("")
    return text.map(lambda c: bool(c) and c.startswith(prefixes)).astype(bool)


@cache
def _list_file(name: str) -> dict[str, Any]:
    text = files("finflow").joinpath(f"data/lists/{name}").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_list(name: str) -> dict[str, Any]:
    """A dated reference list shipped in ``finflow/data/lists`` (country lists, merchant lists)."""
    return dict(_list_file(name))


def list_values(params: Mapping[str, Any], key: str, entry: str) -> list[str]:
    """The values of ``entry`` in the list file named by ``params[key]``."""
    return [str(v) for v in load_list(str(params[key]))[entry]]
