"""Views and the report in a real headless Chromium: drawn counts, console, network, XSS."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By

from finflow.casedata import CaseData
from finflow.views import finding_view, overview_view, subject_view, trail_view
from finflow.views.report import write_report

from .cases import (
    BOSS,
    HOSTILE_IMG,
    HOSTILE_LINK,
    HOSTILE_NAME,
    VICTIM_A,
    hostile_case,
    hostile_findings,
    report_args,
    synthetic_case,
    synthetic_findings,
    trail_frame,
)

pytestmark = pytest.mark.browser

TRAP = "window.__pwned === undefined"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    out = tmp_path_factory.mktemp("browser-views")
    case, findings = hostile_case(), hostile_findings()
    return {
        "overview": overview_view(case, findings, out / "overview.html"),
        "subject": subject_view(case, findings, VICTIM_A, out / "subject.html"),
        "finding": finding_view(case, findings[0], out / "finding.html"),
        "empty": overview_view(CaseData(), [], out / "empty.html"),
        "trail": trail_view(
            trail_frame(),
            out / "trail.html",
            title=f"Trace {HOSTILE_NAME}",
            method_note=HOSTILE_LINK,
            labels={VICTIM_A: HOSTILE_NAME},
        ),
    }


def _check_clean(page) -> None:
    """No console errors, nothing requested beyond the file itself, no script ran from data."""
    errors = [e for e in page.console() if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    urls = page.requested_urls()
    assert urls and all(u.startswith(("file:", "data:")) for u in urls), urls
    assert page.js(f"return {TRAP}") is True
    assert page.alert_open() is False


@pytest.mark.parametrize("name", ["overview", "subject", "finding", "trail", "empty"])
def test_view_draws_expected_graph_offline_and_safely(pages, open_page, name):
    stats = pages[name]
    page = open_page(stats.path)
    page.wait_ready()
    drawn = page.js(
        "return [finflow.nodes.length, finflow.edges.length, Object.keys(finflow.network.body.nodes).length]"
    )
    assert drawn == [stats.nodes_shown, stats.edges_shown, stats.nodes_shown]
    # physics has been switched off once the layout settled
    assert page.js("return finflow.network.physics.physicsEnabled") is False
    # headings and notes show the data's markup as text, and no element was injected
    assert page.js("return document.querySelectorAll('body img, body iframe').length") == 0
    assert page.js("return document.querySelectorAll('script').length") == 3
    _check_clean(page)


def test_hostile_text_in_headings_is_text(pages, open_page):
    page = open_page(pages["trail"].path)
    page.wait_ready()
    assert page.js("return document.querySelector('h1').textContent") == f"Trace {HOSTILE_NAME}"
    assert HOSTILE_LINK in page.js("return document.querySelector('header').textContent")
    assert page.js("return document.querySelectorAll('header a').length") == 0
    page = open_page(pages["finding"].path)
    page.wait_ready()
    cells = page.js("return Array.from(document.querySelectorAll('td')).map(c => c.textContent)")
    assert HOSTILE_IMG in cells and HOSTILE_LINK in cells
    _check_clean(page)


def test_tooltip_shows_hostile_text_as_text(pages, open_page, browser):
    page = open_page(pages["overview"].path)
    page.wait_ready()
    x, y = page.js(
        f"var id = 'account:{VICTIM_A}';"
        "var p = finflow.network.canvasToDOM(finflow.network.getPositions([id])[id]);"
        "var r = document.querySelector('#graph canvas').getBoundingClientRect();"
        "return [Math.round(p.x + r.left), Math.round(p.y + r.top)];"
    )
    action = ActionBuilder(browser)
    action.pointer_action.move_to_location(x, y)
    action.perform()
    tooltip = None
    for _ in range(40):
        tooltip = page.js(
            "var t = document.querySelector('div.vis-tooltip');"
            "return t && t.style.visibility === 'visible' ? "
            "[t.innerText, t.querySelectorAll('img, script, a, iframe').length] : null"
        )
        if tooltip:
            break
        page.js("return new Promise(r => setTimeout(r, 100))")
    assert tooltip is not None, "tooltip did not open"
    text, elements = tooltip
    assert HOSTILE_NAME in text and HOSTILE_IMG in text
    assert elements == 0
    _check_clean(page)


def test_search_selects_a_node(pages, open_page, browser):
    page = open_page(pages["overview"].path)
    page.wait_ready()
    box = browser.find_element(By.ID, "search")
    box.send_keys(BOSS)
    browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
    selected = page.js("return finflow.network.getSelectedNodes()")
    assert f"account:{BOSS}" in selected
    assert "match" in browser.find_element(By.ID, "search-status").text
    _check_clean(page)


def test_big_view_within_budget_draws_and_settles(tmp_path, open_page):
    case = synthetic_case(900, 2500, seed=2)
    centre = str(case.transactions["from_account"].dropna().iloc[0])
    stats = subject_view(case, synthetic_findings(case, 20), centre, tmp_path / "big.html", hops=4, node_budget=700)
    assert stats.layout == "precomputed" and stats.nodes_shown == 700
    page = open_page(stats.path)
    page.wait_ready()
    assert page.js("return [finflow.nodes.length, finflow.edges.length]") == [
        stats.nodes_shown,
        stats.edges_shown,
    ]
    omitted = page.js("return document.getElementById('omitted').textContent")
    assert f"left out {stats.nodes_omitted} nodes" in omitted
    _check_clean(page)


def test_report_in_browser(tmp_path, open_page):
    html, _ = write_report(tmp_path, **report_args())
    page = open_page(html)
    cells = page.js("return Array.from(document.querySelectorAll('td')).map(c => c.textContent)")
    assert any(HOSTILE_IMG in c for c in cells) and any(HOSTILE_LINK in c for c in cells)
    assert page.js("return document.querySelectorAll('img, script, iframe').length") == 0
    hrefs = page.js("return Array.from(document.links).map(a => a.getAttribute('href'))")
    assert "views/overview.html" in hrefs
    assert all(not h.lower().startswith("javascript") for h in hrefs)
    assert page.js("return document.querySelector('#victims h2').textContent") == (
        "Possible victims — for protection, not suspicion"
    )
    _check_clean(page)


def test_console_and_network_checks_can_fail(tmp_path, open_page):
    """The checks above are live: a page that errors and fetches is caught by them."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<html><body><img src='https://example.invalid/x.png'><script>throw new Error('boom')</script></body></html>",
        encoding="utf-8",
    )
    page = open_page(bad)
    page.js("return new Promise(r => setTimeout(r, 300))")
    console = page.console()
    assert any("boom" in e["message"] and e["level"] == "SEVERE" for e in console)
    assert any(u.startswith("https://example.invalid") for u in page.requested_urls())
