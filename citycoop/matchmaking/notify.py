"""Telling participants that their agenda changed.

Each meeting remembers where its two participants were last told it is
(``Meeting.announced``). Comparing that with where it stands now gives, per participant,
the meetings added, moved (another time or table) or cancelled: :func:`agenda_changes`, a
pure function of two snapshots. :func:`announce_changes` runs after each write that can
change published agendas (publishing, scheduling again, a withdrawn request), emails the
participants whose agenda changed, once the transaction commits, and records what they were
told. Marking a meeting held or missed changes nobody's agenda and tells nobody.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.common.services import update_record
from citycoop.events.mail import greeting, send_to_participant
from citycoop.events.models import Event, Participation

from .models import Meeting, MeetingStatus, Profile
from .services import display_name, event_timezone

log = logging.getLogger(__name__)

ADDED, MOVED, CANCELLED = "added", "moved", "cancelled"


@dataclass(frozen=True)
class Placement:
    """Where a meeting of two participants is: its slot, times and table."""

    a: int  # the participations' ids
    b: int
    slot: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    table: int

    def where(self) -> tuple[datetime.datetime, datetime.datetime, int]:
        # The slot's id is left out: the same time under a renumbered day is no change.
        return self.starts_at, self.ends_at, self.table

    def as_json(self) -> dict[str, Any]:
        return {"slot": self.slot, "starts_at": self.starts_at.isoformat(),
                "ends_at": self.ends_at.isoformat(), "table": self.table}


# A snapshot of agendas: each meeting on them (by id) and where it is.
Snapshot = Mapping[int, Placement]


@dataclass(frozen=True)
class Change:
    """One change to one participant's agenda."""

    kind: str  # ADDED, MOVED or CANCELLED
    meeting_id: int
    other: int  # the participation met
    before: Placement | None
    after: Placement | None

    @property
    def starts_at(self) -> datetime.datetime:
        placement = self.after or self.before
        assert placement is not None
        return placement.starts_at


def agenda_changes(before: Snapshot, after: Snapshot) -> dict[int, list[Change]]:
    """Each participant whose agenda differs between the two snapshots, with the changes in
    time order. A meeting in ``after`` only is added, in ``before`` only cancelled, in both
    at another time or table moved; both its participants see the change."""
    out: dict[int, list[Change]] = defaultdict(list)
    for meeting_id in set(before) | set(after):
        old, new = before.get(meeting_id), after.get(meeting_id)
        if old is not None and new is not None and old.where() == new.where():
            continue
        kind = ADDED if old is None else CANCELLED if new is None else MOVED
        either = new or old
        assert either is not None
        for person, other in ((either.a, either.b), (either.b, either.a)):
            out[person].append(Change(kind, meeting_id, other, old, new))
    for changes in out.values():
        changes.sort(key=lambda c: (c.starts_at, c.meeting_id))
    return dict(out)


# -- the snapshots of an event's meetings --------------------------------------------------------


def current(meeting: Meeting) -> Placement:
    return Placement(meeting.request.requester_id, meeting.request.recipient_id, meeting.slot,
                     meeting.starts_at, meeting.ends_at, meeting.table)


def told(meeting: Meeting) -> Placement | None:
    """Where the participants were last told the meeting is, if they were."""
    data = meeting.announced
    if not data:
        return None
    return Placement(meeting.request.requester_id, meeting.request.recipient_id, data["slot"],
                     datetime.datetime.fromisoformat(data["starts_at"]),
                     datetime.datetime.fromisoformat(data["ends_at"]), int(data["table"]))


def shown(meeting: Meeting) -> Placement | None:
    """Where the meeting stands for its participants now: where it is once published,
    nowhere once cancelled. A draft keeps the place they were told: a new schedule that
    moves a published meeting makes it a draft again, and its participants hear of its new
    place when it is published."""
    if meeting.status == MeetingStatus.CANCELLED:
        return None
    if not meeting.published:
        return told(meeting)
    return current(meeting)


# -- telling them --------------------------------------------------------------------------------


def site_of(request: HttpRequest) -> str:
    """The address links in emails start with: the configured one, else the page's."""
    return settings.CITYCOOP_SITE_URL or request.build_absolute_uri("/").rstrip("/")




