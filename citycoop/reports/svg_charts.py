"""Charts drawn on the server as SVG, for pages that run no script: the printed KPI report
(WeasyPrint draws inline SVG but runs no JavaScript) and its HTML twin.

Each chart is one function that returns the ``<svg>`` markup, sized in points with a view
box, its labels in the page's font (so Chinese names use the page's CJK font), and a
``<title>`` that says what it shows for screen readers. The figures themselves are always
also in a table beside the chart: a chart is never the only place a number is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from citycoop.common.text_metrics import clip, text_width

Number = int | float

FONT = 8.0           # label size, in view-box units (points when printed)
BAR = 11.0           # the thickness of one bar
GAP = 5.0            # between the rows of bars
LABEL_MAX = 150.0    # the widest a row label may be before it is cut
# Colour-blind-safe pairs (Okabe-Ito); the first is the programme's blue.
COLOURS = ("#0b5cad", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")


@dataclass(frozen=True)
class Bars:
    """One row of a bar chart: its label and one value per series (None: no figure)."""

    label: str
    values: tuple[Number | None, ...]


def _number(value: Number) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def _svg(width: float, height: float, title: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width:.0f}pt" height="{height:.0f}pt" viewBox="0 0 {width:.0f} {height:.0f}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = "#1d2733",
          size: float = FONT) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{fill}" '
            f'text-anchor="{anchor}">{escape(text)}</text>')


def _legend(names: Sequence[str], y: float) -> tuple[list[str], float]:
    """Swatches and names on one line at ``y``; returns the markup and the height used."""
    if len(names) < 2:
        return [], 0.0
    out, x = [], 0.0
    for index, name in enumerate(names):
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="8" height="8" '
                   f'fill="{COLOURS[index % len(COLOURS)]}"/>')
        out.append(_text(x + 11, y + 7, name))
        x += 11 + text_width(name, FONT) + 12
    return out, 14.0


def bar_chart(rows: Sequence[Bars], *, title: str, series: Sequence[str] = (),
              width: float = 420.0) -> SafeString:
    """Horizontal bars, one row per label, one bar per series in each row (target and
    actual, say), the value written at the end of each bar. Rows without any figure keep
    their line, marked _("no figure"), so that a missing value is not read as zero."""
    legend, top = _legend(series, 0.0)
    top += 2.0 if legend else 0.0
    label_width = min(LABEL_MAX, max((text_width(r.label, FONT) for r in rows), default=0.0))
    left = label_width + 6.0
    plot = width - left - 44.0   # room on the right for the value written after a bar
    biggest = max((v for r in rows for v in r.values if v is not None), default=0) or 1
    per_row = len(series) if len(series) > 1 else 1
    row_height = per_row * BAR + GAP
    body = list(legend)
    for index, row in enumerate(rows):
        y = top + index * row_height
        body.append(_text(label_width, y + per_row * BAR / 2 + FONT * 0.35,
                          clip(row.label, LABEL_MAX, FONT), anchor="end"))
        if all(v is None for v in row.values):
            body.append(_text(left + 2, y + per_row * BAR / 2 + FONT * 0.35, _("no figure"),
                              fill="#5b6776"))
            continue
        for k, value in enumerate(row.values[:per_row]):
            bar_y = y + k * BAR
            if value is None:
                continue
            length = max(plot * float(value) / float(biggest), 0.0)
            body.append(f'<rect x="{left:.1f}" y="{bar_y + 1:.1f}" width="{length:.1f}" '
                        f'height="{BAR - 2:.1f}" fill="{COLOURS[k % len(COLOURS)]}"/>')
            body.append(_text(left + length + 3, bar_y + BAR / 2 + FONT * 0.35,
                              _number(value)))
    body.append(f'<line x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" '
                f'y2="{top + len(rows) * row_height - GAP:.1f}" stroke="#8a96a3" '
                f'stroke-width="0.6"/>')
    height = top + max(len(rows), 1) * row_height
    return _svg(width, height, title, body)


def line_chart(points: Sequence[tuple[str, Number]], *, title: str, width: float = 420.0,
               height: float = 120.0) -> SafeString:
    """A value over time (the snapshots of a KPI): points joined by a line, the first and
    last dates under the axis and each value above its point."""
    left, right, top, bottom = 8.0, 8.0, 14.0, 16.0
    values = [float(v) for _label, v in points]
    low, high = min(values, default=0.0), max(values, default=1.0)
    low = min(low, 0.0)
    span = (high - low) or 1.0
    step = (width - left - right) / max(len(points) - 1, 1)
    coords = [(left + i * step, top + (height - top - bottom) * (1 - (v - low) / span))
              for i, v in enumerate(values)]
    body = [f'<line x1="{left}" y1="{height - bottom:.1f}" x2="{width - right:.1f}" '
            f'y2="{height - bottom:.1f}" stroke="#8a96a3" stroke-width="0.6"/>']
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS[0]}" '
                    f'stroke-width="1.5"/>')
    for (x, y), (_label, value) in zip(coords, points, strict=True):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{COLOURS[0]}"/>')
        body.append(_text(x, y - 4, _number(value), anchor="middle"))
    if points:
        body.append(_text(left, height - 4, points[0][0]))
        if len(points) > 1:
            body.append(_text(width - right, height - 4, points[-1][0], anchor="end"))
    return _svg(width, height, title, body)
