"""The organiser's table plan: per slot, in the event's local time, each table with its two
participants and their organisations; published meetings only; a PDF in which Chinese names
are written; for organisers only."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from citycoop.common.services import create_record, update_record
from citycoop.events.registration import Registrant, register
from citycoop.matchmaking import scheduling, services
from citycoop.matchmaking.models import Meeting
from citycoop.registry.models import Place

from .test_b2b_services import accepted, join, make_event

pytestmark = pytest.mark.django_db

PLAN_PAGES = ["b2b:table-plan", "b2b:table-plan-pdf"]


@pytest.fixture
def event():
    event = make_event()
    tianjin = create_record(Place, {"slug": "tianjin-plan", "name": "Tianjin", "kind": "city",
                                    "country": "CN"}, acting_user=None)
    return update_record(event, {"place": tianjin}, acting_user=None, expected_version=None)


@pytest.fixture
def published(event):
    ana, ben = join(event, "Ana Ruiz"), join(event, "Ben Li")
    wang = register(event, Registrant(name="王伟", email="wang@example.org"))
    services.save_profile(wang, {"organisation_name": "天津港集团", "published": True})
    accepted(ana, ben)
    accepted(wang, ana)
    scheduling.schedule_event(event, None, time_limit=2)
    scheduling.publish_schedule(event, acting_user=None)
    return ana, ben, wang


@pytest.mark.parametrize("name", PLAN_PAGES)
def test_the_plan_sends_the_anonymous_to_sign_in(client, event, name):
    response = client.get(reverse(name, args=[event.slug]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", PLAN_PAGES)
def test_the_plan_is_refused_to_an_outsider(client, event, outsider, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[event.slug])).status_code == 403


def test_the_plan_is_a_pdf_with_the_chinese_names_written(client, event, published, manager):
    client.force_login(manager)
    response = client.get(reverse("b2b:table-plan-pdf", args=[event.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "王伟" in text and "天津港集团" in text and "Ben Li Ltd" in text


def test_the_plan_lists_each_slot_in_local_time_with_its_tables(client, event, published,
                                                                manager):
    client.force_login(manager)
    page = client.get(reverse("b2b:table-plan", args=[event.slug])).content.decode()
    zone = ZoneInfo("Asia/Shanghai")
    for meeting in Meeting.objects.filter(request__event=event):
        local = meeting.starts_at.astimezone(zone)
        assert f'<span class="time">{local:%H:%M}–' in page
        assert f"<b>{meeting.table}</b>" in page
    assert "Ana Ruiz Ltd" in page and "王伟" in page
    assert "Asia/Shanghai" in page and "http" not in page.split("</head>")[0]


def test_drafts_are_left_off_the_plan_and_counted(client, event, published, manager):
    ana, _ben, _wang = published
    accepted(join(event, "Cai Late"), ana)
    scheduling.schedule_event(event, None, time_limit=2)
    client.force_login(manager)
    page = client.get(reverse("b2b:table-plan", args=[event.slug])).content.decode()
    assert "Cai Late" not in page
    assert "1 scheduled meeting is not published yet" in page


def test_the_plan_costs_the_same_queries_for_many_meetings(client, event, manager,
                                                           django_assert_max_num_queries):
    people = [join(event, f"P{i}") for i in range(12)]
    for a, b in zip(people[::2], people[1::2], strict=True):
        accepted(a, b)
    scheduling.schedule_event(event, None, time_limit=2)
    scheduling.publish_schedule(event, acting_user=None)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("b2b:table-plan", args=[event.slug])).status_code == 200


def test_the_overview_links_the_plan(client, event, manager):
    client.force_login(manager)
    page = client.get(reverse("b2b:overview", args=[event.slug])).content.decode()
    assert reverse("b2b:table-plan-pdf", args=[event.slug]) in page


def test_an_event_without_published_meetings_has_an_empty_plan(client, event, manager):
    client.force_login(manager)
    page = client.get(reverse("b2b:table-plan", args=[event.slug])).content.decode()
    assert "No meeting is published yet" in page
