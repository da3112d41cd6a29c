"""Importing the generic transaction CSV: good rows load, bad input is explained, nothing is lost."""

from __future__ import annotations

import os

import pytest
from casebuilder import account, write_generic_csv

from finflow.case import open_case
from finflow.importers.generic_csv import COLUMNS

HEADER = ",".join(COLUMNS) + "\n"
A, B = account(1), account(2)


def _import(tmp_path, text: bytes | str, name: str = "in.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    case = open_case(tmp_path / "case")
    (report,) = case.import_files([path])
    return case, report


def test_good_rows_load_with_exact_amounts_and_provenance(tmp_path):
    case, report = _import(
        tmp_path,
        HEADER + f'2026-01-05,23:10,"1234,5",NOK,{A},Ola,,{B},Kari,,p2p,hei,r1\n'
        f"2026-01-06,,100,JPY,{A},Ola,,{B},Kari,,,,r2\n",
    )
    assert (report.status, report.rows_read, report.loaded, report.rejected) == ("imported", 2, 2, 0)
    tx = case.data().transactions.sort_values("txn_ref")
    assert tx["amount_minor"].tolist() == [123450, 100]
    assert tx["channel"].tolist() == ["p2p", "transfer"]
    assert tx["source_locator"].tolist() == ["row 2", "row 3"]
    assert set(tx["source_file"]) == {"in.csv"} and tx["source_sha256"].str.len().eq(64).all()
    assert str(tx["booking_date"].iloc[0].date()) == "2026-01-05" and tx["booking_time"].iloc[0] == "23:10"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (f"2026-02-30,,10,NOK,{A},,,{B},,,,,", "date is not a valid YYYY-MM-DD date"),
        (f"05.01.2026,,10,NOK,{A},,,{B},,,,,", "date is not a valid YYYY-MM-DD date"),
        (f'2026-01-05,,"12,3,4",NOK,{A},,,{B},,,,,', "amount is not a positive decimal number"),
        (f"2026-01-05,,-5,NOK,{A},,,{B},,,,,", "amount is not a positive decimal number"),
        (f"2026-01-05,,10.123,NOK,{A},,,{B},,,,,", "amount has more decimals than the currency"),
        (f"2026-01-05,,10,XYZ,{A},,,{B},,,,,", "currency is not an ISO 4217 code"),
        (f"2026-01-05,25:00,10,NOK,{A},,,{B},,,,,", "time is not HH:MM (00:00-23:59)"),
        (f"2026-01-05,,10,NOK,{A},,,{B},,,teleport,,", "channel must be one of"),
        ("2026-01-05,,10,NOK,,,,,,,,,", "both from_account and to_account are empty"),
        (f"2026-01-05,,10,NOK,{A},,,{B}", "has 8 fields, the header has 13"),
    ],
)
def test_bad_rows_are_rejected_with_row_and_reason(tmp_path, line, reason):
    good = f"2026-01-05,,10,NOK,{A},,,{B},,,,,ok\n"
    case, report = _import(tmp_path, HEADER + good + line + "\n" + good.replace(",ok", ",ok2"))
    assert (report.rows_read, report.loaded, report.rejected, report.duplicates) == (3, 2, 1, 0)
    rejects = case.data().rejects
    assert rejects["source_locator"].tolist() == ["row 3"]
    assert rejects["reason"].iloc[0].startswith(reason)
    assert rejects["source_file"].iloc[0] == "in.csv"
    assert (tmp_path / "case" / "rejects.csv").read_text(encoding="utf-8").count("row 3") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (os.urandom(4096).replace(b"\n", b"") + b"\x00\x01", "not a recognised format"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a recognised format"),
        (",".join(f"c{i}" for i in range(10_000)).encode() + b"\n1,2\n", "not a recognised format"),
        (b"date,amount,from_account\n2026-01-01,5,x\n", "not a recognised format"),
    ],
)
def test_unreadable_files_fail_with_one_clear_message(tmp_path, content, message):
    _, report = _import(tmp_path, content)
    assert report.status == "failed"
    assert message in report.error and "in.csv" in report.error


def test_forced_format_names_missing_columns_and_oversized_headers(tmp_path):
    case = open_case(tmp_path / "case")
    missing = tmp_path / "missing.csv"
    missing.write_text("date,amount,from_account,to_account\n2026-01-01,5,x,y\n", encoding="utf-8")
    wide = tmp_path / "wide.csv"
    wide.write_text("date,amount,currency," + ",".join(f"c{i}" for i in range(10_000)) + "\n", encoding="utf-8")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"date,amount,currency,to_account\n\x00\xff\xfe" * 10)
    reports = case.import_files([missing, wide, binary], format="generic_csv")
    assert "lacks required column(s) currency" in reports[0].error
    assert "10003 columns" in reports[1].error
    assert "not a text file" in reports[2].error
    assert all(r.status == "failed" for r in reports)


