"""iCalendar (RFC 5545): the events and the next steps with a due date, as all-day entries.

The records' dates are fuzzy ("June 2015", "Sept 2016"), never times of day, so every entry
is a date-only VEVENT:

- an event covers the days of its period, first to last ("June 2015" is the whole month, and
  its description says the exact days are not known);
- a next step sits on the last day of its due period: the day it is due by.

Events and steps without a known period are left out. Escaping and folding are those of the
B2B agendas (:mod:`citycoop.matchmaking.ics`); this module adds the date-only entries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings

from citycoop.events.models import Event
from citycoop.lib.fuzzydate import Precision
from citycoop.matchmaking.ics import escape, fold, utc
from citycoop.opendata.exporters import Progress
from citycoop.opendata.exporters.columns import (
    CHUNK_SIZE,
    STEP_SUBJECTS,
    View,
    owner_shown,
    page,
)
from citycoop.opendata.selection import Selection
from citycoop.portfolio.models import NextStep, NextStepStatus
from citycoop.registry.models import Place, PlaceKind

PRODID = "-//citycoop//portfolio calendar//EN"
SUMMARY_LENGTH = 150
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class DayEntry:
    """A VEVENT over whole days, ``first`` to ``last`` inclusive."""

    uid: str
    first: datetime.date
    last: datetime.date
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False
    modified: datetime.datetime | None = None


@dataclass(frozen=True)
class Period:
    """A record's fuzzy date read from its columns (the type checker cannot see the columns
    a FuzzyDateField adds)."""

    text: str
    first: datetime.date
    last: datetime.date
    precision: str

    @classmethod
    def of(cls, record: Any, name: str) -> Period:
        return cls(*(getattr(record, f"{name}_{part}")
                     for part in ("text", "start", "end", "precision")))


def day(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def entry_lines(entry: DayEntry, stamp: str) -> list[str]:
    # DTEND of a date-only event is the day after the last one (RFC 5545, 3.6.1).
    lines = ["BEGIN:VEVENT", f"UID:{entry.uid}", f"DTSTAMP:{stamp}",
             f"DTSTART;VALUE=DATE:{day(entry.first)}",
             f"DTEND;VALUE=DATE:{day(entry.last + datetime.timedelta(days=1))}",
             f"SEQUENCE:{entry.sequence}",
             f"STATUS:{'CANCELLED' if entry.cancelled else 'CONFIRMED'}",
             # A whole-day entry should not mark the reader busy all day.
             "TRANSP:TRANSPARENT",
             f"SUMMARY:{escape(entry.summary)}"]
    if entry.location:
        lines.append(f"LOCATION:{escape(entry.location)}")
    if entry.description:
        lines.append(f"DESCRIPTION:{escape(entry.description)}")
    if entry.url:
        lines.append(f"URL:{entry.url}")
    if entry.modified is not None:
        lines.append(f"LAST-MODIFIED:{utc(entry.modified)}")
    lines.append("END:VEVENT")
    return lines


def content(lines: list[str]) -> bytes:
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")


def shortened(text: str) -> str:
    first_line = " ".join(text.split())
    if len(first_line) <= SUMMARY_LENGTH:
        return first_line
    return first_line[:SUMMARY_LENGTH - 1].rstrip() + "…"


def host() -> str:
    return urlsplit(settings.CITYCOOP_SITE_URL).hostname or "citycoop"


def address(view: View, path: str) -> str:
    """The page's full address; none without CITYCOOP_SITE_URL, since a calendar's URL
    property must be absolute to be of any use."""
    return view.link(path) if view.site_url and path else ""


def where(place: Place) -> str:
    return place.name if place.kind == PlaceKind.COUNTRY else f"{place.name}, {place.country}"


def event_entry(event: Event, view: View, domain: str) -> DayEntry:
    when = Period.of(event, "when")
    notes = [event.description.strip()]
    if when.precision != Precision.DAY:
        notes.append(f"Dates as written: {when.text} (the exact days are not recorded).")
    place = event.place
    return DayEntry(
        uid=f"event-{event.pk}@{domain}", first=when.first, last=when.last, summary=event.title,
        description="\n\n".join(note for note in notes if note),
        location=where(place) if place else "",
        url=address(view, page("event", event.slug)), sequence=event.version,
        modified=event.updated_at)


def step_page(step: NextStep) -> str:
    if step.event_id:
        return page("event", step.event.slug)  # type: ignore[union-attr]
    if step.pilot_id:
        pilot = step.pilot
        return page("pilot", pilot.pairing.slug, pilot.slug)  # type: ignore[union-attr]
    pairing = step.owning_pairing
    return page("pairing", pairing.slug) if pairing else ""


def step_entry(step: NextStep, view: View, domain: str) -> DayEntry:
    subject: Any = step.subject
    pairing = step.owning_pairing
    due = Period.of(step, "due")
    notes = [step.text.strip(), f"Due: {due.text}.", f"Status: {step.status}."]
    if pairing is not None:
        notes.append(f"Pairing: {pairing.label}.")
    if subject is not pairing:
        notes.append(f"For: {subject}.")
    owner = owner_shown(step, view)
    if owner is not None or step.owner_text:
        notes.append(f"Owner: {owner or step.owner_text}.")
    done = " (done)" if step.status == NextStepStatus.DONE else ""
    return DayEntry(
        uid=f"next-step-{step.pk}@{domain}", first=due.last, last=due.last,
        summary=f"Next step: {shortened(step.text)}{done}", description="\n".join(notes),
        url=address(view, step_page(step)), sequence=step.version,
        cancelled=step.status == NextStepStatus.DROPPED, modified=step.updated_at)


def entries(selection: Selection, progress: Progress | None) -> Iterator[DayEntry]:
    view, domain = View.of(selection), host()
    events = selection.events().select_related("place").filter(
        when_start__isnull=False, when_end__isnull=False)
    steps = selection.next_steps().select_related(*STEP_SUBJECTS).filter(
        due_end__isnull=False)
    total = events.count() + steps.count() if progress is not None else 0
    done = 0
    for event in events.iterator(chunk_size=CHUNK_SIZE):
        yield event_entry(event, view, domain)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    for step in steps.iterator(chunk_size=CHUNK_SIZE):
        yield step_entry(step, view, domain)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    if progress is not None:
        progress(done, total)


def export(selection: Selection, out: IO[bytes], *, record: str = "",
           progress: Progress | None = None) -> None:
    stamp = utc(datetime.datetime.now(datetime.UTC))
    out.write(content(["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}",
                       "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                       f"X-WR-CALNAME:{escape('citycoop: events and next steps')}"]))
    for entry in entries(selection, progress):
        out.write(content(entry_lines(entry, stamp)))
    out.write(content(["END:VCALENDAR"]))
