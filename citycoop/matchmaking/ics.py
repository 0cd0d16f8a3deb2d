"""A participant's agenda as iCalendar (RFC 5545), written by hand: the format is small and
its rules few, but strict: CRLF line ends, lines folded at 75 octets, text escaped, a UID and
DTSTAMP on every event, and times in the event's own time zone, described by a VTIMEZONE."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PRODID = "-//citycoop//B2B agenda//EN"
LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    location: str = ""
    description: str = ""
    sequence: int = 0
    cancelled: bool = False


def escape(text: str) -> str:
    """TEXT values: backslash, semicolon and comma escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, each continuation starting with
    a space; never inside a UTF-8 character."""
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1  # the leading space takes one
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def local(moment: datetime.datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def offset(delta: datetime.timedelta | None) -> str:
    minutes = int((delta or datetime.timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def timezone_block(zone: ZoneInfo, moments: list[datetime.datetime]) -> list[str] | None:
    """A VTIMEZONE for these moments, when one UTC offset holds for all of them (a meeting
    programme of a few days); None when a clock change falls among them."""
    offsets = {m.astimezone(zone).utcoffset() for m in moments}
    if len(offsets) != 1:
        return None
    sample = moments[0].astimezone(zone)
    kind = "DAYLIGHT" if sample.dst() else "STANDARD"
    shift = offset(sample.utcoffset())
    return ["BEGIN:VTIMEZONE", f"TZID:{zone.key}", f"BEGIN:{kind}", "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{shift}", f"TZOFFSETTO:{shift}", f"TZNAME:{sample.tzname()}",
            f"END:{kind}", "END:VTIMEZONE"]


def calendar(events: Iterable[CalendarEvent], *, name: str,
             now: datetime.datetime | None = None, zone: ZoneInfo | None = None) -> str:
    """The VCALENDAR text, ready to serve as text/calendar. With ``zone``, times are written
    in it (calendars show "09:00 Shanghai time" as the organiser meant); otherwise in UTC."""
    events = list(events)
    stamp = utc(now or datetime.datetime.now(datetime.UTC))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}"]
    block = (timezone_block(zone, [m for e in events for m in (e.starts_at, e.ends_at)])
             if zone is not None and events else None)
    if block is not None and zone is not None:
        lines += [*block, f"X-WR-TIMEZONE:{zone.key}"]

    def when(moment: datetime.datetime) -> str:
        if block is not None and zone is not None:
            return f";TZID={zone.key}:{local(moment, zone)}"
        return f":{utc(moment)}"

    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART{when(event.starts_at)}",
            f"DTEND{when(event.ends_at)}",
            f"SEQUENCE:{event.sequence}",
            f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
            f"SUMMARY:{escape(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
