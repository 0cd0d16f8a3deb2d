"""B2B matchmaking's services: who may ask whom, the sessions' slots, the scheduler's
instance, the schedule written (valid, published meetings kept), follow-ups and the
agreements they record, and the funnel."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest

from citycoop.common.services import create_record, update_record
from citycoop.events.models import Event, EventKind, Participation
from citycoop.events.registration import Registrant, cancel, register
from citycoop.matchmaking import outcomes, scheduling, services
from citycoop.matchmaking.engine import Placement, Result, validate
from citycoop.matchmaking.models import (
    FollowUp,
    MatchmakingSetup,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Rating,
    RequestStatus,
    Side,
)
from citycoop.matchmaking.services import B2BError
from citycoop.portfolio.models import AgreementStatus, Pairing
from citycoop.registry.models import Place, Programme

pytestmark = pytest.mark.django_db

SESSIONS: dict[str, Any] = {
    "days": ["2016-09-27", "2016-09-26"], "starts": datetime.time(9, 0),
    "ends": datetime.time(12, 0), "slot_minutes": 30, "breaks": [["10:30", "11:00"]],
    "tables": 3,
}


def make_event(slug: str = "b2b-week", **setup: Any) -> Event:
    """An event with registration open and its matchmaking sessions."""
    event = create_record(Event, {"slug": slug, "title": "British Week B2B",
                                  "kind": EventKind.B2B_SESSION}, acting_user=None)
    event = update_record(event, {"registration_open": True}, acting_user=None,
                          expected_version=event.version)
    services.save_setup(event, {**SESSIONS, **setup}, acting_user=None)
    return event


def join(event: Event, name: str, *, side: str = Side.EITHER, published: bool = True,
         **profile: Any) -> Participation:
    """A registered participant with a profile."""
    email = f"{name.lower().replace(' ', '.')}@{event.slug}.example.org"
    participation = register(event, Registrant(name=name, email=email))
    services.save_profile(participation, {"organisation_name": f"{name} Ltd", "side": side,
                                          "published": published, **profile})
    return participation


def accepted(a: Participation, b: Participation) -> MeetingRequest:
    request = services.send_request(a, b, "Shall we meet?")
    return services.answer_request(request, True, by=b)


def close_requests(event: Event) -> None:
    setup = MatchmakingSetup.objects.get(event=event)
    update_record(setup, {"requests_open": False}, acting_user=None, expected_version=None)


# -- requests ----------------------------------------------------------------------------------


def test_a_request_is_sent_and_answered_by_its_recipient_only():
    event = make_event()
    ana, ben, cai = join(event, "Ana"), join(event, "Ben"), join(event, "Cai")
    request = services.send_request(ana, ben, "Hello")
    assert request.status == RequestStatus.PENDING
    with pytest.raises(B2BError, match="Only the person asked"):
        services.answer_request(request, True, by=cai)
    with pytest.raises(B2BError, match="Only the person asked"):
        services.answer_request(request, True, by=ana)
    request = services.answer_request(request, False, by=ben)
    assert request.status == RequestStatus.DECLINED and request.answered_at is not None
    with pytest.raises(B2BError, match="already answered"):
        services.answer_request(request, True, by=ben)


def test_it_refuses_requests_once_they_are_closed():
    event = make_event()
    ana, ben = join(event, "Ana"), join(event, "Ben")
    close_requests(event)
    with pytest.raises(B2BError, match="closed"):
        services.send_request(ana, ben)


def test_it_refuses_a_request_to_oneself():
    event = make_event()
    ana = join(event, "Ana")
    with pytest.raises(B2BError, match="yourself"):
        services.send_request(ana, ana)


def test_it_refuses_a_duplicate_but_takes_a_request_again_after_a_withdrawal():
    event = make_event()
    ana, ben = join(event, "Ana"), join(event, "Ben")
    first = services.send_request(ana, ben)
    with pytest.raises(B2BError, match="already asked"):
        services.send_request(ana, ben)
    with pytest.raises(B2BError, match="Only the person who asked"):
        services.withdraw(first, by=ben)
    services.withdraw(first, by=ana)
    again = services.send_request(ana, ben, "Second try")
    assert again.pk == first.pk and again.status == RequestStatus.PENDING
    assert again.message == "Second try"
    # The other way round is no duplicate: both asked, which weighs the meeting double.
    assert services.send_request(ben, ana).status == RequestStatus.PENDING


def test_it_refuses_a_recipient_without_a_published_profile():
    event = make_event()
    ana = join(event, "Ana")
    shy = join(event, "Shy", published=False)
    with pytest.raises(B2BError, match="no published profile"):
        services.send_request(ana, shy)
    with pytest.raises(B2BError, match="Publish your profile"):
        services.send_request(shy, ana)


def test_it_refuses_two_buyers_when_the_rules_keep_sides_apart():
    event = make_event(same_side_meetings=False)
    buyer, other_buyer = join(event, "Bea", side=Side.BUYER), join(event, "Bo", side=Side.BUYER)
    seller, anyone = join(event, "Sal", side=Side.SELLER), join(event, "Eli")
    with pytest.raises(B2BError, match="same side"):
        services.send_request(buyer, other_buyer)
    assert services.send_request(buyer, seller)
    assert services.send_request(buyer, anyone)  # "either" meets anyone


def test_two_buyers_may_meet_when_the_rules_allow_it():
    event = make_event(same_side_meetings=True)
    buyer, other_buyer = join(event, "Bea", side=Side.BUYER), join(event, "Bo", side=Side.BUYER)
    assert services.send_request(buyer, other_buyer)


def test_a_cancelled_registration_can_no_longer_ask():
    event = make_event()
    ana, ben = join(event, "Ana"), join(event, "Ben")
    cancel(ana)
    ana.refresh_from_db()
    with pytest.raises(B2BError, match="registered participants"):
        services.send_request(ana, ben)


# -- slots and the instance --------------------------------------------------------------------


def test_slots_follow_the_days_hours_and_length_and_skip_the_breaks():
    event = make_event()
    found = services.slots(MatchmakingSetup.objects.get(event=event))
    day_one = [s.id for s in found if s.id.startswith("d1-")]
    assert day_one == ["d1-09:00", "d1-09:30", "d1-10:00", "d1-11:00", "d1-11:30"]
    assert len(found) == 10
    assert found[0].starts_at == datetime.datetime(2016, 9, 26, 9, 0, tzinfo=datetime.UTC)
    assert found[5].id == "d2-09:00" and found[5].starts_at.date() == datetime.date(2016, 9, 27)
    assert all(s.ends_at - s.starts_at == datetime.timedelta(minutes=30) for s in found)
    assert all(a.starts_at < b.starts_at for a, b in itertools.pairwise(found))


def test_a_slot_that_would_overlap_a_break_starts_after_it():
    event = make_event(slot_minutes=45, breaks=[["10:00", "10:15"]], days=["2016-09-26"])
    found = services.slots(MatchmakingSetup.objects.get(event=event))
    assert [s.id for s in found] == ["d1-09:00", "d1-10:15", "d1-11:00"]


def test_slots_are_in_the_local_time_of_the_event_place():
    tianjin = create_record(Place, {"slug": "tianjin", "name": "Tianjin", "kind": "city",
                                    "country": "CN", "geonames_id": 1792947}, acting_user=None)
    event = make_event()
    event = update_record(event, {"place": tianjin}, acting_user=None, expected_version=None)
    first = services.slots(MatchmakingSetup.objects.get(event=event))[0]
    assert first.starts_at.utcoffset() == datetime.timedelta(hours=8)
    assert first.starts_at.astimezone(datetime.UTC).hour == 1


def test_the_instance_weighs_mutual_requests_double_caps_and_drops_slots_when_away():
    event = make_event(max_meetings=4)
    ana = join(event, "Ana", unavailable=["d1-09:00", "d2-11:30", "not-a-slot"])
    ben = join(event, "Ben", max_meetings=2)
    cai, dee = join(event, "Cai", max_meetings=9), join(event, "Dee")
    join(event, "Eve")  # no accepted request: not in the instance
    accepted(ana, ben)
    services.send_request(ben, ana)  # ben asked ana too: mutual
    accepted(ana, cai)
    services.send_request(ana, dee)  # pending: not a meeting
    instance = scheduling.build_instance(event)
    people = {p.id: p for p in instance.participants}
    a, b, c = (scheduling.pid(x.pk) for x in (ana, ben, cai))
    assert set(people) == {a, b, c}
    assert "d1-09:00" not in people[a].available and "d2-11:30" not in people[a].available
    assert len(people[a].available) == 8 and len(people[b].available) == 10
    assert people[a].max_meetings == 4  # the event's cap
    assert people[b].max_meetings == 2  # their own, lower
    assert people[c].max_meetings == 4  # their own is higher than the event's
    weights = {frozenset((m.a, m.b)): m.weight for m in instance.meetings}
    assert weights == {frozenset((a, b)): 2, frozenset((a, c)): 1}
    assert instance.tables == dict.fromkeys(instance.slots, 3)


# -- the schedule ------------------------------------------------------------------------------


def written(event: Event) -> Result:
    """The meetings in the database, as the engine's result, for the validator."""
    result = Result()
    for m in Meeting.objects.filter(request__event=event).exclude(
            status=MeetingStatus.CANCELLED).select_related("request"):
        result.scheduled.append(Placement(scheduling.pid(m.request.requester_id),
                                          scheduling.pid(m.request.recipient_id), m.slot, m.table))
    return result


