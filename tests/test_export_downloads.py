"""Exports downloaded from the web page and the API: what the asker may see, in any format."""

from __future__ import annotations

import csv
import io

import pytest

from citycoop.accounts.models import TokenScope
from citycoop.accounts.tokens import create_token
from citycoop.portfolio.models import Pairing
from citycoop.portfolio.services import update_pairing

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def hidden(demo, manager):
    pairing = Pairing.objects.get(slug="tianjin-lazio")
    return update_pairing(pairing, {"is_public": False}, acting_user=manager,
                          expected_version=pairing.version)


def test_the_page_offers_every_format_and_the_public_gets_public_records(client, hidden):
    page = client.get("/exports/")
    assert page.status_code == 200
    for fmt in ("csv", "xlsx", "json", "geojson", "iati", "ics"):
        assert f'value="{fmt}"' in page.content.decode()
    download = client.get("/exports/", {"format": "csv", "record": "pairings"})
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    assert "tianjin-lazio" not in {row["slug"] for row in rows(download)}


def test_a_manager_downloads_the_internal_records_too(client, hidden, manager):
    client.force_login(manager)
    download = client.get("/exports/", {"format": "csv", "record": "pairings",
                                        "programme": "world-cities-2015-2016"})
    assert "tianjin-lazio" in {row["slug"] for row in rows(download)}


def test_a_bad_request_is_explained_on_the_page(client, demo):
    answer = client.get("/exports/", {"format": "csv"})
    assert answer.status_code == 400 and "holds one record type" in answer.content.decode()
    assert client.get("/exports/", {"format": "pdf"}).status_code == 400
    assert client.get("/exports/", {"format": "json", "programme": "nope"}).status_code == 400


def test_the_api_gives_the_same_files_to_a_token(client, hidden, manager):
    _token, secret = create_token(manager, name="exports", scope=TokenScope.READ,
                                  acting_user=manager)
    mine = client.get("/api/v1/exports/csv", {"record": "pairings"},
                      HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert mine.status_code == 200
    assert "tianjin-lazio" in {row["slug"] for row in rows(mine)}
    public = client.get("/api/v1/exports/csv", {"record": "pairings"})
    assert "tianjin-lazio" not in {row["slug"] for row in rows(public)}
    iati = client.get("/api/v1/exports/iati")
    assert iati["Content-Type"] == "application/xml"
    assert b"<iati-activities" in b"".join(iati.streaming_content)
    refused = client.get("/api/v1/exports/csv")
    assert refused.status_code == 400 and "record type" in refused.json()["detail"]
