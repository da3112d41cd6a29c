"""The next data requests: never an account with a statement, grouped by bank, each with period and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from finflow.banks import UNKNOWN_BANK, bank_of, bank_table
from finflow.cli import main
from finflow.requests import compute_requests, write_requests


def test_requests_never_list_an_account_with_a_statement(multiformat_case, tmp_path: Path) -> None:
    analysis = multiformat_case
    with_statement = set(analysis.data.statements["account_id"].astype(str))
    assert len(with_statement) > 20
    requests = compute_requests(analysis)
    table = requests.table
    assert len(table) > 0
    assert not set(table["account"]) & with_statement
    assert (table["flagged_links"] >= 1).all()
    assert not set(table["account"]) & {None, ""}
    # grouped by bank: each bank's rows are together, banks in the order of their best request
    labels = table["bank_label"].tolist()
    assert labels == sorted(labels, key=lambda label: labels.index(label))
    assert sorted(table["rank"]) == list(range(1, len(table) + 1))
    for row in table.itertuples(index=False):
        assert re.search(r"\d{4}-\d{2} to \d{4}-\d{2}", row.reason), row.reason
        assert row.period_start <= row.period_end and row.period_start.endswith("-01")
        if row.received_minor > 0:
            assert "received" in row.reason
        if row.sent_minor > 0:
            assert "sent" in row.reason
    assert any("bank" in line and bank_table().date in line for line in requests.intro)
    path = write_requests(requests, tmp_path)
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert back.columns[0] == "rank" and len(back) == len(table)


def test_amounts_in_a_request_are_the_money_exchanged_with_flagged_accounts(multiformat_case) -> None:
    analysis = multiformat_case
    top = compute_requests(analysis).table.sort_values("rank").iloc[0]
    tx = analysis.data.transactions
    flagged = set(analysis.flagged)
    mine = tx[tx["currency"] == top["currency"]]
    received = mine[(mine["to_account"] == top["account"]) & mine["from_account"].isin(flagged)]
    sent = mine[(mine["from_account"] == top["account"]) & mine["to_account"].isin(flagged)]
    assert top["received_minor"] == int(received["amount_minor"].sum())
    assert top["sent_minor"] == int(sent["amount_minor"].sum())


def test_bank_codes() -> None:
    table = bank_table()
    assert table.source and re.fullmatch(r"\d{4}-\d{2}-\d{2}", table.date)
    assert bank_of("15031234567", "no_bban").bank == "DNB Bank ASA"
    unknown = bank_of("99991234567", "no_bban")
    assert (unknown.bank, unknown.bank_code, unknown.country) == (UNKNOWN_BANK, "9999", "NO")
    german = bank_of("DE89370400440532013000", "iban")
    assert (german.country, german.bank_code, german.bank) == ("DE", "37040044", UNKNOWN_BANK)
    assert bank_of("GB29NWBK60161331926819", "iban").bank_code == "NWBK"
    assert bank_of("card-merchant-17", "other").bank == UNKNOWN_BANK


def test_requests_command(multiformat_case, tmp_path: Path, extracts: Path) -> None:
    camt = sorted(extracts.glob("camt053_*.xml"))[:3]
    runner = CliRunner()
    case = str(tmp_path / "c")
    assert runner.invoke(main, ["import", *map(str, camt), "--case", case]).exit_code == 0
    result = runner.invoke(main, ["requests", "--case", case, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "requests.csv").is_file()
    assert "never listed here" in result.output