def busy_event() -> tuple[Event, list[Participation]]:
    event = make_event(tables=2)
    people = [join(event, f"Person {i}") for i in range(8)]
    for i, a in enumerate(people):
        for b in people[i + 1:i + 4]:
            accepted(a, b)
    return event, people


def test_scheduling_writes_a_valid_schedule_with_times_from_the_slots():
    event, _people = busy_event()
    report = scheduling.schedule_event(event, None, time_limit=5)
    instance = scheduling.build_instance(event)
    assert report.requested == len(instance.meetings) == 18
    assert report.scheduled == Meeting.objects.filter(request__event=event).count()
    assert report.scheduled + len(report.unscheduled) == report.requested
    assert report.scheduled <= report.upper_bound and report.percent_of_bound > 0
    assert validate(instance, written(event)) == []
    slots = {s.id: s for s in services.slots(MatchmakingSetup.objects.get(event=event))}
    for meeting in Meeting.objects.filter(request__event=event):
        assert meeting.starts_at == slots[meeting.slot].starts_at
        assert meeting.ends_at == slots[meeting.slot].ends_at
        assert not meeting.published
    assert all(reason for _request, reason in report.unscheduled)


def test_rescheduling_keeps_published_meetings_and_replaces_drafts():
    event, people = busy_event()
    scheduling.schedule_event(event, None, time_limit=5)
    assert scheduling.publish_schedule(event, acting_user=None) > 0
    published = {m.pk: (m.slot, m.table) for m in Meeting.objects.filter(request__event=event)}
    late = join(event, "Late comer")
    accepted(late, people[0])
    accepted(late, people[5])
    report = scheduling.schedule_event(event, None, time_limit=5)
    after = {m.pk: (m.slot, m.table, m.published)
             for m in Meeting.objects.filter(request__event=event)}
    for pk, place in published.items():
        assert after[pk] == (*place, True)
    assert report.kept == len(published)
    assert validate(scheduling.build_instance(event), written(event)) == []
    assert Meeting.objects.filter(request__event=event, published=False).exists()


