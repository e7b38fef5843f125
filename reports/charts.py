"""Server-rendered SVG charts: nothing from a CDN, readable at a glance, printable.

Each function returns SVG markup (labels escaped). Pages show the numbers in a table beside each
chart, so the chart never has to carry exact values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Fourteen colours told apart at a glance: a chart of up to fourteen parts never shows one twice. Charts
# of outcomes name their own colours (STATUS_COLORS): green is only ever success, grey is "did not go ahead".
PALETTE = [
    "#b71c1c",
    "#1565c0",
    "#f9a825",
    "#6a1b9a",
    "#00838f",
    "#ef6c00",
    "#2e7d32",
    "#ad1457",
    "#795548",
    "#283593",
    "#9e9d24",
    "#546e7a",
    "#d84315",
    "#4e342e",
]
IN_PROGRESS, APPROVED, SUCCEEDED, DID_NOT_PROCEED = "#f9a825", "#1565c0", "#2e7d32", "#9e9e9e"


def _color(index: int, colors: Sequence[str] | None) -> str:
    if colors is not None and index < len(colors):
        return colors[index]
    return PALETTE[index % len(PALETTE)]


def _num(value) -> float:
    return float(value or 0)


def _fmt(value) -> str:
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return f"{value:,.2f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value or 0):,}"


def _nice_peak(peak: float) -> tuple[float, float]:
    """A round top for an axis and its step, so the gridlines read 0, 5, 10, 15, 20."""
    if peak <= 4:
        return 4, 1
    magnitude = 10 ** (len(str(int(peak))) - 1)
    for step in (magnitude * k for k in (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 10)):
        if step >= 1 and peak / step <= 4 and float(step).is_integer():
            return step * 4, step
    step = -(-peak // 4)
    return step * 4, step


def _svg(width: int, height: int, body: str, title: str) -> SafeString:
    return mark_safe(  # noqa: S308 - numbers we computed and escape()d labels and title only
        f'<svg class="care-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet" '
        f'style="width:100%;height:auto;max-height:{height}px;font-family:sans-serif">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def bar_chart(rows: Sequence[tuple[str, float]], *, title: str, unit: str = "", color: str = PALETTE[0]) -> SafeString:
    """Horizontal bars, one per row (label, value): long Chinese branch names stay readable on a phone."""
    if not rows:
        return empty(title)
    bar_h, gap, label_w, width = 24, 8, 130, 420
    top = 6
    height = top + len(rows) * (bar_h + gap) + 4
    peak = max(_num(v) for _, v in rows) or 1
    parts = []
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar_h + gap)
        w = max((width - label_w - 80) * _num(value) / peak, 0 if not value else 2)
        short = label if len(label) <= 8 else label[:7] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h * 0.7:.1f}" text-anchor="end" font-size="15">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="3" fill="{color}">'
            f"<title>{escape(label)}：{_fmt(value)}{escape(unit)}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.7:.1f}" font-size="14" fill="#444">'
            f"{_fmt(value)}{escape(unit)}</text>"
        )
    return _svg(width, height, "".join(parts), title)


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[float]]],
    *,
    series: Sequence[str],
    title: str,
    colors: Sequence[str] | None = None,
) -> SafeString:
    """Horizontal stacked bars (one per row) with a legend: e.g. hardship members by category per branch."""
    if not rows or not series:
        return empty(title)
    bar_h, gap, label_w, width = 24, 8, 130, 420
    legend_h = 20 * math.ceil(len(series) / 3) + 6
    height = legend_h + len(rows) * (bar_h + gap) + 4
    peak = max(sum(_num(v) for v in values) for _, values in rows) or 1
    parts = []
    for index, name in enumerate(series):
        x, y = 10 + (index % 3) * 136, 14 + (index // 3) * 20
        parts.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{_color(index, colors)}"/>'
            f'<text x="{x + 16}" y="{y}" font-size="13">{escape(name)}</text>'
        )
    for row_index, (label, values) in enumerate(rows):
        y = legend_h + row_index * (bar_h + gap)
        short = label if len(label) <= 8 else label[:7] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h * 0.7:.1f}" text-anchor="end" font-size="15">{escape(short)}</text>'
        )
        x = float(label_w)
        for index, value in enumerate(values):
            w = (width - label_w - 40) * _num(value) / peak
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{_color(index, colors)}"><title>{escape(label)} {escape(series[index])}：'
                    f"{_fmt(value)}</title></rect>"
                )
            x += w
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + bar_h * 0.7:.1f}" font-size="14" fill="#444">'
            f"{_fmt(sum(_num(v) for v in values))}</text>"
        )
    return _svg(width, height, "".join(parts), title)


def line_chart(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str) -> SafeString:
    """Lines over months (labels), one per series, with a legend."""
    if not labels or not series:
        return empty(title)
    width, height, left, bottom, top = 420, 250, 44, 30, 32
    peak, _ = _nice_peak(max((max((_num(v) for v in values), default=0) for values in series.values()), default=0))
    step = (width - left - 10) / max(len(labels) - 1, 1)
    plot_h = height - top - bottom
    parts = []
    for i in range(5):
        y = top + plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="13" fill="#666">'
            f"{_fmt(peak * (4 - i) / 4)}</text>"
        )
    for index, label in enumerate(labels):
        if len(labels) > 8 and index % 2:
            continue  # every other month label on a phone-sized chart
        parts.append(
            f'<text x="{left + index * step:.1f}" y="{height - 8}" text-anchor="middle" font-size="14">'
            f"{escape(label)}</text>"
        )
    for s_index, (name, values) in enumerate(series.items()):
        color = PALETTE[s_index % len(PALETTE)]
        points = " ".join(
            f"{left + i * step:.1f},{top + plot_h * (1 - _num(v) / peak):.1f}" for i, v in enumerate(values)
        )
        parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        parts.append(
            f'<rect x="{left + s_index * 110}" y="6" width="14" height="14" fill="{color}"/>'
            f'<text x="{left + s_index * 110 + 18}" y="18" font-size="15">{escape(name)}</text>'
        )
    return _svg(width, height, "".join(parts), title)


def donut_chart(
    parts_in: Sequence[tuple[str, float]], *, title: str, center: str = "", colors: Sequence[str] | None = None
) -> SafeString:
    """A donut of shares with a legend; `center` is written in the hole (e.g. a percentage)."""
    total = sum(_num(v) for _, v in parts_in)
    if not parts_in or total <= 0:
        return empty(title)
    width, cx, cy, r, thickness = 420, 100, 100, 80, 28
    height = max(200, 16 + 22 * len(parts_in))
    circumference = 2 * math.pi * r
    offset = 0.0
    parts = [f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="#eee" stroke-width="{thickness}"/>']
    for index, (label, value) in enumerate(parts_in):
        share = _num(value) / total
        length = circumference * share
        color = _color(index, colors)
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{color}" stroke-width="{thickness}" '
            f'stroke-dasharray="{length:.2f} {circumference - length:.2f}" stroke-dashoffset="{-offset:.2f}" '
            f'transform="rotate(-90 {cx} {cy})"><title>{escape(label)}：{_fmt(value)}（{share:.0%}）</title></circle>'
        )
        offset += length
        y = 24 + index * 22
        parts.append(
            f'<rect x="204" y="{y - 11}" width="12" height="12" fill="{color}"/>'
            f'<text x="220" y="{y}" font-size="13">{escape(label)} {_fmt(value)}（{share:.0%}）</text>'
        )
    if center:
        parts.append(
            f'<text x="{cx}" y="{cy + 6}" text-anchor="middle" font-size="18" font-weight="bold">'
            f"{escape(center)}</text>"
        )
    return _svg(width, height, "".join(parts), title)


def empty(title: str) -> SafeString:
    return _svg(420, 40, '<text x="10" y="25" font-size="15" fill="#888">暂无数据</text>', title)
