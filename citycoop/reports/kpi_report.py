"""The KPI report: the dashboard's figures for a programme and a period as a document, HTML
or PDF, with a one-page summary first and server-drawn charts (SVG, which the PDF printer
draws without running any script).

It reads the same KPI registry, snapshots and results framework as the pages, through
:func:`~citycoop.reports.kpi_rows.kpi_rows`, so the report and the dashboard can never
disagree. The summary keeps to one page: a handful of headline figures (each with what
a source reported, where one did), two charts, and the figures per country group.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from citycoop.reports import results
from citycoop.reports.kpi_rows import KpiRow, kpi_rows
from citycoop.reports.kpis import KPIS, groups_of
from citycoop.reports.results_models import Indicator
from citycoop.reports.scope import Scope
from citycoop.reports.svg_charts import Bars, bar_chart, line_chart

# The figures on the summary page, in this order.
HEADLINES = ("pilots_by_status", "mous_signed", "events_by_kind", "people_attended",
             "attendances", "media_items", "event_quality", "next_steps_overdue")
# The KPIs drawn on the summary page, two by two.
SUMMARY_CHARTS = ("pilots_by_status", "agreements_by_status", "events_by_kind",
                  "next_steps_by_status")
# The figures compared across country groups.
PER_GROUP = ("pilots_by_status", "mous_signed", "events_by_kind", "attendances",
             "media_items")


@dataclass
class Section:
    """One KPI in the detailed part: its figures and its charts."""

    row: KpiRow
    chart: SafeString | None = None
    trend_chart: SafeString | None = None


@dataclass
class GroupLine:
    group: str
    values: list[str]


@dataclass
class KpiReport:
    scope: Scope
    title: str
    scope_text: str
    generated: datetime.date
    headlines: list[KpiRow]
    summary_charts: list[tuple[str, SafeString]]
    group_columns: list[str]
    group_lines: list[GroupLine]
    sections: list[Section]
    targets: list[results.TargetRow] = field(default_factory=list)
    target_chart: SafeString | None = None


def scope_text(scope: Scope) -> str:
    if scope.pairing is not None:
        where = _("Pairing: %(pairing)s.") % {"pairing": scope.pairing.label}
    elif scope.group:
        where = _("Country group: %(group)s.") % {"group": scope.group}
    else:
        where = _("The whole programme.")
    if not scope.has_period:
        when = _("All time.")
    else:
        when = _("Period: %(start)s to %(end)s.") % {
            "start": scope.start.isoformat() if scope.start else "…",
            "end": scope.end.isoformat() if scope.end else "…"}
    public = _("Public records only.") if scope.public_only else _(
        "All records, internal ones included.")
    return f"{where} {when} {public}"


# Chart widths in points, to fit their place on an A4 page (180 mm, about 510 pt, of text):
# the printer does not scale an SVG down to its box as a browser does.
HALF_WIDTH, DETAIL_WIDTH, FULL_WIDTH = 245.0, 290.0, 500.0


def parts_chart(row: KpiRow, width: float = DETAIL_WIDTH) -> SafeString | None:
    """The breakdown's non-zero lines as bars; none when there is nothing to draw."""
    shown = [part for part in row.value.parts if part.value]
    if not shown:
        return None
    return bar_chart([Bars(part.label.capitalize(), (part.value,)) for part in shown],
                     title=row.value.label, width=width)


def group_comparison(scope: Scope) -> tuple[list[str], list[GroupLine]]:
    """Key figures per country group, when the report covers the whole programme and it has
    more than one group: a few queries per group, and programmes have a handful."""
    if scope.pairing is not None or scope.group:
        return [], []
    groups = groups_of(scope.programme, public_only=scope.public_only)
    if len(groups) < 2:
        return [], []
    columns = [str(KPIS[slug].label) for slug in PER_GROUP]
    lines = []
    for group in groups:
        narrowed = Scope(scope.programme, group=group, start=scope.start, end=scope.end,
                         public_only=scope.public_only)
        lines.append(GroupLine(group, [KPIS[slug].value(narrowed).display_value
                                       for slug in PER_GROUP]))
    return columns, lines


def target_rows(scope: Scope) -> list[results.TargetRow]:
    """The results framework's targets and approved values in scope: the programme's own
    results and those of its pilots (of the pairing chosen), the internal ones only for
    its managers, and in a period only the periods that start inside it."""
    visible = results.visible_results(results.results_of(scope.programme),
                                      not scope.public_only)
    if scope.pairing is not None:
        visible = visible.filter(pilot__pairing=scope.pairing)
    elif scope.group:
        visible = visible.filter(pilot__pairing__group=scope.group)
    shown = set(Indicator.objects.filter(result__in=visible).values_list("pk", flat=True))
    rows = [row for row in results.target_vs_actual(scope.programme)
            if row.indicator.pk in shown]
    if scope.start is not None:
        rows = [row for row in rows if row.period_start >= scope.start]
    if scope.end is not None:
        rows = [row for row in rows if row.period_start <= scope.end]
    return rows


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def target_chart(rows: list[results.TargetRow]) -> SafeString | None:
    if not rows:
        return None
    return bar_chart([Bars(f"{row.indicator.name} · {row.period_label}",
                           (_number(row.target), _number(row.actual))) for row in rows],
                     title=_("Target and approved value per indicator and period"),
                     series=(_("Target"), _("Approved value")), width=FULL_WIDTH)


def build_kpi_report(scope: Scope) -> KpiReport:
    rows = kpi_rows(scope)
    by_slug = {row.value.slug: row for row in rows}
    columns, lines = group_comparison(scope)
    targets = target_rows(scope)
    summary_charts = [(by_slug[slug].value.label, chart) for slug in SUMMARY_CHARTS
                      if (chart := parts_chart(by_slug[slug], HALF_WIDTH)) is not None]
    sections = [Section(row, parts_chart(row),
                        line_chart(row.trend, title=row.value.label, width=DETAIL_WIDTH)
                        if len(row.trend) > 1 else None) for row in rows]
    return KpiReport(
        scope=scope,
        title=_("KPI report: %(programme)s") % {"programme": scope.programme.name},
        scope_text=scope_text(scope), generated=timezone.localdate(),
        headlines=[by_slug[slug] for slug in HEADLINES],
        summary_charts=summary_charts, group_columns=columns, group_lines=lines,
        sections=sections, targets=targets, target_chart=target_chart(targets))


def render_kpi_html(report: KpiReport) -> str:
    return render_to_string("reports/kpi_report/report.html", {"report": report})


def render_kpi_pdf(report: KpiReport) -> bytes:
    from citycoop.matchmaking.agenda import html_to_pdf

    return html_to_pdf(render_kpi_html(report))