def test_a_published_meeting_whose_request_is_withdrawn_is_cancelled_not_deleted():
    event = make_event()
    ana, ben = join(event, "Ana"), join(event, "Ben")
    request = accepted(ana, ben)
    scheduling.schedule_event(event, None, time_limit=2)
    scheduling.publish_schedule(event, acting_user=None)
    services.withdraw(MeetingRequest.objects.get(pk=request.pk), by=ana)
    meeting = Meeting.objects.get(request=request)
    assert meeting.status == MeetingStatus.CANCELLED and meeting.published
    scheduling.schedule_event(event, None, time_limit=2)
    assert Meeting.objects.get(request=request).status == MeetingStatus.CANCELLED


def test_scheduling_needs_sessions_with_slots():
    event = make_event(starts=datetime.time(9, 0), ends=datetime.time(9, 20))
    with pytest.raises(B2BError, match="no slot"):
        scheduling.schedule_event(event, None)


# -- follow-up and agreements ------------------------------------------------------------------


def held_meeting(event: Event) -> Meeting:
    ana, ben = join(event, "Ana"), join(event, "Ben")
    accepted(ana, ben)
    scheduling.schedule_event(event, None, time_limit=2)
    scheduling.publish_schedule(event, acting_user=None)
    return scheduling.mark_meeting(Meeting.objects.get(request__event=event), MeetingStatus.HELD,
                                 acting_user=None)


def test_follow_ups_are_created_for_both_sides_of_held_meetings_only_once():
    event = make_event()
    meeting = held_meeting(event)
    cai, dee = join(event, "Cai"), join(event, "Dee")
    accepted(cai, dee)
    scheduling.schedule_event(event, None, time_limit=2)  # a meeting not held: no follow-up
    created = outcomes.create_follow_ups(event)
    assert len(created) == 4
    assert {(f.rater_id, f.months) for f in created} == {
        (meeting.request.requester_id, 3), (meeting.request.requester_id, 6),
        (meeting.request.recipient_id, 3), (meeting.request.recipient_id, 6)}
    day = meeting.starts_at.date()
    assert {f.due_on for f in created} == {outcomes.add_months(day, 3),
                                           outcomes.add_months(day, 6)}
    assert len({f.token for f in created}) == 4
    assert outcomes.create_follow_ups(event) == []


