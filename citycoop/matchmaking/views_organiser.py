"""The organiser's pages (those who may edit the event): the sessions, the overview with the
schedule and its grid, scheduling and publishing, meetings held, follow-ups, the funnel.
The table plan, availability and the programme's funnel are in :mod:`.views_plan`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from citycoop.accounts.models import User
from citycoop.accounts.permissions import access_event_for_edit, manageable_programmes
from citycoop.common.services import StaleEditError
from citycoop.events.models import Attendance, Event

from . import notify, outcomes, scheduling, services
from .forms import SetupForm
from .models import (
    FollowUp,
    MatchmakingSetup,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Profile,
    RequestStatus,
)

PARTICIPANTS_PER_PAGE = 50
UNSCHEDULED_SHOWN = 200
FOLLOW_UPS_SHOWN = 200


def _user(request: HttpRequest) -> User:
    """The signed-in organiser (the pages require a sign-in), for the audit trail."""
    assert isinstance(request.user, User)
    return request.user


def _setup(event: Event) -> MatchmakingSetup | None:
    return MatchmakingSetup.objects.filter(event=event).first()


def _outcome_key(event: Event) -> str:
    return f"b2b-schedule-{event.pk}"


@login_required
def setup_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    setup = _setup(event)
    form = SetupForm.for_setup(setup, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_setup(event, form.values(), acting_user=_user(request),
                                expected_version=form.cleaned_data["version"])
        except (services.B2BError, StaleEditError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The sessions were saved."))
            return redirect("b2b:overview", slug=slug)
    zone = services.event_timezone(event)
    with timezone.override(zone):
        return render(request, "matchmaking/setup_form.html", {
            "event": event, "form": form, "setup": setup, "zone": zone,
            "slots": services.slots(setup) if setup else []})


def _participants(event: Event, page_number: str | None) -> Any:
    sent = Counter(dict(MeetingRequest.objects.filter(event=event)
                        .exclude(status=RequestStatus.WITHDRAWN)
                        .values_list("requester_id").annotate(n=Count("pk"))))
    received = Counter(dict(MeetingRequest.objects.filter(event=event)
                            .exclude(status=RequestStatus.WITHDRAWN)
                            .values_list("recipient_id").annotate(n=Count("pk"))))
    meetings: Counter[int] = Counter()
    for a, b in (Meeting.objects.filter(request__event=event)
                 .exclude(status=MeetingStatus.CANCELLED)
                 .values_list("request__requester_id", "request__recipient_id")):
        meetings[a] += 1
        meetings[b] += 1
    people = (event.participations.exclude(attendance__in=(Attendance.CANCELLED,
                                                            Attendance.WAITLISTED))
              .select_related("person", "organisation", "b2b_profile")
              .order_by("person__name", "pk"))
    page = Paginator(people, PARTICIPANTS_PER_PAGE).get_page(page_number)
    rows = [{"p": p, "name": services.display_name(p),
             "profile": getattr(p, "b2b_profile", None), "sent": sent[p.pk],
             "received": received[p.pk], "meetings": meetings[p.pk]} for p in page]
    return page, rows


def _grid(event: Event, setup: MatchmakingSetup | None) -> dict[str, Any]:
    """The schedule as rows of slots and columns of tables."""
    if setup is None:
        return {"rows": [], "tables": []}
    meetings = list(Meeting.objects.filter(request__event=event)
                    .exclude(status=MeetingStatus.CANCELLED)
                    .select_related("request__requester__person",
                                    "request__recipient__person"))
    names = dict(Profile.objects.filter(participation__event=event)
                 .values_list("participation_id", "organisation_name"))
    cells = {(m.slot, m.table): m for m in meetings}
    tables = list(range(1, max([setup.tables, *(m.table for m in meetings)]) + 1))
    rows = []
    for slot in services.slots(setup):
        row = []
        for table in tables:
            m = cells.get((slot.id, table))
            if m is not None:
                m.a_name = names.get(m.request.requester_id) or services.display_name(  # type: ignore[attr-defined]
                    m.request.requester)
                m.b_name = names.get(m.request.recipient_id) or services.display_name(  # type: ignore[attr-defined]
                    m.request.recipient)
            row.append(m)
        rows.append({"slot": slot, "cells": row, "used": sum(c is not None for c in row)})
    return {"rows": rows, "tables": tables,
            "drafts": sum(not m.published for m in meetings),
            "published": sum(m.published for m in meetings)}


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    setup = _setup(event)
    zone = services.event_timezone(event)
    with timezone.override(zone):  # the schedule in the event's local time
        return _overview_page(request, event, setup, zone)


def _overview_page(request: HttpRequest, event: Event, setup: MatchmakingSetup | None,
                   zone: Any) -> HttpResponse:
    page, rows = _participants(event, request.GET.get("page"))
    by_status = dict(MeetingRequest.objects.filter(event=event).values_list("status")
                     .annotate(n=Count("pk")))
    return render(request, "matchmaking/overview.html", {
        "event": event, "setup": setup, "page": page, "rows": rows,
        "statuses": [(label, by_status.get(value, 0))
                     for value, label in RequestStatus.choices],
        "outcome": request.session.pop(_outcome_key(event), None),
        "grid": _grid(event, setup), "zone": zone,
        "follow_ups": FollowUp.objects.filter(meeting__request__event=event).count(),
        "held": Meeting.objects.filter(request__event=event,
                                       status=MeetingStatus.HELD).count(),
    })


@login_required
@require_POST
def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    try:
        report = scheduling.schedule_event(event, _user(request),
                                           site_url=notify.site_of(request))
    except services.B2BError as error:
        messages.error(request, str(error))
        return redirect("b2b:overview", slug=slug)
    request.session[_outcome_key(event)] = {
        "requested": report.requested, "scheduled": report.scheduled,
        "upper_bound": report.upper_bound, "percent": report.percent_of_bound,
        "kept": report.kept, "seconds": report.seconds,
        "unscheduled_count": len(report.unscheduled),
        "unscheduled": [{"a": services.display_name(r.requester),
                         "b": services.display_name(r.recipient), "reason": reason}
                        for r, reason in report.unscheduled[:UNSCHEDULED_SHOWN]],
    }
    messages.success(request, _("%(scheduled)s of %(requested)s accepted meetings were "
                                "scheduled. Check the grid, then publish.") % {
        "scheduled": report.scheduled, "requested": report.requested})
    return redirect("b2b:overview", slug=slug)


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    count = scheduling.publish_schedule(event, acting_user=_user(request),
                                        site_url=notify.site_of(request))
    messages.success(request, ngettext(
        "%(count)s meeting was published on the participants' agendas.",
        "%(count)s meetings were published on the participants' agendas.", count)
        % {"count": count})
    return redirect("b2b:overview", slug=slug)


@login_required
@require_POST
def meeting_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    meeting = get_object_or_404(Meeting, pk=pk, request__event=event)
    try:
        scheduling.mark_meeting(meeting, request.POST.get("status", ""), acting_user=_user(request))
    except services.B2BError as error:
        messages.error(request, str(error))
    return redirect(reverse("b2b:overview", args=[slug]) + "#schedule")


@login_required
@require_POST
def follow_ups(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    created = outcomes.create_follow_ups(event, acting_user=_user(request))
    messages.success(request, ngettext(
        "%(count)s follow-up was created for the meetings held.",
        "%(count)s follow-ups were created for the meetings held.", len(created))
        % {"count": len(created)})
    return redirect("b2b:funnel", slug=slug)


@login_required
def funnel(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_event_for_edit(request.user, slug)
    rows = outcomes.funnel_rows(outcomes.funnel(Event.objects.filter(pk=event.pk)))
    items = (FollowUp.objects.filter(meeting__request__event=event)
             .select_related("rater__person", "rater__organisation", "agreement",
                             "meeting__request__requester__person",
                             "meeting__request__recipient__person")
             .order_by("due_on", "pk")[:FOLLOW_UPS_SHOWN])
    programmes = (manageable_programmes(request.user).filter(pairings__events=event)
                  .distinct().order_by("name"))
    return render(request, "matchmaking/funnel.html", {
        "event": event, "rows": rows, "follow_up_items": items,
        "shown": FOLLOW_UPS_SHOWN, "programmes": programmes})
