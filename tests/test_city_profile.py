"""A city's profile: written by its coordinators or the managers, shown on its page, and
read by the partner recommender."""

from __future__ import annotations

import pytest

from citycoop.accounts.models import AuditEntry
from citycoop.matchmaking.city_profiles import build_profiles
from citycoop.registry.models import CityProfile, Place

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

URL = "/organisations/places/{}/profile/"


def test_a_coordinator_writes_the_profile_of_a_city_in_their_pairing(client, coordinator):
    client.force_login(coordinator)
    # Lyon – Guangzhou: the coordinator keeps both cities' profiles.
    page = client.get(URL.format("guangzhou"))
    assert page.status_code == 200
    answer = client.post(URL.format("guangzhou"), {
        "challenges": "reduce landfill by half in five years\nair quality",
        "priorities": "smart mobility", "offers": "port logistics\nelectric buses",
        "sdgs": "11, 13", "version": ""})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    profile = CityProfile.objects.get(place__slug="guangzhou")
    assert profile.sdgs == [11, 13]
    assert AuditEntry.objects.filter(actor=coordinator, content_type__model="cityprofile",
                                     action="create").exists()
    shown = client.get("/places/guangzhou/").content.decode()
    assert "reduce landfill by half in five years" in shown and "electric buses" in shown


def test_others_may_not_write_it(client, other_coordinator, outsider):
    client.force_login(other_coordinator)
    assert client.get(URL.format("guangzhou")).status_code == 403
    client.force_login(outsider)
    assert client.post(URL.format("guangzhou"), {"challenges": "x", "version": ""}) \
        .status_code == 403
    client.logout()
    assert client.get(URL.format("guangzhou")).status_code == 302
    assert not CityProfile.objects.exists()


def test_bad_sdgs_are_refused_and_nothing_is_written(client, manager):
    client.force_login(manager)
    answer = client.post(URL.format("chandigarh"), {"sdgs": "7, 42", "version": ""})
    assert answer.status_code == 200 and "42" in answer.content.decode()
    assert not CityProfile.objects.exists()


def test_the_recommender_reads_the_profile_as_needs_offers_and_goals(demo, manager):
    place = Place.objects.get(slug="chandigarh")
    CityProfile.objects.create(place=place, challenges="district heating",
                               offers="solar parks", sdgs=[7])
    profile = next(p for p in build_profiles() if p.key == "chandigarh")
    assert "district heating" in profile.needs and "solar parks" in profile.offers
    assert 7 in profile.sdgs
