"""The simplest real inputs run end to end: README's example, one bank statement, no names, no findings.

Every case here goes through the real import path (Parquet read back as Arrow-backed columns), so
the column types are the ones a user's run has, not the ones a hand-built frame would have.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from casebuilder import account, write_generic_csv

from finflow.case import open_case
from finflow.config import load_config
from finflow.detect.base import NO_FINDINGS
from finflow.frames import lookup_number, lookup_text
from finflow.investigate import investigate
from finflow.outputs import OutputSettings, write_outputs
from finflow.views.graph import build_case_graph
from finflow.writers.bank_csv import BankStyle, write_bank_csv
from finflow.writers.multiformat import read_generic_case

README = Path(__file__).parent.parent / "README.md"
GENERIC_CASE = Path(__file__).parent / "importers" / "fixtures" / "bank" / "generic_case"
_DATA = re.compile(r'<script type="application/json" id="finflow-data">(.*?)</script>', re.DOTALL)


def readme_example_csv() -> str:
    """The example CSV block of README.md, exactly as a reader would copy it."""
    blocks = re.findall(r"```csv\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1, "README.md should hold one ```csv example"
    return blocks[0]


def finflow_cli() -> list[str]:
    """The installed ``finflow`` console script of this interpreter's environment."""
    name = "finflow.exe" if sys.platform == "win32" else "finflow"
    script = Path(sysconfig.get_path("scripts")) / name
    assert script.exists(), f"{script}: finflow is not installed in this environment (pip install -e .)"
    return [str(script)]


def overview_nodes(path: Path) -> list[dict]:
    match = _DATA.search(path.read_text(encoding="utf-8"))
    assert match, f"no data block in {path}"
    return json.loads(match.group(1))["nodes"]


