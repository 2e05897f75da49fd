"""Progress charts as server-rendered inline SVG: no script, no CDN, and the same markup works in the PDF.

Series differ by colour and by marker shape and dash (not colour alone). A point whose change from the visit before
was at least the MCID gets a ring and the words "important change" in its tooltip and in the table beside the chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Drawn small in user units so that text stays readable when the chart is shrunk to a phone's width: the page never
# draws it narrower than MIN_WIDTH px (static/css/assessments.css), so 13-unit text is at least 12 px on screen.
WIDTH, PLOT_HEIGHT = 360, 190
MIN_WIDTH = 336
FONT = 13
LEFT, RIGHT, TOP, BOTTOM = 46, 14, 16, 26
LEGEND_LINE = 18
STYLES = (
    ("#0b6e75", "", "circle"),
    ("#b5531b", "6 3", "square"),
    ("#5b3fa0", "2 3", "diamond"),
    ("#2f6b1f", "8 3 2 3", "triangle"),
)


@dataclass(frozen=True)
class Point:
    day: dt.date
    value: Decimal | None
    real_change: bool = False


@dataclass(frozen=True)
class Series:
    label: str
    points: list[Point]


def _fmt(value: Decimal | float) -> str:
    return f"{float(value):.1f}".rstrip("0").rstrip(".")


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - 4.5:.1f} L{x + 4.5:.1f} {y:.1f} L{x:.1f} {y + 4.5:.1f} L{x - 4.5:.1f} {y:.1f} Z" fill="{colour}"/>'  # noqa: E501
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - 4.5:.1f} L{x + 4.5:.1f} {y + 3.5:.1f} L{x - 4.5:.1f} {y + 3.5:.1f} Z" fill="{colour}"/>'  # noqa: E501
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(
    *,
    title: str,
    series: list[Series],
    y_min: Decimal | float,
    y_max: Decimal | float,
    unit: str = "",
    reference: tuple[Decimal, str] | None = None,
) -> SafeString:
    """An accessible SVG line chart over dates; empty string when nothing has a value."""
    days = sorted({p.day for s in series for p in s.points if p.value is not None})
    if not days:
        return mark_safe("")
    values = [float(p.value) for s in series for p in s.points if p.value is not None]
    low, high = float(y_min), max(float(y_max), *values)
    low = min(low, *values)
    if reference is not None:
        high = max(high, float(reference[0]))
    span_days = max((days[-1] - days[0]).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT - TOP - BOTTOM
    # One legend line per series below the dates: a row of labels side by side was cut off at the right edge.
    HEIGHT = PLOT_HEIGHT + LEGEND_LINE * len(series) + 8

    def x_of(day: dt.date) -> float:
        if len(days) == 1:
            return LEFT + plot_w / 2
        return LEFT + (day - days[0]).days / span_days * plot_w

    def y_of(value: float) -> float:
        return TOP + plot_h - (value - low) / ((high - low) or 1) * plot_h

    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#d7dde3"/>',
    ]
    for fraction in (0, 0.5, 1):
        value = low + (high - low) * fraction
        y = y_of(value)
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eef2f5"/>')
        out.append(
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="{FONT}" text-anchor="end" fill="#5a6673">'
            f"{_fmt(value)}{escape(unit)}</text>"
        )
    # Date labels that would overlap are left out, keeping the first and, where it fits, the last (the table has all).
    label_gap, last_x, kept = 70, None, 0  # a 13-unit date is about 42 units wide
    for index, day in enumerate(days):
        x = x_of(day)
        if index not in (0, len(days) - 1) and (last_x is not None and x - last_x < label_gap):
            continue
        if index == len(days) - 1 and last_x is not None and x - last_x < label_gap and kept > 1:
            out.pop()  # the last date wins over the one just before it (not over the first)
        if index == len(days) - 1 and last_x is not None and x - last_x < label_gap and kept == 1:
            continue
        anchor = "start" if x - LEFT < 20 and len(days) > 1 else "end" if LEFT + plot_w - x < 20 else "middle"
        out.append(
            f'<text x="{x:.1f}" y="{PLOT_HEIGHT - 6}" font-size="{FONT}" text-anchor="{anchor}" fill="#5a6673">'
            f"{day:%d %b}</text>"
        )
        last_x = x
        kept += 1
    if reference is not None:
        y = y_of(float(reference[0]))
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#a61b29" '
            f'stroke-dasharray="4 4"/><text x="{LEFT + plot_w - 2}" y="{y - 3:.1f}" font-size="{FONT}" '
            f'text-anchor="end" fill="#a61b29">{escape(reference[1])}</text>'
        )
    legend_y = PLOT_HEIGHT + 4
    for index, s in enumerate(series):
        colour, dash, shape = STYLES[index % len(STYLES)]
        pts = [(x_of(p.day), y_of(float(p.value)), p) for p in s.points if p.value is not None]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in pts)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        for x, y, p in pts:
            note = " (important change)" if p.real_change else ""
            out.append(f"<g><title>{escape(s.label)} {p.day:%d %b %Y}: {_fmt(p.value)}{escape(unit)}{note}</title>")
            out.append(_marker(shape, x, y, colour))
            if p.real_change:
                out.append(
                    f'<circle class="important-change" cx="{x:.1f}" cy="{y:.1f}" r="8" fill="none" '
                    f'stroke="{colour}" stroke-width="1.5"/>'
                )
            out.append("</g>")
        legend_y += LEGEND_LINE
        out.append(_marker(shape, LEFT + 4, legend_y - 5, colour))
        out.append(f'<text x="{LEFT + 14}" y="{legend_y}" font-size="{FONT}" fill="#1d2733">{escape(s.label)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))


def data_table(*, title: str, series: list[Series], unit: str = "") -> SafeString:
    """The chart's numbers as a table: the text alternative for screen readers, and exact values for everyone."""
    days = sorted({p.day for s in series for p in s.points if p.value is not None})
    if not days:
        return mark_safe("")
    head = "".join(f'<th scope="col">{escape(s.label)}</th>' for s in series)
    rows = []
    for day in days:
        cells = []
        for s in series:
            point = next((p for p in s.points if p.day == day and p.value is not None), None)
            if point is None:
                cells.append("<td></td>")
            else:
                note = f' <span class="badge ok">{escape(_("real change"))}</span>' if point.real_change else ""
                cells.append(f"<td>{_fmt(point.value)}{escape(unit)}{note}</td>")
        rows.append(f'<tr><th scope="row">{day:%d %b %Y}</th>{"".join(cells)}</tr>')
    return mark_safe(
        f'<table class="chart-table"><caption class="visually-hidden">{escape(title)}</caption>'
        f'<thead><tr><th scope="col">{escape(_("Date"))}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
