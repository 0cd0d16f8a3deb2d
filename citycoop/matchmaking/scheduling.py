"""Placing an event's accepted meeting requests: the engine's instance built from the records,
the schedule written back (published meetings kept where they still fit), publishing it and
marking meetings held or missed."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.common.services import create_record, update_record
from citycoop.events.models import Event, Participation

from . import engine, notify
from .engine.assemble import CAP_REACHED, NO_COMMON_SLOT, NO_TABLE, OUT_OF_TIME
from .models import (
    MatchmakingSetup,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Profile,
    RequestStatus,
)
from .services import (
    ACTIVE,
    DONE,
    B2BError,
    Slot,
    _call_off,
    display_name,
    slots,
)

# -- the schedule ------------------------------------------------------------------------------


def pid(participation_id: int) -> str:
    return f"p{participation_id}"


@dataclass
class Frame:
    """An event's scheduling instance and what it was built from."""

    setup: MatchmakingSetup
    slots: list[Slot]
    instance: engine.Instance
    requests: dict[frozenset[str], MeetingRequest]  # the request each meeting hangs from
    people: dict[str, Participation]


def build_frame(event: Event) -> Frame:
    setup = MatchmakingSetup.objects.select_related("event__place").filter(event=event).first()
    if setup is None:
        raise B2BError(_("Set up the matchmaking sessions first."))
    all_slots = slots(setup)
    if not all_slots:
        raise B2BError(_("The sessions have no slot: check the days, hours and breaks."))
    requests = list(MeetingRequest.objects.filter(event=event)
                    .exclude(status=RequestStatus.WITHDRAWN)
                    .select_related("requester__person", "requester__organisation",
                                    "recipient__person", "recipient__organisation")
                    .order_by("answered_at", "pk"))
    asked = {(r.requester_id, r.recipient_id) for r in requests}
    chosen: dict[frozenset[str], MeetingRequest] = {}
    people: dict[str, Participation] = {}
    for r in requests:
        if r.status == RequestStatus.ACCEPTED and r.requester.attendance in ACTIVE \
                and r.recipient.attendance in ACTIVE:
            chosen.setdefault(frozenset((pid(r.requester_id), pid(r.recipient_id))), r)
            people[pid(r.requester_id)], people[pid(r.recipient_id)] = r.requester, r.recipient
    profiles = {p.participation_id: p for p in Profile.objects.filter(
        participation__in=[p.pk for p in people.values()])}
    participants = []
    for key in sorted(people, key=lambda k: people[k].pk):
        profile = profiles.get(people[key].pk)
        away = set(profile.unavailable) if profile else set()
        caps = [c for c in (setup.max_meetings, profile and profile.max_meetings) if c]
        participants.append(engine.Participant(
            id=key, available=tuple(s.id for s in all_slots if s.id not in away),
            max_meetings=min(caps) if caps else None))
    meetings = []
    for r in chosen.values():
        mutual = (r.recipient_id, r.requester_id) in asked
        meetings.append(engine.Meeting(pid(r.requester_id), pid(r.recipient_id),
                                       weight=2 if mutual else 1))
    instance = engine.Instance(slots=tuple(s.id for s in all_slots),
                               tables=dict.fromkeys((s.id for s in all_slots), setup.tables),
                               participants=tuple(participants), meetings=tuple(meetings))
    return Frame(setup, all_slots, instance, chosen, people)


def build_instance(event: Event) -> engine.Instance:
    """The scheduler's instance for the event's accepted requests: each pair once (weight 2
    when both asked), each participant present in every slot not marked away, capped by the
    lower of their own and the event's limit."""
    return build_frame(event).instance


@dataclass
class ScheduleReport:
    requested: int
    scheduled: int
    upper_bound: int
    kept: int  # published meetings still where they were
    seconds: float
    unscheduled: list[tuple[MeetingRequest, str]] = field(default_factory=list)

    @property
    def percent_of_bound(self) -> float:
        return round(100 * self.scheduled / self.upper_bound, 1) if self.upper_bound else 100.0


