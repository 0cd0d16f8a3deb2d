"""The KPI dashboard: each KPI counted from the records, beside what sources reported."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citycoop.common.freshness import cached_until_change
from citycoop.portfolio.models import Pairing
from citycoop.registry.models import Programme
from citycoop.reports.access import access_programme, manages_programme, require_programme_manager
from citycoop.reports.forms import KpiFilterForm, scope_from
from citycoop.reports.kpi_report import build_kpi_report, render_kpi_html, render_kpi_pdf
from citycoop.reports.kpi_rows import kpi_rows
from citycoop.reports.kpis import groups_of, take_snapshot
from citycoop.reports.scope import Scope


def pairing_choices(programme: Programme, group: str, public_only: bool) -> list[tuple[str, str]]:
    pairings = Pairing.objects.filter(programme=programme)
    if group:
        pairings = pairings.filter(group=group)
    if public_only:
        pairings = pairings.filter(is_public=True)
    return list(pairings.order_by("group", "number", "label").values_list("slug", "label"))


@dataclass
class Filtered:
    """The programme as the filters narrow it, for this user."""

    programme: Programme
    form: KpiFilterForm
    scope: Scope
    is_manager: bool


def filtered(request: HttpRequest, slug: str) -> Filtered:
    """Managers count every record; everyone else the public ones only."""
    programme = access_programme(slug)
    is_manager = manages_programme(request.user, programme)
    groups = groups_of(programme, public_only=not is_manager)
    form = KpiFilterForm(request.GET if request.GET else None, groups=groups)
    return Filtered(programme, form, scope_from(form, programme, not is_manager), is_manager)


def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    view = filtered(request, slug)
    scope = view.scope
    # Kept until the next write to the records, like the home page. The scope says whether
    # internal records count, and every manager of the programme sees the same figures.
    rows, pairings = cached_until_change(
        ("kpis", scope.cache_key(), get_language()),
        lambda: (kpi_rows(scope), pairing_choices(view.programme, scope.group,
                                                  scope.public_only)))
    chart = {row.value.slug: {"labels": [d for d, _v in row.trend],
                              "values": [v for _d, v in row.trend]}
             for row in rows if len(row.trend) > 1}
    return render(request, "reports/dashboard.html", {
        "programme": view.programme, "form": view.form, "scope": scope, "rows": rows,
        "pairings": pairings, "chart": chart, "is_manager": view.is_manager,
        "filtered": scope.group or scope.pairing or scope.has_period,
        "report_query": request.GET.urlencode(),
    })


@login_required
@require_POST
def snapshot(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access_programme(slug)
    require_programme_manager(request.user, programme)
    today = timezone.localdate()
    outcome = take_snapshot(programme, today, acting_user=request.user)
    messages.success(request, _("Snapshot as of %(date)s kept: %(created)d new figures, "
                                "%(changed)d updated, %(same)d unchanged.") % {
        "date": today.isoformat(), **outcome})
    return redirect("reports:dashboard", slug=programme.slug)


REPORT_FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def kpi_report(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The KPI report for the filters of the dashboard, as HTML or PDF."""
    if fmt not in REPORT_FORMATS:
        raise Http404("No such format.")
    view = filtered(request, slug)
    report = build_kpi_report(view.scope)
    data: str | bytes = render_kpi_pdf(report) if fmt == "pdf" else render_kpi_html(report)
    response = HttpResponse(data, content_type=REPORT_FORMATS[fmt])
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{slug}-kpis.{fmt}"'
    response["Cache-Control"] = "public, max-age=300" if view.scope.public_only else \
        "private, no-store"
    return response
