"""Following practices, themes and cities, and the notifications that replies, mentions and
new threads send: to those who may read them, never to the one who wrote."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from citycoop.common.services import create_record
from citycoop.discussions.models import Follow, Notification, NotificationKind
from citycoop.discussions.services import follow, post_reply, start_thread, unfollow
from citycoop.portfolio.models import Pairing, PilotProject
from citycoop.practices.models import Practice, PracticeStatus, PracticeText
from citycoop.registry.models import Place, Theme

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]


@pytest.fixture
def pilot(demo):
    return Pairing.objects.get(slug="lyon-guangzhou").pilots.get(number=1)


@pytest.fixture
def practice(demo):
    """A published practice of Lyon on smart cities."""
    practice = create_record(Practice, {
        "slug": "neighbourhood-composting", "title": "Neighbourhood composting",
        "place": Place.objects.get(slug="lyon"), "status": PracticeStatus.PUBLISHED,
        "published_at": timezone.now()}, acting_user=None,
        many={"themes": [Theme.objects.get(slug="smart-city")]})
    create_record(PracticeText, {"practice": practice, "language": "en",
                                 "title": "Neighbourhood composting",
                                 "summary": "Compost bins in every block."}, acting_user=None)
    return practice


def inbox(user, kind=None):
    found = Notification.objects.filter(user=user)
    return found.filter(kind=kind) if kind else found


def test_a_reply_notifies_the_other_participants_not_its_author(
        pilot, coordinator, member, manager, outsider):
    thread = start_thread(pilot, "Study visit", "When?", acting_user=coordinator)
    post_reply(thread, "In June.", acting_user=member)
    post_reply(thread, "June it is.", acting_user=manager)
    # The starter and the first replier hear of the manager's reply; the manager does not.
    assert inbox(coordinator, NotificationKind.REPLY).count() == 2
    assert inbox(member, NotificationKind.REPLY).count() == 1
    assert not inbox(manager).exists() and not inbox(outsider).exists()
    latest = inbox(member).get()
    assert latest.actor == manager and latest.subject == "Study visit"
    assert latest.url.startswith(f"/discussions/{thread.pk}/?page=1#post-")


def test_a_mention_notifies_a_user_who_can_read_the_thread_and_not_one_who_cannot(
        pilot, coordinator, member, other_coordinator):
    PilotProject.objects.filter(pk=pilot.pk).update(is_public=False)
    pilot.refresh_from_db()
    thread = start_thread(pilot, "Internal budget", "A question.", acting_user=coordinator)
    post_reply(thread, "@member and @other-coordinator, please look.", acting_user=coordinator)
    assert inbox(member, NotificationKind.MENTION).count() == 1
    assert not inbox(other_coordinator).exists()


def test_a_mentioned_participant_gets_a_mention_not_also_a_reply(pilot, coordinator, member):
    thread = start_thread(pilot, "Dates", "When?", acting_user=coordinator)
    post_reply(thread, "Over to you, @coordinator.", acting_user=member)
    assert list(inbox(coordinator).values_list("kind", flat=True)) == [NotificationKind.MENTION]


def test_following_a_theme_then_a_thread_on_a_practice_of_that_theme_notifies(
        client, practice, coordinator, other_coordinator, outsider):
    client.force_login(other_coordinator)
    answer = client.post("/discussions/follow/theme/smart-city/", {"next": "/themes/smart-city/"})
    assert answer.status_code == 302 and answer["Location"] == "/themes/smart-city/"
    assert Follow.objects.filter(user=other_coordinator, theme__slug="smart-city").exists()
    start_thread(practice, "Which bins?", "What bins did you use?", acting_user=outsider)
    [notification] = inbox(other_coordinator)
    assert notification.kind == NotificationKind.NEW_THREAD
    assert notification.subject == "Which bins?" and notification.actor == outsider
    assert not inbox(coordinator).exists()


def test_following_a_city_or_the_practice_itself_notifies_too(practice, member, manager,
                                                            outsider):
    follow(member, place=Place.objects.get(slug="lyon"))
    follow(manager, practice=practice)
    start_thread(practice, "Costs", "What did it cost?", acting_user=outsider)
    assert inbox(member, NotificationKind.NEW_THREAD).count() == 1
    assert inbox(manager, NotificationKind.NEW_THREAD).count() == 1


def test_following_twice_changes_nothing_and_unfollowing_stops_the_notifications(
        practice, member, outsider):
    theme = Theme.objects.get(slug="smart-city")
    assert follow(member, theme=theme) == follow(member, theme=theme)
    assert Follow.objects.filter(user=member).count() == 1
    assert unfollow(member, theme=theme) and not unfollow(member, theme=theme)
    start_thread(practice, "Costs", "What did it cost?", acting_user=outsider)
    assert not inbox(member).exists()


def test_followers_who_cannot_read_an_internal_pilot_are_not_told_of_its_threads(
        pilot, coordinator, member, outsider):
    theme = pilot.themes.first()
    follow(outsider, theme=theme)
    follow(member, theme=theme)
    PilotProject.objects.filter(pk=pilot.pk).update(is_public=False)
    pilot.refresh_from_db()
    start_thread(pilot, "Internal matter", "Only for us.", acting_user=coordinator)
    assert inbox(member, NotificationKind.NEW_THREAD).count() == 1
    assert not inbox(outsider).exists()


def test_anonymous_readers_cannot_follow_and_see_no_follow_button(client, demo):
    answer = client.post("/discussions/follow/theme/smart-city/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    assert not Follow.objects.exists()
    request = RequestFactory().get("/themes/smart-city/")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    shown = Template("{% load discussions %}{% follow_button theme %}").render(
        Context({"theme": Theme.objects.get(slug="smart-city"), "request": request}))
    assert shown.strip() == ""


def test_the_follow_button_follows_and_unfollows_and_the_following_page_lists_it(
        client, demo, member):
    theme = Theme.objects.get(slug="smart-city")
    request = RequestFactory().get("/themes/smart-city/")
    template = Template("{% load discussions %}{% follow_button theme %}")
    shown = template.render(Context({"theme": theme, "request": request, "user": member}))
    assert "/discussions/follow/theme/smart-city/" in shown
    follow(member, theme=theme)
    shown = template.render(Context({"theme": theme, "request": request, "user": member}))
    assert "/discussions/unfollow/theme/smart-city/" in shown
    client.force_login(member)
    assert theme.name in client.get("/discussions/following/").content.decode()
    client.post("/discussions/unfollow/theme/smart-city/")
    assert not Follow.objects.filter(user=member).exists()


def test_the_inbox_words_each_notification_and_opening_one_marks_it_read(
        client, pilot, coordinator, member):
    thread = start_thread(pilot, "Study visit", "When?", acting_user=coordinator)
    post_reply(thread, "In June.", acting_user=member)
    client.force_login(coordinator)
    page = client.get("/discussions/notifications/").content.decode()
    assert "member replied in “Study visit”" in page and "<strong>" in page
    notification = inbox(coordinator).get()
    opened = client.get(f"/discussions/notifications/{notification.pk}/")
    assert opened.status_code == 302 and opened["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None
    post_reply(thread, "Or July.", acting_user=member)
    assert client.post("/discussions/notifications/read/").status_code == 302
    assert not inbox(coordinator).filter(read_at__isnull=True).exists()


def test_no_one_opens_another_users_notification(client, pilot, coordinator, member):
    thread = start_thread(pilot, "Study visit", "When?", acting_user=coordinator)
    post_reply(thread, "In June.", acting_user=member)
    client.force_login(member)
    notification = inbox(coordinator).get()
    assert client.get(f"/discussions/notifications/{notification.pk}/").status_code == 404