def test_months_are_added_without_overflowing_short_months():
    assert outcomes.add_months(datetime.date(2016, 8, 31), 6) == datetime.date(2017, 2, 28)
    assert outcomes.add_months(datetime.date(2016, 9, 26), 3) == datetime.date(2016, 12, 26)


def pairing(slug: str) -> Pairing:
    programme = create_record(Programme, {"slug": f"{slug}-programme", "name": "World Cities"},
                              acting_user=None) if not Programme.objects.exists() \
        else Programme.objects.first()
    return create_record(Pairing, {"slug": slug, "programme": programme, "label": slug},
                         acting_user=None)


def test_an_agreement_reported_in_a_follow_up_is_recorded_and_linked():
    event = make_event()
    served = pairing("west-midlands-tianjin")
    update_record(event, {}, acting_user=None, expected_version=None, many={"pairings": [served]})
    meeting = held_meeting(event)
    mine, theirs = [f for f in outcomes.create_follow_ups(event, months=(3,))]
    with pytest.raises(B2BError, match="Only a follow-up that reports"):
        outcomes.create_agreement_from_follow_up(mine, "MoU", None)
    mine = outcomes.answer_follow_up(mine.token, Rating.AGREEMENT, "Signed in spring")
    assert mine.answered_at is not None and mine.comment == "Signed in spring"
    agreement = outcomes.create_agreement_from_follow_up(mine, "MoU on district heating", None)
    assert agreement.status == AgreementStatus.UNDER_PREPARATION
    assert agreement.pairing == served and not agreement.is_public
    mine.refresh_from_db()
    assert mine.agreement == agreement
    assert agreement.follow_ups.get().meeting.request.event == event
    assert meeting.follow_ups.count() == 2
    # The other side reports the same agreement: linked to it, not recorded twice.
    theirs = outcomes.answer_follow_up(theirs.token, Rating.AGREEMENT)
    assert outcomes.create_agreement_from_follow_up(theirs, "Another title", None) == agreement
    with pytest.raises(B2BError, match="already recorded"):
        outcomes.create_agreement_from_follow_up(theirs, "Again", None)


def test_an_event_serving_several_pairings_asks_which_one():
    event = make_event()
    one, two = pairing("one"), pairing("two")
    update_record(event, {}, acting_user=None, expected_version=None,
                  many={"pairings": [one, two]})
    held_meeting(event)
    follow_up = outcomes.create_follow_ups(event, months=(3,))[0]
    follow_up = outcomes.answer_follow_up(follow_up.token, Rating.AGREEMENT)
    with pytest.raises(services.PairingNeeded) as asked:
        outcomes.create_agreement_from_follow_up(follow_up, "MoU", None)
    assert set(asked.value.choices) == {one, two}
    agreement = outcomes.create_agreement_from_follow_up(follow_up, "MoU", None, pairing=two)
    assert agreement.pairing == two


def test_a_bad_rating_or_token_is_refused():
    event = make_event()
    held_meeting(event)
    follow_up = outcomes.create_follow_ups(event, months=(3,))[0]
    with pytest.raises(B2BError):
        outcomes.answer_follow_up(follow_up.token, "excellent")
    with pytest.raises(FollowUp.DoesNotExist):
        outcomes.answer_follow_up("no-such-token", Rating.KNOWLEDGE)


def test_the_funnel_counts_each_step_from_request_to_agreement():
    event = make_event()
    held_meeting(event)
    ana = Participation.objects.get(event=event, person__name="Ana")
    cai, dee = join(event, "Cai"), join(event, "Dee")
    services.send_request(cai, dee)
    services.send_request(dee, ana)
    withdrawn = services.send_request(cai, ana)
    services.withdraw(withdrawn, by=cai)
    first, second = outcomes.create_follow_ups(event, months=(3,))
    outcomes.answer_follow_up(first.token, Rating.NEGOTIATION)
    outcomes.answer_follow_up(second.token, Rating.AGREEMENT)
    counts = {s.key: s.count for s in outcomes.funnel(Event.objects.filter(pk=event.pk))}
    assert counts == {"requested": 3, "accepted": 1, "scheduled": 1, "held": 1,
                      "answered": 1, "negotiation": 1, "agreement": 1}
    other = make_event("other-week")
    assert outcomes.funnel(Event.objects.filter(pk=other.pk))[0].count == 0
    assert outcomes.funnel(Event.objects.all())[0].count == 3
