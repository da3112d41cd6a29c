"""The case report without a browser: contents, escaping, links, personal data, determinism."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from finflow.views.report import md_escape, write_report

from .cases import (
    BIRTH_DATE,
    HOSTILE_IMG,
    HOSTILE_LINK,
    HOSTILE_NAME,
    SHA,
    rejects,
    report_args,
)


@pytest.fixture
def report(tmp_path):
    html, md = write_report(tmp_path, **report_args())
    return html.read_text("utf-8"), md.read_text("utf-8")


def test_report_lists_sources_rejects_findings_and_evidence(report):
    html, md = report
    for text in (
        SHA,
        "bank_csv",
        "4 rows could not be imported",
        "bad amount in row 5",
        "hub_collector (1)",
        "cash_structuring (1)",
        "bank.csv:2",
        "NOK 1 800.50",
        "network-1",
        "EUR 0.05; NOK 1 234.56",
        "Trace from victim",
        "NOK 90 000.00",
    ):
        assert text in html
    assert "abababab" in md and "hub\\_collector" in md and "NOK 1 800.50" in md
    # the roles.json source reconciles (3 = 3 + 0 + 0) and so does bank.csv (13 = 8 + 4 + 1)
    assert "all counts reconcile" in html


def test_report_flags_counts_that_do_not_reconcile(tmp_path):
    args = report_args()
    args["sources"][0]["loaded"] = 7
    html, _ = write_report(tmp_path, **args)
    assert "NOT reconciled: 1 file" in html.read_text("utf-8")


def test_only_first_rejects_listed_with_the_count(tmp_path):
    html, _ = write_report(tmp_path, **report_args(rejects=rejects(120)), max_rejects=10)
    text = html.read_text("utf-8")
    assert "120 rows could not be imported" in text and "The first 10 are listed" in text
    assert "bad amount in row 11<" in text and "bad amount in row 12<" not in text


def test_possible_victims_have_their_own_protective_section(report):
    html, md = report
    assert "Possible victims — for protection, not suspicion" in html
    victims = html.split('id="victims"')[1].split("</section>")[0]
    assert "Kari Nordmann" in victims and "Boss AS (account" not in victims
    assert "## Possible victims — for protection, not suspicion" in md


def test_all_text_escaped(report):
    html, md = report
    for raw in (HOSTILE_IMG, HOSTILE_NAME, HOSTILE_LINK, "<img", '<a href="javascript'):
        assert raw not in html
        assert not re.search(r"(?<!\\)" + re.escape(raw), md), raw  # only escaped in Markdown
    assert "&lt;img src=x" in html
    assert "\\<img src=x" in md
    assert "<script" not in html  # the report has no scripts at all
    assert "Operasjon &lt;Test&gt;" in html


def test_personal_columns_left_out_unless_asked(tmp_path, report):
    html, _ = report
    assert BIRTH_DATE not in html and "birth_date" not in html
    full, _ = write_report(tmp_path / "full", **report_args(), include_personal_ids=True)
    assert BIRTH_DATE in full.read_text("utf-8")


def test_rejected_rows_text_and_phone_columns_left_out_unless_asked(tmp_path):
    frame = rejects(1).assign(raw="Kari Nordmann,1980-02-29,RO,RO123456,+47 412 34 567")
    subjects = pd.DataFrame({"subject_id": ["party-1"], "label": ["Kari"], "phone": ["+4741234567"]})
    hidden, hidden_md = write_report(tmp_path / "a", **report_args(rejects=frame, subjects=subjects))
    for text in (hidden.read_text("utf-8"), hidden_md.read_text("utf-8")):
        assert "bad amount in row 2" in text  # the reject and its reason are listed …
        for secret in ("1980-02-29", "RO123456", "412 34 567", "+4741234567"):
            assert secret not in text  # … without the row's personal data
    full, _ = write_report(tmp_path / "b", **report_args(rejects=frame, subjects=subjects), include_personal_ids=True)
    shown = full.read_text("utf-8")
    assert "1980-02-29" in shown and "+4741234567" in shown


def test_hostile_reject_text_is_escaped_when_shown(tmp_path):
    html, md = write_report(tmp_path, **report_args(), include_personal_ids=True)
    assert HOSTILE_LINK not in html.read_text("utf-8")
    assert not re.search(r"(?<!\\)" + re.escape(HOSTILE_LINK), md.read_text("utf-8"))


def test_links_to_every_view_and_refuses_unsafe_paths(report, tmp_path):
    html, md = report
    assert 'href="views/overview.html"' in html and 'href="views/finding%201.html"' in html
    assert "(<views/overview.html>)" in md
    for bad in (
        "javascript:alert(1)",
        "https://example.org/x.html",
        "/etc/passwd",
        "../outside.html",
    ):
        with pytest.raises(ValueError, match="relative"):
            write_report(tmp_path / "bad", **report_args(views={"x": bad}))


def test_report_is_deterministic_and_print_ready(tmp_path):
    a = write_report(tmp_path / "a", **report_args())
    b = write_report(tmp_path / "b", **report_args())
    assert a[0].read_bytes() == b[0].read_bytes() and a[1].read_bytes() == b[1].read_bytes()
    assert "@media print" in a[0].read_text("utf-8")


def test_markdown_escape():
    assert md_escape("a|b <x> *y* [z](u)\nnext") == "a\\|b \\<x\\> \\*y\\* \\[z\\](u) next"


def test_ranked_subjects_leave_possible_victims_to_their_section(report):
    html, _ = report
    ranked = html.split('id="subjects"')[1].split("</section>")[0]
    assert "Boss AS" in ranked and "NOK 90 000.00" in ranked
    assert "Kari Nordmann" not in ranked and "their own section" in ranked


def _ranked_report(tmp_path):
    from finflow.networks import find_networks
    from finflow.subjects import rank_subjects

    from .cases import hostile_case, hostile_findings

    case, findings = hostile_case(), hostile_findings()
    ranking = rank_subjects(findings, case)
    networks = [n.to_dict() for n in find_networks(case, findings)]
    links = {str(ranking.suspects["subject_id"].iloc[0]): [("subject view", "views/subject-top.html")]}
    html, md = write_report(
        tmp_path, **report_args(subjects=ranking.suspects, networks=networks), victims=ranking.victims,
        view_links=links,
    )  # fmt: skip
    return html.read_text("utf-8"), md.read_text("utf-8"), ranking, networks, findings


def test_first_screen_leads_with_suspects_victims_and_networks(tmp_path):
    html, md, ranking, networks, findings = _ranked_report(tmp_path)
    # the three first-screen sections come before any detail, sources or hashes
    order = [html.index(f'id="{s}"') for s in ("lead", "victims", "networks", "detail", "sources")]
    assert order == sorted(order)
    lead = html.split('id="lead"')[1].split("</section>")[0]
    top = ranking.suspects.iloc[0]
    strongest = max((f for f in findings if f.finding_id in top["finding_ids"].split(",")), key=lambda f: f.score)
    assert str(top["label"]) in lead and f"{strongest.detector}:" in lead
    assert 'href="views/subject-top.html"' in lead
    victims = html.split('id="victims"')[1].split("</section>")[0]
    assert victims.count("<tr>") - 1 == len(ranking.victims)  # one row per person (header excluded)
    assert "money passed on to" in victims and "% of outflows" in victims
    if networks:
        brief = html.split('id="networks"')[1].split("</section>")[0]
        assert "Network of " in brief and all(n["network_id"] not in brief for n in networks)
    # ids and hashes sit behind <details>, not in the open text
    assert SHA in html.split("<details>", 1)[1]
    assert "[subject view](<views/subject-top.html>)" in md


def test_each_finding_is_detailed_once(tmp_path):
    html, _, _, _, findings = _ranked_report(tmp_path)
    for finding in findings:
        assert html.count(f'<section id="{finding.finding_id}"') == 1, finding.detector


def test_money_passed_on_names_the_largest_receivers_with_real_shares():
    from finflow.views.brief import swept_to

    from .cases import hostile_case

    case = hostile_case()
    tx = case.transactions
    payer = str(tx["from_account"].dropna().value_counts().index[0])
    text = swept_to(case, [payer], {})
    assert text and "% of outflows" in text
    assert "(0 % of outflows)" not in text and "(1 % of outflows)" not in text
    assert swept_to(case, ["no-such-account"], {}) == "no outgoing payments in the case"


def test_resolved_roles_and_extra_sections_are_shown(tmp_path):
    from finflow.views.report import Section

    findings = report_args()["findings"]
    target = findings[0]
    reading = (lambda subject: "facilitator", {target.finding_id: "role overruled: wages paid on"})
    extra = [Section("casework", "Next data requests", ["Ask bank X for statements."])]
    html, _ = write_report(tmp_path, **report_args(), reading=reading, extra_sections=extra)
    text = html.read_text("utf-8")
    assert "Roles after weighing all findings" in text and "role overruled: wages paid on" in text
    assert text.index('id="casework"') < text.index('id="views"')
