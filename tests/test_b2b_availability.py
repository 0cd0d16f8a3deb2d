"""The organiser sets when a participant is present: the slots ticked are kept, the others
stored as away on the profile (an unpublished one made for who has none), which the
schedule then respects; for organisers only, and only for the event's participants."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citycoop.events.registration import Registrant, register
from citycoop.matchmaking import scheduling, services
from citycoop.matchmaking.models import MatchmakingSetup, Profile

from .test_b2b_services import join, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return make_event()


def slot_ids(event) -> list[str]:
    return [s.id for s in services.slots(MatchmakingSetup.objects.get(event=event))]


def url(event, participation) -> str:
    return reverse("b2b:availability", args=[event.slug, participation.pk])


def test_the_organiser_ticks_the_slots_when_a_participant_is_present(client, event, manager):
    ana = join(event, "Ana")
    profile = Profile.objects.get(participation=ana)
    slots = slot_ids(event)
    client.force_login(manager)
    page = client.get(url(event, ana)).content.decode()
    assert page.count('type="checkbox" name="available"') == len(slots)
    assert page.count(" checked>") == len(slots)  # present throughout to begin with
    response = client.post(url(event, ana), {"available": slots[3:], "version": profile.version})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.unavailable == sorted(slots[:3])
    assert profile.published and profile.organisation_name == "Ana Ltd"  # the rest unchanged
    overview = client.get(reverse("b2b:overview", args=[event.slug])).content.decode()
    assert "away for 3 slots" in overview and url(event, ana) in overview


def test_a_participant_without_a_profile_gets_an_unpublished_one(client, event, manager):
    bo = register(event, Registrant(name="Bo", email="bo@example.org"))
    slots = slot_ids(event)
    client.force_login(manager)
    assert "No profile yet" in client.get(url(event, bo)).content.decode()
    client.post(url(event, bo), {"available": slots[:1]})
    profile = Profile.objects.get(participation=bo)
    assert not profile.published and profile.organisation_name == "Bo"
    assert profile.unavailable == sorted(slots[1:])


def test_the_schedule_respects_the_slots_set(client, event, manager):
    ana, ben = join(event, "Ana"), join(event, "Ben")
    services.answer_request(services.send_request(ana, ben), True, by=ben)
    slots = slot_ids(event)
    client.force_login(manager)
    client.post(url(event, ana), {"available": [slots[-1]],
                                  "version": Profile.objects.get(participation=ana).version})
    present = {p.id: p.available for p in scheduling.build_instance(event).participants}
    assert present[scheduling.pid(ana.pk)] == (slots[-1],)


def test_a_stale_form_is_refused(client, event, manager):
    ana = join(event, "Ana")
    profile = Profile.objects.get(participation=ana)
    services.save_profile(ana, {"offers": "changed meanwhile"})
    client.force_login(manager)
    response = client.post(url(event, ana), {"available": [], "version": profile.version})
    assert response.status_code == 200 and "changed by someone else" in response.content.decode()
    assert Profile.objects.get(participation=ana).unavailable == []


def test_it_is_refused_to_an_outsider(client, event, outsider):
    ana = join(event, "Ana")
    client.force_login(outsider)
    assert client.get(url(event, ana)).status_code == 403
    assert client.post(url(event, ana), {"available": []}).status_code == 403
    assert Profile.objects.get(participation=ana).unavailable == []


def test_it_sends_the_anonymous_to_sign_in(client, event):
    response = client.get(url(event, join(event, "Ana")))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_events_participant_is_not_found(client, event, manager):
    stranger = join(make_event("other-week"), "Stranger")
    client.force_login(manager)
    assert client.get(url(event, stranger)).status_code == 404
