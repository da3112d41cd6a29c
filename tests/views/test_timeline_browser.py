"""The account timeline in a real headless Chromium: drawn, offline, hostile text inert."""

from __future__ import annotations

from pathlib import Path

from finflow.accountid import resolve_id
from finflow.detect.base import Finding, Subject
from finflow.timeline import build_timeline
from finflow.views.timeline import write_timeline
from tests.casebuilder import account, case_from_rows

BOSS, VICTIM, SHOP = account(11), account(12), account(13)


def _case(tmp_path: Path):
    rows = []
    for day in range(1, 29):
        rows.append({"date": f"2026-03-{day:02d}", "time": "21:15", "amount": "1500.00", "currency": "NOK",
                     "from_account": VICTIM, "from_name": "<b>Ona</b> Žukauskienė", "to_account": BOSS,
                     "to_name": "Vytautas Žukauskas", "channel": "transfer",
                     "description": "<img src=x onerror=alert(1)>"})  # fmt: skip
    for day in (2, 9, 16, 23):
        rows.append({"date": f"2026-04-{day:02d}", "amount": "9000.00", "currency": "NOK", "from_account": BOSS,
                     "from_name": "Vytautas Žukauskas", "to_account": SHOP, "to_name": "Kiosk Sentrum AS",
                     "channel": "transfer", "description": "faktura"})  # fmt: skip
    return case_from_rows(tmp_path, rows)


def test_timeline_draws_flows_counterparties_and_findings_offline(tmp_path: Path, open_page) -> None:
    data = _case(tmp_path)
    march = data.transactions[data.transactions["booking_date"].dt.month == 3]["txn_id"].astype(str).tolist()
    finding = Finding(
        detector="collector", subjects=[Subject("account", BOSS, "controller", "Vytautas Žukauskas")], score=0.9,
        summary="received from 1 sender <script>alert(2)</script>", parameters={}, evidence_txn_ids=march,
    )  # fmt: skip
    timeline = build_timeline(data, resolve_id(data, BOSS), [finding])
    path = write_timeline(timeline, tmp_path / "timeline.html", back_links={"Case report": "report.html"})
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html.replace("&lt;script", "")  # no script at all, hostile text escaped
    assert "http://" not in html and "https://" not in html

    page = open_page(path)
    page.js("return document.readyState")
    bars = page.js("""return [...document.querySelectorAll('svg.flows rect')].map(r => {
        const b = r.getBoundingClientRect(); return {cls: r.getAttribute('class'), x: b.x, y: b.y, w: b.width,
        h: b.height, top: document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2) === r}; })""")
    ins = [b for b in bars if b["cls"] == "bar-in"]
    outs = [b for b in bars if b["cls"] == "bar-out"]
    assert len(ins) == 28 and len(outs) == 4  # daily bins: 2026-03-01..2026-04-23 is under 62 days
    axis = page.js("const l = document.querySelector('svg.flows > line:last-of-type').getBoundingClientRect();"
                   "return l.y")  # fmt: skip
    assert all(b["y"] + b["h"] <= axis + 1 for b in ins) and all(b["y"] >= axis - 1 for b in outs)
    assert all(b["w"] > 5 and b["h"] > 5 and b["top"] for b in ins + outs)  # visible, not hidden under anything
    assert min(b["h"] for b in outs) > 5 * max(b["h"] for b in ins)  # 9 000 a day out against 1 500 in
    assert max(b["x"] for b in ins) < min(b["x"] for b in outs)  # the money came in March, went in April

    lane = page.js("""const r = document.querySelector('svg.findings-lane rect').getBoundingClientRect();
        return {x: r.x, right: r.right}""")
    assert abs(lane["x"] - min(b["x"] for b in ins)) < 40 and lane["right"] < min(b["x"] for b in outs) + 5
    dots = page.js("return document.querySelectorAll('svg.counterparties circle').length")
    assert dots == 32
    names = page.js("return [...document.querySelectorAll('svg.counterparties text.cp-name')]"
                    ".map(t => t.textContent)")  # fmt: skip
    assert any("<b>Ona</b> Žukauskienė" in n for n in names)  # shown as text, whole
    assert not page.alert_open()
    assert [e for e in page.console() if e["level"] == "SEVERE"] == []
    assert [u for u in page.requested_urls() if not u.startswith(("file:", "data:"))] == []
    shot = tmp_path / "timeline.png"
    page.driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000
