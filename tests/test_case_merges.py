"""The store resolves parties on strong keys, and an undone merge stays undone."""

from __future__ import annotations

from casebuilder import account, write_generic_csv
from click.testing import CliRunner

from finflow.case import open_case
from finflow.cli import main


def _case(tmp_path):
    kyc = tmp_path / "accounts.csv"
    kyc.write_text(
        "account,holder_name,holder_kind,holder_birth_date,holder_org_number,bank,opened\n"
        f"{account(1)},Kari Nordmann,person,1990-04-01,,DNB,2020-01-01\n",
        encoding="utf-8",
    )
    tx = write_generic_csv(
        tmp_path / "tx.csv",
        [{"date": "2026-01-05", "amount": "10", "currency": "NOK", "from_account": account(1),
          "from_name": "Kari Nordmann", "to_account": account(2)}],
    )  # fmt: skip
    case = open_case(tmp_path / "case")
    case.import_files([tx, kyc])
    return case


def test_statement_holder_meets_the_kyc_person(tmp_path):
    case = _case(tmp_path)
    holders = case.data().accounts.set_index("account_id")["holder_party_id"]
    assert holders[account(1)].startswith("party-")
    merges = case.merges()
    assert set(merges["rule"]) == {"account_holder"} and set(merges["status"]) == {"active"}


def test_undo_is_persistent_and_survives_later_imports(tmp_path):
    case = _case(tmp_path)
    merge_id = case.merges()["merge_id"].iloc[0]
    result = CliRunner().invoke(main, ["merges", "undo", merge_id, "--case", str(tmp_path / "case")])
    assert result.exit_code == 0, result.output
    more = write_generic_csv(
        tmp_path / "more.csv",
        [{"date": "2026-02-05", "amount": "20", "currency": "NOK", "from_account": account(3),
          "to_account": account(2)}],
    )  # fmt: skip
    reopened = open_case(tmp_path / "case")
    reopened.import_files([more])
    assert set(open_case(tmp_path / "case").merges()["status"]) == {"undone"}
    listing = CliRunner().invoke(main, ["merges", "list", "--case", str(tmp_path / "case")])
    assert "[undone] account_holder" in listing.output


def test_undo_of_unknown_merge_is_a_one_line_error(tmp_path):
    _case(tmp_path)
    result = CliRunner().invoke(main, ["merges", "undo", "merge-nope", "--case", str(tmp_path / "case")])
    assert result.exit_code == 1 and "no merge 'merge-nope'" in result.output
