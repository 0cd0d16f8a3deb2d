"""The daily digest: one email per user of the notifications they have not read, each sent
once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from citycoop.accounts.models import User
from citycoop.discussions.digest import send_digests
from citycoop.discussions.models import Notification
from citycoop.discussions.services import mark_read, post_reply, start_thread
from citycoop.portfolio.models import Pairing

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]


@pytest.fixture
def people(demo, coordinator, member, other_coordinator):
    User.objects.filter(pk=coordinator.pk).update(email="coordinator@example.org")
    User.objects.filter(pk=member.pk).update(email="member@example.org")
    for user in (coordinator, member):
        user.refresh_from_db()
    return coordinator, member, other_coordinator


@pytest.fixture
def thread(people):
    coordinator, member, _ = people
    pilot = Pairing.objects.get(slug="lyon-guangzhou").pilots.get(number=1)
    thread = start_thread(pilot, "Study visit", "When?", acting_user=coordinator)
    post_reply(thread, "In June.", acting_user=member)
    post_reply(thread, "@coordinator, or July?", acting_user=member)
    post_reply(thread, "June.", acting_user=coordinator)
    return thread


def test_the_digest_sends_one_email_per_user_and_a_second_run_sends_nothing(
        thread, mailoutbox):
    assert send_digests() == 2
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_address) == {"coordinator@example.org", "member@example.org"}
    to_coordinator = by_address["coordinator@example.org"].body
    assert "member replied in “Study visit”" in to_coordinator
    assert "member mentioned you in “Study visit”" in to_coordinator
    # Grouped by kind: replies before mentions, as the kinds are listed.
    assert to_coordinator.index("replied in") < to_coordinator.index("mentioned you")
    assert f"/discussions/{thread.pk}/?page=1#post-" in to_coordinator
    assert "coordinator replied in “Study visit”" in by_address["member@example.org"].body
    assert by_address["coordinator@example.org"].subject == "citycoop: 2 new notifications"
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert send_digests() == 0 and len(mailoutbox) == 2


def test_read_notifications_and_users_without_an_address_get_no_email(thread, people,
                                                                      mailoutbox):
    coordinator, member, other = people
    post_reply(thread, "Welcome, @other-coordinator.", acting_user=coordinator)
    mark_read(member)
    assert send_digests() == 1
    [mail] = mailoutbox
    assert mail.to == ["coordinator@example.org"]
    # The other coordinator has no email address: the mention waits in the app.
    assert Notification.objects.filter(user=other, emailed_at__isnull=True).count() == 1


@override_settings(CITYCOOP_SITE_URL="https://citycoop.example.org")
def test_links_in_the_digest_use_the_site_address_when_it_is_set(thread, mailoutbox):
    send_digests()
    assert "https://citycoop.example.org/discussions/" in mailoutbox[0].body


def test_the_command_says_how_many_emails_went(thread, mailoutbox):
    out = io.StringIO()
    call_command("digest", stdout=out)
    assert "sent 2 digest email(s)" in out.getvalue() and len(mailoutbox) == 2
    out = io.StringIO()
    call_command("digest", stdout=out)
    assert "sent 0 digest email(s)" in out.getvalue()
