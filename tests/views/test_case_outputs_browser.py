"""A generated case investigated end to end, then looked at in Chromium as an investigator would:
the report's first screen, the overview's colours and labels, links between views, trails, search.

Screenshots of the report's first screen and of the overview are taken in every run and checked
(the drawn canvas must hold the role colours); set FINFLOW_SCREENSHOTS=DIR to keep them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.by import By

from finflow.investigate import investigate
from finflow.outputs import OutputSettings
from finflow.synth import generate
from finflow.views import trail_view
from finflow.views.brief import CaseCounts
from finflow.views.style import ROLE_STYLE

pytestmark = pytest.mark.browser

SETTINGS = OutputSettings(subject_views=5, finding_views=3, traces=1)


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    generate(7, 4000, root / "in")
    result = investigate(root / "in", case_dir=root / "case", out_dir=root / "out", settings=SETTINGS)
    return result, root / "out"


def _keep(png: bytes, name: str, tmp_path: Path) -> Path:
    path = tmp_path / name
    path.write_bytes(png)
    keep = os.environ.get("FINFLOW_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    return path


def _first_screen_text(page, selector: str) -> str:
    """Text of the elements matching ``selector`` that are (at least partly) on the first screen."""
    return page.js(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".filter(e => e.getBoundingClientRect().top < window.innerHeight)"
        ".map(e => e.textContent).join('\\n')".replace("arguments[0]", repr(selector))
    )


def test_report_first_screen_names_top_suspects_and_possible_victims(case, open_page, tmp_path):
    result, out = case
    suspects, victims = result.subjects.suspects, result.subjects.victims
    assert len(suspects) >= 3 and len(victims) >= 1, "the generated case should have suspects and victims"
    page = open_page(out / "report.html")
    page.driver.set_window_size(1400, 1000)
    assert _keep(page.driver.get_screenshot_as_png(), "report-first-screen.png", tmp_path).stat().st_size > 10_000
    lead = _first_screen_text(page, "#lead td")
    for label in suspects["label"].head(3):
        assert label in lead, f"top suspect {label!r} not on the first screen"
    assert page.js("return document.querySelector('#victims h2').getBoundingClientRect().top") < page.js(
        "return window.innerHeight"
    )
    shown_victims = _first_screen_text(page, "#victims td")
    assert victims["label"].iloc[0] in shown_victims
    # possible victims are never among the suspects on the first screen
    for label in victims["label"]:
        assert f"\n{label}\n" not in f"\n{lead}\n"
    # each suspect row links to its view, and the link resolves to a written file
    hrefs = page.js("return Array.from(document.querySelectorAll('#lead td.links a')).map(a => a.getAttribute('href'))")
    assert hrefs and all((out / h).is_file() for h in hrefs)
    # one count sentence, the same in the report and the overview
    sentence = CaseCounts.of(result.findings, suspects, victims).sentence()
    assert sentence in page.js("return document.querySelector('.summary').textContent")
    overview = (out / "overview.html").read_text("utf-8")
    assert sentence.capitalize() in overview


def test_report_page_never_scrolls_sideways(case, open_page):
    """Wide tables scroll inside their own box; the page itself keeps to the window's width."""
    _, out = case
    page = open_page(out / "report.html")
    for width in (1000, 1400):
        page.driver.set_window_size(width, 900)
        page_width = page.js("return document.documentElement.scrollWidth")
        window_width = page.js("return document.documentElement.clientWidth")
        assert page_width <= window_width, f"report is {page_width} px wide in a {window_width} px window"
    wide = page.js(
        "return Array.from(document.querySelectorAll('.table-wrap'))"
        ".filter(w => w.scrollWidth > w.clientWidth).length"
    )
    assert wide >= 1, "the case should have at least one table wider than the window (the ranked subjects)"


def test_report_prints_a_short_brief(case, open_page):
    _, out = case
    page = open_page(out / "report.html")
    page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        visible = page.js(
            "return Array.from(document.querySelectorAll('body > section'))"
            ".filter(s => getComputedStyle(s).display !== 'none').map(s => s.id)"
        )
        printed_height = page.js("return document.body.scrollHeight")
    finally:
        page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert visible == ["lead", "victims", "networks"]
    assert printed_height < page.js("return document.body.scrollHeight") / 2


def test_overview_draws_flagged_nodes_in_role_colours_with_labels(case, open_page, tmp_path):
    result, out = case
    page = open_page(out / "overview.html")
    page.wait_ready()
    page.js("return new Promise(r => setTimeout(r, 300))")
    nodes = page.js(
        "return finflow.nodes.get().map(n => ({id: n.id, role: n.role, label: n.label, "
        "fill: n.color.background, x: n.x, y: n.y}))"
    )
    flagged = [n for n in nodes if n["role"]]
    assert flagged, "no flagged node drawn"
    for node in flagged:
        assert node["fill"] == ROLE_STYLE[node["role"]].color, node
        assert node["label"], f"flagged node {node['id']} has no label"
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in nodes), "positions are not baked in"
    assert page.js("return finflow.network.physics.options.enabled") is False
    # the overview is the reduced case: far fewer nodes than accounts, the rest in one labelled box
    assert len(nodes) < len(result.data.accounts)
    box = next(n for n in nodes if n["id"] == "others")
    assert "other accounts, NOK" in box["label"]
    # the strongest arrows carry their amount
    labels = page.js("return finflow.edges.get().filter(e => e.label).map(e => e.label)")
    assert labels and all(label.startswith("NOK ") for label in labels)
    # and the colours are really on the canvas, not only in the data
    _keep(page.driver.get_screenshot_as_png(), "overview.png", tmp_path)
    counts = page.js(
        """
        const canvas = document.querySelector('#graph canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const wanted = arguments[0];
        const seen = Object.fromEntries(wanted.map(c => [c, 0]));
        for (let i = 0; i < data.length; i += 4) {
          const hex = '#' + [data[i], data[i + 1], data[i + 2]].map(v => v.toString(16).padStart(2, '0')).join('');
          if (hex in seen) seen[hex] += 1;
        }
        return seen;
        """.replace("arguments[0]", repr(sorted({ROLE_STYLE[n["role"]].color for n in flagged})))
    )
    assert all(count > 0 for count in counts.values()), counts


