"""The funnel over a programme's events: a row per event serving its pairings and the total,
for the programme's managers and admins only; the event's funnel links to it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citycoop.accounts.models import Membership, Role, User
from citycoop.common.services import create_record, update_record
from citycoop.events.models import Event
from citycoop.matchmaking import outcomes, services
from citycoop.matchmaking.models import Rating
from citycoop.portfolio.models import Pairing
from citycoop.registry.models import Programme

from .test_b2b_services import held_meeting, join, make_event

pytestmark = pytest.mark.django_db


def serving(event: Event, pairing: Pairing) -> Event:
    return update_record(event, {}, acting_user=None, expected_version=None,
                         many={"pairings": [pairing]})


@pytest.fixture
def programme():
    """Two events of one programme (one meeting held each, more requested at the first) and
    one event of another programme."""
    mine = create_record(Programme, {"slug": "urban-coop", "name": "Urban Cooperation"},
                         acting_user=None)
    theirs = create_record(Programme, {"slug": "other-coop", "name": "Other"},
                           acting_user=None)
    one = create_record(Pairing, {"slug": "one", "programme": mine, "label": "One – Uno"},
                        acting_user=None)
    two = create_record(Pairing, {"slug": "two", "programme": mine, "label": "Two – Dos"},
                        acting_user=None)
    far = create_record(Pairing, {"slug": "far", "programme": theirs, "label": "Far"},
                        acting_user=None)
    first = serving(make_event("first-week"), one)
    second = serving(make_event("second-week"), two)
    elsewhere = serving(make_event("elsewhere-week"), far)
    for event in (first, second, elsewhere):
        held_meeting(event)
    services.send_request(join(first, "Cai"), join(first, "Dee"))
    follow_up = outcomes.create_follow_ups(second, months=(3,))[0]
    outcomes.answer_follow_up(follow_up.token, Rating.AGREEMENT)
    return mine, first, second


def manager_of(programme: Programme, name: str = "pm") -> User:
    user = User.objects.create_user(name, password="a-long-test-password")
    Membership.objects.create(user=user, role=Role.MANAGER, programme=programme)
    return user


def test_it_counts_each_event_and_the_total(client, programme):
    mine, first, second = programme
    funnels = outcomes.funnel_by_event(Event.objects.filter(pk__in=[first.pk, second.pk]))
    assert [s.count for s in funnels[first.pk]] == [2, 1, 1, 1, 0, 0, 0]
    assert [s.count for s in funnels[second.pk]] == [1, 1, 1, 1, 1, 1, 1]
    client.force_login(manager_of(mine))
    page = client.get(reverse("b2b:programme-funnel", args=["urban-coop"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "first-week" in text and "second-week" in text
    assert "elsewhere-week" not in text  # another programme's event
    total = text.split("<tfoot>")[1].split("</tfoot>")[0]
    assert "Total of 2 events" in total
    assert [cell.split("<")[0] for cell in total.split('<td class="num">')[1:]] == \
        ["3", "2", "2", "2", "1", "1", "1"]


def test_it_matches_the_funnel_of_all_the_events_at_once(programme):
    _mine, first, second = programme
    both = Event.objects.filter(pk__in=[first.pk, second.pk])
    assert outcomes.total(outcomes.funnel_by_event(both).values()) == outcomes.funnel(both)


def test_it_is_refused_to_an_outsider_and_a_manager_of_another_programme(client, programme,
                                                                        outsider):
    url = reverse("b2b:programme-funnel", args=["urban-coop"])
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(manager_of(Programme.objects.get(slug="other-coop"), "other-pm"))
    assert client.get(url).status_code == 403


def test_it_sends_the_anonymous_to_sign_in_and_finds_no_unknown_programme(client, programme,
                                                                          admin_user):
    url = reverse("b2b:programme-funnel", args=["urban-coop"])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    assert client.get(reverse("b2b:programme-funnel", args=["nope"])).status_code == 404


def test_the_events_funnel_links_the_programmes_funnel(client, programme):
    mine, first, _second = programme
    client.force_login(manager_of(mine))
    page = client.get(reverse("b2b:funnel", args=[first.slug])).content.decode()
    assert reverse("b2b:programme-funnel", args=["urban-coop"]) in page


def test_it_costs_the_same_queries_for_more_events(client, programme,
                                                    django_assert_max_num_queries):
    mine, *_events = programme
    pairing = Pairing.objects.get(slug="one")
    for i in range(5):
        serving(make_event(f"extra-{i}"), pairing)
    client.force_login(manager_of(mine))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("b2b:programme-funnel", args=["urban-coop"])
                          ).status_code == 200