def announce_changes(event: Event, *, acting_user: User | None, site_url: str = "",
                     quiet: Collection[int] = ()) -> dict[int, list[Change]]:
    """Record where the event's meetings now stand for their participants and, once the
    transaction commits, email each participant whose agenda changed (except those in
    ``quiet``, who made the change themselves). Returns the changes per participant."""
    meetings = list(Meeting.objects.filter(request__event=event).select_related("request"))
    before = {m.pk: p for m in meetings if (p := told(m)) is not None}
    after = {m.pk: p for m in meetings if (p := shown(m)) is not None}
    changes = agenda_changes(before, after)
    changed = {c.meeting_id for person in changes.values() for c in person}
    for meeting in meetings:
        if meeting.pk in changed:
            placement = after.get(meeting.pk)
            update_record(meeting, {"announced": placement.as_json() if placement else None},
                          acting_user=acting_user, expected_version=None)
    emails = _emails(event, {p: c for p, c in changes.items() if p not in quiet}, site_url)
    if emails:
        transaction.on_commit(lambda: _send(emails))
    return changes


def _send(emails: list[tuple[Participation, str, str]]) -> None:
    for participation, subject, body in emails:
        send_to_participant(participation, subject, body)


def _emails(event: Event, changes: Mapping[int, list[Change]], site_url: str
            ) -> list[tuple[Participation, str, str]]:
    """Each participant's email: whom to, the subject and the body (composed now, in the
    language of the request that made the change)."""
    if not changes:
        return []
    ids = set(changes) | {c.other for person in changes.values() for c in person}
    people = {p.pk: p for p in Participation.objects.filter(pk__in=ids)
              .select_related("person", "organisation")}
    organisations = dict(Profile.objects.filter(participation_id__in=ids)
                         .values_list("participation_id", "organisation_name"))
    zone = event_timezone(event)
    base = (site_url or settings.CITYCOOP_SITE_URL).rstrip("/")
    if not base:
        log.warning("The emails about %s link to a path alone: set CITYCOOP_SITE_URL.", event)
    out = []
    for pk in sorted(changes):
        me = people[pk]
        me.event = event
        lines = []
        for change in changes[pk]:
            other = people[change.other]
            who = display_name(other)
            organisation = organisations.get(other.pk) or str(other.organisation or "")
            if organisation:
                who = _("%(name)s (%(organisation)s)") % {"name": who,
                                                          "organisation": organisation}
            lines.append("- " + change_line(change, who, zone))
        link = base + reverse("b2b:me", args=[me.token]) if me.token else ""
        body = "\n\n".join(part for part in [
            greeting(me),
            _("The schedule of the B2B meetings at “%(event)s” changed for you:")
            % {"event": event.title},
            "\n".join(lines),
            _("Your agenda, always up to date, is on your personal page:\n%(link)s")
            % {"link": link} if link else "",
            _("Times are local to the event (%(zone)s).") % {"zone": str(zone)},
        ] if part)
        out.append((me, _("Your B2B meetings at “%(event)s” changed")
                    % {"event": event.title}, body))
    return out


def _when(placement: Placement, zone: datetime.tzinfo) -> str:
    starts, ends = placement.starts_at.astimezone(zone), placement.ends_at.astimezone(zone)
    return f"{formats.date_format(starts, 'D j M, H:i')}–{formats.time_format(ends, 'H:i')}"


def change_line(change: Change, who: str, zone: datetime.tzinfo) -> str:
    """One change, as one line of the email."""
    if change.kind == MOVED:
        assert change.before is not None and change.after is not None
        return _("Moved: your meeting with %(who)s is now on %(when)s at table %(table)s "
                 "(was %(old_when)s at table %(old_table)s).") % {
            "who": who, "when": _when(change.after, zone), "table": change.after.table,
            "old_when": _when(change.before, zone), "old_table": change.before.table}
    if change.kind == ADDED:
        assert change.after is not None
        return _("New: a meeting with %(who)s on %(when)s at table %(table)s.") % {
            "who": who, "when": _when(change.after, zone), "table": change.after.table}
    assert change.before is not None
    return _("Cancelled: the meeting with %(who)s on %(when)s at table %(table)s.") % {
        "who": who, "when": _when(change.before, zone), "table": change.before.table}
