"""Every export of a generated case is read back by the tool it is for.

followthemoney parses every FtM line into a valid proxy; networkx reads the GEXF and GraphML;
openpyxl opens the workbook and finds typed cells and no formula from hostile text; the i2 CSVs
name both ends of every link.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os

import networkx as nx
import pytest
from casebuilder import account, write_generic_csv
from click.testing import CliRunner

from finflow.cli import main
from finflow.exports import load_export_case
from finflow.exports.graphs import write_gexf, write_graphml
from finflow.exports.i2 import write_i2
from finflow.exports.xlsx import write_xlsx
from finflow.investigate import investigate
from finflow.outputs import OutputSettings
from finflow.reviews import add_review
from finflow.synth import generate

FEW_VIEWS = OutputSettings(subject_views=1, finding_views=1)
HOSTILE = '=HYPERLINK("http://evil.example/","click")'
HOSTILE_NAME = "+cmd|' /C calc'!A0"


def _require(module: str):
    """followthemoney is the ``ftm`` extra: CI installs it (FINFLOW_REQUIRE_FTM=1 makes its absence fail)."""
    if os.environ.get("FINFLOW_REQUIRE_FTM"):
        return __import__(module)
    return pytest.importorskip(module)


_LOADED: dict = {}


def _loaded(root, personal: bool = False):
    """The case loaded for export once per module (the detectors take seconds)."""
    key = (str(root), personal)
    if key not in _LOADED:
        _LOADED[key] = load_export_case(root / "case", include_personal_ids=personal)
    return _LOADED[key]


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    generate(5, 1000, root / "in")
    write_generic_csv(
        root / "in" / "hostile.csv",
        [
            {"date": "2026-03-01", "amount": "1234.56", "currency": "NOK", "from_account": account(1),
             "from_name": HOSTILE_NAME, "to_account": account(2), "to_name": "@SUM(A1:A9)",
             "description": HOSTILE},
            {"date": "2026-03-02", "amount": "99.5", "currency": "EUR", "from_account": account(2),
             "to_account": account(1), "description": "-2+3"},
        ],
    )  # fmt: skip
    result = investigate(root / "in", case_dir=root / "case", out_dir=root / "out", settings=FEW_VIEWS)
    assert result.findings, "the generated case has no findings to export"
    add_review(root / "case", result.findings[0].finding_id, "dismissed", HOSTILE, HOSTILE_NAME)
    return root


def test_ftm_every_line_is_a_valid_proxy(case):
    ftm = _require("followthemoney")
    from followthemoney import model
    from followthemoney.exc import InvalidData

    from finflow.exports.ftm import write_ftm

    path, count = write_ftm(_loaded(case), case / "case.ftm")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == count > 0
    schemata: dict[str, int] = {}
    ids = set()
    proxies = []
    for number, line in enumerate(lines, start=1):
        raw = json.loads(line)
        try:
            proxy = model.get_proxy(raw, cleaned=False)
        except InvalidData as exc:  # pragma: no cover - the assertion message is the point
            pytest.fail(f"line {number}: {exc}")
        assert proxy.schema.validate(raw) is None, f"line {number}: {proxy.schema.validate(raw)}"
        for prop in proxy.schema.required:
            assert proxy.get(prop), f"line {number}: {proxy.schema.name} without required {prop}"
        # cleaning keeps every value finflow wrote (nothing the model would drop)
        assert proxy.to_dict()["properties"] == raw["properties"], f"line {number}: values changed on cleaning"
        assert proxy.id not in ids, f"line {number}: duplicate id {proxy.id}"
        ids.add(proxy.id)
        schemata[proxy.schema.name] = schemata.get(proxy.schema.name, 0) + 1
        proxies.append(proxy)
    for schema in ("Payment", "BankAccount", "Person", "Company", "Document", "Note", "Ownership", "Address"):
        assert schemata.get(schema), f"no {schema} exported: {schemata}"
    data = _loaded(case).data
    assert schemata["Payment"] == len(data.transactions)
    # every reference points at an exported entity; every payment names its source file and row
    for proxy in proxies:
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in ids, f"{proxy.schema.name}.{prop.name} -> {value} not exported"
        if proxy.schema.name == "Payment":
            assert proxy.get("proof") and proxy.get("recordId"), proxy.to_dict()
            assert proxy.get("amount") and proxy.get("currency") and proxy.get("date")
    notes = [p for p in proxies if p.schema.name == "Note"]
    assert any("Review: dismissed" in d for n in notes for d in n.get("description")), "review not in the notes"
    # exact amounts: the EUR payment of 99.50 is written as decimal text, not a float
    amounts = {a for p in proxies if p.schema.name == "Payment" for a in p.get("amount")}
    assert "99.50" in amounts and "1234.56" in amounts
    assert ftm is not None


def test_ftm_ids_stable_and_personal_ids_only_when_asked(case):
    _require("followthemoney")
    from finflow.exports.ftm import write_ftm

    first, _ = write_ftm(_loaded(case), case / "a.ftm")
    second, _ = write_ftm(load_export_case(case / "case"), case / "b.ftm")  # loaded afresh: same bytes
    assert first.read_bytes() == second.read_bytes()
    data = _loaded(case).data
    births = {d.isoformat() for d in data.parties["birth_date"].dropna().dt.date}
    phones = set(data.identifiers["value"].astype(str))
    assert births and phones, "the generated case has no birth dates or identifiers to hide"
    hidden = first.read_text(encoding="utf-8")
    assert not any(f'"{b}"' in hidden for b in births), "a birth date was exported without --include-personal-ids"
    assert '"birthDate"' not in hidden and '"phone"' not in hidden and '"idNumber"' not in hidden
    shown, _ = write_ftm(_loaded(case, personal=True), case / "c.ftm")
    text = shown.read_text(encoding="utf-8")
    assert '"birthDate"' in text and any(f'"{b}"' in text for b in births)


def test_graphml_and_gexf_read_back_with_per_currency_totals(case):
    export = _loaded(case)
    for write, read in ((write_graphml, nx.read_graphml), (write_gexf, nx.read_gexf)):
        path, edges = write(export, case / f"money.{write.__name__[6:]}")
        graph = read(path)
        assert graph.number_of_edges() == edges > 0
        tx = export.data.transactions
        attrs = graph.nodes[account(1)]
        assert attrs["kind"] == "account"
        roles = {d.get("role") for _, d in graph.nodes(data=True)}
        assert {"controller", "possible_victim"} & roles, roles
        edge = graph.edges[account(1), account(2)]
        assert int(edge["txn_count"]) >= 1 and int(edge["total_minor_NOK"]) >= 123456
        assert isinstance(edge["total_NOK"], str) and float(edge["weight"]) > 0
        back = graph.edges[account(2), account(1)]
        assert back["total_EUR"] == "99.50" and int(back["total_minor_EUR"]) == 9950
        assert "total_NOK" not in back, "a pair that moved only EUR has no NOK total"
        total = sum(int(d.get("txn_count", 0)) for _, _, d in graph.edges(data=True))
        assert total == len(tx), "every transaction is counted on one edge"
        first = min(d["first_date"] for _, _, d in graph.edges(data=True))
        assert first == tx["booking_date"].min().date().isoformat()
        flagged = [d for _, d in graph.nodes(data=True) if int(d.get("findings", 0))]
        assert any("dismissed" in d.get("review", "") for d in flagged)


def test_xlsx_typed_cells_frozen_headers_and_no_formulas(case):
    import openpyxl

    path, evidence_rows = write_xlsx(_loaded(case), case / "case.xlsx")
    book = openpyxl.load_workbook(path)
    expected = ["Summary", "Suspects", "Possible victims", "Findings", "Evidence", "Sources", "Rejects"]
    assert book.sheetnames == expected
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref, f"{sheet.title} has no filter"
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
    evidence = book["Evidence"]
    header = [c.value for c in evidence[1]]
    assert evidence.max_row - 1 == evidence_rows > 0
    col = {name: header.index(name) for name in header}
    row = next(evidence.iter_rows(min_row=2, max_row=2))
    assert isinstance(row[col["booking_date"]].value, dt.datetime) and row[col["booking_date"]].is_date
    assert isinstance(row[col["amount"]].value, int | float)
    assert isinstance(row[col["amount_minor"]].value, int)
    assert row[col["source_file"]].value and row[col["source_row"]].value and len(row[col["source_sha256"]].value) == 64
    assert evidence.column_dimensions["A"].width > 10
    findings = book["Findings"]
    texts = [c.value for r in findings.iter_rows(min_row=2) for c in r if isinstance(c.value, str)]
    assert HOSTILE in texts, "the hostile review note is kept as text"
    assert any(v.startswith("dismissed") for v in texts)
    sources = book["Sources"]
    shas = [r[1].value for r in sources.iter_rows(min_row=2)]
    assert shas and all(len(s) == 64 for s in shas)
    assert isinstance(sources.cell(2, 8).value, dt.datetime)
    rejects_header = [c.value for c in book["Rejects"][1]]
    assert "raw" not in rejects_header
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["transactions"] == len(_loaded(case).data.transactions)
    assert isinstance(summary["first booking date"], dt.datetime)
    assert isinstance(summary["total moved in EUR"], float)


def test_i2_links_name_both_ends_and_are_defused(case):
    folder, links = write_i2(_loaded(case), case / "i2")
    with open(folder / "entities.csv", encoding="utf-8-sig", newline="") as fh:
        entities = {r["entity_id"]: r for r in csv.DictReader(fh)}
    with open(folder / "links.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == links > 0
    for row in rows:
        assert row["from_id"] in entities and row["to_id"] in entities, row
        assert row["from_type"] and row["to_type"] and row["link_type"]
    payments = [r for r in rows if r["link_type"] == "Transaction"]
    assert len(payments) == len(_loaded(case).data.transactions)
    hostile = next(r for r in payments if "HYPERLINK" in r["description"])
    assert hostile["description"] == "'" + HOSTILE, "formula text must be neutralised in a CSV for Excel"
    assert hostile["amount"] == "1234.56" and hostile["date"] == "2026-03-01" and hostile["source_row"]
    assert not any(r["birth_date"] for r in entities.values())


def test_export_command_and_missing_case(case, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["export", "gexf", "--case", str(case / "case"), "--out", str(tmp_path / "g.gexf")])
    assert result.exit_code == 0, result.output
    assert "edges" in result.output and (tmp_path / "g.gexf").is_file()
    result = runner.invoke(main, ["export", "xlsx", "--case", str(tmp_path / "nope"), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1 and "no case here" in result.output
    assert "Traceback" not in result.output


def test_ftm_export_streams_payments(tmp_path):
    """Memory allocated during the export does not grow with the number of payments."""
    _require("followthemoney")
    import sys
    import tracemalloc
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from bench_export_ftm import measure

    small, large = measure(1000), measure(6000)
    assert large["entities"] - small["entities"] == 5000
    # one proxy per payment kept in memory would add about 10 MiB here; streaming adds almost nothing
    assert large["peak_mib"] < small["peak_mib"] + 2.0, (small, large)
    assert not tracemalloc.is_tracing()
