"""The KPI dashboard: each KPI counted from the records, beside what sources reported."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citycoop.common.freshness import cached_for_public
from citycoop.portfolio.models import Pairing
from citycoop.registry.models import Programme
from citycoop.reports.access import access_programme, manages_programme, require_programme_manager
from citycoop.reports.forms import KpiFilterForm
from citycoop.reports.kpis import KPIS, KpiValue, compute_all, groups_of, take_snapshot
from citycoop.reports.models import KpiSnapshot
from citycoop.reports.scope import Scope


@dataclass
class KpiRow:
    """One KPI on the page: the computed value, the reported ones, and its trend."""

    value: KpiValue
    reported: list[KpiSnapshot] = field(default_factory=list)
    trend: list[tuple[str, float]] = field(default_factory=list)   # (as of, value)


def reported_snapshots(scope: Scope) -> list[KpiSnapshot]:
    """What sources reported for the programme or its predecessors (in the group chosen).
    A reported figure is never about one pairing: none is shown when a pairing is chosen."""
    if scope.pairing is not None:
        return []
    programme = scope.programme
    snapshots = KpiSnapshot.objects.filter(
        Q(programme=programme) | Q(programme__successors=programme), computed=False)
    if scope.group:
        snapshots = snapshots.filter(group=scope.group)
    return list(snapshots.select_related("source", "programme").order_by("as_of_start", "name"))


def trends(scope: Scope) -> dict[str, list[tuple[str, float]]]:
    """Each KPI's computed snapshots (its total), oldest first. Snapshots count the whole
    programme or a whole group over all time: none fits a pairing or a period."""
    if scope.pairing is not None or scope.has_period:
        return {}
    rows = (KpiSnapshot.objects.filter(programme=scope.programme, computed=True,
                                       group=scope.group, name__in=list(KPIS))
            .order_by("as_of_start").values_list("name", "as_of_text", "value"))
    found: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for name, as_of, value in rows:
        found[name].append((as_of, float(value)))
    return dict(found)


def kpi_rows(scope: Scope) -> list[KpiRow]:
    reported = reported_snapshots(scope)
    trend = trends(scope)
    rows = []
    for value in compute_all(scope):
        prefixes = KPIS[value.slug].reported
        rows.append(KpiRow(value, [s for s in reported if s.name.startswith(prefixes)]
                           if prefixes else [], trend.get(value.slug, [])))
    return rows


def pairing_choices(programme: Programme, group: str, public_only: bool) -> list[tuple[str, str]]:
    pairings = Pairing.objects.filter(programme=programme)
    if group:
        pairings = pairings.filter(group=group)
    if public_only:
        pairings = pairings.filter(is_public=True)
    return list(pairings.order_by("group", "number", "label").values_list("slug", "label"))


def scope_from(form: KpiFilterForm, programme: Programme, public_only: bool) -> Scope:
    """The scope the valid filters ask for; the whole programme when they are not valid."""
    if not form.is_bound or not form.is_valid():
        return Scope(programme, public_only=public_only)
    data = form.cleaned_data
    pairing = None
    if data["pairing"]:
        pairings = Pairing.objects.filter(programme=programme, slug=data["pairing"])
        if public_only:
            pairings = pairings.filter(is_public=True)
        pairing = pairings.first()
        if pairing is None:
            form.add_error("pairing", _("No pairing of this programme has that key."))
            return Scope(programme, public_only=public_only)
    return Scope(programme, pairing=pairing, group=data["group"], start=data["start"],
                 end=data["end"], public_only=public_only)


def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access_programme(slug)
    is_manager = manages_programme(request.user, programme)
    public_only = not is_manager
    groups = groups_of(programme, public_only=public_only)
    form = KpiFilterForm(request.GET if request.GET else None, groups=groups)
    scope = scope_from(form, programme, public_only)
    # For the public: kept until the next write to the records, like the home page.
    rows, pairings = cached_for_public(
        request.user, ("kpis", scope.cache_key(), get_language()),
        lambda: (kpi_rows(scope), pairing_choices(programme, scope.group, public_only)))
    chart = {row.value.slug: {"labels": [d for d, _v in row.trend],
                              "values": [v for _d, v in row.trend]}
             for row in rows if len(row.trend) > 1}
    return render(request, "reports/dashboard.html", {
        "programme": programme, "form": form, "scope": scope, "rows": rows,
        "pairings": pairings, "chart": chart, "is_manager": is_manager,
        "filtered": scope.group or scope.pairing or scope.has_period,
    })


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