def _reason(frame: Frame, reason: str) -> str:
    if reason == NO_COMMON_SLOT:
        return _("no free slot when both are present")
    if reason == NO_TABLE:
        return _("no table free when both are")
    if reason == OUT_OF_TIME:
        return _("not placed within the time limit")
    prefix = CAP_REACHED.format("")
    if reason.startswith(prefix) and reason[len(prefix):] in frame.people:
        return _("%(name)s reached their most meetings") % {
            "name": display_name(frame.people[reason[len(prefix):]])}
    return reason


@transaction.atomic
def schedule_event(event: Event, acting_user: User | None, time_limit: float = 10, *,
                   site_url: str = "") -> ScheduleReport:
    """Place the accepted meetings at tables and write them, in one transaction.

    Published meetings keep their slot and table where that is still possible; others are
    replaced. A published meeting that has to move goes back to draft (its participants
    hear of its new place when it is published), one that can no longer be held is
    cancelled and its participants told; held and no-show meetings are never touched."""
    MatchmakingSetup.objects.select_for_update().filter(event=event).first()  # one run at once
    frame = build_frame(event)
    existing = {m.request_id: m for m in Meeting.objects.filter(request__event=event)}
    by_request = {r.pk: key for key, r in frame.requests.items()}
    keep = []
    for m in existing.values():
        if m.request_id in by_request and (m.status in DONE or (
                m.published and m.status == MeetingStatus.SCHEDULED)):
            a, b = sorted(by_request[m.request_id])
            keep.append(engine.Placement(a, b, m.slot, m.table))
    result = engine.schedule(frame.instance, time_limit=time_limit, keep=keep)
    problems = engine.validate(frame.instance, result)
    if problems:  # never write a schedule that breaks a rule
        raise B2BError(_("The schedule found is not valid: %(problem)s") % {
            "problem": problems[0]})
    slot_of = {s.id: s for s in frame.slots}
    kept = 0
    for placement in result.scheduled:
        request = frame.requests[frozenset((placement.a, placement.b))]
        meeting = existing.pop(request.pk, None)
        slot = slot_of[placement.slot]
        values = {"slot": slot.id, "starts_at": slot.starts_at, "ends_at": slot.ends_at,
                  "table": placement.table, "status": MeetingStatus.SCHEDULED}
        if meeting is None:
            create_record(Meeting, {**values, "request": request, "published": False},
                          acting_user=acting_user)
        elif meeting.status not in DONE:
            same = (meeting.slot, meeting.table) == (slot.id, placement.table) \
                and meeting.status == MeetingStatus.SCHEDULED
            kept += int(same and meeting.published)
            update_record(meeting, {**values, "published": meeting.published and same},
                          acting_user=acting_user, expected_version=None)
    for meeting in existing.values():
        _call_off(meeting, acting_user)
    notify.announce_changes(event, acting_user=acting_user, site_url=site_url)
    stats = result.stats
    assert stats is not None
    return ScheduleReport(
        requested=stats.requested, scheduled=stats.scheduled, upper_bound=stats.upper_bound,
        kept=kept, seconds=stats.seconds,
        unscheduled=[(frame.requests[frozenset((u.a, u.b))], _reason(frame, u.reason))
                     for u in result.unscheduled])


def publish_schedule(event: Event, *, acting_user: User | None, site_url: str = "") -> int:
    """Show the drafted meetings on the participants' agendas and email those whose agenda
    changed (see :mod:`.notify`); how many meetings were published."""
    drafts = Meeting.objects.filter(request__event=event, published=False,
                                    status=MeetingStatus.SCHEDULED)
    with transaction.atomic():
        count = 0
        for meeting in drafts:
            update_record(meeting, {"published": True}, acting_user=acting_user,
                          expected_version=meeting.version)
            count += 1
        notify.announce_changes(event, acting_user=acting_user, site_url=site_url)
    return count


def mark_meeting(meeting: Meeting, status: str, *, acting_user: User | None) -> Meeting:
    """Record that a published meeting was held or that someone did not come."""
    if status not in (MeetingStatus.HELD, MeetingStatus.NO_SHOW, MeetingStatus.SCHEDULED):
        raise B2BError(_("A meeting is marked held or no-show."))
    if not meeting.published or meeting.status == MeetingStatus.CANCELLED:
        raise B2BError(_("Only published meetings that were not called off can be marked."))
    return update_record(meeting, {"status": status}, acting_user=acting_user,
                         expected_version=None)
