"""AMLGentex tx_log.parquet: outside world, cash, opening balances, exact rounding, labels as truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from finflow.case import open_case
from finflow.importers import amlgentex, registry
from finflow.importers.base import ImportError_

LOG = {
    "step": pa.array([0, 0, 1, 1, 2, 2, 3, 5], pa.int32()),
    "type": pa.array(["INITALBALANCE", "TRANSFER", "TRANSFER", "CASH", "TRANSFER", "CASH", "TRANSFER", "CASH"]),
    "amount": pa.array([1000.0, 499.125, 120.5, 50.005, 0.001, 30.0, 250.0, 75.0], pa.float64()),
    "nameOrig": pa.array([-2, 1, -2, 3, 1, 2, 4, -2], pa.int32()),
    "nameDest": pa.array([1, 2, 3, -1, 2, 4, 5, 6], pa.int32()),
    "bankOrig": pa.array(["source", "bank_a", "source", "bank_b", "bank_a", "bank_a", "bank_b", "source"]),
    "isSAR": pa.array([0, 1, 0, 0, 1, 0, 1, 0], pa.int8()),
    "patternID": pa.array([-1, 7, -1, -1, 7, -1, 9, -1], pa.int32()),
    "modelType": pa.array([0, 2, 0, 0, 2, 0, 3, 0], pa.int16()),
}


def _log(path: Path, columns: dict = LOG) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


def test_a_parquet_log_is_recognised(tmp_path):
    path = _log(tmp_path / "tx_log.parquet")
    assert registry.detect(str(path), "tx_log.parquet").FORMAT == "amlgentex"


def test_rows_add_up_and_opening_balances_are_kept_as_rejects(tmp_path):
    case = open_case(tmp_path / "case")
    (report,) = case.import_files([_log(tmp_path / "tx_log.parquet")])
    assert report.status == "imported" and report.reconciles
    assert (report.rows_read, report.loaded, report.rejected) == (8, 6, 2)
    reasons = dict(zip(case.data().rejects["source_locator"], case.data().rejects["reason"], strict=True))
    assert reasons == {
        "row 1": "opening balance (INITALBALANCE), not a payment",
        "row 5": "amount must be greater than zero",
    }
    assert any("rounded (half to even)" in note for note in report.notes)


def test_accounts_dates_channels_and_exact_rounding(tmp_path):
    case = open_case(tmp_path / "case")
    case.import_files([_log(tmp_path / "tx_log.parquet")], options={"start_date": "2025-01-01", "currency": "SEK"})
    tx = case.data().transactions.set_index("source_locator")
    assert tx.loc["row 2", ["from_account", "to_account", "channel"]].tolist() == [
        "AMLG0000001",
        "AMLG0000002",
        "transfer",
    ]
    assert tx.loc["row 2", "amount_minor"] == 49912  # 499.125 -> 499.12: half to even, from the decimal text
    assert str(tx.loc["row 2", "booking_date"].date()) == "2025-01-01" and tx.loc["row 2", "currency"] == "SEK"
    assert pd.isna(tx.loc["row 3", "from_account"]) and tx.loc["row 3", "channel"] == "transfer"  # income from outside
    assert tx.loc["row 4", ["channel", "amount_minor"]].tolist() == ["cash_withdrawal", 5000]  # 50.005 -> 50.00
    assert tx.loc["row 6", ["channel", "description"]].tolist() == ["other", "cash"]  # cash between two accounts
    assert tx.loc["row 8", "channel"] == "cash_deposit" and str(tx.loc["row 8", "booking_date"].date()) == "2025-01-06"


def test_labels_are_truth_by_typology(tmp_path):
    case = open_case(tmp_path / "case")
    case.import_files([_log(tmp_path / "tx_log.parquet")])
    tx = case.data().transactions.set_index("source_locator")
    truth = amlgentex.truth(str(tmp_path / "tx_log.parquet"))
    assert truth["roles"] == {"cycle": ["AMLG0000004", "AMLG0000005"], "fan_in": ["AMLG0000001", "AMLG0000002"]}
    # the SAR row with a zero amount (row 5) was rejected, so it is not in the truth either
    assert truth["laundering_txn_ids"] == sorted(tx.loc[["row 2", "row 7"], "txn_id"])


def test_a_parquet_without_the_log_columns_is_refused_with_its_name(tmp_path):
    path = _log(tmp_path / "other.parquet", {"a": pa.array([1]), "step": pa.array([1])})
    case = open_case(tmp_path / "case")
    (report,) = case.import_files([path])
    assert report.status == "failed"
    assert "other.parquet" in report.error and "lacks column(s) type, amount, nameOrig, nameDest" in report.error


def test_bad_options_are_named(tmp_path):
    path = _log(tmp_path / "tx_log.parquet")
    case = open_case(tmp_path / "case")
    (report,) = case.import_files([path], options={"currency": "EURO"})
    assert report.status == "failed" and "currency='EURO'" in report.error


def test_a_log_without_labels_has_no_truth(tmp_path):
    columns = {k: v for k, v in LOG.items() if k not in ("isSAR", "patternID", "modelType")}
    with pytest.raises(ImportError_, match="no isSAR column"):
        amlgentex.truth(str(_log(tmp_path / "tx_log.parquet", columns)))
