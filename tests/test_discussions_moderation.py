"""Reporting a post and moderating it: the programme's managers hide it with a reason that is
kept, or keep it; no one else can."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citycoop.accounts.models import AuditEntry
from citycoop.discussions.models import Notification, NotificationKind, PostReport
from citycoop.discussions.services import hide_post, post_reply, report_post, start_thread
from citycoop.portfolio.models import Pairing

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

REASON = "Personal phone numbers posted without consent"


@pytest.fixture
def thread(demo, coordinator):
    pilot = Pairing.objects.get(slug="lyon-guangzhou").pilots.get(number=1)
    return start_thread(pilot, "Contacts", "Who do we call?", acting_user=coordinator)


@pytest.fixture
def bad_post(thread, other_coordinator):
    return post_reply(thread, "Call Li on +86 555 0100 at home.", acting_user=other_coordinator)


def test_a_reported_post_hidden_by_a_moderator_shows_as_hidden_and_keeps_the_reason(
        client, thread, bad_post, member, manager):
    client.force_login(member)
    answer = client.post(f"/discussions/posts/{bad_post.pk}/report/",
                         {"reason": "It gives a private number."})
    assert answer.status_code == 302
    report = PostReport.objects.get(post=bad_post)
    assert report.reporter == member and report.resolved_at is None
    assert Notification.objects.filter(user=manager, kind=NotificationKind.REPORT).exists()

    client.force_login(manager)
    queue = client.get("/discussions/moderation/").content.decode()
    assert "It gives a private number." in queue and "+86 555 0100" in queue
    answer = client.post(f"/discussions/posts/{bad_post.pk}/hide/",
                         {"reason": REASON, "next": "/discussions/moderation/"})
    assert answer.status_code == 302 and answer["Location"] == "/discussions/moderation/"

    bad_post.refresh_from_db()
    report.refresh_from_db()
    assert bad_post.is_hidden and bad_post.hidden_by == manager
    assert bad_post.hidden_reason == REASON
    assert report.outcome == "hidden" and report.resolved_by == manager
    assert AuditEntry.objects.filter(actor=manager, content_type__model="post",
                                     action="update").exists()

    moderator_view = client.get(f"/discussions/{thread.pk}/").content.decode()
    assert f"Hidden by a moderator: {REASON}" in moderator_view
    client.force_login(member)
    reader_view = client.get(f"/discussions/{thread.pk}/").content.decode()
    assert "Hidden by a moderator" in reader_view
    assert REASON not in reader_view and "+86 555 0100" not in reader_view
    client.logout()
    assert "+86 555 0100" not in client.get(f"/discussions/{thread.pk}/").content.decode()
    assert "It gives a private number." not in client.get(
        "/discussions/moderation/").content.decode()


def test_a_non_moderator_cannot_hide_a_post_or_open_the_queue(client, bad_post, coordinator,
                                                              member):
    report = report_post(bad_post, "Private number", acting_user=member)
    client.force_login(coordinator)
    assert client.post(f"/discussions/posts/{bad_post.pk}/hide/",
                       {"reason": "no"}).status_code == 403
    assert client.get("/discussions/moderation/").status_code == 403
    assert client.post(f"/discussions/moderation/reports/{report.pk}/keep/").status_code == 403
    with pytest.raises(PermissionDenied):
        hide_post(bad_post, "no", acting_user=coordinator)
    bad_post.refresh_from_db()
    report.refresh_from_db()
    assert not bad_post.is_hidden and report.resolved_at is None


def test_hiding_a_post_needs_a_reason(client, bad_post, manager):
    client.force_login(manager)
    answer = client.post(f"/discussions/posts/{bad_post.pk}/hide/", {"reason": "  "})
    assert answer.status_code == 400
    with pytest.raises(ValidationError):
        hide_post(bad_post, "", acting_user=manager)
    bad_post.refresh_from_db()
    assert not bad_post.is_hidden


def test_a_moderator_keeps_a_reported_post_and_the_report_says_so(client, thread, bad_post,
                                                                  member, manager):
    report = report_post(bad_post, "I disagree with it", acting_user=member)
    client.force_login(manager)
    answer = client.post(f"/discussions/moderation/reports/{report.pk}/keep/")
    assert answer.status_code == 302
    report.refresh_from_db()
    bad_post.refresh_from_db()
    assert report.outcome == "kept" and report.resolved_by == manager
    assert not bad_post.is_hidden
    assert "+86 555 0100" in client.get(f"/discussions/{thread.pk}/").content.decode()


def test_anonymous_readers_cannot_report(client, bad_post):
    answer = client.post(f"/discussions/posts/{bad_post.pk}/report/", {"reason": "spam"})
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    assert not PostReport.objects.exists()
