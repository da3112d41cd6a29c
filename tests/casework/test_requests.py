"""The next data requests: never an account with a statement, grouped by bank, each with period and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from finflow.banks import bank_of, bank_register
from finflow.cli import main
from finflow.requests import compute_requests, write_requests
from finflow.views.casework import requests_section


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
    best = table.groupby("bank_label", sort=False)["rank"].min().tolist()
    assert best == sorted(best)
    # a group is one bank (name and BIC from the register), whichever of its registration numbers
    schemes = analysis.data.accounts.drop_duplicates("account_id").set_index("account_id")["scheme"]
    for row in table.itertuples(index=False):
        bank = bank_of(row.account, str(schemes.get(row.account, "other")))
        assert (row.bank, row.bic, row.bank_code, row.country, row.bank_label) == (
            bank.bank,
            bank.bic,
            bank.bank_code,
            bank.country,
            bank.label,
        )
    by_bank = table.groupby("bank_label")
    assert (by_bank["bic"].nunique() <= 1).all() and (by_bank["bank"].nunique() == 1).all()
    assert by_bank["bank_code"].nunique().max() > 1, "the case's DNB accounts (1503, 1506, 1207) form one group"
    known = table[table["bic"] != ""]
    assert len(known) > 0 and known["bank"].str.startswith("unknown bank").sum() == 0
    assert sorted(table["rank"]) == list(range(1, len(table) + 1))
    for row in table.itertuples(index=False):
        assert re.search(r"\d{4}-\d{2} to \d{4}-\d{2}", row.reason), row.reason
        assert row.period_start <= row.period_end and row.period_start.endswith("-01")
        if row.received_minor > 0:
            assert "received" in row.reason
        if row.sent_minor > 0:
            assert "sent" in row.reason
    register = bank_register()
    assert requests.intro[0] == register.sentence
    assert (
        "Bits AS" in requests.intro[0]
        and f"schwifty {register.version} (released {register.date})" in requests.intro[0]
    )
    assert requests_section(requests).paragraphs[0] == register.sentence  # the report names it too
    path = write_requests(requests, tmp_path)
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back.columns[0] == "rank" and len(back) == len(table)
    assert "bic" in back.columns and set(back["bic"]) == set(table["bic"])
    # deterministic: computed again from the same case, the file is byte-identical
    again = write_requests(compute_requests(analysis), tmp_path / "again")
    assert again.read_bytes() == path.read_bytes()


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


def test_requests_command(multiformat_case, tmp_path: Path, extracts: Path) -> None:
    camt = sorted(extracts.glob("camt053_*.xml"))[:3]
    runner = CliRunner()
    case = str(tmp_path / "c")
    assert runner.invoke(main, ["import", *map(str, camt), "--case", case]).exit_code == 0
    result = runner.invoke(main, ["requests", "--case", case, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "requests.csv").is_file()
    assert "never listed here" in result.output
    assert bank_register().sentence in result.output


def test_the_report_lists_the_best_ranked_requests_grouped_by_bank(multiformat_case) -> None:
    requests = compute_requests(multiformat_case)
    limit = 5
    assert len(requests.table) > limit
    (table,) = requests_section(requests, limit=limit).tables
    ranks = [int(row[0]) for row in table.rows]
    assert sorted(ranks) == list(range(1, limit + 1)), "the best-ranked, whichever bank keeps them"
    labels = [row[1] for row in table.rows]
    assert labels == sorted(labels, key=labels.index), "still one block per bank"
    assert table.caption.endswith(f"the {limit} best-ranked of {len(requests.table)}, grouped by bank")
    (whole,) = requests_section(requests, limit=len(requests.table)).tables
    assert len(whole.rows) == len(requests.table) and "best-ranked" not in whole.caption


def test_a_shorter_list_is_the_head_of_the_longer_one(multiformat_case) -> None:
    """Scores compare every candidate with the largest of all, however many requests are kept."""
    settings = multiformat_case.config.get("requests", {})
    full = compute_requests(multiformat_case, {"requests": {**settings, "max_requests": 10_000}}).table
    short = compute_requests(multiformat_case, {"requests": {**settings, "max_requests": 3}}).table
    assert len(full) > 3 and len(short) == 3
    best = full.sort_values("rank").head(3).reset_index(drop=True)
    mine = short.sort_values("rank").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine.drop(columns=["bank_label"]), best.drop(columns=["bank_label"]))
    assert full["score"].max() > 0.5  # normalised by the largest candidate: the best scores near 1


def test_no_candidate_with_enough_flagged_links_gives_an_empty_list(multiformat_case) -> None:
    settings = multiformat_case.config.get("requests", {})
    requests = compute_requests(multiformat_case, {"requests": {**settings, "min_flagged_links": 10_000}})
    assert requests.table.empty and requests.table.columns[0] == "rank"
    assert requests.intro[-1] == "No account without a statement exchanged money with enough flagged accounts."
