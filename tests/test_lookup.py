"""The lookup endpoints the record pickers fill their suggestions from: staff only, at most
15 records, pairings and pilots the user may see, and never a person's email address."""

from __future__ import annotations

import pytest

from citycoop.portfolio.models import Pairing
from citycoop.registry.models import Person, Place, PlaceKind

from . import workspace_fixtures

pytestmark = pytest.mark.django_db
coordinator = workspace_fixtures.coordinator


def results(client, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"results"}
    for row in data["results"]:
        assert set(row) == {"value", "label"}
    return data["results"]


def test_places_answer_with_name_and_key_and_their_country(client, admin_user, demo):
    client.force_login(admin_user)
    rows = results(client, "/lookup/places/?q=lyo")
    assert rows[0] == {"value": "Lyon — lyon", "label": "Lyon (France)"}


def test_a_prefix_ranks_before_a_match_inside_the_name(client, admin_user, demo):
    Place.objects.create(slug="new-lyonville", name="New Lyonville", country="US",
                         kind=PlaceKind.CITY)
    client.force_login(admin_user)
    values = [row["value"] for row in results(client, "/lookup/places/?q=lyon")]
    assert values[0] == "Lyon — lyon" and "New Lyonville — new-lyonville" in values


def test_at_most_15_results(client, admin_user, demo):
    for number in range(30):
        Place.objects.create(slug=f"testville-{number}", name=f"Testville {number}",
                             country="FR", kind=PlaceKind.CITY)
    client.force_login(admin_user)
    assert len(results(client, "/lookup/places/?q=testv")) == 15
    assert len(results(client, "/lookup/places/?q=")) == 15


def test_lookups_need_a_signed_in_staff_user(client, outsider, demo):
    response = client.get("/lookup/places/?q=lyo")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(outsider)  # signed in, but no membership
    assert client.get("/lookup/places/?q=lyo").status_code == 403
    client.force_login(outsider)
    assert client.get("/lookup/nothing/?q=lyo").status_code == 404


def test_people_come_without_their_email(client, coordinator, demo):
    person = Person.objects.order_by("pk").first()
    person.email = "private@example.org"
    person.save()
    client.force_login(coordinator)
    response = client.get(f"/lookup/people/?q={person.name[:3]}")
    assert "private@example.org" not in response.content.decode()
    assert f"{person.name} — {person.pk}" in [row["value"] for row in response.json()["results"]]


def test_pilots_can_be_limited_to_one_pairing(client, coordinator, demo):
    client.force_login(coordinator)
    rows = results(client, "/lookup/pilots/?q=&pairing=lyon-guangzhou")
    pairing = Pairing.objects.get(slug="lyon-guangzhou")
    assert rows and sorted(row["value"] for row in rows) == sorted(
        f"{pilot.title} — lyon-guangzhou/{pilot.slug}" for pilot in pairing.pilots.all())
    assert all(row["label"].endswith(f"({pairing.label})") for row in rows)


def test_internal_pairings_stay_hidden_from_other_pairings_people(client, coordinator, demo):
    hidden = Pairing.objects.exclude(slug="lyon-guangzhou").first()
    hidden.is_public = False
    hidden.save()
    client.force_login(coordinator)
    values = [row["value"] for row in results(client, f"/lookup/pairings/?q={hidden.slug}")]
    assert f"{hidden.label} — {hidden.slug}" not in values
    pilots = results(client, f"/lookup/pilots/?q=&pairing={hidden.slug}")
    assert pilots == []
