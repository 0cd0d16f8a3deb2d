"""Pages of the results framework: per programme and per pilot, value entry, the managers'
review queue and the data-entry status ("who is late with what")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citycoop.accounts.permissions import access_pilot
from citycoop.common.services import StaleEditError
from citycoop.portfolio.models import PilotProject
from citycoop.registry.models import Programme
from citycoop.reports import results
from citycoop.reports.access import access_programme, manages_programme
from citycoop.reports.reminders import by_owner
from citycoop.reports.results_forms import ReviewForm, ValueEntryForm
from citycoop.reports.results_models import ActualValue, Indicator, Target


def framework_context(request: HttpRequest, programme: Programme,
                      pilot: PilotProject | None) -> dict[str, Any]:
    is_manager = manages_programme(request.user, programme)
    found = results.visible_results(results.results_of(programme, pilot), is_manager)
    found = found.prefetch_related(Prefetch(
        "indicators", Indicator.objects.select_related("owner").prefetch_related(
            Prefetch("targets", Target.objects.order_by("period_start")))))
    shown = list(found)
    visible_ids = {i.pk for r in shown for i in r.indicators.all()}
    rows = [row for row in results.target_vs_actual(programme, pilot)
            if row.indicator.pk in visible_ids]
    chart = {
        "labels": [f"{row.indicator.name} · {row.period_label}" for row in rows],
        "target": [float(row.target) if row.target is not None else None for row in rows],
        "actual": [float(row.actual) if row.actual is not None else None for row in rows],
        "target_label": _("Target"), "actual_label": _("Approved value"),
    }
    return {
        "programme": programme, "pilot": pilot, "results": shown, "rows": rows,
        "chart": chart if rows else None, "is_manager": is_manager,
        "waiting": results.review_queue(programme).count() if is_manager else 0,
    }


def programme_results(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access_programme(slug)
    return render(request, "reports/results/framework.html",
                  framework_context(request, programme, None))


def pilot_results(request: HttpRequest, pairing: str, pilot: str) -> HttpResponse:
    found = access_pilot(request.user, pairing, pilot)
    return render(request, "reports/results/framework.html",
                  framework_context(request, found.pairing.programme, found))


@login_required
def my_indicators(request: HttpRequest) -> HttpResponse:
    indicators = results.values_to_enter(request.user)
    return render(request, "reports/results/mine.html", {"indicators": indicators})


@login_required
def enter(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = results.access_indicator_for_entry(request.user, pk)
    user: Any = request.user
    form = ValueEntryForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            results.enter_value(
                indicator, period_start=target.period_start, period_end=target.period_end,
                value=form.cleaned_data["value"],
                evidence_links=form.cleaned_data["evidence_links"],
                evidence_document=form.cleaned_data["evidence_document"],
                submit="submit" in request.POST, acting_user=user,
                expected_version=form.cleaned_data["loaded_version"])
        except (results.ReviewError, StaleEditError) as error:
            form.add_error(None, str(error))
        else:
            if "submit" in request.POST:
                messages.success(request, _("Submitted for review: %(period)s.")
                                 % {"period": target.period_label})
            else:
                messages.success(request, _("Kept as a draft: %(period)s.")
                                 % {"period": target.period_label})
            return redirect("results:enter", pk=indicator.pk)
    labels = {(t.period_start, t.period_end): t.period_label for t in indicator.targets.all()}
    values = list(indicator.values.select_related("reviewed_by", "evidence_document")
                  .order_by("period_start"))
    for value in values:
        value.period_label = labels.get((value.period_start, value.period_end), "")  # type: ignore[attr-defined]
    return render(request, "reports/results/enter.html", {
        "indicator": indicator, "form": form, "values": values,
        "programme": indicator.result.programme,
    })


@login_required
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access_programme(slug)
    results.require_manager(request.user, programme)
    queue = list(results.review_queue(programme))
    targets = {(t.indicator_id, t.period_start, t.period_end): t for t in
               Target.objects.filter(indicator_id__in={v.indicator_id for v in queue})}
    entries = [(value, targets.get((value.indicator_id, value.period_start, value.period_end)),
                ReviewForm(prefix=f"v{value.pk}")) for value in queue]
    recent = (ActualValue.objects.filter(indicator__result__programme=programme,
                                         reviewed_at__isnull=False)
              .select_related("indicator", "reviewed_by").order_by("-reviewed_at")[:10])
    return render(request, "reports/results/review.html", {
        "programme": programme, "entries": entries, "recent": recent})


@require_POST
@login_required
def review_value(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = access_programme(slug)
    actual = results.access_value_for_review(request.user, programme, pk)
    form = ReviewForm(request.POST, prefix=f"v{actual.pk}")
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    user: Any = request.user
    try:
        if "approve" in request.POST:
            results.approve(actual, acting_user=user, comment=comment)
            messages.success(request, _("Approved: %(value)s.") % {"value": actual})
        else:
            results.return_value(actual, acting_user=user, comment=comment)
            messages.success(request, _("Returned to its owner: %(value)s.") % {"value": actual})
    except (results.ReviewError, StaleEditError) as error:
        messages.error(request, str(error))
    return redirect("results:review", slug=programme.slug)


@login_required
def status(request: HttpRequest, slug: str) -> HttpResponse:
    programme = access_programme(slug)
    results.require_manager(request.user, programme)
    today = timezone.localdate()
    late = []
    for owner in by_owner(today, 0, programme):
        owner.items = [item for item in owner.items if item.overdue]
        if owner.items:
            late.append(owner)
    return render(request, "reports/results/status.html", {
        "programme": programme, "late": late, "today": today})
