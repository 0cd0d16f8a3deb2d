"""The list of events at /events/, and the error pages: the site's own 404 for people, JSON
for API clients."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.template.loader import render_to_string

from citycoop.events.models import Event
from citycoop.lib.fuzzydate import parse

pytestmark = pytest.mark.django_db


def titles_in_order(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<td><a href="/events/[^"]+/">([^<]+)</a>',
                                                 page)]


def test_the_events_list_puts_coming_events_first_then_past_then_undated(demo, client):
    today = datetime.date.today()
    for slug, title, kind, years in (("later", "Later fair", "fair_or_week", 2),
                                     ("soon", "Soon mission", "delegation_mission", 1)):
        event = Event(slug=slug, title=title, kind=kind)
        event.when = parse(str(today.replace(year=today.year + years)))
        event.save()
    page = client.get("/events/").content.decode()
    order = titles_in_order(page)
    assert order[:2] == ["Soon mission", "Later fair"]
    assert order.index("Visit of European experts to Chandigarh") > 1
    # Past events latest first.
    past = [Event.objects.get(title=t).when_start for t in order[2:]]
    dated = [day for day in past if day is not None]
    assert dated == sorted(dated, reverse=True) and past[-1] is None
    assert page.index("Coming") < page.index("Past") < page.index("Date not known")
    assert 'href="/events/"' in client.get("/").content.decode()  # in the main navigation


def test_internal_events_are_listed_for_signed_in_people_only(demo, client, admin_user):
    Event.objects.create(slug="closed-door", title="Closed-door meeting", kind="working_meeting",
                         is_public=False)
    assert "Closed-door meeting" not in client.get("/events/").content.decode()
    client.force_login(admin_user)
    assert "Closed-door meeting" in client.get("/events/").content.decode()


def test_a_missing_page_is_the_sites_own_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and 'class="site-header"' in page


def test_a_missing_api_address_answers_json(client):
    for path in ("/api/v1/no-such-thing", "/api/v1/pairings/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": "Not Found"}


def test_the_server_error_page_needs_nothing_from_the_request():
    page = render_to_string("500.html")
    assert "Something went wrong" in page and "Traceback" not in page
