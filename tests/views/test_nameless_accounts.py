"""Views of a case whose extracts name no account holder (public benchmark data, raw ledgers)."""

from __future__ import annotations

from finflow.case import open_case
from finflow.config import load_config
from finflow.detect.registry import run_detectors
from finflow.views import overview_view

HEADER = (
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,"
    "Payment Currency,Payment Format"
)


def test_an_overview_of_accounts_without_holder_names_is_drawn(tmp_path):
    rows = [f"2022/09/0{i + 1} 10:00,1,C{i},1,C{(i + 1) % 5},5000.00,Euro,5000.00,Euro,ACH" for i in range(5)]
    source = tmp_path / "Trans.csv"
    source.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    case = open_case(tmp_path / "case")
    case.import_files([source])
    data = case.data()
    assert data.accounts["holder_name"].isna().all()
    findings = run_detectors(data, load_config())
    assert [f.detector for f in findings] == ["cycle"]
    html = overview_view(data, findings, tmp_path / "overview.html").path.read_text("utf-8")
    assert "1/C0" in html and "1/C4" in html
