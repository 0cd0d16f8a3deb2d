"""The organiser's table plan: for each slot, which two participants sit at which table, as
an HTML page and, printed by the agendas' machinery (:func:`.agenda.html_to_pdf`), a PDF
for the desk and the tables on the day. Only published meetings that are not cancelled are
on it: the plan shows what the participants were told."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from citycoop.events.models import Event, Participation

from .agenda import html_to_pdf
from .models import Meeting, MeetingStatus, Profile
from .services import display_name, event_timezone


@dataclass
class Seat:
    name: str
    organisation: str


@dataclass
class TableRow:
    table: int
    first: Seat
    second: Seat


@dataclass
class SlotPlan:
    starts_at: datetime.datetime  # local to the event
    ends_at: datetime.datetime
    rows: list[TableRow] = field(default_factory=list)


@dataclass
class TablePlan:
    event: Event
    days: list[tuple[datetime.date, list[SlotPlan]]]
    meetings: int
    drafts: int  # scheduled but not yet published, so not on the plan
    zone: datetime.tzinfo


def table_plan(event: Event) -> TablePlan:
    """The published meetings by day and slot, each slot's tables in order (four queries)."""
    meetings = list(Meeting.objects.filter(request__event=event, published=True)
                    .exclude(status=MeetingStatus.CANCELLED)
                    .select_related("request__requester__person",
                                    "request__requester__organisation",
                                    "request__recipient__person",
                                    "request__recipient__organisation")
                    .order_by("starts_at", "table", "pk"))
    names = dict(Profile.objects.filter(participation__event=event)
                 .values_list("participation_id", "organisation_name"))

    def seat(p: Participation) -> Seat:
        return Seat(display_name(p), names.get(p.pk) or str(p.organisation or ""))

    zone = event_timezone(event)
    slots: dict[tuple[datetime.datetime, datetime.datetime], SlotPlan] = {}
    for m in meetings:
        key = (m.starts_at, m.ends_at)
        if key not in slots:
            slots[key] = SlotPlan(m.starts_at.astimezone(zone), m.ends_at.astimezone(zone))
        slots[key].rows.append(TableRow(m.table, seat(m.request.requester),
                                        seat(m.request.recipient)))
    days: dict[datetime.date, list[SlotPlan]] = defaultdict(list)
    for plan in slots.values():  # in time order already
        days[plan.starts_at.date()].append(plan)
    drafts = Meeting.objects.filter(request__event=event, published=False,
                                    status=MeetingStatus.SCHEDULED).count()
    return TablePlan(event, sorted(days.items()), len(meetings), drafts, zone)


def table_plan_html(event: Event) -> str:
    """The plan as one self-contained page (also what the PDF prints)."""
    plan = table_plan(event)
    with timezone.override(plan.zone):  # the filters show times in the event's local time
        return render_to_string("matchmaking/table_plan.html", {
            "event": event, "plan": plan, "zone": str(plan.zone),
            "generated": timezone.now()})


def table_plan_pdf(event: Event) -> bytes:
    return html_to_pdf(table_plan_html(event))
