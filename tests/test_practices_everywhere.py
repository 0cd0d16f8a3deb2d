"""Good practices and needs beyond their own pages: search with the label facet, the map,
the open-data dump, the API and the KPI figures."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from citycoop.opendata.dump import dump_bytes
from citycoop.practices import services
from citycoop.practices.need_services import post_need
from citycoop.registry.models import Place, Programme
from citycoop.reports.kpis import compute_all
from citycoop.reports.scope import Scope
from citycoop.search.backends import get_backend
from citycoop.search.index import reindex_all
from citycoop.web.map import map_data
from tests.factories_practices import FAILING, make_practice

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

CHINESE = {"title": "垃圾源头分类", "summary": "居民分类厨余垃圾。",
           "what_was_done": "每栋楼设置厨余垃圾桶。"}


@pytest.fixture
def labelled(coordinator):
    return make_practice(coordinator, status="published",
                         texts={"en": {"title": "Sorting waste at the source",
                                       "what_was_done": "Bins in every building."},
                                "zh-hans": CHINESE})


@pytest.fixture
def unlabelled(coordinator):
    return make_practice(coordinator, status="published", scores=FAILING,
                         texts={"en": {"title": "Composting in schools",
                                       "what_was_done": "Each school composts."}})


@pytest.fixture
def draft(coordinator):
    return make_practice(coordinator, texts={"en": {"title": "Secret compost draft",
                                                    "what_was_done": "Not yet."}})


def search(query, user=None, **facets):
    return get_backend().search(query, facets=facets, visible_to=user or AnonymousUser(),
                                limit=50, offset=0)


def titles(results):
    return {hit.title for hit in results.hits}


def test_search_finds_a_practice_in_either_language_and_facets_the_label(
        labelled, unlabelled, draft):
    reindex_all()
    assert "Sorting waste at the source" in titles(search("sorting"))
    assert "Sorting waste at the source" in titles(search("垃圾"))
    by_status = {c.value: c.count for c in search("lyon", kind=["practice"])
                 .facets["status"]}
    assert by_status.get("labelled") == 1 and by_status.get("published") == 1
    assert titles(search("lyon", kind=["practice"], status=["labelled"])) == {
        "Sorting waste at the source"}
    # A draft is never found by the public.
    assert "Secret compost draft" not in titles(search("compost"))


def test_publishing_a_practice_puts_it_in_the_index(coordinator,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        practice = make_practice(coordinator, texts={"en": {"title": "Rainwater gardens",
                                                            "what_was_done": "Gardens."}})
    assert "Rainwater gardens" not in titles(search("rainwater"))
    with django_capture_on_commit_callbacks(execute=True):
        make_practice(coordinator, status="published", texts={"en": {
            "title": "Rainwater parks", "what_was_done": "Parks."}})
        services.save_practice_text(practice, "zh-hans", {"title": "雨水花园"},
                                    acting_user=coordinator)
    assert titles(search("rainwater")) == {"Rainwater parks"}


def test_the_search_page_offers_good_practices_as_a_kind(client, labelled):
    reindex_all()
    response = client.get(reverse("search:search"), {"q": "sorting"})
    assert "Good practices" in response.content.decode()


def test_the_map_shows_a_city_with_practices_and_one_with_an_open_need(labelled, draft,
                                                                       other_coordinator):
    post_need(Place.objects.get(slug="barcelona"), "Reduce landfill by half",
              "Sorting and recycling", acting_user=other_coordinator)
    features = map_data(AnonymousUser())["features"]
    practices = [f for f in features if f["properties"]["kind"] == "practice"]
    needs = [f for f in features if f["properties"]["kind"] == "need"]
    assert [p["properties"]["slug"] for p in practices] == ["lyon"]
    assert practices[0]["properties"]["count"] == 1           # the draft is not counted
    assert "Sorting waste at the source" in practices[0]["properties"]["facts"]
    assert [n["properties"]["slug"] for n in needs] == ["barcelona"]
    assert needs[0]["properties"]["url"].endswith("?place=barcelona")


def test_the_open_data_dump_has_public_practices_in_both_languages_and_no_draft(
        labelled, draft, other_coordinator):
    post_need(Place.objects.get(slug="barcelona"), "Reduce landfill by half", "",
              acting_user=other_coordinator)
    post_need(Place.objects.get(slug="barcelona"), "An internal need", "",
              acting_user=other_coordinator, is_public=False)
    archive = zipfile.ZipFile(io.BytesIO(dump_bytes()))
    rows = list(csv.DictReader(io.StringIO(archive.read("csv/practices.csv").decode())))
    assert [row["slug"] for row in rows] == [labelled.slug]
    assert rows[0]["title_zh-hans"] == CHINESE["title"]
    assert rows[0]["labelled"] == "true"
    needs = list(csv.DictReader(io.StringIO(archive.read("csv/needs.csv").decode())))
    assert [row["title"] for row in needs] == ["Reduce landfill by half"]
    assert "### practices" in archive.read("README.md").decode()


def test_the_api_lists_published_practices_with_their_texts_and_a_need_with_its_matches(
        client, labelled, draft, other_coordinator):
    listed = client.get("/api/v1/practices").json()["items"]
    assert [item["slug"] for item in listed] == [labelled.slug]
    assert listed[0]["texts"]["zh-hans"]["title"] == CHINESE["title"]
    assert listed[0]["labelled"] is True
    assert client.get(f"/api/v1/practices/{draft.slug}").status_code == 404
    assert client.get("/api/v1/practices", {"labelled": "false"}).json()["items"] == []
    need = post_need(Place.objects.get(slug="barcelona"), "Sort waste at the source",
                     "Bins for food waste in every building", acting_user=other_coordinator)
    matches = client.get(f"/api/v1/needs/{need.slug}/matches").json()
    assert matches["practices"][0]["key"] == labelled.slug
    assert matches["practices"][0]["reasons"]


def test_kpis_count_published_labelled_and_transferred_practices(
        labelled, unlabelled, draft, other_coordinator):
    services.report_adoption(labelled, Place.objects.get(slug="barcelona"), "Copied it",
                             None, acting_user=other_coordinator)
    # Lyon is a member of a pairing of the programme: its practices count there.
    scope = Scope(Programme.objects.get(slug="world-cities-2015-2016"))
    found = {value.slug: value.value for value in compute_all(scope)}
    assert found["practices_published"] == 2
    assert found["practices_labelled"] == 1
    assert found["practices_transferred"] == 1
