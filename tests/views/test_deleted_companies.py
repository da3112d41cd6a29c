"""A company the register has deleted is shown as deleted everywhere a company is shown.

A hand-built case through the real import path: a Brønnøysund bulk file with one live and one
deleted unit (``slettedato``), a KYC extract naming who holds which account, and the payments of
one possible victim to the deleted company. The deletion date must reach the companies table,
subjects.csv and possible_victims.csv (``status``), the report ("(deleted DATE)" after the name),
the views (a dashed grey border, explained in the legend; checked in headless Chromium), the
Excel workbook, the i2 entities, the GraphML account nodes (``holder_deleted``) and the
FollowTheMoney ``Company`` (``dissolutionDate``).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from finflow.case import open_case
from finflow.config import load_config
from finflow.detect.base import Finding, Subject
from finflow.exports.context import ExportCase
from finflow.exports.graphs import write_graphml
from finflow.exports.i2 import write_i2
from finflow.exports.xlsx import write_xlsx
from finflow.ids import org_party_id
from finflow.leads import analyse
from finflow.outputs import OutputSettings, write_outputs
from finflow.views.style import DELETED_BORDER, DELETED_DASHES, DELETED_LEGEND
from tests.casebuilder import account, write_generic_csv

from .helpers import payload

GONE, LIVE = "972412112", "923609016"
GONE_NAME, LIVE_NAME = "Gamle Vikar AS", "Nordlys Bemanning AS"
DELETED = "2024-05-01"
VICTIM = account(3)


def _inputs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    units = [
        {"organisasjonsnummer": LIVE, "navn": LIVE_NAME, "organisasjonsform": {"kode": "AS"}},
        {"organisasjonsnummer": GONE, "navn": GONE_NAME, "organisasjonsform": {"kode": "AS"}, "slettedato": DELETED},
    ]
    (folder / "enheter.json").write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    with open(folder / "accounts.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["account", "holder_name", "holder_kind", "holder_birth_date", "holder_org_number", "bank",
                         "opened"])  # fmt: skip
        writer.writerow([account(1), GONE_NAME, "company", "", GONE, "", ""])
        writer.writerow([account(2), LIVE_NAME, "company", "", LIVE, "", ""])
        writer.writerow([VICTIM, "Kari Nordmann", "person", "1990-01-01", "", "", ""])
    rows = [
        {"date": f"2024-03-0{day}", "amount": "9000.00", "currency": "NOK", "from_account": VICTIM,
         "from_name": "Kari Nordmann", "to_account": account(1), "to_name": GONE_NAME, "description": "lønn"}
        for day in range(1, 7)
    ]  # fmt: skip
    rows.append({"date": "2024-03-20", "amount": "50000.00", "currency": "NOK", "from_account": account(1),
                 "to_account": account(2), "description": "faktura"})  # fmt: skip
    write_generic_csv(folder / "tx.csv", rows)
    return [folder / "enheter.json", folder / "accounts.csv", folder / "tx.csv"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINFLOW_CASE_KEY", "deleted-companies-test-key")
        yield _build(tmp_path_factory.mktemp("deleted"))


def _build(root: Path) -> dict:
    case = open_case(root / "case")
    reports = case.import_files(_inputs(root / "in"))
    assert [r.status for r in reports] == ["imported"] * 3
    data = open_case(root / "case").data()  # read back from disk: the column is stored
    evidence = data.transactions.sort_values("booking_date")["txn_id"].tolist()[:6]
    findings = [
        Finding(
            detector="collector",
            subjects=[
                Subject("party", org_party_id(GONE), "controller", GONE_NAME),
                Subject("account", VICTIM, "possible_victim", "Kari Nordmann"),
            ],
            score=0.8,
            summary="one payer passes her earnings on to a company",
            parameters={},
            evidence_txn_ids=evidence,
        )
    ]
    config = load_config()
    out = root / "out"
    settings = OutputSettings(subject_views=2, finding_views=1)
    _, ranking, _ = write_outputs(out, data, findings, config, case_name="deleted", sources=case.manifest,
                                  settings=settings)  # fmt: skip
    export = ExportCase(root / "case", data, findings, {}, analyse(findings, data, config).ranking, case.manifest,
                        config)  # fmt: skip
    return {"root": root, "out": out, "data": data, "ranking": ranking, "export": export}


def test_the_companies_table_keeps_the_deletion_date(built: dict) -> None:
    companies = built["data"].companies.set_index("party_id")["deleted"]
    assert pd.Timestamp(companies[org_party_id(GONE)]) == pd.Timestamp(DELETED)
    assert pd.isna(companies[org_party_id(LIVE)])


def test_subjects_and_possible_victims_have_a_status_column(built: dict) -> None:
    suspects = pd.read_csv(built["out"] / "subjects.csv", dtype=str, keep_default_na=False)
    victims = pd.read_csv(built["out"] / "possible_victims.csv", dtype=str, keep_default_na=False)
    assert list(suspects.columns)[:5] == ["rank", "subject_kind", "subject_id", "label", "status"]
    assert list(victims.columns) == list(suspects.columns)
    company = suspects.set_index("subject_id").loc[org_party_id(GONE)]
    assert company["label"] == GONE_NAME and company["status"] == f"deleted {DELETED}"
    assert victims["status"].tolist() == ["active"] and victims["role"].tolist() == ["possible_victim"]


def test_the_report_says_deleted_after_the_company_name(built: dict) -> None:
    md = (built["out"] / "report.md").read_text("utf-8")
    html = (built["out"] / "report.html").read_text("utf-8")
    named = f"{GONE_NAME} (deleted {DELETED})"
    lead = md.split("## Who to look at first", 1)[1].split("\n## ", 1)[0]
    assert f"| 1 | {named} |" in lead
    assert f"Subjects (roles this finding suggests): {named} (party {org_party_id(GONE)})" in md
    assert named in html
    assert f"{LIVE_NAME} (deleted" not in md and "Kari Nordmann (deleted" not in md


def _company_nodes(view: Path) -> dict[str, dict]:
    return {n["id"]: n for n in payload(view)["nodes"] if n["kind"] == "company"}


def test_views_mark_the_deleted_company_and_explain_it(built: dict) -> None:
    overview = built["out"] / "overview.html"
    nodes = _company_nodes(overview)
    gone, live = nodes[f"party:{org_party_id(GONE)}"], nodes[f"party:{org_party_id(LIVE)}"]
    assert gone["shapeProperties"] == {"borderDashes": DELETED_DASHES} and gone["color"]["border"] == DELETED_BORDER
    assert f"deleted from the register on {DELETED}" in gone["title"]
    assert "shapeProperties" not in live and "deleted" not in live["title"]
    assert DELETED_LEGEND in overview.read_text("utf-8")


@pytest.mark.browser
def test_chromium_draws_the_deleted_company_dashed(built: dict, open_page) -> None:
    for view in (built["out"] / "overview.html", built["out"] / "views" / f"subject-{org_party_id(GONE)}.html"):
        page = open_page(view)
        page.wait_ready()
        gone, live = f"party:{org_party_id(GONE)}", f"party:{org_party_id(LIVE)}"
        drawn = page.js(
            "var b = finflow.network.body.nodes;"
            f"return [b[{json.dumps(gone)}].options.shapeProperties.borderDashes,"
            f" b[{json.dumps(gone)}].options.color.border,"
            f" b[{json.dumps(live)}] ? b[{json.dumps(live)}].options.shapeProperties.borderDashes : null]"
        )
        assert drawn[0] == DELETED_DASHES
        assert drawn[1] in (DELETED_BORDER, "#000000")  # the subject view's centre keeps its black frame
        assert drawn[2] in (False, None)  # the live company (when drawn) has a solid border
        legend = page.js("return document.querySelector('.legend-status').textContent")
        assert legend == DELETED_LEGEND
        dashed = page.js("return getComputedStyle(document.querySelector('.legend-status .swatch')).borderTopStyle")
        assert dashed == "dashed"
        errors = [e for e in page.console() if e.get("level") == "SEVERE"]
        assert errors == []


def test_excel_carries_the_status(built: dict) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path, _ = write_xlsx(built["export"], built["root"] / "case.xlsx")
    book = openpyxl.load_workbook(path)
    for sheet, expected in (("Suspects", f"deleted {DELETED}"), ("Possible victims", "active")):
        rows = list(book[sheet].iter_rows(values_only=True))
        header = list(rows[0])
        assert "status" in header
        assert [r[header.index("status")] for r in rows[1:]] == [expected]


def test_i2_entities_carry_the_deletion_date(built: dict) -> None:
    folder, _ = write_i2(built["export"], built["root"] / "i2")
    with open(folder / "entities.csv", encoding="utf-8-sig", newline="") as fh:
        entities = {row["entity_id"]: row for row in csv.DictReader(fh)}
    assert entities[org_party_id(GONE)]["deleted"] == DELETED
    assert entities[org_party_id(GONE)]["entity_type"] == "Organisation"
    assert entities[org_party_id(LIVE)]["deleted"] == ""
    assert entities[account(1)]["deleted"] == ""


def test_graphml_account_nodes_carry_their_holders_deletion_date(built: dict) -> None:
    path, _ = write_graphml(built["export"], built["root"] / "case.graphml")
    graph = nx.read_graphml(path)
    assert graph.nodes[account(1)]["holder_deleted"] == DELETED
    assert graph.nodes[account(2)]["holder_deleted"] == "" and graph.nodes[VICTIM]["holder_deleted"] == ""


def test_ftm_company_has_its_dissolution_date(built: dict) -> None:
    if not os.environ.get("FINFLOW_REQUIRE_FTM"):  # the ftm extra; CI requires it
        pytest.importorskip("followthemoney")
    from followthemoney import model

    from finflow.exports.ftm import write_ftm

    path, _ = write_ftm(built["export"], built["root"] / "case.ftm")
    companies = {}
    for line in path.read_text("utf-8").splitlines():
        proxy = model.get_proxy(json.loads(line), cleaned=False)
        if proxy.schema.name == "Company":
            companies[proxy.first("registrationNumber")] = proxy
    assert companies[GONE].get("dissolutionDate") == [DELETED]
    assert companies[LIVE].get("dissolutionDate") == []
