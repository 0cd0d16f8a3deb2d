"""Participants are told when their agenda changes: the changes computed from two snapshots,
the emails sent on publishing (to those affected only), on publishing again after a new
schedule moved a meeting, and when a meeting is called off; nobody is told of a meeting
marked held or missed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from citycoop.events.registration import cancel
from citycoop.matchmaking import notify, scheduling, services
from citycoop.matchmaking.models import Meeting, MeetingStatus
from citycoop.matchmaking.notify import ADDED, CANCELLED, MOVED, Placement, agenda_changes

from .test_b2b_services import accepted, join, make_event

pytestmark = pytest.mark.django_db

NINE = datetime.datetime(2016, 9, 26, 9, 0, tzinfo=datetime.UTC)


def at(a: int, b: int, hour: int, table: int, slot: str = "") -> Placement:
    starts = NINE.replace(hour=hour)
    return Placement(a, b, slot or f"d1-{hour:02}:00", starts,
                     starts + datetime.timedelta(minutes=30), table)


# -- the pure diff -------------------------------------------------------------------------------


def test_nothing_changed_means_nobody_to_tell():
    snapshot = {1: at(10, 20, 9, 1), 2: at(30, 40, 10, 2)}
    assert agenda_changes(snapshot, dict(snapshot)) == {}
    assert agenda_changes({}, {}) == {}


def test_a_meeting_added_moved_or_cancelled_is_a_change_for_both_its_people():
    before = {1: at(10, 20, 9, 1), 2: at(10, 30, 10, 2), 3: at(40, 50, 11, 3)}
    after = {1: at(10, 20, 9, 1), 2: at(10, 30, 11, 1), 4: at(20, 50, 9, 2)}
    changes = agenda_changes(before, after)
    assert set(changes) == {10, 20, 30, 40, 50}
    assert [(c.kind, c.meeting_id, c.other) for c in changes[10]] == [(MOVED, 2, 30)]
    assert [(c.kind, c.other) for c in changes[30]] == [(MOVED, 10)]
    assert changes[30][0].before == before[2] and changes[30][0].after == after[2]
    assert [(c.kind, c.other) for c in changes[20]] == [(ADDED, 50)]
    assert [(c.kind, c.other) for c in changes[40]] == [(CANCELLED, 50)]
    # Each one's changes in time order: the new meeting at 9, the cancelled one at 11.
    assert [(c.kind, c.meeting_id) for c in changes[50]] == [(ADDED, 4), (CANCELLED, 3)]


def test_another_table_at_the_same_time_is_a_move_but_a_renamed_slot_is_not():
    assert agenda_changes({1: at(1, 2, 9, 1)}, {1: at(1, 2, 9, 4)})[1][0].kind == MOVED
    assert agenda_changes({1: at(1, 2, 9, 1, "d1-09:00")}, {1: at(1, 2, 9, 1, "d2-09:00")}) == {}


# -- the emails ----------------------------------------------------------------------------------


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def email_of(participation) -> str:
    return participation.person.email


def publish(event, capture):
    with capture(execute=True):
        return scheduling.publish_schedule(event, acting_user=None,
                                           site_url="https://coop.example.org")


@pytest.fixture
def people():
    event = make_event()
    ana, ben, cai, dee, eve = (join(event, name) for name in ("Ana", "Ben", "Cai", "Dee", "Eve"))
    return event, ana, ben, cai, dee, eve


def test_publishing_emails_only_those_with_a_meeting_with_their_changes_and_link(
        people, mailoutbox, django_capture_on_commit_callbacks):
    event, ana, ben, cai, dee, _eve = people
    accepted(ana, ben)
    accepted(cai, dee)
    scheduling.schedule_event(event, None, time_limit=2)
    assert mailoutbox == []  # drafts are nobody's news yet
    assert publish(event, django_capture_on_commit_callbacks) == 2
    assert recipients(mailoutbox) == sorted(email_of(p) for p in (ana, ben, cai, dee))
    to_ana = next(m for m in mailoutbox if m.to == [email_of(ana)])
    meeting = Meeting.objects.get(request__requester=ana)
    assert "British Week B2B" in to_ana.subject
    assert f"New: a meeting with Ben (Ben Ltd) on Mon 26 Sep, {meeting.starts_at:%H:%M}–" \
        in to_ana.body
    assert f"at table {meeting.table}." in to_ana.body
    assert "https://coop.example.org" + reverse("b2b:me", args=[ana.token]) in to_ana.body
    assert "Cai" not in to_ana.body


def test_publishing_again_with_nothing_new_emails_nobody(people, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    event, ana, ben, *_rest = people
    accepted(ana, ben)
    scheduling.schedule_event(event, None, time_limit=2)
    publish(event, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.schedule_event(event, None, time_limit=2)
    assert publish(event, django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_republishing_after_a_move_emails_the_two_people_of_the_moved_meeting_only(
        people, mailoutbox, django_capture_on_commit_callbacks):
    event, ana, ben, cai, dee, _eve = people
    accepted(ana, ben)
    accepted(cai, dee)
    scheduling.schedule_event(event, None, time_limit=2)
    publish(event, django_capture_on_commit_callbacks)
    moved = Meeting.objects.get(request__requester=ana)
    old = (moved.starts_at, moved.table)
    stays = Meeting.objects.get(request__requester=cai)
    # Ana can no longer come at that time: the meeting must move.
    services.save_profile(ana, {"unavailable": [moved.slot]})
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.schedule_event(event, None, time_limit=2)
    assert mailoutbox == []  # a move is told when it is published
    moved.refresh_from_db()
    assert not moved.published and moved.starts_at != old[0]
    publish(event, django_capture_on_commit_callbacks)
    assert recipients(mailoutbox) == sorted([email_of(ana), email_of(ben)])
    body = mailoutbox[0].body
    assert "Moved: your meeting with" in body
    assert f"at table {moved.table} (was Mon 26 Sep, {old[0]:%H:%M}–" in body
    assert f"at table {old[1]})" in body
    assert Meeting.objects.get(pk=stays.pk).announced is not None


def test_a_withdrawn_request_tells_the_other_side_of_the_cancelled_meeting(
        people, mailoutbox, django_capture_on_commit_callbacks):
    event, ana, ben, *_rest = people
    request = accepted(ana, ben)
    scheduling.schedule_event(event, None, time_limit=2)
    publish(event, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(request, by=ana, site_url="https://coop.example.org")
    assert recipients(mailoutbox) == [email_of(ben)]  # Ana withdrew: she knows
    assert "Cancelled: the meeting with Ana (Ana Ltd)" in mailoutbox[0].body
    assert Meeting.objects.get(request=request).announced is None
    mailoutbox.clear()
    publish(event, django_capture_on_commit_callbacks)
    assert mailoutbox == []  # told once


def test_a_meeting_called_off_by_a_new_schedule_is_told_at_once(
        people, mailoutbox, django_capture_on_commit_callbacks):
    event, ana, ben, *_rest = people
    accepted(ana, ben)
    scheduling.schedule_event(event, None, time_limit=2)
    publish(event, django_capture_on_commit_callbacks)
    cancel(ben)  # Ben cancelled his registration: the meeting cannot be held
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.schedule_event(event, None, time_limit=2, site_url="https://x.example")
    assert email_of(ana) in recipients(mailoutbox)
    assert "Cancelled: the meeting with Ben" in next(
        m for m in mailoutbox if m.to == [email_of(ana)]).body


def test_a_moved_meeting_called_off_before_it_is_published_again_is_cancelled_where_known(
        people, mailoutbox, django_capture_on_commit_callbacks):
    event, ana, ben, *_rest = people
    request = accepted(ana, ben)
    scheduling.schedule_event(event, None, time_limit=2)
    publish(event, django_capture_on_commit_callbacks)
    known = Meeting.objects.get(request=request)
    services.save_profile(ana, {"unavailable": [known.slot]})
    scheduling.schedule_event(event, None, time_limit=2)  # moved: a draft again
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(request, by=ana)
    meeting = Meeting.objects.get(request=request)  # kept, not deleted
    assert meeting.status == MeetingStatus.CANCELLED and meeting.published
    assert (meeting.starts_at, meeting.table) == (known.starts_at, known.table)
    assert recipients(mailoutbox) == [email_of(ben)]


def test_marking_a_meeting_held_or_missed_tells_nobody(people, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    event, ana, ben, *_rest = people
    accepted(ana, ben)
    scheduling.schedule_event(event, None, time_limit=2)
    publish(event, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    meeting = Meeting.objects.get(request__event=event)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.mark_meeting(meeting, MeetingStatus.NO_SHOW, acting_user=None)
    assert publish(event, django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_the_publish_button_emails_with_the_pages_address(client, people, manager, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    event, ana, ben, *_rest = people
    accepted(ana, ben)
    scheduling.schedule_event(event, None, time_limit=2)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("b2b:publish", args=[event.slug]))
    assert len(mailoutbox) == 2
    assert "http://testserver" + reverse("b2b:me", args=[ben.token]) in next(
        m.body for m in mailoutbox if m.to == [email_of(ben)])


def test_the_site_address_setting_wins_over_the_pages(settings, rf):
    settings.CITYCOOP_SITE_URL = "https://coop.example.org"
    assert notify.site_of(rf.get("/")) == "https://coop.example.org"
    settings.CITYCOOP_SITE_URL = ""
    assert notify.site_of(rf.get("/")) == "http://testserver"