def test_readme_example_csv_runs_through_the_real_cli(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "example.csv").write_text(readme_example_csv(), encoding="utf-8")
    out = tmp_path / "O"
    run = subprocess.run(
        [*finflow_cli(), "investigate", str(folder), "--case", str(tmp_path / "C"), "--out", str(out)],
        capture_output=True, text=True, encoding="utf-8", timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "read 3 = loaded 3 + rejected 0 + duplicates 0" in run.stdout
    assert NO_FINDINGS in run.stdout
    report = (out / "report.md").read_text(encoding="utf-8")
    assert NO_FINDINGS in report and "0 findings" in report
    assert NO_FINDINGS in (out / "report.html").read_text(encoding="utf-8")
    overview = (out / "overview.html").read_text(encoding="utf-8")
    assert NO_FINDINGS in overview
    # not an empty canvas: both named accounts, cash and Romania are drawn
    labels = {n["label"] for n in overview_nodes(out / "overview.html")}
    assert {"Per Olsen", "Kari Hansen", "cash", "RO"} <= labels
    assert (out / "findings.csv").read_text(encoding="utf-8").count("\n") == 1  # header only
    assert json.loads((out / "networks.json").read_text(encoding="utf-8")) == []


def _names_blank(rows: list[dict]) -> list[dict]:
    return [{**r, "from_name": None, "to_name": None} for r in rows]


A, B, C = account(600), account(601), account(602)
ROUND_TRIP = [
    {"date": "2026-02-01", "amount": "100000.00", "currency": "NOK", "from_account": A, "to_account": B},
    {"date": "2026-02-03", "amount": "95000.00", "currency": "NOK", "from_account": B, "to_account": C},
    {"date": "2026-02-06", "amount": "90000.00", "currency": "NOK", "from_account": C, "to_account": A},
]


def test_findings_without_any_holder_name_draw_accounts_by_number(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_generic_csv(folder / "tx.csv", _names_blank(ROUND_TRIP))
    result = investigate(folder, case_dir=tmp_path / "case", out_dir=tmp_path / "out")
    assert result.data.accounts["holder_name"].isna().all()
    assert result.data.transactions[["from_name", "to_name"]].isna().all().all()
    assert [f.detector for f in result.findings] == ["round_trip"]
    graph = build_case_graph(result.data, result.findings)
    labels = dict(zip(graph.nodes["key"], graph.nodes["label"], strict=True))
    assert {labels[f"account:{a}"] for a in (A, B, C)} == {A, B, C}
    holders = {label for key, label in labels.items() if key.startswith("party:")}
    assert holders == {f"holder of {a}" for a in (A, B, C)}
    assert set(graph.nodes["role"]) != {""}
    views = sorted((tmp_path / "out" / "views").glob("*.html"))
    assert any(p.name.startswith("subject-") for p in views) and any(p.name.startswith("finding-") for p in views)
    drawn = {n["label"] for n in overview_nodes(tmp_path / "out" / "overview.html")}
    assert drawn == {A, B, C} | holders


def test_one_dnb_statement_alone_runs_end_to_end(tmp_path):
    generic, _ = read_generic_case(str(GENERIC_CASE))
    folder = tmp_path / "in"
    folder.mkdir()
    holder = "15033395636"
    for style in (BankStyle("cp1252", "grouped", pending=1), BankStyle("utf-8", "dot")):
        for old in folder.iterdir():
            old.unlink()
        written = write_bank_csv(generic, holder, "dnb", str(folder / f"dnb_{holder}.csv"), style)
        assert written > 0
        out = tmp_path / style.encoding
        run = subprocess.run(
            [*finflow_cli(), "investigate", str(folder), "--case", str(out / "case"), "--out", str(out / "graphs")],
            capture_output=True, text=True, encoding="utf-8", timeout=300,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert "[no_bank_csv]" in run.stdout and "(ok)" in run.stdout
        case = open_case(out / "case")
        transactions = case.data().transactions
        assert len(transactions) == written
        assert ((transactions["from_account"] == holder) | (transactions["to_account"] == holder)).all()
        assert (out / "graphs" / "report.html").exists()


@pytest.mark.slow
def test_zero_findings_on_a_full_case_writes_every_output(tmp_path):
    """The outputs of a rich case (names, registry, leases) when no finding is passed in."""
    from finflow.synth import generate

    generate(5, 1000, tmp_path / "in")
    case = open_case(tmp_path / "case")
    case.import_files(sorted((tmp_path / "in").iterdir()))
    data = case.data()
    outputs, ranking, networks = write_outputs(
        tmp_path / "out", data, [], load_config(), case_name="empty", sources=case.manifest,
        settings=OutputSettings(subject_views=3, finding_views=3),
    )  # fmt: skip
    assert ranking.suspects.empty and ranking.victims.empty and networks == []
    assert NO_FINDINGS in outputs["report.md"].read_text(encoding="utf-8")
    nodes = overview_nodes(outputs["overview.html"])
    assert len(nodes) > 50
    graph = build_case_graph(data, [])
    assert str(graph.nodes["role"].dtype) == "string" and (graph.nodes["role"] == "").all()
    assert (graph.nodes["score"] == 0).all()


def test_lookups_keep_their_type_when_nothing_matches():
    keys = pd.Series(["a", None, "b"], dtype=pd.ArrowDtype(pa.string()))
    for mapping in ({}, pd.Series(dtype="string"), {"zz": "x"}):
        text = lookup_text(keys, mapping)
        assert str(text.dtype) == "string" and text.isna().all()
        assert lookup_text(keys, mapping, default="").tolist() == ["", "", ""]
        number = lookup_number(keys, {} if isinstance(mapping, dict) else pd.Series(dtype="float64"))
        assert number.dtype == "float64" and number.tolist() == [0.0, 0.0, 0.0]
    assert lookup_text(keys, {"a": "x"}).tolist() == ["x", pd.NA, pd.NA]
    assert lookup_number(keys, {"b": 2.5}, default=-1).tolist() == [-1.0, -1.0, 2.5]
