"""``finflow evaluate``: findings scored against labelled data, per typology, accounts and transactions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from finflow.case import open_case
from finflow.cli import main
from finflow.config import load_config
from finflow.detect.registry import run_detectors
from finflow.evaluation import Truth, TruthError, load_truth, named_accounts, score
from finflow.findings_io import write_findings

HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,"
    "Payment Currency,Payment Format,Is Laundering"
)


def _cycle_file(path: Path) -> Path:
    """Five accounts passing USD round in five days (labelled), and ordinary monthly payments (not)."""
    rows = []
    for i in range(5):
        amount = f"{5000 - 100 * i}.00"
        rows.append(f"2022/09/0{i + 1} 10:00,1,C{i},1,C{(i + 1) % 5},{amount},US Dollar,{amount},US Dollar,ACH,1")
    for month in range(1, 4):
        rows.append(f"2022/0{month + 5}/01 09:00,2,N1,2,N2,800.00,US Dollar,800.00,US Dollar,ACH,0")
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_scores_per_typology_accounts_and_transactions():
    truth = Truth.from_document(
        {"roles": {"cycle": ["a", "b", "c"], "fan_in": ["c", "d"]}, "laundering_txn_ids": ["t1", "t2"]}, "t.json"
    )
    result = score({"a", "b", "x"}, truth, {"t1", "t9"})
    assert result.typology_recall("cycle") == pytest.approx(2 / 3) and result.typology_recall("fan_in") == 0
    assert result.macro_recall == pytest.approx(1 / 3)
    assert (result.named, result.correct, result.laundering) == (3, 2, 4)
    assert result.precision == pytest.approx(2 / 3) and result.recall == pytest.approx(0.5)
    assert result.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert (result.txn_precision, result.txn_recall, result.txn_f1) == (0.5, 0.5, 0.5)


def test_amlgentex_style_truth_json_is_read(tmp_path):
    path = tmp_path / "truth.json"
    path.write_text(json.dumps({"roles": {"stack": ["A", "B"]}, "decoys": {"normal": ["N"]}}), encoding="utf-8")
    truth = load_truth(path)
    assert truth.roles == {"stack": frozenset({"A", "B"})} and truth.accounts == {"A", "B"}
    assert truth.normal == {"N"} and truth.txn_ids is None


def test_a_truth_without_accounts_or_of_an_unlabelled_format_is_refused(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("{}", encoding="utf-8")
    with pytest.raises(TruthError, match=r"empty\.json: names no laundering accounts"):
        load_truth(empty)
    generic = tmp_path / "tx.csv"
    generic.write_text("date,amount,currency,from_account,to_account\n2026-01-01,1,NOK,a,b\n", encoding="utf-8")
    with pytest.raises(TruthError, match="generic_csv files carry no ground truth"):
        load_truth(generic)


def test_evaluate_runs_the_detectors_on_the_case_and_scores_them(tmp_path):
    source = _cycle_file(tmp_path / "HI-Small_Trans.csv")
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(source), "--case", str(tmp_path / "case")]).exit_code == 0
    result = runner.invoke(main, ["evaluate", str(source), "--case", str(tmp_path / "case"), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["account_precision"] == 1.0 and scores["account_recall"] == 1.0
    assert scores["transactions"] == {"flagged": 5, "correct": 5, "laundering": 5, "precision": 1.0,
                                      "recall": 1.0, "f1": 1.0}  # fmt: skip


def test_evaluate_scores_a_findings_file(tmp_path):
    source = _cycle_file(tmp_path / "HI-Small_Trans.csv")
    case = open_case(tmp_path / "case")
    case.import_files([source])
    data = case.data()
    findings = run_detectors(data, load_config())
    write_findings(tmp_path / "out", data, findings, load_config())
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"roles": {"cycle": ["1/C0", "1/C1", "1/C2", "1/C3", "1/C4", "1/C9"]}}), "utf-8")
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(truth),
            "--case",
            str(tmp_path / "nocase"),
            "--findings",
            str(tmp_path / "out" / "findings.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cycle                 5      6    0.83" in result.output
    assert "accounts: 5 named, 5 in laundering (of 6): precision 1.00, recall 0.83" in result.output
    assert named_accounts(findings, data) == {"1/C0", "1/C1", "1/C2", "1/C3", "1/C4"}


def test_evaluate_errors_are_one_line(tmp_path):
    bad = tmp_path / "truth.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(bad), "--case", str(tmp_path / "none")])
    assert result.exit_code != 0 and "truth.json: not a valid truth JSON document" in result.output
    assert "Traceback" not in result.output
    good = tmp_path / "t.json"
    good.write_text(json.dumps({"laundering_accounts": ["a"]}), encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(good), "--case", str(tmp_path / "none")])
    assert result.exit_code != 0 and "no case at" in result.output
