"""`citycoop followups`: the follow-up questions due are emailed once each, with their link;
those not yet due and those answered are not; --dry-run sends and writes nothing; --event
keeps to one event; a missing site address or an unknown event is refused."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from citycoop.common.services import update_record
from citycoop.matchmaking import outcomes
from citycoop.matchmaking.models import FollowUp, Rating

from .test_b2b_services import held_meeting, make_event

pytestmark = pytest.mark.django_db

SITE = "https://coop.example.org"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("followups", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def follow_ups(settings):
    """Four follow-ups of one meeting held in 2016: three due, one postponed to the future."""
    settings.CITYCOOP_SITE_URL = SITE
    event = make_event()
    held_meeting(event)
    created = outcomes.create_follow_ups(event)
    later = created[-1]
    update_record(later, {"due_on": timezone.localdate() + datetime.timedelta(days=3)},
                  acting_user=None, expected_version=None)
    return event, created


def test_the_due_follow_ups_are_emailed_once_with_their_link(follow_ups, mailoutbox):
    _event, created = follow_ups
    answered = outcomes.answer_follow_up(created[0].token, Rating.KNOWLEDGE)
    out = run()
    assert out.startswith("2 follow-up questions sent.") and "  b2b-week: 2" in out
    due = FollowUp.objects.filter(sent_at__isnull=False)
    assert set(due.values_list("pk", flat=True)) == {created[1].pk, created[2].pk}
    assert FollowUp.objects.get(pk=answered.pk).sent_at is None  # answered: not asked
    assert FollowUp.objects.get(pk=created[3].pk).sent_at is None  # not due yet
    assert len(mailoutbox) == 2
    by_link = {m.body.split(SITE, 1)[1].split()[0]: m for m in mailoutbox}
    for follow_up in FollowUp.objects.filter(pk__in=[created[1].pk, created[2].pk]):
        message = by_link[reverse("b2b:follow-up", args=[follow_up.token])]
        assert message.to == [follow_up.rater.person.email]
        assert "months ago, on 26 September 2016, you met" in message.body
    assert run().startswith("0 follow-up questions sent.")  # once only
    assert len(mailoutbox) == 2


def test_a_dry_run_lists_what_is_due_and_writes_and_sends_nothing(follow_ups, mailoutbox,
                                                                 settings):
    settings.CITYCOOP_SITE_URL = ""  # a dry run needs no address
    out = run("--dry-run")
    assert "Dry run: 3 follow-up questions due" in out and "  b2b-week: 3" in out
    assert mailoutbox == []
    assert not FollowUp.objects.filter(sent_at__isnull=False).exists()


def test_it_keeps_to_the_event_asked_for(follow_ups, mailoutbox):
    other = make_event("other-week")
    held_meeting(other)
    outcomes.create_follow_ups(other, months=(3,))
    out = run("--event", "other-week", "--site-url", "https://other.example.org")
    assert out.startswith("2 follow-up questions sent.") and "b2b-week" not in out
    assert all("https://other.example.org/b2b/follow-up/" in m.body for m in mailoutbox)
    assert not FollowUp.objects.filter(meeting__request__event__slug="b2b-week",
                                       sent_at__isnull=False).exists()


def test_a_rater_without_an_email_address_is_tried_again_next_time(follow_ups, mailoutbox):
    _event, created = follow_ups
    person = created[0].rater.person
    update_record(person, {"email": ""}, acting_user=None, expected_version=None)
    err = io.StringIO()
    call_command("followups", stdout=io.StringIO(), stderr=err)
    assert "not sent; the next run tries again" in err.getvalue()
    assert FollowUp.objects.get(pk=created[0].pk).sent_at is None


def test_it_refuses_to_send_without_the_sites_address(follow_ups, settings, mailoutbox):
    settings.CITYCOOP_SITE_URL = ""
    with pytest.raises(CommandError, match="CITYCOOP_SITE_URL"):
        run()
    assert mailoutbox == []


def test_it_refuses_an_unknown_event(follow_ups):
    with pytest.raises(CommandError, match="No event has the key"):
        run("--event", "nope")


def test_the_organisers_follow_up_list_shows_what_was_sent_and_answered(client, follow_ups,
                                                                      manager):
    event, created = follow_ups
    outcomes.answer_follow_up(created[1].token, Rating.NEGOTIATION)
    run()
    client.force_login(manager)
    page = client.get(reverse("b2b:funnel", args=[event.slug])).content.decode()
    rows = page.split('<table class="data follow-ups">')[1].split("</table>")[0].split("<tr>")
    sent = [r for r in rows if 'status-signed">sent' in r]
    assert len(sent) == 2 and sum("not yet" in r for r in rows) == 2
    assert sum('status-signed">answered' in r for r in rows) == 1
