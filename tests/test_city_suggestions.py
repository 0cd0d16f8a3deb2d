"""A city's page suggests partners on the other side, with reasons, from public records."""

from __future__ import annotations

import pytest

from citycoop.matchmaking import city_suggestions
from citycoop.portfolio.models import Pairing
from citycoop.portfolio.services import update_pairing

pytestmark = pytest.mark.django_db


def test_chandigarhs_page_lists_european_partners_with_reasons(client, demo):
    page = client.get("/places/chandigarh/")
    assert page.status_code == 200
    suggestions = page.context["suggestions"]
    assert suggestions and len(suggestions) <= 8
    assert all(s.country not in ("IN", "CN") for s in suggestions)  # the other side
    assert all(s.reasons for s in suggestions[:3])
    html = page.content.decode()
    assert "Possible partners" in html and suggestions[0].reasons[0] in html
    # Its own partner is not suggested again.
    assert "copenhagen" not in {s.key for s in suggestions}


def reasons(place: str) -> str:
    return " ".join(r for s in city_suggestions.partner_suggestions(place) or []
                    for r in s.reasons)


def test_an_internal_pairing_tells_the_public_nothing(demo, manager):
    # What Chandigarh works on comes from its pairing's pilots (their themes' SDGs) ...
    assert "SDG" in reasons("chandigarh")
    pairing = Pairing.objects.get(slug="chandigarh-copenhagen")
    update_pairing(pairing, {"is_public": False}, acting_user=manager,
                   expected_version=pairing.version)
    # ... so once that pairing is internal, no suggestion rests on it any more.
    assert "SDG" not in reasons("chandigarh")


def test_a_country_page_suggests_nothing(client, demo):
    assert client.get("/places/india/").context["suggestions"] is None


def test_the_api_gives_the_same_suggestions(client, demo):
    answer = client.get("/api/v1/places/chandigarh/partners", {"top": 3})
    assert answer.status_code == 200
    found = answer.json()
    assert len(found) == 3 and all(item["reasons"] for item in found)
    page = client.get("/places/chandigarh/").context["suggestions"]
    assert [item["key"] for item in found] == [s.key for s in page[:3]]
    assert client.get("/api/v1/places/nowhere/partners").status_code == 404
    assert client.get("/api/v1/places/chandigarh/partners", {"top": 0}).status_code == 400


def test_the_reasons_read_in_the_readers_language(client, demo):
    english = client.get("/places/chandigarh/").context["suggestions"]
    assert any(reason.startswith("similar size") for s in english for reason in s.reasons)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = client.get("/places/chandigarh/").context["suggestions"]
    assert [s.key for s in chinese] == [s.key for s in english]
    assert any(reason.startswith("规模相近") for s in chinese for reason in s.reasons)
