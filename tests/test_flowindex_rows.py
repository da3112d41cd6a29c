"""FlowIndex.rows and account_rows: the selected rows and columns are exactly those of the full frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from test_trace_cases import case, tx

from finflow.casedata import CaseData
from finflow.flowindex import FlowIndex
from finflow.views.evidence import EVIDENCE_SOURCE_COLUMNS, evidence_rows, evidence_table

ACCOUNTS = ["A", "B", "C", "D", None]


def _chunked_case(n: int = 60, parts: int = 4) -> CaseData:
    """A case whose text columns are Arrow arrays of several chunks (as a large import gives)."""
    rng = np.random.default_rng(3)
    rows = [
        tx(f"t{k:03d}", f"2024-03-{1 + k % 28:02d}", int(rng.integers(1, 10_000)), ACCOUNTS[k % 5],
           ACCOUNTS[(k * 3 + 1) % 5], currency="NOK" if k % 7 else "SEK")
        for k in range(n)
    ]  # fmt: skip
    data = case(rows)
    frame = data.transactions
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    frame = frame.astype({c: pd.ArrowDtype(pa.string()) for c in text})
    frame["txn_id"] = frame["txn_id"].astype("string[pyarrow]")
    pieces = np.array_split(np.arange(n), parts)
    data.transactions = pd.concat([frame.iloc[p] for p in pieces])
    return data


def _positions(data: CaseData, ids: list[str]) -> np.ndarray:
    wanted = set(ids)
    return np.flatnonzero(data.transactions["txn_id"].astype(str).isin(wanted).to_numpy())


def test_the_case_under_test_is_chunked() -> None:
    column = _chunked_case().transactions["from_account"].array.__arrow_array__()
    assert column.num_chunks == 4


@pytest.mark.parametrize("ids", [["t001"], ["t059", "t000", "t030", "t014", "t015"], [f"t{k:03d}" for k in range(60)]])
def test_rows_equal_the_full_frames_rows(ids: list[str]) -> None:
    data = _chunked_case()
    got = FlowIndex(data).rows(ids)
    expected = data.transactions.take(_positions(data, ids))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert list(got["txn_id"]) == sorted(ids)  # case order, which here is id order


def test_rows_with_columns_equal_those_columns_of_the_full_frame() -> None:
    data = _chunked_case()
    ids = ["t003", "t047", "t016", "t031", "t032", "t015"]  # rows from every chunk, two at a boundary
    got = FlowIndex(data).rows(ids, columns=EVIDENCE_SOURCE_COLUMNS)
    expected = data.transactions.take(_positions(data, ids))[EVIDENCE_SOURCE_COLUMNS]
    assert list(got.columns) == EVIDENCE_SOURCE_COLUMNS
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_rows_skip_unknown_ids_and_keep_columns_when_nothing_matches() -> None:
    data = _chunked_case()
    index = FlowIndex(data)
    assert list(index.rows(["t010", "nope", "t010"])["txn_id"]) == ["t010"]
    empty = index.rows(["nope"], columns=["txn_id", "amount_minor"])
    assert empty.empty and list(empty.columns) == ["txn_id", "amount_minor"]
    assert index.rows([]).empty and list(index.rows([]).columns) == list(data.transactions.columns)


def test_account_rows_equal_a_scan_of_the_full_frame() -> None:
    data = _chunked_case()
    tx_ = data.transactions
    got = FlowIndex(data).account_rows(["B", "D"], columns=["amount_minor", "currency"])
    mask = tx_["from_account"].isin(["B", "D"]).fillna(False) | tx_["to_account"].isin(["B", "D"]).fillna(False)
    expected = tx_.loc[mask.to_numpy(dtype=bool), ["ts", "txn_id", "amount_minor", "currency"]]
    expected = expected.sort_values(["ts", "txn_id"], kind="stable")
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_evidence_table_formats_only_the_rows_shown_but_counts_them_all() -> None:
    data = _chunked_case()
    ids = [f"t{k:03d}" for k in range(0, 60, 2)] + ["missing"]
    frame = FlowIndex(data).rows(ids, columns=EVIDENCE_SOURCE_COLUMNS)
    rows, found = evidence_table(frame, ids, limit=5)
    assert found == 30
    everything = evidence_rows(data.transactions, ids)
    assert len(everything) == 30 and rows == everything[:5]
