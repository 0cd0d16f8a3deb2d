"""The REST API: public reading, tokens and their scopes, the same permissions as the web
app, cursor pages, ETags with If-Match, clear JSON errors, and the OpenAPI docs served here."""

from __future__ import annotations

import pytest

from citycoop.accounts.models import ApiToken, AuditEntry, TokenScope
from citycoop.accounts.tokens import create_token, revoke_token
from citycoop.portfolio.models import Pairing, PilotProject
from citycoop.portfolio.services import update_pairing

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

API = "/api/v1"
OWN = "lyon-guangzhou"              # the coordinator's pairing
OTHER = "barcelona-wuhan-chengdu"   # someone else's


def bearer(user, scope=TokenScope.WRITE) -> dict[str, str]:
    _token, secret = create_token(user, name="test", scope=scope, acting_user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def patch(client, url, body, etag=None, **headers):
    if etag is not None:
        headers["HTTP_IF_MATCH"] = etag
    return client.patch(url, body, content_type="application/json", **headers)


def test_anyone_reads_public_pairings_and_an_internal_one_stays_hidden(client, demo, manager):
    hidden = Pairing.objects.get(slug=OTHER)
    update_pairing(hidden, {"is_public": False}, acting_user=manager,
                   expected_version=hidden.version)
    listed = client.get(f"{API}/pairings", {"limit": 100}).json()
    slugs = {p["slug"] for p in listed["items"]}
    assert len(slugs) == 9 and OTHER not in slugs
    assert client.get(f"{API}/pairings/{OTHER}").status_code == 404
    # The programme's manager, by token, sees it.
    mine = client.get(f"{API}/pairings", {"limit": 100}, **bearer(manager, TokenScope.READ))
    assert OTHER in {p["slug"] for p in mine.json()["items"]}


def test_pages_follow_the_cursor_and_cover_every_pilot_once(client, demo):
    seen: list[int] = []
    url = f"{API}/pilots?limit=7&ordering=title"
    pages = 0
    while url:
        body = client.get(url).json()
        seen += [p["id"] for p in body["items"]]
        titles = [p["title"] for p in body["items"]]
        assert titles == sorted(titles)
        url = body["next"]
        pages += 1
    assert pages == 6 and len(seen) == len(set(seen)) == PilotProject.objects.count() == 36


def test_filters_narrow_the_lists(client, demo):
    pilots = client.get(f"{API}/pilots", {"pairing": OWN}).json()["items"]
    assert pilots and {p["pairing"] for p in pilots} == {OWN}
    india = client.get(f"{API}/pairings", {"group": "EU-India"}).json()["items"]
    assert len(india) == 4
    assert client.get(f"{API}/pairings", {"ordering": "secret"}).status_code == 400
    assert client.get(f"{API}/pairings", {"limit": 5000}).status_code == 400
    assert client.get(f"{API}/pairings", {"cursor": "nonsense"}).status_code == 400
    assert client.get(f"{API}/actions/{2 ** 70}").status_code in (400, 404)  # not a 500


def test_a_write_with_the_etag_is_audited_and_a_stale_one_gets_412(client, coordinator):
    headers = bearer(coordinator)
    url = f"{API}/pairings/{OWN}"
    read = client.get(url, **headers)
    etag = read["ETag"]
    changed = patch(client, url, {"summary": "Port and airport cooperation."}, etag, **headers)
    assert changed.status_code == 200, changed.content
    assert changed.json()["summary"] == "Port and airport cooperation."
    assert changed["ETag"] != etag
    assert AuditEntry.objects.filter(actor=coordinator, object_repr__contains="Lyon").exists()
    stale = patch(client, url, {"summary": "Overwriting blindly."}, etag, **headers)
    assert stale.status_code == 412 and "changed since you read it" in stale.json()["detail"]
    missing = patch(client, url, {"summary": "No version given."}, **headers)
    assert missing.status_code == 428
    assert Pairing.objects.get(slug=OWN).summary == "Port and airport cooperation."


def test_a_read_token_cannot_write(client, coordinator):
    headers = bearer(coordinator, TokenScope.READ)
    url = f"{API}/pairings/{OWN}"
    etag = client.get(url, **headers)["ETag"]
    refused = patch(client, url, {"summary": "x"}, etag, **headers)
    assert refused.status_code == 403 and "only read" in refused.json()["detail"]


def test_a_coordinators_token_cannot_touch_another_pairing(client, coordinator):
    headers = bearer(coordinator)
    url = f"{API}/pairings/{OTHER}"
    etag = client.get(url)["ETag"]
    assert patch(client, url, {"summary": "x"}, etag, **headers).status_code in (403, 404)
    pilot = PilotProject.objects.filter(pairing__slug=OTHER).first()
    assert client.post(f"{API}/pairings/{OTHER}/pilots", {"slug": "x", "title": "X"},
                       content_type="application/json", **headers).status_code in (403, 404)
    assert client.post(f"{API}/actions", {"pilot": pilot.pk, "text": "x"},
                       content_type="application/json", **headers).status_code in (403, 404)
    assert Pairing.objects.get(slug=OTHER).summary != "x"


def test_a_coordinator_adds_a_pilot_an_action_and_a_next_step_to_their_pairing(
        client, coordinator):
    headers = bearer(coordinator)
    pilot = client.post(f"{API}/pairings/{OWN}/pilots",
                        {"slug": "water", "title": "Water management", "number": 9},
                        content_type="application/json", **headers)
    assert pilot.status_code == 201, pilot.content
    assert pilot["ETag"]
    action = client.post(f"{API}/actions", {"pilot": pilot.json()["id"],
                                            "text": "Study visit to Guangzhou",
                                            "kind": "mission", "when": "June 2026"},
                         content_type="application/json", **headers)
    assert action.status_code == 201, action.content
    assert action.json()["when_start"] == "2026-06-01"
    step = client.post(f"{API}/next-steps", {"pairing": OWN, "text": "Send the minutes",
                                             "due": "July 2026"},
                       content_type="application/json", **headers)
    assert step.status_code == 201 and step.json()["status"] == "open"


def test_bad_input_gets_a_clear_json_error_and_writes_nothing(client, coordinator):
    headers = bearer(coordinator)
    before = PilotProject.objects.count()
    missing = client.post(f"{API}/pairings/{OWN}/pilots", {"slug": "x"},
                          content_type="application/json", **headers)
    assert missing.status_code == 422 and "title" in str(missing.json()["detail"])
    bad_status = client.post(f"{API}/pairings/{OWN}/pilots",
                             {"slug": "x", "title": "X", "status": "exploded"},
                             content_type="application/json", **headers)
    assert bad_status.status_code == 422
    taken = PilotProject.objects.filter(pairing__slug=OWN).first()
    duplicate = client.post(f"{API}/pairings/{OWN}/pilots",
                            {"slug": taken.slug, "title": "Again"},
                            content_type="application/json", **headers)
    assert duplicate.status_code in (409, 422) and "detail" in duplicate.json()
    assert PilotProject.objects.count() == before


def test_a_bad_or_revoked_token_is_refused_and_anonymous_cannot_write(client, coordinator):
    assert client.get(f"{API}/pairings", HTTP_AUTHORIZATION="Bearer cc_wrong").status_code \
        == 401
    token, secret = create_token(coordinator, name="old", acting_user=coordinator)
    revoke_token(token, acting_user=coordinator)
    assert client.get(f"{API}/pairings", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code \
        == 401
    assert client.patch(f"{API}/pairings/{OWN}", {"summary": "x"},
                        content_type="application/json").status_code == 401


def test_only_a_hash_of_the_secret_is_kept(coordinator):
    token, secret = create_token(coordinator, name="kept", acting_user=coordinator)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.key_hash, stored.prefix) and stored.prefix == secret[:10]


def test_registry_events_and_indicators_read(client, demo):
    organisations = client.get(f"{API}/organisations", {"q": "Keele"}).json()["items"]
    assert organisations and "Keele" in organisations[0]["name"]
    places = client.get(f"{API}/places", {"country": "cn"}).json()["items"]
    assert places and all(p["country"] == "CN" for p in places)
    assert client.get(f"{API}/events").json()["items"]
    assert client.get(f"{API}/agreements").json()["items"]
    assert client.get(f"{API}/next-steps").json()["items"]
    assert client.get(f"{API}/indicators").status_code == 200


def test_the_openapi_document_and_docs_page_are_served_from_here(client, demo):
    import json

    def no_repeated_keys(pairs):
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), keys   # the docs page refuses such a document
        return dict(pairs)

    document = json.loads(client.get(f"{API}/openapi.json").content,
                          object_pairs_hook=no_repeated_keys)
    assert document["info"]["title"] == "citycoop API"
    assert "/api/v1/pairings/{slug}" in document["paths"]
    docs = client.get(f"{API}/docs").content.decode()
    assert "cdn." not in docs and "unpkg" not in docs


def test_list_queries_do_not_grow_with_the_page(client, demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(f"{API}/pilots", {"limit": 5})
    with django_assert_max_num_queries(6):
        client.get(f"{API}/pilots", {"limit": 36})


def test_a_nul_character_is_refused_not_a_server_error(client, demo):
    answer = client.get(f"{API}/pairings", {"q": "a\x00b"})
    assert answer.status_code in (200, 400)  # SQLite takes it; PostgreSQL refuses it
