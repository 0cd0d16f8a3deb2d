"""A participant's personal agenda: the published meetings, as HTML, PDF and iCalendar.

The PDF is the HTML page printed by WeasyPrint, imported only when a PDF is asked for (it
loads Pango and fonts). The page embeds its styles and loads nothing from elsewhere, so
rendering never waits on the network.
"""

from __future__ import annotations

import datetime
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from citycoop.events.models import Event, Participation

from . import ics
from .models import Meeting, MeetingStatus, Profile
from .services import display_name, event_timezone


@dataclass
class AgendaItem:
    meeting: Meeting
    starts_at: datetime.datetime  # local to the event
    ends_at: datetime.datetime
    table: int
    with_name: str
    with_organisation: str
    cancelled: bool


def _meetings() -> Any:
    return (Meeting.objects.filter(published=True)
            .select_related("request__requester__person", "request__requester__organisation",
                            "request__recipient__person", "request__recipient__organisation")
            .order_by("starts_at", "table"))


def _items(participation: Participation, meetings: Iterable[Meeting],
           names: dict[int, str], zone: datetime.tzinfo) -> list[AgendaItem]:
    items = []
    for meeting in meetings:
        request = meeting.request
        other = request.recipient if request.requester_id == participation.pk \
            else request.requester
        items.append(AgendaItem(
            meeting, meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone),
            meeting.table, display_name(other),
            names.get(other.pk) or str(other.organisation or ""),
            meeting.status == MeetingStatus.CANCELLED))
    return items


def _organisation_names(participation_ids: Iterable[int]) -> dict[int, str]:
    return dict(Profile.objects.filter(participation_id__in=set(participation_ids))
                .values_list("participation_id", "organisation_name"))


def agenda_items(participation: Participation) -> list[AgendaItem]:
    """The participant's published meetings in time order, cancelled ones included."""
    meetings = list(_meetings().filter(Q(request__requester=participation)
                                       | Q(request__recipient=participation)))
    others = {m.request.requester_id for m in meetings} | {m.request.recipient_id
                                                           for m in meetings}
    return _items(participation, meetings, _organisation_names(others),
                  event_timezone(participation.event))


def event_agendas(event: Event) -> list[tuple[Participation, list[AgendaItem]]]:
    """Every participant with a published meeting and their agenda, in a few queries."""
    meetings = list(_meetings().filter(request__event=event))
    by_person: dict[int, list[Meeting]] = defaultdict(list)
    people: dict[int, Participation] = {}
    for meeting in meetings:
        for p in (meeting.request.requester, meeting.request.recipient):
            by_person[p.pk].append(meeting)
            people[p.pk] = p
    names = _organisation_names(people)
    zone = event_timezone(event)
    out = []
    for pk in sorted(people, key=lambda k: (display_name(people[k]).casefold(), k)):
        people[pk].event = event
        out.append((people[pk], _items(people[pk], by_person[pk], names, zone)))
    return out


def agenda_html(participation: Participation, items: list[AgendaItem] | None = None) -> str:
    """The agenda as one self-contained HTML page (also what the PDF prints)."""
    items = agenda_items(participation) if items is None else items
    event = participation.event
    zone = event_timezone(event)
    days: dict[datetime.date, list[AgendaItem]] = defaultdict(list)
    for item in items:
        if not item.cancelled:
            days[item.starts_at.date()].append(item)
    with timezone.override(zone):  # the filters show times in the event's local time
        return render_to_string("matchmaking/agenda.html", {
            "event": event, "participation": participation,
            "name": display_name(participation),
            "organisation": _organisation_names([participation.pk]).get(participation.pk)
            or (participation.organisation or ""),
            "days": sorted(days.items()), "zone": str(zone), "generated": timezone.now(),
        })


_fonts = threading.local()


def html_to_pdf(html: str) -> bytes:
    """The page printed to PDF. Pango's font set-up is kept between agendas (a quarter of
    the time of a small one), one per thread: Pango's font map is not thread-safe."""
    import weasyprint  # lazily: Pango and the fonts load only when a PDF is made
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return weasyprint.HTML(string=html).write_pdf(font_config=config)


def agenda_pdf(participation: Participation, items: list[AgendaItem] | None = None) -> bytes:
    return html_to_pdf(agenda_html(participation, items))


def agenda_ics(participation: Participation, items: list[AgendaItem] | None = None,
               *, host: str = "citycoop") -> str:
    """The agenda as an iCalendar file: one event per meeting, cancelled ones marked so, so
    that calendars that imported it earlier drop them."""
    items = agenda_items(participation) if items is None else items
    event = participation.event
    where = str(event.place) if event.place_id else ""
    entries = []
    for item in items:
        summary = _("B2B meeting with %(name)s") % {"name": item.with_name}
        if item.with_organisation:
            summary = _("B2B meeting with %(name)s (%(organisation)s)") % {
                "name": item.with_name, "organisation": item.with_organisation}
        location = _("Table %(table)s") % {"table": item.table}
        entries.append(ics.CalendarEvent(
            uid=f"b2b-meeting-{item.meeting.pk}@{host}", starts_at=item.meeting.starts_at,
            ends_at=item.meeting.ends_at, summary=summary,
            location=f"{location}, {where}" if where else location,
            description=event.title, sequence=item.meeting.version,
            cancelled=item.cancelled))
    return ics.calendar(entries, name=_("B2B meetings at %(event)s") % {"event": event.title},
                        zone=event_timezone(event))
