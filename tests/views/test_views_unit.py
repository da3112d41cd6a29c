"""Views without a browser: escaping, offline, personal data, budget, determinism, trails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from finflow.casedata import CaseData
from finflow.detect.base import Finding, Subject
from finflow.views import finding_view, overview_view, subject_view, trail_view
from finflow.views.render import safe_json, vis_assets
from finflow.views.style import ROLE_STYLE

from .cases import (
    BIRTH_DATE,
    BOSS,
    HOSTILE_IMG,
    HOSTILE_LINK,
    HOSTILE_NAME,
    ID_NUMBER,
    VICTIM_A,
    hostile_case,
    hostile_findings,
    synthetic_case,
    synthetic_findings,
    trail_frame,
)
from .helpers import payload


def _all_views(tmp: Path) -> list[Path]:
    case, findings = hostile_case(), hostile_findings()
    overview_view(case, findings, tmp / "overview.html")
    subject_view(case, findings, BOSS, tmp / "subject.html")
    finding_view(case, findings[0], tmp / "finding.html")
    return [tmp / "overview.html", tmp / "subject.html", tmp / "finding.html"]


def test_safe_json_cannot_close_a_script_block():
    text = safe_json({"a": "</script><!-- & \u2028 \u2029 >"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert "\\u003c/script\\u003e" in text


@pytest.fixture(scope="module")
def views(tmp_path_factory) -> list[Path]:
    return _all_views(tmp_path_factory.mktemp("views"))


def test_hostile_text_never_appears_as_markup(views):
    vis_js, _ = vis_assets()
    for path in views:
        html = path.read_text(encoding="utf-8")
        for raw in (HOSTILE_IMG, HOSTILE_NAME, HOSTILE_LINK, "<img", "<a "):
            assert raw not in html, f"{path.name} contains raw {raw!r}"
        # outside the (escaped) data block and the library, no trace of the payloads at all
        markup = re.sub(r'(id="finflow-data">).*?(</script>)', r"\1\2", html, flags=re.S)
        markup = markup.replace(vis_js, "")
        assert not re.search(r"<[a-z]+\s[^>]*\bon[a-z]+\s*=", markup, re.I)  # no handlers
        assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", markup, re.I)
        # exactly our three script elements (data, vis-network, page code): none injected
        assert markup.count("<script") == 3
        assert markup.count("</script>") == 3


def test_hostile_text_survives_as_data(views):
    nodes = {n["id"]: n for n in payload(views[0])["nodes"]}
    assert HOSTILE_NAME in nodes[f"account:{VICTIM_A}"]["title"]
    titles = " ".join(e["title"] for e in payload(views[0])["edges"])
    assert HOSTILE_IMG in titles and HOSTILE_LINK in titles


def test_views_load_nothing_from_the_network(views):
    for path in views:
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html, re.I)
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
        csp = unescape(csp)
        assert "default-src 'none'" in csp
        assert "http" not in csp and "unsafe-inline" not in csp.split("style-src")[0]


def test_personal_ids_only_on_request(tmp_path):
    case, findings = hostile_case(), hostile_findings()
    plain = overview_view(case, findings, tmp_path / "plain.html").path.read_text("utf-8")
    assert BIRTH_DATE not in plain and ID_NUMBER not in plain
    full = overview_view(case, findings, tmp_path / "full.html", include_personal_ids=True)
    text = full.path.read_text("utf-8")
    assert BIRTH_DATE in text and ID_NUMBER in text


def test_overview_structure(views):
    data = payload(views[0])
    nodes = {n["id"]: n for n in data["nodes"]}
    # accounts, holders, cash, and the foreign counterparty grouped as its country
    assert {"cash", "country:RO", "party:party-boss", f"account:{BOSS}"} <= set(nodes)
    assert nodes["cash"]["shape"] != nodes[f"account:{BOSS}"]["shape"]
    money = [e for e in data["edges"] if e["relation"] == "money"]
    pairs = [(e["from"], e["to"]) for e in money]
    assert len(pairs) == len(set(pairs)), "one edge per from→to pair"
    # two NOK payments and one EUR payment to Romania: one edge, both totals, exact
    ro = next(e for e in money if e["to"] == "country:RO")
    assert "NOK 1 500.00" in ro["title"] and "EUR 99.99" in ro["title"]
    assert "2 transactions" in ro["title"] and "first 2024-01-11, last 2024-01-12" in ro["title"]
    victim_to_boss = next(e for e in money if e["from"] == f"account:{VICTIM_A}")
    assert "NOK 5 000.00" in victim_to_boss["title"]
    # width grows with amount
    widths = {(e["from"], e["to"]): e["width"] for e in money}
    assert widths[("cash", f"account:{BOSS}")] > widths[(f"account:{VICTIM_A}", f"account:{BOSS}")]


def test_possible_victims_are_not_drawn_as_suspects(views):
    nodes = {n["id"]: n for n in payload(views[0])["nodes"]}
    victim, boss = nodes[f"account:{VICTIM_A}"], nodes[f"account:{BOSS}"]
    assert victim["role"] == "possible_victim" and boss["role"] == "controller"
    assert victim["color"]["background"] == ROLE_STYLE["possible_victim"].color
    assert victim["color"]["background"] != boss["color"]["background"]
    assert "for protection, not suspicion" in victim["title"]
    html = views[0].read_text("utf-8")
    assert "possible victim (protection)" in html  # legend entry


def test_same_input_same_bytes_whatever_the_row_order(tmp_path):
    case, findings = hostile_case(), hostile_findings()
    first = overview_view(case, findings, tmp_path / "a.html").path.read_bytes()
    case.transactions = case.transactions.sample(frac=1, random_state=3).reset_index(drop=True)
    second = overview_view(case, findings, tmp_path / "b.html").path.read_bytes()
    assert first == second


def test_big_layout_is_deterministic_and_precomputed(tmp_path):
    case = synthetic_case(600, 2500)
    findings = synthetic_findings(case, 10)
    a = overview_view(case, findings, tmp_path / "a.html")
    b = overview_view(case, findings, tmp_path / "b.html")
    assert a.layout == "precomputed"
    assert a.path.read_bytes() == b.path.read_bytes()
    data = payload(a.path)
    assert data["options"]["physics"]["enabled"] is False
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])


def test_node_budget_keeps_flagged_and_neighbours_and_says_what_is_left_out(tmp_path):
    case = synthetic_case(400, 600, seed=5)
    findings = synthetic_findings(case, 12)
    stats = overview_view(case, findings, tmp_path / "budget.html", node_budget=30)
    assert stats.nodes_shown == 30 and stats.nodes_total > 30
    assert stats.flagged_shown == stats.flagged_total == 12
    data = payload(stats.path)
    assert len(data["nodes"]) == 30 and len(data["edges"]) == stats.edges_shown
    kept = {n["id"] for n in data["nodes"]}
    # every edge drawn joins two drawn nodes
    assert all(e["from"] in kept and e["to"] in kept for e in data["edges"])
    html = stats.path.read_text("utf-8")
    assert f"left out {stats.nodes_omitted} nodes and {stats.edges_omitted} connections" in html
    # flagged nodes' neighbours come before unflagged strangers: with a budget of flagged+1,
    # the extra node must touch a flagged node
    small = overview_view(case, findings, tmp_path / "small.html", node_budget=13)
    data = payload(small.path)
    extra = [n["id"] for n in data["nodes"] if not n["role"]]
    assert len(extra) == 1
    assert any(extra[0] in (e["from"], e["to"]) for e in data["edges"])


def test_subject_view_is_an_ego_network(tmp_path):
    case, findings = hostile_case(), hostile_findings()
    one = subject_view(case, findings, VICTIM_A, tmp_path / "one.html", hops=1)
    ids = {n["id"] for n in payload(one.path)["nodes"]}
    assert ids == {f"account:{VICTIM_A}", f"account:{BOSS}", "party:party-victim-a"}
    two = subject_view(case, findings, VICTIM_A, tmp_path / "two.html", hops=2)
    assert two.nodes_shown > one.nodes_shown
    centre = next(n for n in payload(two.path)["nodes"] if n["id"] == f"account:{VICTIM_A}")
    assert centre["borderWidth"] == 4 and centre["color"]["border"] == "#000000"
    with pytest.raises(ValueError, match="not an account, party or address"):
        subject_view(case, findings, "no-such-id", tmp_path / "x.html")


def test_finding_view_has_evidence_table(tmp_path):
    case, findings = hostile_case(), hostile_findings()
    stats = finding_view(case, findings[0], tmp_path / "f.html")
    html = stats.path.read_text("utf-8")
    assert "Evidence: 3 transactions" in html
    assert "bank.csv:2" in html and "NOK 1 800.50" in html
    assert "&lt;img src=x" in html  # hostile message shown, escaped
    money = [e for e in payload(stats.path)["edges"] if e["relation"] == "money"]
    assert len(money) == 2  # victim A (2 txns) and victim B → boss


def test_trail_view_columns_per_hop_and_aggregated_edges(tmp_path):
    stats = trail_view(
        trail_frame(),
        tmp_path / "trail.html",
        title="Trace <from A>",
        method_note="FIFO; opening balance treated as clean",
        labels={VICTIM_A: HOSTILE_NAME},
    )
    data = payload(stats.path)
    levels = {n["id"]: n["level"] for n in data["nodes"]}
    assert levels[VICTIM_A] == 0 and levels[BOSS] == 1 and levels["cash"] == 2
    x = {n["id"]: n["x"] for n in data["nodes"]}
    assert x[VICTIM_A] < x[BOSS] < x["cash"] and data["options"]["physics"]["enabled"] is False
    back = trail_view(trail_frame(), tmp_path / "back.html", title="t", method_note="", direction="backward")
    back_levels = {n["id"]: n["level"] for n in payload(back.path)["nodes"]}
    assert back_levels[BOSS] > back_levels[VICTIM_A]  # money still flows left to right
    assert stats.edges_shown == 4  # the NOK and EUR rows to RO become one edge
    ro = next(e for e in data["edges"] if e["to"] == "country:RO")
    assert "EUR 99.99; NOK 1 500.00" in ro["title"]
    assert ro["title"].startswith(f"{BOSS} → RO")
    kinds = {n["id"]: n["kind"] for n in data["nodes"]}
    assert kinds["cash"] == "cash" and kinds["country:RO"] == "country"
    html = stats.path.read_text("utf-8")
    assert "Trace &lt;from A&gt;" in html and "FIFO; opening balance" in html
    assert HOSTILE_NAME not in html
    with pytest.raises(ValueError, match="lacks columns"):
        trail_view(trail_frame().drop(columns="hop"), tmp_path / "x.html", title="t", method_note="")


def test_addresses_named_counterparties_and_identifier_subjects(tmp_path):
    case = hostile_case()
    case.addresses = pd.DataFrame(
        {
            "address_id": ["addr-1"],
            "street": ["Storgata 1"],
            "postcode": ["0155"],
            "city": ["Oslo"],
            "country": ["NO"],
            "normalized": ["storgata 1, 0155 oslo"],
            "source_file": ["roles.json"],
            "source_sha256": ["cd" * 32],
            "source_locator": ["1"],
            "batch_id": ["batch-1"],
        }
    )
    case.party_addresses = pd.DataFrame(
        {
            "party_id": ["party-victim-a", "party-boss"],
            "address_id": ["addr-1", "addr-1"],
            "kind": ["residence", "business"],
            "valid_from": pd.NaT,
            "valid_to": pd.NaT,
            "source_file": ["roles.json"] * 2,
            "source_sha256": ["cd" * 32] * 2,
            "source_locator": ["1", "2"],
            "batch_id": ["batch-1"] * 2,
        }
    )
    card = case.transactions.iloc[[0]].assign(
        txn_id="t99",
        to_account=None,
        to_name="Kiosk Sentrum",
        channel="card",
        description="kiosk",
    )
    case.transactions = pd.concat([case.transactions, card], ignore_index=True)
    findings = [
        *hostile_findings(),
        Finding(
            detector="shared_address",
            subjects=[
                Subject("address", "addr-1", "unknown", "Storgata 1"),
                Subject("identifier", "phone:+4799999999", "unknown"),
            ],
            score=0.4,
            summary="many people registered at one address",
            parameters={},
        ),
    ]
    stats = subject_view(case, findings, "addr-1", tmp_path / "addr.html", hops=1)
    nodes = {n["id"]: n for n in payload(stats.path)["nodes"]}
    assert set(nodes) == {"address:addr-1", "party:party-victim-a", "party:party-boss"}
    assert nodes["address:addr-1"]["kind"] == "address"
    assert nodes["address:addr-1"]["label"] == "storgata 1, 0155 oslo"
    over = payload(overview_view(case, findings, tmp_path / "o.html").path)
    ids = {n["id"]: n for n in over["nodes"]}
    assert ids["name:Kiosk Sentrum"]["kind"] == "unknown"
    assert not any(i.startswith("identifier") for i in ids)


def test_same_bytes_across_processes(tmp_path):
    """Set and dict order differ between interpreter runs; the output must not."""
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, '.');"
        "from tests.views.cases import hostile_case, hostile_findings;"
        "from finflow.views import overview_view;"
        "from finflow.views.report import write_report;"
        "out = Path(sys.argv[1]);"
        "overview_view(hostile_case(), hostile_findings(), out / 'o.html');"
        "write_report(out, case_name='c', sources=[], rejects=hostile_case().rejects,"
        " findings=hostile_findings(), data=hostile_case())"
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        root = Path(__file__).resolve().parents[2]
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env, cwd=root)
        outputs.append([(out / n).read_bytes() for n in ("o.html", "report.html", "report.md")])
    assert outputs[0] == outputs[1]


def test_empty_case_and_empty_trail(tmp_path):
    stats = overview_view(CaseData(), [], tmp_path / "empty.html")
    assert (stats.nodes_shown, stats.edges_shown) == (0, 0)
    assert payload(stats.path)["nodes"] == []
    trail = trail_view(trail_frame().iloc[0:0], tmp_path / "t.html", title="t", method_note="m")
    assert trail.nodes_shown == 0
