"""API writes to the registry, events and indicator values: who may, and what is kept."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from citycoop.accounts.models import TokenScope, User
from citycoop.accounts.tokens import create_token
from citycoop.events.models import Event
from citycoop.registry.models import Organisation, Person, Place, Programme
from citycoop.reports import results
from citycoop.reports.results_models import ActualValue, ResultKind, ValueStatus

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

API = "/api/v1"


def bearer(user) -> dict[str, str]:
    _token, secret = create_token(user, name="t", scope=TokenScope.WRITE, acting_user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_a_manager_adds_an_organisation_a_place_a_person_and_an_event(client, manager):
    headers = bearer(manager)
    organisation = post(client, f"{API}/organisations",
                        {"slug": "port-of-lyon", "name": "Port of Lyon", "type": "company",
                         "country": "FR"}, headers)
    assert organisation.status_code == 201, organisation.content
    place = post(client, f"{API}/places", {"slug": "villeurbanne", "name": "Villeurbanne",
                                           "kind": "city", "country": "FR"}, headers)
    assert place.status_code == 201, place.content
    person = post(client, f"{API}/people", {"name": "Anne Martin",
                                            "organisation": "port-of-lyon",
                                            "visibility": "public"}, headers)
    assert person.status_code == 201, person.content
    assert Person.objects.get(name="Anne Martin").organisation.slug == "port-of-lyon"
    event = post(client, f"{API}/events", {"slug": "lyon-port-day", "title": "Port day",
                                           "kind": "mission", "when": "May 2026",
                                           "place": "villeurbanne",
                                           "pairings": ["lyon-guangzhou"]}, headers)
    assert event.status_code == 201, event.content
    assert event.json()["pairings"] == ["lyon-guangzhou"]
    assert Event.objects.get(slug="lyon-port-day").when_start == datetime.date(2026, 5, 1)
    etag = client.get(f"{API}/events/lyon-port-day")["ETag"]
    changed = client.patch(f"{API}/events/lyon-port-day", {"capacity": 40},
                           content_type="application/json", HTTP_IF_MATCH=etag, **headers)
    assert changed.status_code == 200 and changed.json()["capacity"] == 40
    assert Organisation.objects.filter(slug="port-of-lyon").exists()
    assert Place.objects.filter(slug="villeurbanne").exists()


def test_a_coordinator_cannot_change_the_registry(client, coordinator):
    headers = bearer(coordinator)
    refused = post(client, f"{API}/organisations",
                   {"slug": "x", "name": "X", "type": "company"}, headers)
    assert refused.status_code == 403
    person = Person.objects.first()
    etag = f'"{person.pk}-v{person.version}"'
    assert client.patch(f"{API}/people/{person.pk}", {"name": "Y"},
                        content_type="application/json", HTTP_IF_MATCH=etag,
                        **headers).status_code in (403, 404)


def test_an_unknown_key_in_a_body_is_refused_and_nothing_is_written(client, manager):
    headers = bearer(manager)
    before = Event.objects.count()
    answer = post(client, f"{API}/events", {"slug": "e", "title": "E", "kind": "mission",
                                            "pairings": ["no-such-pairing"]}, headers)
    assert answer.status_code == 422 and Event.objects.count() == before


def test_the_indicator_owner_enters_a_value_and_others_cannot(client, manager, outsider):
    programme = Programme.objects.get(slug="world-cities-2015-2016")
    result = results.create_result(programme, {"kind": ResultKind.OUTPUT, "title": "Trained"},
                                   acting_user=manager)
    indicator = results.create_indicator(result, {"name": "Officials trained",
                                                  "owner": outsider}, acting_user=manager)
    body = {"period_start": "2016-01-01", "period_end": "2016-12-31", "value": "12",
            "evidence_links": ["https://example.org/list.pdf"], "submit": True}
    entered = post(client, f"{API}/indicators/{indicator.pk}/values", body, bearer(outsider))
    assert entered.status_code == 201, entered.content
    stored = ActualValue.objects.get(indicator=indicator)
    assert stored.value == Decimal(12) and stored.status == ValueStatus.SUBMITTED
    assert stored.entered_by == outsider
    other = User.objects.create_user("someone", password="a-long-test-password")
    assert post(client, f"{API}/indicators/{indicator.pk}/values", body,
                bearer(other)).status_code == 403
