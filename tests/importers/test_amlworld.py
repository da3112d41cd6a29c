"""AMLworld transactions CSV: accounts, ISO currencies, exact amounts, rejects, and the labels as truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from finflow.case import open_case
from finflow.importers import amlworld, registry
from finflow.importers.base import ImportError_

HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,"
    "Payment Currency,Payment Format,Is Laundering"
)
ROWS = [
    "2022/09/01 00:20,010,8000EBD30,010,8000EBD30,3697.34,US Dollar,3697.34,US Dollar,Reinvestment,0",
    "2022/09/01 00:21,03208,8000F4580,001,8000F5340,0.10,US Dollar,0.10,US Dollar,Cheque,0",
    "2022/09/01 02:02,01120,8006AD080,0022,8006AD530,14675.57,Euro,15000.12,US Dollar,ACH,1",
    "2022/09/01 03:06,1,8000ABC,2,8000DEF,1234.5,Yen,1234.5,Yen,Credit Card,1",
    "2022/09/01 04:07,1,8000ABC,2,8000DEF,0.0123,Bitcoin,0.0123,Bitcoin,Bitcoin,0",
    "2022/09/31 05:07,1,8000ABC,2,8000DEF,10.00,Euro,10.00,Euro,Wire,0",
    "2022/09/02 06:00,7,A1,8,B2,1234567890123.45,UK Pound,1234567890123.45,UK Pound,Wire,0",
    "2022/09/02 07:00,7,A1,8,B2,99.99,Swiss Franc,99.99,Swiss Franc,Cash,1",
]


def _write(path: Path, rows: list[str] = ROWS, header: str = HEADER) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _imported(tmp_path: Path):
    source = _write(tmp_path / "HI-Small_Trans.csv")
    case = open_case(tmp_path / "case")
    (report,) = case.import_files([source])
    return report, case.data()


def test_the_header_is_recognised_and_the_generic_header_is_not(tmp_path):
    assert registry.detect(str(_write(tmp_path / "a.csv")), "a.csv").FORMAT == "amlworld"
    unlabelled = _write(tmp_path / "b.csv", header=HEADER.removesuffix(",Is Laundering"), rows=[ROWS[0][:-2]])
    assert registry.detect(str(unlabelled), "b.csv").FORMAT == "amlworld"
    assert not amlworld.sniff(b"date,amount,currency,from_account,to_account\n", "c.csv")


def test_rows_add_up_and_rejects_say_why(tmp_path):
    report, data = _imported(tmp_path)
    assert report.format == "amlworld" and report.reconciles
    assert (report.rows_read, report.loaded, report.rejected) == (8, 6, 2)
    rejects = data.rejects
    reasons = dict(zip(rejects["source_locator"], rejects["reason"], strict=True))
    assert reasons == {
        "row 6": "Payment Currency Bitcoin has no ISO 4217 code",
        "row 7": "Timestamp is not YYYY/MM/DD HH:MM",
    }
    assert any("rounded" in note for note in report.notes)


def test_accounts_currencies_amounts_and_channels(tmp_path):
    _, data = _imported(tmp_path)
    tx = data.transactions.set_index("source_locator")
    ach = tx.loc["row 4"]
    assert (ach["from_account"], ach["to_account"]) == ("1120/8006AD080", "22/8006AD530")
    assert (ach["amount_minor"], ach["currency"], ach["channel"]) == (1500012, "USD", "transfer")
    assert ach["description"] == "ACH; received EUR 14675.57"  # a conversion, told not parsed
    assert str(ach["booking_date"].date()) == "2022-09-01" and ach["booking_time"] == "02:02"
    assert tx.loc["row 3", "amount_minor"] == 10 and tx.loc["row 3", "channel"] == "other"
    assert tx.loc["row 5", ["amount_minor", "currency", "channel"]].tolist() == [1234, "JPY", "card"]  # 1234.5 -> 1234
    assert tx.loc["row 8", ["amount_minor", "currency"]].tolist() == [123456789012345, "GBP"]  # exact, no float
    assert tx.loc["row 9", ["currency", "channel", "description"]].tolist() == ["CHF", "other", "Cash"]
    assert tx.loc["row 2", "description"] == "Reinvestment"


def test_the_label_is_not_imported_but_read_as_truth(tmp_path):
    _, data = _imported(tmp_path)
    truth = amlworld.truth(str(tmp_path / "HI-Small_Trans.csv"))
    tx = data.transactions.set_index("source_locator")
    assert truth["laundering_txn_ids"] == sorted(tx.loc[["row 4", "row 5", "row 9"], "txn_id"])
    assert truth["laundering_accounts"] == ["1/8000ABC", "1120/8006AD080", "2/8000DEF", "22/8006AD530", "7/A1", "8/B2"]
    assert truth["roles"] == {}
    assert not any("laundering" in str(v).lower() for v in tx["description"])


def test_an_unlabelled_file_has_no_truth(tmp_path):
    path = _write(tmp_path / "x.csv", header=HEADER.removesuffix(",Is Laundering"), rows=[ROWS[0][:-2]])
    with pytest.raises(ImportError_, match="no 'Is Laundering' column"):
        amlworld.truth(str(path))


def test_patterns_file_gives_truth_by_typology(tmp_path):
    patterns = tmp_path / "HI-Small_Patterns.txt"
    patterns.write_text(
        "BEGIN LAUNDERING ATTEMPT - FAN-OUT:  Max 2-degree Fan-Out\n"
        "2022/09/01 02:02,01120,8006AD080,0022,8006AD530,14675.57,Euro,15000.12,US Dollar,ACH,1\n"
        "2022/09/01 03:06,01120,8006AD080,2,8000DEF,1234.5,Yen,1234.5,Yen,ACH,1\n"
        "END LAUNDERING ATTEMPT - FAN-OUT\n\n"
        "BEGIN LAUNDERING ATTEMPT - CYCLE:  Max 2 hops\n"
        "2022/09/02 07:00,7,A1,8,B2,99.99,Swiss Franc,99.99,Swiss Franc,ACH,1\n"
        "2022/09/03 07:00,8,B2,7,A1,95.00,Swiss Franc,95.00,Swiss Franc,ACH,1\n"
        "END LAUNDERING ATTEMPT - CYCLE\n",
        encoding="utf-8",
    )
    truth = amlworld.truth(str(patterns))
    assert truth["roles"] == {
        "cycle": ["7/A1", "8/B2"],
        "fan_out": ["1120/8006AD080", "2/8000DEF", "22/8006AD530"],
    }
    assert len(truth["laundering_txn_ids"]) == 4


def test_a_file_with_another_header_is_refused_with_its_name(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(HEADER.replace("Payment Format", "Format") + "\n" + ROWS[0] + "\n", encoding="utf-8")
    case = open_case(tmp_path / "case")
    (report,) = case.import_files([path], format="amlworld")
    assert report.status == "failed" and "odd.csv" in report.error and "AMLworld header" in report.error
