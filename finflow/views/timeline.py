"""The account timeline page: money in and out over time, counterparties, findings on the axis.

Plain HTML with inline SVG, no script at all: it opens offline, and a Content-Security-Policy
forbids any request. Every text from the data is escaped; an SVG ``<title>`` gives each bar or dot
its exact amounts. Amounts of different currencies are never drawn on one scale: one chart per
currency (the three with most transactions).
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

import pandas as pd

from finflow.money import format_minor
from finflow.timeline import Timeline, monthly
from finflow.views.render import write_text

__all__ = ["timeline_html", "write_timeline"]

_IN, _OUT, _MARK = "#1b7f3b", "#b3261e", "#6a1b9a"
_WIDTH, _LEFT, _RIGHT = 1100, 70, 20
_MAX_CHARTS, _MAX_COUNTERPARTIES, _MAX_ROWS = 3, 15, 2000
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1150px}
h1{font-size:1.4em;margin:.2em 0} h2{font-size:1.1em;margin:1.4em 0 .4em}
table{border-collapse:collapse;font-size:13px} td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;
vertical-align:top} td.n{text-align:right;white-space:nowrap} .in{color:#1b7f3b} .out{color:#b3261e}
.muted{color:#666} nav a{margin-right:1em} svg text{font:11px system-ui,sans-serif} .name{white-space:nowrap}
@media print{nav{display:none}}
"""


def _span(rows: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """First and last day drawn, and the bin (daily up to 62 days, else weekly from Monday)."""
    first = rows["ts"].min().normalize()
    last = rows["ts"].max().normalize()
    if (last - first).days <= 62:
        return first, last + pd.Timedelta(days=1), "D"
    start = first - pd.Timedelta(days=first.weekday())
    return start, last + pd.Timedelta(days=7 - last.weekday()), "W"


class _Axis:
    def __init__(self, start: pd.Timestamp, end: pd.Timestamp) -> None:
        self.start, self.end = start, end
        self.days = max((end - start).days, 1)

    def x(self, when: pd.Timestamp) -> float:
        return _LEFT + (_WIDTH - _LEFT - _RIGHT) * ((when - self.start).total_seconds() / 86400) / self.days

    def ticks(self, top: float, bottom: float) -> list[str]:
        """Month starts as labelled grid lines."""
        out = []
        month = pd.Timestamp(self.start.year, self.start.month, 1)
        while month <= self.end:
            if month >= self.start:
                x = self.x(month)
                out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" stroke="#ddd"/>'
                           f'<text x="{x + 2:.1f}" y="{bottom + 12}" fill="#555">{month:%Y-%m}</text>')  # fmt: skip
            month = month + pd.offsets.MonthBegin(1)
        return out


