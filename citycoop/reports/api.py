"""The results framework's API: indicators with their targets and approved values (read
only: values are entered and reviewed in the web app, where evidence is attached)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from citycoop.common.apikit import READ_AUTH, WRITE_AUTH, acting, each, page, page_of, respond
from citycoop.opendata.selection import Selection

from . import results
from .results_models import ActualValue, Indicator, Target, ValueStatus

router = Router(tags=["results framework"])


class PeriodValue(Schema):
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal


class IndicatorOut(Schema):
    id: int
    name: str
    unit: str
    result: str
    result_kind: str
    programme: str
    pilot: int | None
    baseline: Decimal | None
    targets: list[PeriodValue]
    approved_values: list[PeriodValue]
    version: int


IndicatorPage = page_of(IndicatorOut)


def indicator_out(indicator: Indicator) -> dict[str, Any]:
    def periods(rows: Any) -> list[dict[str, Any]]:
        return [{"period_start": r.period_start, "period_end": r.period_end, "value": r.value}
                for r in rows]

    return {"id": indicator.pk, "name": indicator.name, "unit": indicator.unit,
            "result": indicator.result.title, "result_kind": indicator.result.kind,
            "programme": indicator.result.programme.slug, "pilot": indicator.result.pilot_id,
            "baseline": indicator.baseline_value,
            "targets": periods(indicator.targets.all()),
            "approved_values": periods(getattr(indicator, "approved", [])),
            "version": indicator.version}


def visible_indicators(request: HttpRequest) -> Any:
    """Indicators of the programme's own results, and of the pilots the caller may see."""
    pilots = Selection(user=request.user).pilots()
    return (Indicator.objects.filter(Q(result__pilot__isnull=True) | Q(result__pilot__in=pilots))
            .select_related("result__programme")
            .prefetch_related(
                Prefetch("targets", Target.objects.order_by("period_start")),
                Prefetch("values", ActualValue.objects.filter(status=ValueStatus.APPROVED)
                         .order_by("period_start"), to_attr="approved")))


@router.get("/indicators", response=IndicatorPage, auth=READ_AUTH)
def list_indicators(request: HttpRequest, programme: str | None = None,
                    pilot: int | None = None, ordering: str = "id", limit: int = 100,
                    cursor: str | None = None) -> HttpResponse:
    """Indicators with their targets and approved values; filter by programme or pilot."""
    indicators = visible_indicators(request)
    if programme:
        indicators = indicators.filter(result__programme__slug=programme)
    if pilot:
        indicators = indicators.filter(result__pilot_id=pilot)
    return page(request, indicators, ordering=ordering, allowed=("id", "name"), limit=limit,
                cursor=cursor, shape=each(indicator_out))


@router.get("/indicators/{indicator_id}", response=IndicatorOut, auth=READ_AUTH)
def get_indicator(request: HttpRequest, indicator_id: int) -> HttpResponse:
    return respond(request, get_object_or_404(visible_indicators(request), pk=indicator_id),
                   indicator_out)


class ValueIn(Schema):
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal
    evidence_links: list[str] = []
    submit: bool = False


class ValueOut(Schema):
    id: int
    indicator: int
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal
    status: str
    evidence_links: list[str]
    version: int


def value_out(actual: ActualValue) -> dict[str, Any]:
    return {"id": actual.pk, "indicator": actual.indicator_id,
            "period_start": actual.period_start, "period_end": actual.period_end,
            "value": actual.value, "status": actual.status,
            "evidence_links": list(actual.evidence_links), "version": actual.version}


@router.post("/indicators/{indicator_id}/values", response={201: ValueOut}, auth=WRITE_AUTH)
def enter_value(request: HttpRequest, indicator_id: int, data: ValueIn) -> HttpResponse:
    """The indicator's owner (or a programme manager) enters a period's value: kept as a
    draft, or submitted for review with ``submit``. A manager approves or returns it in the
    web app. Entering a period again changes its value, unless it was approved."""
    indicator = get_object_or_404(visible_indicators(request), pk=indicator_id)
    results.require_enterer(request.user, indicator)
    try:
        actual = results.enter_value(
            indicator, period_start=data.period_start, period_end=data.period_end,
            value=data.value, acting_user=acting(request),
            evidence_links=data.evidence_links, submit=data.submit)
    except results.ReviewError as refusal:
        raise HttpError(409, str(refusal)) from refusal
    return respond(request, actual, value_out, status=201)
