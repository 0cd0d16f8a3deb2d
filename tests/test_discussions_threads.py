"""Threads on pilots, pairings and practices: who may read and post, attachments, and a
thread page that costs the same whatever its length."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from citycoop.accounts.models import AuditEntry
from citycoop.discussions.mentions import highlight_mentions, mentioned_usernames
from citycoop.discussions.models import Post, PostAttachment, Thread
from citycoop.discussions.services import post_reply, start_thread
from citycoop.portfolio.models import Pairing, PilotProject

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

PILOT_PAGE = "/pairings/lyon-guangzhou/pilots/{}/"


@pytest.fixture
def pilot(demo):
    return Pairing.objects.get(slug="lyon-guangzhou").pilots.get(number=1)


@pytest.fixture
def thread(pilot, coordinator):
    return start_thread(pilot, "Meeting the Guangzhou cluster", "Who comes to Lyon in May?",
                        acting_user=coordinator)


def make_internal(pilot):
    PilotProject.objects.filter(pk=pilot.pk).update(is_public=False)


def test_a_signed_in_reader_starts_a_thread_from_the_pilot_page(client, pilot, member):
    client.force_login(member)
    page = client.get(PILOT_PAGE.format(pilot.slug)).content.decode()
    new_url = f"/discussions/new/pilot/lyon-guangzhou/{pilot.slug}/"
    assert "Start a discussion" in page and new_url in page
    answer = client.post(new_url, {"title": "Study visit dates", "body": "June suits us."})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    thread = Thread.objects.get(pilot=pilot)
    assert answer["Location"] == f"/discussions/{thread.pk}/"
    assert thread.post_count == 1 and thread.last_post_at is not None
    assert AuditEntry.objects.filter(actor=member, content_type__model="post",
                                     action="create").exists()
    shown = client.get(answer["Location"]).content.decode()
    assert "Study visit dates" in shown and "June suits us." in shown
    assert "Study visit dates" in client.get(PILOT_PAGE.format(pilot.slug)).content.decode()


def test_a_reply_counts_on_the_thread_and_shows_after_the_first_post(client, thread, member):
    client.force_login(member)
    answer = client.post(f"/discussions/{thread.pk}/", {"body": "We can host them."})
    assert answer.status_code == 302
    thread.refresh_from_db()
    assert thread.post_count == 2
    page = client.get(f"/discussions/{thread.pk}/").content.decode()
    assert page.index("Who comes to Lyon in May?") < page.index("We can host them.")


def test_anonymous_readers_see_a_public_thread_but_cannot_post(client, thread, pilot):
    assert client.get(f"/discussions/{thread.pk}/").status_code == 200
    answer = client.post(f"/discussions/{thread.pk}/", {"body": "Hello"})
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    new = client.get(f"/discussions/new/pilot/lyon-guangzhou/{pilot.slug}/")
    assert new.status_code == 302 and "/login/" in new["Location"]
    assert Post.objects.filter(thread=thread).count() == 1


def test_someone_who_cannot_see_an_internal_pilot_gets_404_on_its_thread(
        client, thread, pilot, coordinator, member, other_coordinator, outsider):
    make_internal(pilot)
    for persona in (other_coordinator, outsider):
        client.force_login(persona)
        assert client.get(f"/discussions/{thread.pk}/").status_code == 404
        assert client.post(f"/discussions/{thread.pk}/", {"body": "x"}).status_code == 404
        assert client.get(f"/discussions/new/pilot/lyon-guangzhou/{pilot.slug}/") \
            .status_code == 404
    client.logout()
    assert client.get(f"/discussions/{thread.pk}/").status_code == 404
    client.force_login(member)
    assert client.get(f"/discussions/{thread.pk}/").status_code == 200
    assert Post.objects.filter(thread=thread).count() == 1


def test_a_thread_on_an_internal_pairing_is_internal_too(demo, coordinator, outsider, client):
    pairing = Pairing.objects.get(slug="lyon-guangzhou")
    thread = start_thread(pairing, "Budget", "The 2016 budget.", acting_user=coordinator)
    Pairing.objects.filter(pk=pairing.pk).update(is_public=False)
    client.force_login(outsider)
    assert client.get(f"/discussions/{thread.pk}/").status_code == 404


@override_settings(CITYCOOP_UPLOAD_MAX_BYTES=100)
def test_an_attachment_too_big_is_refused_and_nothing_is_written(client, thread, member):
    client.force_login(member)
    big = SimpleUploadedFile("plan.pdf", b"x" * 101, content_type="application/pdf")
    answer = client.post(f"/discussions/{thread.pk}/", {"body": "The plan", "attachments": big})
    assert answer.status_code == 400
    assert "files of up to 100" in answer.content.decode()
    thread.refresh_from_db()
    assert thread.post_count == 1
    assert Post.objects.filter(thread=thread).count() == 1 and not PostAttachment.objects.exists()
    # The service refuses it too, whoever calls it, before anything is written.
    big.seek(0)
    with pytest.raises(ValidationError):
        post_reply(thread, "The plan", acting_user=member, attachments=[big])
    assert Post.objects.filter(thread=thread).count() == 1 and not PostAttachment.objects.exists()


def test_an_attachment_is_listed_and_served_only_to_readers(client, thread, pilot, member,
                                                            outsider):
    client.force_login(member)
    upload = SimpleUploadedFile("agenda.txt", b"Day 1: clusters", content_type="text/plain")
    assert client.post(f"/discussions/{thread.pk}/",
                       {"body": "The agenda", "attachments": upload}).status_code == 302
    attachment = PostAttachment.objects.get()
    assert "agenda.txt" in client.get(f"/discussions/{thread.pk}/").content.decode()
    download = client.get(f"/discussions/files/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == \
        b"Day 1: clusters"
    make_internal(pilot)
    client.force_login(outsider)
    assert client.get(f"/discussions/files/{attachment.pk}/").status_code == 404


def add_posts(thread, author, count):
    Post.objects.bulk_create(Post(thread=thread, author=author, body=f"Post number {n}")
                             for n in range(count))
    Thread.objects.filter(pk=thread.pk).update(post_count=count + 1)


@pytest.mark.parametrize("count", [10, 200])
def test_the_thread_page_costs_a_bounded_number_of_queries(
        client, thread, member, manager, count, django_assert_max_num_queries):
    add_posts(thread, member, count)
    upload = SimpleUploadedFile("notes.txt", b"notes")
    post_reply(thread, "With a file", acting_user=member, attachments=[upload])
    for persona in (None, member, manager):
        if persona is None:
            client.logout()
        else:
            client.force_login(persona)
        for page in ("1", "last"):
            with django_assert_max_num_queries(10):
                answer = client.get(f"/discussions/{thread.pk}/?page={page}")
            assert answer.status_code == 200
    last = client.get(f"/discussions/{thread.pk}/?page=last").content.decode()
    assert "With a file" in last and "notes.txt" in last


def test_posts_come_50_a_page_in_order(client, thread, member):
    add_posts(thread, member, 60)
    first = client.get(f"/discussions/{thread.pk}/").content.decode()
    assert "Post number 48" in first and "Post number 49" not in first
    second = client.get(f"/discussions/{thread.pk}/?page=2").content.decode()
    assert "Post number 49" in second and "Post number 59" in second
    # The second half of a thread is read from its end: still shown oldest first.
    assert second.index("Post number 49") < second.index("Post number 53") < second.index(
        "Post number 59")
    assert "Page 2 of 2" in second


def test_threads_for_lists_a_subjects_threads_in_two_queries_at_most(thread, pilot, member):
    request = RequestFactory().get("/")
    request.user = member
    pilot = PilotProject.objects.select_related("pairing").get(pk=pilot.pk)
    template = Template("{% load discussions %}{% threads_for pilot %}")
    with CaptureQueriesContext(connection) as queries:
        shown = template.render(Context({"pilot": pilot, "request": request, "user": member}))
    assert len(queries) <= 2
    assert "Meeting the Guangzhou cluster" in shown and "Start a discussion" in shown


def test_mentions_are_usernames_after_an_at_sign_not_email_addresses():
    text = "Thanks @ana.lopez, and @bob! Write to carla@example.org. @ana.lopez again"
    assert mentioned_usernames(text) == ["ana.lopez", "bob"]
    assert '<strong class="mention">@bob</strong>' in highlight_mentions("<b>@bob</b>")
    assert "&lt;b&gt;" in highlight_mentions("<b>@bob</b>")
