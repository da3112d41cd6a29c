"""trace.json / trace.csv writers and the ``trace`` command on a real on-disk case."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner
from test_trace_cases import case, tx, worked_example

from finflow.trace import trace_paths, trace_proceeds
from finflow.trace.command import trace
from finflow.trace.output import TRAIL_EDGE_COLUMNS


def test_proceeds_files_are_exact_and_byte_identical(tmp_path: Path) -> None:
    result = trace_proceeds(worked_example(), {"victim": ["t2"]}, method="pro_rata")
    json_a, csv_a = result.write(tmp_path / "a")
    again = trace_proceeds(worked_example(), {"victim": ["t2"]}, method="pro_rata")
    json_b, csv_b = again.write(tmp_path / "b")
    assert json_a.read_bytes() == json_b.read_bytes()
    assert csv_a.read_bytes() == csv_b.read_bytes()
    document = json.loads(json_a.read_text(encoding="utf-8"))
    assert document["kind"] == "proceeds"
    assert document["parameters"]["method"] == "pro_rata"
    assert "pro rata" in document["method_note"]
    foreign = [r for r in document["rows"] if r["kind"] == "foreign"]
    assert foreign == [
        {
            "colour": "victim", "kind": "foreign", "node": "country:LT", "amount_minor": 843750,
            "amount": "8437.50", "currency": "NOK", "txn_count": 1, "first_date": "2024-01-05",
            "last_date": "2024-01-05", "min_hop": 1, "max_hop": 1,
        }
    ]  # fmt: skip
    assert document["summary"] == [
        {"colour": "victim", "traced_minor": 3000000, "cash_minor": 0, "foreign_minor": 843750,
         "remaining_minor": 2156250, "beyond_max_hops_minor": 0}
    ]  # fmt: skip
    assert sorted(document["trail_edges"][0]) == sorted(TRAIL_EDGE_COLUMNS)
    with open(csv_a, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sum(int(r["amount_minor"]) for r in rows) == 3_000_000


def test_trail_edges_frame_contract() -> None:
    edges = trace_paths(worked_example(), "MIX").trail_edges()
    assert list(edges.columns) == TRAIL_EDGE_COLUMNS
    assert edges["amount_minor"].dtype == "int64"
    assert set(edges["to_node"]) == {"CARDEALER", "country:LT"}
    empty = trace_paths(case([tx("x", "2024-01-01", 5, "Q", "R")]), "R").trail_edges()
    assert list(empty.columns) == TRAIL_EDGE_COLUMNS and empty.empty


def test_csv_cells_that_look_like_formulas_are_defused(tmp_path: Path) -> None:
    hostile = '=HYPERLINK("x")'
    data = case([tx("h1", "2024-01-01", 100, "S", hostile), tx("h2", "2024-01-02", 100, hostile, None)])
    _, csv_path = trace_paths(data, "S").write(tmp_path)
    text = csv_path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    assert '"=HYPERLINK' not in text and ",=HYPERLINK" not in text


def _real_case(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    from casebuilder import account, case_from_rows

    names = {"victim": account(11), "boss": account(12), "employer": account(13), "dealer": account(14)}
    rows = [
        {"date": "2024-01-01", "amount": "10000.00", "currency": "NOK",
         "from_account": names["employer"], "to_account": names["boss"]},
        {"date": "2024-01-02", "amount": "30000.00", "currency": "NOK",
         "from_account": names["victim"], "to_account": names["boss"]},
        {"date": "2024-01-03", "amount": "25000.00", "currency": "NOK",
         "from_account": names["boss"], "to_account": names["dealer"]},
        {"date": "2024-01-04", "amount": "5000.00", "currency": "NOK",
         "from_account": names["employer"], "to_account": names["boss"]},
        {"date": "2024-01-05", "amount": "15000.00", "currency": "NOK",
         "from_account": names["boss"], "to_account": "LT601010012345678901", "to_country": "LT"},
    ]  # fmt: skip
    case_from_rows(tmp_path, rows)
    return tmp_path / "case", names


def test_command_proceeds_on_a_real_case(tmp_path: Path) -> None:
    case_dir, names = _real_case(tmp_path)
    out = tmp_path / "out"
    runner = CliRunner()
    args = [names["boss"], "--proceeds", "--tainted-from", names["victim"], "--method", "libr",
            "--case", str(case_dir), "--out", str(out)]  # fmt: skip
    result = runner.invoke(trace, args)
    assert result.exit_code == 0, result.output
    assert "LIBR" in result.output
    assert "NOK 5 000.00" in result.output  # left in the account
    document = json.loads((out / "trace.json").read_text(encoding="utf-8"))
    by_kind = {r["kind"]: r["amount_minor"] for r in document["rows"] if r["node"] != names["dealer"]}
    assert by_kind == {"foreign": 1_000_000, "remaining": 500_000}
    first = (out / "trace.json").read_bytes()
    assert runner.invoke(trace, args).exit_code == 0
    assert (out / "trace.json").read_bytes() == first


def test_command_paths_and_errors(tmp_path: Path) -> None:
    case_dir, names = _real_case(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(trace, [names["boss"], "--min-amount", "20000.00", "--case", str(case_dir),
                               "--out", str(tmp_path / "o")])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    with open(tmp_path / "o" / "trace.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["to_node"] for r in rows] == [names["dealer"]]
    back = runner.invoke(trace, [names["dealer"], "--backward", "--case", str(case_dir),
                                 "--out", str(tmp_path / "b")])  # fmt: skip
    assert back.exit_code == 0 and names["victim"] in back.output
    unknown = runner.invoke(trace, ["nobody", "--case", str(case_dir), "--out", str(tmp_path / "x")])
    assert unknown.exit_code != 0 and "neither an account nor a party" in unknown.output
    assert "Traceback" not in unknown.output
    bad_amount = runner.invoke(trace, [names["boss"], "--min-amount", "1,2.3", "--case", str(case_dir)])
    assert bad_amount.exit_code == 2 and "--min-amount" in bad_amount.output
    no_case = runner.invoke(trace, [names["boss"], "--case", str(tmp_path / "missing")])
    assert no_case.exit_code != 0 and "no case at" in no_case.output
    needs = runner.invoke(trace, [names["boss"], "--proceeds", "--case", str(case_dir)])
    assert needs.exit_code == 2 and "--tainted-from" in needs.output
