"""Agendas as iCalendar: times in the event's own time zone, with the VTIMEZONE that says
what that zone is, and UTC when a clock change falls inside the meetings."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from citycoop.matchmaking.ics import CalendarEvent, calendar

UTC = datetime.UTC


def meeting(start: datetime.datetime, minutes: int = 30) -> CalendarEvent:
    return CalendarEvent(f"{start:%H%M}@citycoop", start, start + datetime.timedelta(
        minutes=minutes), "Meeting")


def unfolded_lines(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_a_meeting_in_tianjin_is_written_at_tianjin_time_with_its_zone():
    start = datetime.datetime(2026, 9, 24, 1, 0, tzinfo=UTC)  # 09:00 in China
    lines = unfolded_lines(calendar([meeting(start)], name="n", zone=ZoneInfo("Asia/Shanghai")))
    assert "DTSTART;TZID=Asia/Shanghai:20260924T090000" in lines
    assert "DTEND;TZID=Asia/Shanghai:20260924T093000" in lines
    block = lines[lines.index("BEGIN:VTIMEZONE"):lines.index("END:VTIMEZONE") + 1]
    assert "TZID:Asia/Shanghai" in block and "TZOFFSETTO:+0800" in block
    assert "BEGIN:STANDARD" in block


def test_summer_in_paris_is_daylight_time():
    start = datetime.datetime(2026, 9, 24, 7, 0, tzinfo=UTC)
    lines = unfolded_lines(calendar([meeting(start)], name="n", zone=ZoneInfo("Europe/Paris")))
    assert "DTSTART;TZID=Europe/Paris:20260924T090000" in lines
    assert "BEGIN:DAYLIGHT" in lines and "TZOFFSETFROM:+0200" in lines


def test_meetings_across_a_clock_change_fall_back_to_utc():
    before = datetime.datetime(2026, 10, 24, 7, 0, tzinfo=UTC)
    after = datetime.datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # Paris changed clocks between
    text = calendar([meeting(before), meeting(after)], name="n", zone=ZoneInfo("Europe/Paris"))
    assert "BEGIN:VTIMEZONE" not in text
    assert "DTSTART:20261024T070000Z" in unfolded_lines(text)


def test_without_a_zone_times_are_utc():
    start = datetime.datetime(2026, 9, 24, 1, 0, tzinfo=UTC)
    assert "DTSTART:20260924T010000Z" in unfolded_lines(calendar([meeting(start)], name="n"))