def test_reimport_changes_nothing_and_counts_reconcile(tmp_path):
    rows = [{"date": "2026-01-05", "amount": "10", "currency": "NOK", "from_account": A, "to_account": B}] * 3
    path = write_generic_csv(tmp_path / "same.csv", rows)
    case = open_case(tmp_path / "case")
    (first,) = case.import_files([path])
    tables = case.generation.path / "tables"
    before = {p.name: p.read_bytes() for p in tables.iterdir()}
    reopened = open_case(tmp_path / "case")
    (second,) = reopened.import_files([path])
    assert reopened.generation == case.generation  # nothing changed, nothing committed
    after = {p.name: p.read_bytes() for p in tables.iterdir()}
    assert (first.loaded, first.duplicates) == (3, 0)  # three identical payments are three payments
    assert second.status == "already imported" and second.duplicates == 3 and second.reconciles
    assert before == after


def test_same_transactions_from_another_file_are_duplicates_with_both_provenances(tmp_path):
    rows = [
        {
            "date": "2026-01-05",
            "amount": "10",
            "currency": "NOK",
            "from_account": A,
            "to_account": B,
            "description": "from payer's side",
        }
    ]
    first = write_generic_csv(tmp_path / "payer.csv", rows)
    rows[0]["description"] = "from payee's side"
    rows[0]["from_account"] = f"{A[:4]}.{A[4:6]}.{A[6:]}"  # written differently, same account
    second = write_generic_csv(tmp_path / "payee.csv", rows)
    case = open_case(tmp_path / "case")
    r1, r2 = case.import_files([first, second])
    assert (r1.loaded, r2.loaded, r2.duplicates) == (1, 0, 1)
    data = case.data()
    assert len(data.transactions) == 1
    seen = data.sightings
    assert seen.loc[seen["table"] == "transactions", ["record_id", "source_file"]].values.tolist() == [
        [data.transactions["txn_id"].iloc[0], "payee.csv"]
    ]
    # the payee's file names the same two accounts and their holders: their provenance is kept too
    assert sorted(seen.loc[seen["table"] == "accounts", "record_id"]) == sorted(data.accounts["account_id"])
    assert set(seen["table"]) == {"transactions", "accounts", "parties"} and set(seen["source_file"]) == {"payee.csv"}


def test_iban_and_formatted_numbers_are_one_account(tmp_path):
    rows = [
        {"date": "2026-01-05", "amount": "1", "currency": "NOK", "from_account": "NO93 8601 1117 947", "to_account": B},
        {"date": "2026-01-06", "amount": "1", "currency": "NOK", "from_account": "8601.11.17947", "to_account": B},
        {
            "date": "2026-01-07",
            "amount": "1",
            "currency": "EUR",
            "from_account": "DE89 3704 0044 0532 0130 00",
            "to_account": "shop-ledger-7",
        },
    ]
    case = open_case(tmp_path / "case")
    case.import_files([write_generic_csv(tmp_path / "x.csv", rows)])
    accounts = case.data().accounts.set_index("account_id")
    assert set(accounts.index) == {"86011117947", B, "DE89370400440532013000", "shop-ledger-7"}
    assert accounts.loc["86011117947", "scheme"] == "no_bban" and accounts.loc["86011117947", "validated"]
    assert accounts.loc["DE89370400440532013000", "country"] == "DE"
    assert accounts.loc["shop-ledger-7", "scheme"] == "other" and not accounts.loc["shop-ledger-7", "validated"]


def test_an_overlong_account_text_becomes_a_short_distinct_id(tmp_path):
    """No account number is 200,000 characters long; the id stays short enough to index and read."""
    first, second = "X" * 200_000, "X" * 199_999 + "Y"
    rows = [{"date": "2026-01-05", "amount": "10", "currency": "NOK", "from_account": text, "to_account": B,
             "txn_ref": f"r{i}"} for i, text in enumerate((first, second))]  # fmt: skip
    write_generic_csv(tmp_path / "long.csv", rows)
    case = open_case(tmp_path / "case")
    (report,) = case.import_files([tmp_path / "long.csv"])
    assert report.loaded == 2
    ids = set(case.data().transactions["from_account"])
    assert len(ids) == 2 and all(len(i) <= 100 and i.startswith("X" * 60 + "…") for i in ids)
