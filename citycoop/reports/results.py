"""Services of the results framework: setting it up, entering values, reviewing them.

Every write goes through :mod:`citycoop.common.services` (audited, version-checked). The
indicator's owner or a manager of the programme enters values; only managers approve or
return them. An approved value is locked until a manager returns it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.common.services import create_record, update_record
from citycoop.portfolio.models import PilotProject
from citycoop.registry.models import Programme
from citycoop.reports.access import manages_programme
from citycoop.reports.results_models import (
    ActualValue,
    Indicator,
    Result,
    Target,
    ValueStatus,
)


class ReviewError(Exception):
    """A value is not in a state that allows this step; nothing was written."""


def programme_of(indicator: Indicator) -> Programme:
    return indicator.result.programme


def can_enter(user: Any, indicator: Indicator) -> bool:
    """The indicator's owner and the programme's managers enter its values."""
    if not getattr(user, "is_authenticated", False):
        return False
    return indicator.owner_id == user.pk or manages_programme(user, programme_of(indicator))


def require_manager(user: Any, programme: Programme) -> None:
    if not manages_programme(user, programme):
        raise PermissionDenied(_("Only the programme's managers can do this."))


def require_enterer(user: Any, indicator: Indicator) -> None:
    if not can_enter(user, indicator):
        raise PermissionDenied(_("Only the indicator's owner and the programme's managers "
                                 "can enter its values."))


def create_result(programme: Programme, values: Mapping[str, Any], *, acting_user: User,
                  pilot: PilotProject | None = None) -> Result:
    require_manager(acting_user, programme)
    return create_record(Result, {**values, "programme": programme, "pilot": pilot},
                         acting_user=acting_user)


def create_indicator(result: Result, values: Mapping[str, Any], *,
                     acting_user: User) -> Indicator:
    require_manager(acting_user, result.programme)
    return create_record(Indicator, {**values, "result": result}, acting_user=acting_user)


def create_target(indicator: Indicator, values: Mapping[str, Any], *,
                  acting_user: User) -> Target:
    require_manager(acting_user, programme_of(indicator))
    return create_record(Target, {**values, "indicator": indicator}, acting_user=acting_user)


@transaction.atomic
def enter_value(
    indicator: Indicator,
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    value: Decimal,
    acting_user: User,
    evidence_links: Iterable[str] = (),
    evidence_document: Any = None,
    submit: bool = False,
    expected_version: int | None = None,
) -> ActualValue:
    """Keep the value for a period as a draft, or submit it for review.

    Entering a period again changes that period's value, unless a manager approved it: an
    approved value must be returned first.
    """
    require_enterer(acting_user, indicator)
    values: dict[str, Any] = {
        "value": value,
        "evidence_links": [link.strip() for link in evidence_links if link.strip()],
        "evidence_document": evidence_document,
        "status": ValueStatus.SUBMITTED if submit else ValueStatus.DRAFT,
        "entered_by": acting_user,
        "entered_at": timezone.now(),
    }
    # Ordered by the primary key: the model's default ordering joins the indicator, and
    # PostgreSQL will not lock rows on the nullable side of an outer join.
    existing = (ActualValue.objects.select_for_update(of=("self",))
                .filter(indicator=indicator, period_start=period_start, period_end=period_end)
                .order_by("pk").first())
    if existing is None:
        return create_record(ActualValue, {**values, "indicator": indicator,
                                           "period_start": period_start,
                                           "period_end": period_end},
                             acting_user=acting_user)
    if existing.status == ValueStatus.APPROVED:
        raise ReviewError(_("This value was approved: a manager must return it before it "
                            "can be changed."))
    return update_record(existing, values, acting_user=acting_user,
                         expected_version=expected_version)


def submit(actual: ActualValue, *, acting_user: User) -> ActualValue:
    require_enterer(acting_user, actual.indicator)
    if actual.status not in (ValueStatus.DRAFT, ValueStatus.RETURNED):
        raise ReviewError(_("Only a draft or a returned value can be submitted."))
    return update_record(actual, {"status": ValueStatus.SUBMITTED,
                                  "entered_by": acting_user, "entered_at": timezone.now()},
                         acting_user=acting_user, expected_version=actual.version)


def approve(actual: ActualValue, *, acting_user: User, comment: str = "") -> ActualValue:
    require_manager(acting_user, programme_of(actual.indicator))
    if actual.status != ValueStatus.SUBMITTED:
        raise ReviewError(_("Only a submitted value can be approved."))
    return _review(actual, ValueStatus.APPROVED, acting_user, comment)


def return_value(actual: ActualValue, *, acting_user: User, comment: str) -> ActualValue:
    """Send a value back to its owner, with a comment saying what to fix."""
    require_manager(acting_user, programme_of(actual.indicator))
    if actual.status not in (ValueStatus.SUBMITTED, ValueStatus.APPROVED):
        raise ReviewError(_("Only a submitted or an approved value can be returned."))
    if not comment.strip():
        raise ReviewError(_("Say what needs fixing: a returned value needs a comment."))
    return _review(actual, ValueStatus.RETURNED, acting_user, comment)


def _review(actual: ActualValue, status: str, user: User, comment: str) -> ActualValue:
    return update_record(actual, {"status": status, "reviewed_by": user,
                                  "reviewed_at": timezone.now(),
                                  "review_comment": comment.strip()},
                         acting_user=user, expected_version=actual.version)


# Reading


def results_of(programme: Programme | None = None,
               pilot: PilotProject | None = None) -> QuerySet[Result]:
    if pilot is not None:
        results = Result.objects.filter(pilot=pilot)
    elif programme is not None:
        results = Result.objects.filter(programme=programme)
    else:
        raise TypeError("results_of needs a programme or a pilot")
    return results.select_related("pilot__pairing").order_by("pilot__pairing__label",
                                                             "pilot__position", "kind", "id")


def visible_results(queryset: QuerySet[Result], is_manager: bool) -> QuerySet[Result]:
    """Managers see every result; others not those of internal pilots or pairings."""
    if is_manager:
        return queryset
    return queryset.filter(Q(pilot__isnull=True)
                           | Q(pilot__is_public=True, pilot__pairing__is_public=True))


def review_queue(programme: Programme) -> QuerySet[ActualValue]:
    return (ActualValue.objects.filter(indicator__result__programme=programme,
                                       status=ValueStatus.SUBMITTED)
            .select_related("indicator__result__pilot", "entered_by", "evidence_document")
            .order_by("entered_at", "id"))


@dataclass
class TargetRow:
    """One indicator and period: its target, its approved value, and how far it got."""

    indicator: Indicator
    period_label: str
    period_start: datetime.date
    period_end: datetime.date
    target: Decimal | None
    actual: Decimal | None

    @property
    def percent(self) -> Decimal | None:
        if self.target is None or self.actual is None or self.target == 0:
            return None
        return (self.actual * 100 / self.target).quantize(Decimal("0.1"))


def target_vs_actual(programme: Programme | None = None,
                     pilot: PilotProject | None = None) -> list[TargetRow]:
    """Per indicator and period, the target and the latest approved value (only approved
    values count: drafts and values under review are not figures yet)."""
    indicators = list(Indicator.objects.filter(result__in=results_of(programme, pilot))
                      .select_related("result", "owner")
                      .order_by("result__pilot_id", "result__kind", "result_id", "id"))
    ids = [i.pk for i in indicators]
    targets: dict[tuple[int, datetime.date, datetime.date], Target] = {
        (t.indicator_id, t.period_start, t.period_end): t
        for t in Target.objects.filter(indicator_id__in=ids)}
    approved: dict[tuple[int, datetime.date, datetime.date], ActualValue] = {}
    for value in (ActualValue.objects.filter(indicator_id__in=ids, status=ValueStatus.APPROVED)
                  .order_by("reviewed_at", "id")):
        approved[(value.indicator_id, value.period_start, value.period_end)] = value
    rows = []
    for indicator in indicators:
        periods = sorted({(s, e) for (i, s, e) in (*targets, *approved) if i == indicator.pk})
        for start, end in periods:
            target = targets.get((indicator.pk, start, end))
            actual = approved.get((indicator.pk, start, end))
            rows.append(TargetRow(
                indicator, target.period_label if target else f"{start}–{end}", start, end,
                target.value if target else None, actual.value if actual else None))
    return rows


def values_to_enter(user: Any) -> QuerySet[Indicator]:
    """The indicators this user owns, for their own list of what to report."""
    if not getattr(user, "is_authenticated", False):
        return Indicator.objects.none()
    return (Indicator.objects.filter(Q(owner=user)).select_related("result__programme")
            .order_by("result__programme__name", "id"))


def access_indicator_for_entry(user: Any, pk: int) -> Indicator:
    """The indicator if this user may enter its values: 404 when there is none, 403 when
    they are neither its owner nor a manager of its programme."""
    indicator = (Indicator.objects.select_related("result__programme", "result__pilot", "owner")
                 .filter(pk=pk).first())
    if indicator is None:
        raise Http404("No such indicator.")
    require_enterer(user, indicator)
    return indicator


def access_value_for_review(user: Any, programme: Programme, pk: int) -> ActualValue:
    """A value of this programme, for one of its managers to review."""
    require_manager(user, programme)
    found = (ActualValue.objects.select_related("indicator__result__programme")
             .filter(pk=pk, indicator__result__programme=programme).first())
    if found is None:
        raise Http404("No such value.")
    return found