def _findings_lane(timeline: Timeline, axis: _Axis) -> str:
    """One row per finding on the same time axis: a bar over its evidence span, its number and detector."""
    dated = [m for m in timeline.markers if m.first is not None]
    if not dated:
        return ""
    height = 16 * len(dated) + 6
    parts = [f'<svg class="findings-lane" role="img" width="{_WIDTH}" height="{height}" '
             f'viewBox="0 0 {_WIDTH} {height}" aria-label="findings on the time axis">']  # fmt: skip
    for row, m in enumerate(dated):
        y = 3 + 16 * row
        x1, x2 = axis.x(m.first.normalize()), axis.x(m.last.normalize() + pd.Timedelta(days=1))
        tip = escape(f"[{m.number}] {m.detector} ({m.role}, score {m.score:.2f}): {m.summary}")
        parts.append(
            f'<g class="marker"><rect x="{x1:.1f}" y="{y}" width="{max(x2 - x1, 3):.1f}" height="11" rx="2" '
            f'fill="{_MARK}" fill-opacity="0.35" stroke="{_MARK}"><title>{tip}</title></rect>'
            f'<text x="4" y="{y + 10}" fill="{_MARK}">[{m.number}]</text>'
            f'<text x="{x1 + 4:.1f}" y="{y + 10}" fill="#3c0d55">{escape(m.detector)} ({escape(m.role)})</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _flow_chart(timeline: Timeline, currency: str, axis: _Axis, freq: str) -> str:
    """Bars of money in (up) and out (down) per day or week, in one currency."""
    rows = timeline.rows
    rows = rows[(rows["currency"] == currency) & (rows["direction"] != "own")]
    bins = rows["ts"].dt.normalize()
    if freq == "W":
        bins = bins - pd.to_timedelta(bins.dt.day_of_week, unit="D")
    grouped = rows.assign(bin=bins).groupby(["bin", "direction"])["amount_minor"].agg(["sum", "size"])
    height, mid = 200, 100
    top, bottom = 10, 10 + height
    peak = max(int(grouped["sum"].max()) if len(grouped) else 1, 1)
    scale = f'<p class="muted">Bar height: amount; the tallest bar is {escape(format_minor(peak, currency))}. '
    scale += "Findings below, on the same time axis (hover for the sentence).</p>"
    step = pd.Timedelta(days=7 if freq == "W" else 1)
    parts = [f'<svg class="flows" role="img" width="{_WIDTH}" height="{bottom + 20}" '
             f'viewBox="0 0 {_WIDTH} {bottom + 20}" aria-label="money in and out, {escape(currency)}">']  # fmt: skip
    parts += axis.ticks(top, bottom)
    for (when, direction), (total, count) in grouped.iterrows():
        x1, x2 = axis.x(when), axis.x(when + step)
        h = (mid - top - 4) * int(total) / peak
        y = top + mid - h if direction == "in" else top + mid
        colour = _IN if direction == "in" else _OUT
        label = "week of" if freq == "W" else "day"
        money = format_minor(int(total), currency)
        tip = escape(f"{label} {when:%Y-%m-%d}: {direction} {money} in {count} transaction(s)")
        parts.append(f'<rect class="bar-{direction}" x="{x1 + 0.5:.1f}" y="{y:.1f}" '
                     f'width="{max(x2 - x1 - 1, 1):.1f}" height="{max(h, 0.5):.1f}" fill="{colour}">'
                     f"<title>{tip}</title></rect>")  # fmt: skip
    parts.append(f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{top + mid}" y2="{top + mid}" stroke="#444"/>')
    parts.append(f'<text x="4" y="{top + 12}" fill="{_IN}">in</text>')
    parts.append(f'<text x="4" y="{bottom - 4}" fill="{_OUT}">out</text>')
    parts.append("</svg>")
    return scale + "".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    """Words onto lines of about ``width`` characters; a word is never cut."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _counterparty_chart(timeline: Timeline, axis: _Axis) -> str:
    """One row per main counterparty, a dot per transaction (size: amount within its currency)."""
    rows = timeline.rows[timeline.rows["direction"] != "own"]
    ranked = rows.groupby("counterparty").size().reset_index(name="n")
    ranked = ranked.sort_values(["n", "counterparty"], ascending=[False, True]).head(_MAX_COUNTERPARTIES)
    names = ranked["counterparty"].tolist()
    wrapped = {n: _wrap(str(n), 34) for n in names}
    label_w = 230
    rows_h = [max(22, 12 * len(wrapped[n]) + 8) for n in names]
    total_h = sum(rows_h) + 30
    left = _LEFT + label_w
    span_w = _WIDTH - left - _RIGHT
    peak = rows.groupby("currency")["amount_minor"].max().to_dict()
    by_name: dict[str, list] = {n: [] for n in names}
    for r in rows.itertuples(index=False):
        if r.counterparty in by_name:
            by_name[r.counterparty].append(r)

    def x(when: pd.Timestamp) -> float:
        return left + span_w * ((when - axis.start).total_seconds() / 86400) / axis.days

    parts = [f'<svg class="counterparties" role="img" width="{_WIDTH}" height="{total_h}" '
             f'viewBox="0 0 {_WIDTH} {total_h}" aria-label="counterparties over time">']  # fmt: skip
    y = 4
    for name, h in zip(names, rows_h, strict=True):
        mid = y + h / 2
        parts.append(f'<line x1="{left}" x2="{_WIDTH - _RIGHT}" y1="{mid:.1f}" y2="{mid:.1f}" stroke="#eee"/>')
        text = "".join(f'<tspan x="4" dy="{0 if k == 0 else 12}">{escape(line)}</tspan>'
                       for k, line in enumerate(wrapped[name]))  # fmt: skip
        parts.append(f'<text class="cp-name" y="{y + 13}">{text}<title>{escape(str(name))}</title></text>')
        for r in by_name[name]:
            scale = math.sqrt(r.amount_minor / max(peak.get(r.currency, 1), 1))
            colour = _IN if r.direction == "in" else _OUT
            money = format_minor(r.amount_minor, r.currency)
            tip = escape(f"{r.ts:%Y-%m-%d} {r.direction} {money} {r.description}")
            parts.append(f'<circle cx="{x(r.ts):.1f}" cy="{y + h / 2:.1f}" r="{2 + 6 * scale:.1f}" fill="{colour}" '
                         f'fill-opacity="0.55"><title>{tip}</title></circle>')  # fmt: skip
        y += h
    parts.append(f'<text x="{left}" y="{y + 16}" fill="#555">{axis.start:%Y-%m-%d}</text>')
    parts.append(f'<text x="{_WIDTH - _RIGHT - 70}" y="{y + 16}" fill="#555">{axis.end:%Y-%m-%d}</text>')
    parts.append("</svg>")
    return "".join(parts)


def timeline_html(timeline: Timeline, *, back_links: dict[str, str] | None = None) -> str:
    """The whole page as text (deterministic: same timeline, same bytes)."""
    ref, rows = timeline.ref, timeline.rows
    title = f"Timeline: {ref.label}"
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
           f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"]  # fmt: skip
    if back_links:
        out.append("<nav>" + "".join(f'<a href="{escape(href)}">{escape(text)}</a>'
                                     for text, href in back_links.items()) + "</nav>")  # fmt: skip
    out.append(f'<h1 class="name">{escape(title)}</h1>')
    kind = f"party {ref.id}, " if ref.kind == "party" else ""
    out.append(f"<p>{escape(kind)}account(s) {escape(', '.join(ref.accounts))}<br>"
               f"sources: {escape('; '.join(timeline.sources) or '(none recorded)')}</p>")  # fmt: skip
    if rows.empty:
        out.append("<p>No transactions of these accounts are in this case.</p></body></html>")
        return "".join(out)
    out.append(f"<p>{len(rows):,} transactions, {rows['ts'].min():%Y-%m-%d} to {rows['ts'].max():%Y-%m-%d}. "
               "Transfers between the holder's own accounts are not counted as in or out.</p>")  # fmt: skip
    start, end, freq = _span(rows)
    axis = _Axis(start, end)
    currencies = rows["currency"].value_counts().sort_index().sort_values(ascending=False, kind="stable")
    for currency in list(currencies.index)[:_MAX_CHARTS]:
        unit = "week" if freq == "W" else "day"
        out.append(f"<h2>Money in and out per {unit}, {escape(str(currency))}</h2>")
        out.append(_flow_chart(timeline, str(currency), axis, freq))
        out.append(_findings_lane(timeline, axis))
    if len(currencies) > _MAX_CHARTS:
        out.append(f'<p class="muted">{len(currencies) - _MAX_CHARTS} more currencies: see the monthly table.</p>')
    out.append("<h2>Counterparties over time</h2>")
    out.append(f'<p class="muted">The {_MAX_COUNTERPARTIES} counterparties with most transactions; a dot per '
               "transaction, green in, red out, size by amount within its currency.</p>")  # fmt: skip
    out.append(_counterparty_chart(timeline, axis))
    out.append("<h2>Findings</h2>")
    if timeline.markers:
        out.append("<ol>")
        for m in timeline.markers:
            span = f"{m.first:%Y-%m-%d} to {m.last:%Y-%m-%d}" if m.first is not None else "no dated evidence"
            out.append(f'<li id="finding-{escape(m.finding_id)}"><b>{escape(m.detector)}</b> ({escape(m.role)}, '
                       f"score {m.score:.2f}; evidence {span}): {escape(m.summary)}</li>")  # fmt: skip
        out.append("</ol>")
    else:
        out.append("<p>No finding names these accounts or rests on their transactions.</p>")
    out.append("<h2>Monthly in and out</h2><table><tr><th>month</th><th>currency</th><th>in #</th><th>in</th>"
               "<th>out #</th><th>out</th></tr>")  # fmt: skip
    for m, c, ic, im, oc, om in monthly(rows).itertuples(index=False):
        out.append(f'<tr><td>{m}</td><td>{escape(c)}</td><td class="n">{ic:,}</td><td class="n in">'
                   f'{escape(format_minor(im, c))}</td><td class="n">{oc:,}</td>'
                   f'<td class="n out">{escape(format_minor(om, c))}</td></tr>')  # fmt: skip
    out.append("</table>")
    shown = rows.head(_MAX_ROWS)
    out.append(f"<h2>Transactions ({len(rows):,}{', first ' + format(_MAX_ROWS, ',') if len(rows) > _MAX_ROWS else ''})"
               "</h2><table><tr><th>date</th><th>dir</th><th>amount</th><th>counterparty</th><th>channel</th>"
               "<th>text</th><th>source</th></tr>")  # fmt: skip
    for r in shown.itertuples(index=False):
        when = f"{r.ts:%Y-%m-%d %H:%M}" if r.has_time else f"{r.ts:%Y-%m-%d}"
        out.append(f'<tr><td class="n">{when}</td><td class="{r.direction}">{r.direction}</td>'
                   f'<td class="n {r.direction}">{escape(format_minor(r.amount_minor, r.currency))}</td>'
                   f'<td class="name">{escape(str(r.counterparty))}</td><td>{escape(r.channel)}</td>'
                   f"<td>{escape(r.description)}</td><td>{escape(r.source)}</td></tr>")  # fmt: skip
    out.append("</table></body></html>\n")
    return "".join(out)


def write_timeline(timeline: Timeline, path: str | Path, *, back_links: dict[str, str] | None = None) -> Path:
    """Write the page atomically; returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, timeline_html(timeline, back_links=back_links))
    return path
