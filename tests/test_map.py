"""The map's data and page: arcs from the EU side to the partner side, filters, who sees what."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citycoop.common.services import create_record
from citycoop.portfolio.models import Action, Pairing, PairingMember, PilotProject, Side
from citycoop.portfolio.services import create_pairing, update_pairing, update_pilot
from citycoop.registry.models import Place, Programme
from citycoop.web.map import great_circle, map_data, unwrap_longitudes

pytestmark = pytest.mark.django_db

DEMO_PAIRINGS = 10
# The most queries the map may cost, whatever the size of the portfolio: pairings, members,
# pilots, their themes, the user's memberships and the theme tree; then the cities with good
# practices and with open needs, one query each, and whether the user reviews practices or
# manages the registry (which decides the drafts and internal needs they see), and with a
# theme filter the theme tree once more for those two layers.
MAX_QUERIES = 11


def arcs(data: dict) -> list[dict]:
    return [f for f in data["features"] if f["geometry"]["type"] == "LineString"]


def places(data: dict) -> dict[str, dict]:
    return {f["properties"]["name"]: f for f in data["features"]
            if f["geometry"]["type"] == "Point"}


def pairings_in(data: dict) -> set[str]:
    return {f["properties"]["pairing"] for f in arcs(data)}


def anonymous_data(**filters: str) -> dict:
    return map_data(AnonymousUser(), **filters)


def member_places(pairing: Pairing, side: str) -> list[Place]:
    places = []
    for member in pairing.members.select_related("place", "organisation__place"):
        place = member.place or (member.organisation.place if member.organisation else None)
        if member.side == side and place is not None:
            places.append(place)
    return places


def near(point: list[float], place: Place) -> bool:
    return (abs(point[0] - place.longitude) < 1e-4  # type: ignore[operator]
            and abs(point[1] - place.latitude) < 1e-4)  # type: ignore[operator]


def biggest_step(line: Sequence[Sequence[float]]) -> float:
    return max(abs(b[0] - a[0]) for a, b in pairwise(line))


# The data --------------------------------------------------------------------------------------

def test_every_demo_pairing_is_drawn_as_arcs(demo):
    data = anonymous_data()
    assert data["type"] == "FeatureCollection"
    assert pairings_in(data) == set(Pairing.objects.values_list("slug", flat=True))
    assert len(pairings_in(data)) == DEMO_PAIRINGS


def test_each_arc_runs_from_an_eu_place_to_a_partner_place_without_a_streak(demo):
    for arc in arcs(anonymous_data()):
        line = arc["geometry"]["coordinates"]
        pairing = Pairing.objects.get(slug=arc["properties"]["pairing"])
        assert any(near(line[0], place) for place in member_places(pairing, Side.EU)), arc["id"]
        assert any(near(line[-1], place)
                   for place in member_places(pairing, Side.PARTNER)), arc["id"]
        # Densified into a curve, and never a jump across the map.
        assert len(line) >= 16
        assert biggest_step(line) <= 180
        # Europe to China or India: the route goes east.
        assert line[-1][0] > line[0][0]


def test_a_pairing_with_two_partners_has_an_arc_to_each(demo):
    data = anonymous_data()
    west_midlands = [a for a in arcs(data)
                     if a["properties"]["pairing"] == "west-midlands-guangzhou-tianjin"]
    assert {a["properties"]["to"] for a in west_midlands} == {"Guangzhou", "Tianjin"}
    assert {a["properties"]["from"] for a in west_midlands} == {"West Midlands"}
    barcelona = {a["properties"]["to"]: a["geometry"]["coordinates"] for a in arcs(data)
                 if a["properties"]["pairing"] == "barcelona-wuhan-chengdu"}
    assert near(barcelona["Chengdu"][0], Place.objects.get(name="Barcelona"))
    assert near(barcelona["Chengdu"][-1], Place.objects.get(name="Chengdu"))
    assert near(barcelona["Wuhan"][-1], Place.objects.get(name="Wuhan"))
    lyon = next(a for a in arcs(data) if a["properties"]["pairing"] == "lyon-guangzhou")
    assert lyon["properties"]["label"] == "Lyon – Guangzhou"
    assert lyon["properties"]["url"] == reverse("web:pairing", args=["lyon-guangzhou"])
    assert lyon["properties"]["group"] == "EU-China"
    assert lyon["properties"]["pilots"] == PilotProject.objects.filter(
        pairing__slug="lyon-guangzhou").count()


def test_an_organisation_in_a_member_place_adds_no_second_arc(demo):
    # "Andalucía Smart City Cluster" sits in Andalucía: one arc to Shantou, not two.
    shantou = [a for a in arcs(anonymous_data())
               if a["properties"]["pairing"] == "andalucia-smart-city-cluster-shantou"]
    assert len(shantou) == 1


def test_an_arc_across_the_antimeridian_crosses_it_instead_of_streaking_back():
    # Tokyo to San Francisco: the short way is east over the Pacific.
    line = great_circle((139.69, 35.68), (-122.42, 37.77))
    assert biggest_step(line) < 5
    assert line[0] == (139.69, 35.68)
    assert line[-1][0] == pytest.approx(-122.42 + 360)
    assert all(b[0] >= a[0] for a, b in pairwise(line))


def test_unwrapping_keeps_every_step_within_half_a_turn():
    points = unwrap_longitudes([(170.0, 0.0), (-175.0, 0.0), (179.0, 0.0), (-10.0, 0.0)])
    assert [p[0] for p in points] == [170.0, 185.0, 179.0, 350.0]


def test_places_are_markers_with_their_pairings_and_activity(demo):
    markers = places(anonymous_data())
    tianjin = markers["Tianjin"]["properties"]
    assert tianjin["local_name"] == "天津"
    assert tianjin["country"] == "CN"
    assert tianjin["side"] == "partner"
    assert tianjin["pairings"] == 2
    assert tianjin["activity"] == Action.objects.filter(
        pilot__pairing__members__place__name="Tianjin").count()
    assert tianjin["url"] == Place.objects.get(name="Tianjin").get_absolute_url()
    assert markers["Lyon"]["properties"]["side"] == "eu"
    assert {"Chengdu", "Wuhan", "Guangzhou", "Shantou", "Mumbai", "Pune", "Chandigarh",
            "Navi Mumbai", "Copenhagen", "Stuttgart", "Barcelona"} <= set(markers)


# Filters ---------------------------------------------------------------------------------------

def test_it_filters_by_programme(demo):
    assert len(pairings_in(anonymous_data(programme="world-cities-2015-2016"))) == DEMO_PAIRINGS
    assert anonymous_data(programme="cetregio-2011-2014")["features"] == []
    assert anonymous_data(programme="no-such-programme")["features"] == []


def test_it_filters_by_status(demo):
    assert anonymous_data(status="dormant")["features"] == []
    assert len(pairings_in(anonymous_data(status="active"))) == DEMO_PAIRINGS


def test_it_filters_by_theme_and_its_sub_themes(demo):
    assert pairings_in(anonymous_data(theme="ports")) == {
        "west-midlands-guangzhou-tianjin", "andalucia-smart-city-cluster-shantou",
        "tianjin-lazio"}
    # "Transport" has no pilot of its own, but "ports" and "mobility" sit below it.
    transport = pairings_in(anonymous_data(theme="transport"))
    assert transport >= pairings_in(anonymous_data(theme="ports"))
    assert transport >= pairings_in(anonymous_data(theme="mobility"))
    assert "pune-andalucia" in transport
    assert anonymous_data(theme="no-such-theme")["features"] == []


def test_filters_combine(demo):
    both = pairings_in(anonymous_data(theme="ports", status="active"))
    assert both == pairings_in(anonymous_data(theme="ports"))
    assert anonymous_data(theme="ports", status="closed")["features"] == []


# Who sees what ---------------------------------------------------------------------------------

def make_internal(slug: str) -> Pairing:
    pairing = Pairing.objects.get(slug=slug)
    return update_pairing(pairing, {"is_public": False}, acting_user=None,
                          expected_version=pairing.version)


def test_an_internal_pairing_is_hidden_from_the_public_but_shown_to_its_manager(
        demo, manager, outsider):
    make_internal("pune-andalucia")
    for user in (AnonymousUser(), outsider):
        data = map_data(user)
        assert "pune-andalucia" not in pairings_in(data)
        assert "Pune" not in places(data)
        assert places(data)["Andalucía"]["properties"]["pairings"] == 1
    data = map_data(manager)
    assert "pune-andalucia" in pairings_in(data)
    assert places(data)["Pune"]["properties"]["pairings"] == 1


def test_an_internal_pilot_neither_counts_nor_lets_its_theme_through(demo, manager):
    pilot = PilotProject.objects.get(title__startswith="Health Care and BioTech")
    update_pilot(pilot, {"is_public": False}, acting_user=None, expected_version=pilot.version)
    assert anonymous_data(theme="health-care-biotech")["features"] == []
    assert pairings_in(map_data(manager, theme="health-care-biotech")) == {
        "west-midlands-guangzhou-tianjin"}
    public = next(a for a in arcs(anonymous_data())
                  if a["properties"]["pairing"] == "west-midlands-guangzhou-tianjin")
    staff = next(a for a in arcs(map_data(manager))
                 if a["properties"]["pairing"] == "west-midlands-guangzhou-tianjin")
    assert public["properties"]["pilots"] == staff["properties"]["pilots"] - 1


# Cost ------------------------------------------------------------------------------------------

def add_pairings(count: int) -> None:
    programme = Programme.objects.get(slug="world-cities-2015-2016")
    lyon, chengdu = Place.objects.get(name="Lyon"), Place.objects.get(name="Chengdu")
    for number in range(count):
        pairing = create_pairing({"slug": f"extra-{number}", "programme": programme,
                                  "label": f"Extra {number}", "group": "EU-China"},
                                 acting_user=None)
        for place, side in ((lyon, Side.EU), (chengdu, Side.PARTNER)):
            create_record(PairingMember, {"pairing": pairing, "place": place, "side": side},
                          acting_user=None)


def queries_for(user, **filters: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        map_data(user, **filters)
    return len(captured)


@pytest.mark.parametrize("filters", [{}, {"theme": "smart-city", "status": "active"}])
def test_the_data_costs_the_same_few_queries_for_ten_pairings_or_twenty(
        demo, manager, django_assert_max_num_queries, filters):
    with django_assert_max_num_queries(MAX_QUERIES):
        map_data(manager, **filters)
    before = (queries_for(AnonymousUser(), **filters), queries_for(manager, **filters))
    add_pairings(10)
    assert (queries_for(AnonymousUser(), **filters), queries_for(manager, **filters)) == before


# The views -------------------------------------------------------------------------------------

def test_the_data_url_answers_geojson_with_the_filters_from_the_query(client, demo):
    response = client.get(reverse("map-data"), {"theme": "ports"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert pairings_in(response.json()) == pairings_in(anonymous_data(theme="ports"))
    assert client.get(reverse("map-data"), {"status": "dormant"}).json()["features"] == []


def test_the_data_url_refuses_an_unknown_filter_value(client, demo):
    response = client.get(reverse("map-data"), {"status": "asleep"})
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_the_data_url_hides_internal_pairings_from_the_public(client, demo, manager):
    make_internal("pune-andalucia")
    assert "pune-andalucia" not in pairings_in(client.get(reverse("map-data")).json())
    client.force_login(manager)
    assert "pune-andalucia" in pairings_in(client.get(reverse("map-data")).json())


def test_the_page_has_a_filter_form_the_map_and_a_table_of_the_pairings(client, demo):
    response = client.get(reverse("map"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Map of the cooperation</h1>" in html
    assert re.search(r'<form method="get"[^>]*id="map-filters"', html)
    for name in ("programme", "theme", "status"):
        assert f'<label for="id_{name}">' in html
        assert f'name="{name}"' in html
    assert re.search(r'id="coop-map"[^>]*role="region"[^>]*aria-label="[^"]+"', html, re.S)
    assert f'data-url="{reverse("map-data")}"' in html
    assert "<script>" not in html  # no inline script: the page passes data by attributes
    rows = re.findall(r'<tr data-pairing="([^"]+)"', html)
    assert sorted(rows) == sorted(Pairing.objects.values_list("slug", flat=True))
    assert "10 pairings shown" in html


def test_the_page_filters_without_javascript(client, demo):
    html = client.get(reverse("map"), {"status": "dormant"}).content.decode()
    assert "No pairing matches these filters." in html
    assert 'value="dormant" selected' in html
    ports = client.get(reverse("map"), {"theme": "ports"}).content.decode()
    assert set(re.findall(r'<tr data-pairing="([^"]+)"', ports)) == pairings_in(
        anonymous_data(theme="ports"))


def test_the_page_shows_a_bad_filter_value_and_ignores_it(client, demo):
    response = client.get(reverse("map"), {"theme": "no-such-theme"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error"' in html
    assert len(re.findall(r'<tr data-pairing="', html)) == DEMO_PAIRINGS


def test_the_page_lists_an_internal_pairing_only_for_its_staff(client, demo, manager):
    make_internal("pune-andalucia")
    assert 'data-pairing="pune-andalucia"' not in client.get(reverse("map")).content.decode()
    client.force_login(manager)
    assert 'data-pairing="pune-andalucia"' in client.get(reverse("map")).content.decode()


def test_the_page_costs_a_bounded_number_of_queries(client, demo, django_assert_max_num_queries):
    # The map's own queries, the filter choices (programmes, themes), the session and the
    # data version the public's cached map is kept by.
    with django_assert_max_num_queries(MAX_QUERIES + 5):
        assert client.get(reverse("map"), {"theme": "transport"}).status_code == 200


def test_every_static_file_the_page_uses_is_vendored_here(client, demo):
    html = client.get(reverse("map")).content.decode()
    referenced = re.findall(r'(?:href|src|data-world)="/static/([^"]+)"', html)
    assert {"web/vendor/leaflet/leaflet.js", "web/vendor/leaflet/leaflet.css",
            "web/vendor/topojson-client/topojson-client.min.js",
            "web/vendor/world-atlas/countries-110m.json", "web/map.js",
            "web/map.css"} <= set(referenced)
    for path in referenced:
        assert finders.find(path), path
    # Nothing on the page points the browser at another host.
    assert not re.search(r'(?:href|src)="(?:https?:)?//', html.split("<body>")[0])
    for path in ("web/vendor/leaflet/LICENSE", "web/vendor/topojson-client/LICENSE",
                 "web/vendor/world-atlas/LICENSE", "web/vendor/leaflet/images/layers.png"):
        assert finders.find(path), path


def test_the_publics_cached_map_follows_a_change_to_the_records(client, demo):
    url = reverse("map-data")
    before = client.get(url).json()
    assert "lyon-guangzhou" in pairings_in(before)
    make_internal("lyon-guangzhou")
    assert "lyon-guangzhou" not in pairings_in(client.get(url).json())


def test_the_data_is_compressed_for_a_browser_that_accepts_it(client, demo):
    response = client.get(reverse("map-data"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.headers["Content-Encoding"] == "gzip"
