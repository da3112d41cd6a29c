"""The shared vectorised helpers give exactly what the straightforward pandas computation gives."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from finflow.detect.util import (
    account_codes,
    group_sum,
    in_order,
    light_transactions,
    month_index,
    rows_with_ids,
    split_rows,
    top_txn_ids,
)

RNG = np.random.default_rng(13)


def _case(n: int = 400, *, ids: list[object] | None = None) -> SimpleNamespace:
    """A stand-in case holding only a transactions table (all the helpers read)."""
    ts = np.datetime64("2025-12-30T22:00:00") + RNG.integers(0, 90 * 24, n).astype("timedelta64[h]")
    accounts = np.array([f"acc-{i:02d}" for i in range(12)] + [None], dtype=object)
    frame = pd.DataFrame(
        {
            "txn_id": ids if ids is not None else [f"t{RNG.integers(0, 10**6):06d}-{i}" for i in range(n)],
            "booking_date": ts.astype("datetime64[D]"),
            "booking_time": None,
            "ts": ts,
            "has_time": True,
            "amount_minor": RNG.integers(1, 50, n) * 1000,  # many equal amounts: ties by id
            "currency": "NOK",
            "from_account": RNG.choice(accounts, n),
            "to_account": RNG.choice(accounts, n),
            "from_name": None,
            "to_name": None,
            "to_country": None,
            "channel": "transfer",
            "description": None,
        }
    )
    return SimpleNamespace(transactions=frame)


def test_month_index_matches_the_calendar_fields_across_month_and_year_ends():
    ts = pd.Series(
        np.array(["1999-12-31T23:59:59", "2000-01-01", "2024-02-29T12:00", "1969-12-31", "2026-07-01"], "datetime64[s]")
    )
    expected = (pd.to_datetime(ts).dt.year * 12 + pd.to_datetime(ts).dt.month).to_numpy()
    got = month_index(ts)
    assert (
        got.tolist()
        == expected.tolist()
        == [1999 * 12 + 12, 2000 * 12 + 1, 2024 * 12 + 2, 1969 * 12 + 12, 2026 * 12 + 7]
    )
    assert got.dtype == expected.dtype
    assert month_index(ts.to_numpy()).tolist() == expected.tolist()  # a plain numpy array too


def test_month_index_with_a_missing_timestamp_keeps_pandas_nan():
    ts = pd.Series(np.array(["2024-01-31", "NaT"], "datetime64[s]"))
    got = month_index(ts)
    assert got[0] == 2024 * 12 + 1 and np.isnan(got[1])


def test_split_rows_equals_groupby_then_sorting_each_group():
    tx = light_transactions(_case())
    got = split_rows(tx, "to_account", ("ts", "txn_id"))
    expected = {k: g.sort_values(["ts", "txn_id"]) for k, g in tx.groupby("to_account")}
    assert list(got) == list(expected) == sorted(expected)  # null keys left out, keys sorted
    for key, group in expected.items():
        pd.testing.assert_frame_equal(got[key], group)
    unordered = split_rows(tx, "from_account")
    for key, group in tx.groupby("from_account"):
        pd.testing.assert_frame_equal(unordered[key], group)  # table order kept within a group


def test_split_rows_of_nothing_and_of_null_keys_only():
    tx = light_transactions(_case())
    assert split_rows(tx.iloc[0:0], "to_account") == {}
    assert split_rows(tx.assign(to_account=None), "to_account") == {}


@pytest.mark.parametrize("limit", [0, 1, 3, 10, 1000])
def test_top_txn_ids_equals_sorting_by_amount_then_id(limit):
    tx = light_transactions(_case(200))
    expected = tx.sort_values(["amount_minor", "txn_id"], ascending=[False, True]).head(limit)["txn_id"].tolist()
    assert top_txn_ids(tx["amount_minor"], tx["txn_id"], limit) == expected


def test_top_txn_ids_breaks_ties_at_the_cut_by_id():
    amount = pd.Series([5, 7, 7, 7, 1])
    ids = pd.Series(["e", "d", "b", "c", "a"], dtype=object)
    assert top_txn_ids(amount, ids, 2) == ["b", "c"]
    assert top_txn_ids(amount.iloc[0:0], ids.iloc[0:0], 2) == []


def test_top_txn_ids_falls_back_to_pandas_for_missing_ids_and_negative_limits():
    amount = pd.Series([3, 2, 1])
    ids = pd.Series(["x", None, "y"], dtype=object)
    frame = pd.DataFrame({"amount_minor": amount, "txn_id": ids})
    for limit in (2, -1):
        expected = frame.sort_values(["amount_minor", "txn_id"], ascending=[False, True]).head(limit)["txn_id"]
        assert top_txn_ids(amount, ids, limit) == expected.astype(str).tolist()


@pytest.mark.parametrize("columns", [("ts", "txn_id"), ("booking_date", "txn_id")])
def test_in_order_equals_sort_values_on_selections(columns):
    case = _case()
    tx = light_transactions(case)
    for mask in (tx["amount_minor"].to_numpy() > 20_000, tx["to_account"].notna().to_numpy(), np.ones(len(tx), bool)):
        subset = tx[mask].assign(extra=1)
        pd.testing.assert_frame_equal(in_order(case, subset, columns), subset.sort_values(list(columns)))


def test_in_order_with_missing_ids_still_sorts_as_pandas():
    case = _case(6, ids=["b", None, "a", "c", None, "a2"])
    tx = light_transactions(case).assign(ts=np.datetime64("2026-01-01T00:00:00"))
    case.transactions = tx  # one timestamp for all: the order is the ids' alone
    case.__dict__.pop("_detect_cache", None)
    tx = light_transactions(case)
    assert in_order(case, tx).index.tolist() == tx.sort_values(["ts", "txn_id"]).index.tolist() == [2, 5, 0, 3, 1, 4]


def test_rows_with_ids_equals_isin_in_table_order():
    case = _case()
    tx = light_transactions(case)
    wanted = [tx["txn_id"].iloc[i] for i in (7, 3, 3, 99)] + ["no-such-id"]
    pd.testing.assert_frame_equal(rows_with_ids(case, wanted), tx[tx["txn_id"].isin(wanted)])
    assert rows_with_ids(case, []).empty


def test_rows_with_ids_with_repeated_ids_returns_every_row():
    case = _case(4, ids=["a", "b", "a", "c"])
    tx = light_transactions(case)
    assert rows_with_ids(case, ["a"]).index.tolist() == tx.index[tx["txn_id"] == "a"].tolist() == [0, 2]


def test_account_codes_name_each_rows_accounts_in_sorted_order():
    case = _case()
    tx = light_transactions(case)
    from_code, to_code, accounts = account_codes(case)
    assert list(accounts) == sorted(accounts)
    for codes, column in ((from_code, "from_account"), (to_code, "to_account")):
        values = tx[column].to_numpy(dtype=object)
        assert ((codes == -1) == pd.isna(values)).all()
        assert (accounts[codes[codes >= 0]] == values[codes >= 0]).all()


def test_group_sum_is_exact_and_leaves_out_negative_keys():
    keys = np.array([0, 2, 2, -1, 0, 2])
    big = 2**53 + 1  # beyond float precision: the sum must stay integer
    values = np.array([big, 5, 6, 100, 1, -2], dtype=np.int64)
    got = group_sum(keys, values, 4)
    assert got.tolist() == [big + 1, 0, 9, 0]
    expected = pd.Series(values[keys >= 0]).groupby(keys[keys >= 0]).sum()
    assert got[expected.index].tolist() == expected.tolist()
