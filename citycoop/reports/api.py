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

from citycoop.common.apikit import READ_AUTH, each, page, page_of
from citycoop.opendata.selection import Selection
from citycoop.portfolio.api import respond

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