def test_views_link_back_to_the_report_and_to_subjects(case, open_page):
    _, out = case
    network_views = ("subject-", "finding-", "trail-")  # (timelines have their own page)
    views = sorted(v for v in (out / "views").glob("*.html") if v.name.startswith(network_views))
    assert views
    for view in views:
        page = open_page(view)
        hrefs = page.js(
            "return Array.from(document.querySelectorAll('.view-links a')).map(a => a.getAttribute('href'))"
        )
        assert "../report.html" in hrefs, view.name
        assert all((view.parent / h).is_file() for h in hrefs), (view.name, hrefs)
    # a finding view links to the views of the subjects it names (a party through its accounts)
    result = case[0]
    ranked = pd.concat([result.subjects.suspects, result.subjects.victims])
    with_view = {
        str(r.subject_id): {str(r.subject_id), *str(r.accounts or "").split(",")}
        for r in ranked.itertuples()
        if any(v.name == f"subject-{r.subject_id}.html" for v in views)
    }
    checked = 0
    for finding in result.findings[: SETTINGS.finding_views]:
        view = next(v for v in views if v.name.startswith("finding-") and finding.finding_id in v.name)
        named = {s.id for s in finding.subjects}
        expected = {f"subject-{sid}.html" for sid, ids in with_view.items() if ids & named}
        hrefs = open_page(view).js(
            "return Array.from(document.querySelectorAll('.view-links a')).map(a => a.getAttribute('href'))"
        )
        assert {h for h in hrefs if h.startswith("subject-")} == expected, (view.name, hrefs)
        checked += bool(expected)
    assert checked, "no finding view names a subject that has a view"


def _trail(rows: list[tuple[str, str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "from_node": [r[0] for r in rows],
            "to_node": [r[1] for r in rows],
            "amount_minor": [r[2] for r in rows],
            "currency": "NOK",
            "txn_count": 1,
            "first_date": pd.Timestamp("2024-01-02"),
            "last_date": pd.Timestamp("2024-01-03"),
            "hop": 1,
            "colour": [r[3] for r in rows],
        }
    )


def test_empty_trail_says_why(tmp_path, open_page):
    empty = _trail([]).astype({"amount_minor": "int64"})
    stats = trail_view(
        empty, tmp_path / "empty.html", title="Trail", method_note="forward", empty_reason="X made no payment."
    )
    page = open_page(stats.path)
    page.wait_ready()
    assert page.js("return document.getElementById('empty').textContent") == "X made no payment."


def test_proceeds_trail_colours_each_source_and_roles_fill_nodes(tmp_path, open_page):
    frame = _trail([("A", "B", 100, "S1"), ("A", "B", 50, "S2"), ("B", "cash", 150, "S1")])
    stats = trail_view(
        frame, tmp_path / "proceeds.html", title="Proceeds", method_note="fifo", roles={"B": "controller"}
    )
    page = open_page(stats.path)
    page.wait_ready()
    colours = page.js("return finflow.edges.get().map(e => e.color.color)")
    assert len(colours) == 3 and len(set(colours)) == 2  # one colour per source, A→B drawn twice
    legend = page.js("return Array.from(document.querySelectorAll('.legend-source')).map(li => li.textContent)")
    assert legend == ["from S1", "from S2"]
    fill = page.js("return finflow.nodes.get('B').color.background")
    assert fill == ROLE_STYLE["controller"].color


@pytest.mark.parametrize("query", ["zukauskas", "ŽUKAUSKAS", "4202.74.72332", "4202 74 72332", "NO93 4202 7472 332"])
def test_search_ignores_case_accents_and_account_formats(tmp_path, open_page, query):
    frame = _trail([("42027472332", "12345678903", 100, "")]).drop(columns="colour")
    stats = trail_view(
        frame, tmp_path / "search.html", title="Search", method_note="forward",
        labels={"42027472332": "Agne Žukauskas", "12345678903": "Ola Nordmann"},
    )  # fmt: skip
    page = open_page(stats.path)
    page.wait_ready()
    box = page.driver.find_element(By.ID, "search")
    box.clear()
    box.send_keys(query)
    page.driver.find_element(By.CSS_SELECTOR, "#search-form button").click()
    assert page.js("return finflow.network.getSelectedNodes()") == ["42027472332"]
