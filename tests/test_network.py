"""The cooperation network: who works with whom across pairings, as a graph and a picture."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.utils import translation

from citycoop.accounts.models import Membership, Role, User
from citycoop.accounts.permissions import visible_pairings
from citycoop.common.services import create_record
from citycoop.common.text_metrics import text_width
from citycoop.matchmaking.network import (
    full_network,
    network_around_organisation,
    network_around_pairing,
    node_id,
    to_graphml,
)
from citycoop.matchmaking.picture import FONT_SIZE, network_picture
from citycoop.portfolio.models import (
    ActionOrganisation,
    AgreementParty,
    Pairing,
    PairingMember,
)
from citycoop.portfolio.services import (
    create_action,
    create_agreement,
    create_pairing,
    create_pilot,
    update_pairing,
)
from citycoop.registry.models import Organisation, Place, Programme

pytestmark = pytest.mark.django_db

WEST_MIDLANDS = "west-midlands-guangzhou-tianjin"
SVG = "{http://www.w3.org/2000/svg}"
# One query for the links around the centre, one for the ring beyond, three for the names
# (pairings, places, organisations), and one for a signed-in user's memberships.
QUERIES = 6

anonymous = AnonymousUser()


def pairing(slug: str) -> Pairing:
    return Pairing.objects.get(slug=slug)


def place(slug: str) -> str:
    return node_id("place", Place.objects.get(slug=slug).pk)


def organisation(slug: str) -> str:
    return node_id("organisation", Organisation.objects.get(slug=slug).pk)


def pairing_node(slug: str) -> str:
    return node_id("pairing", pairing(slug).pk)


def internal_work(acting_user: User | None) -> Organisation:
    """An organisation known only from an internal pilot and an internal agreement of the
    West-Midlands pairing."""
    secret = create_record(Organisation, {"slug": "quiet-partner", "name": "Quiet Partner Ltd",
                                          "type": "company", "country": "GB"},
                           acting_user=acting_user)
    wm = pairing(WEST_MIDLANDS)
    pilot = create_pilot({"pairing": wm, "slug": "not-yet-public", "title": "Not yet public",
                          "position": 9, "is_public": False}, acting_user=acting_user)
    action = create_action({"pilot": pilot, "position": 0, "text": "First talks"},
                           acting_user=acting_user)
    create_record(ActionOrganisation, {"action": action, "organisation": secret},
                  acting_user=acting_user)
    agreement = create_agreement({"slug": "quiet-mou", "title": "Quiet MoU",
                                  "status": "drafting", "pairing": wm, "is_public": False},
                                 acting_user=acting_user)
    create_record(AgreementParty, {"agreement": agreement, "organisation": secret,
                                   "side": "eu"}, acting_user=acting_user)
    return secret


# -- the graphs --------------------------------------------------------------------------------


def test_a_pairings_network_holds_its_places_and_organisations(demo):
    graph = network_around_pairing(pairing(WEST_MIDLANDS), anonymous)
    centre = pairing_node(WEST_MIDLANDS)
    assert graph.graph["centre"] == centre
    for member in ("west-midlands", "guangzhou", "tianjin"):
        assert graph.edges[centre, place(member)]["kind"] == "member"
    for slug in ("keele-university", "uk-china-biotech-fund", "wolverhampton-aerospace-cluster",
                 "medilink"):
        edge = graph.edges[centre, organisation(slug)]
        assert edge["kind"] == "action" and edge["actions"] >= 1
    assert graph.nodes[place("tianjin")]["other_names"]["zh"] == "天津"
    assert graph.nodes[centre]["ring"] == 0


def test_it_reaches_the_other_pairings_its_places_work_in(demo):
    graph = network_around_pairing(pairing(WEST_MIDLANDS), anonymous)
    lyon, lazio = pairing_node("lyon-guangzhou"), pairing_node("tianjin-lazio")
    assert graph.has_edge(lyon, place("guangzhou"))
    assert graph.has_edge(lazio, place("tianjin"))
    assert graph.nodes[lyon]["ring"] == 2
    # One hop only: Lyon's own other members are not drawn around West-Midlands.
    assert place("lyon") not in graph


def test_an_organisation_in_two_pairings_links_them(demo):
    lazio_government = Organisation.objects.get(slug="regional-government-of-lazio")
    graph = network_around_organisation(lazio_government, anonymous)
    centre = organisation("regional-government-of-lazio")
    for slug in ("navi-mumbai-lazio", "chandigarh-copenhagen"):
        assert graph.has_edge(centre, pairing_node(slug))
    # ... with the other partners it meets there.
    assert graph.has_edge(pairing_node("navi-mumbai-lazio"), place("navi-mumbai"))

    whole = full_network(anonymous)
    path = nx.shortest_path(whole, pairing_node("navi-mumbai-lazio"),
                            pairing_node("chandigarh-copenhagen"))
    assert len(path) == 3  # pairing – shared partner – pairing


def test_an_edge_counts_each_record_once(demo):
    wm = pairing(WEST_MIDLANDS)
    keele = Organisation.objects.get(slug="keele-university")
    actions = ActionOrganisation.objects.filter(organisation=keele,
                                                action__pilot__pairing=wm).count()
    around_pairing = network_around_pairing(wm, anonymous)
    around_keele = network_around_organisation(keele, anonymous)
    for graph in (around_pairing, around_keele):
        edge = graph.edges[node_id("pairing", wm.pk), node_id("organisation", keele.pk)]
        assert (edge["actions"], edge["members"], edge["agreements"]) == (actions, 0, 0)
        assert edge["count"] == actions


def test_an_agreement_party_is_linked_to_the_pairing(demo):
    graph = network_around_organisation(Organisation.objects.get(slug="fira-de-barcelona"),
                                        anonymous)
    edge = graph.edges[organisation("fira-de-barcelona"), pairing_node("barcelona-wuhan-chengdu")]
    assert edge["agreements"] >= 1


def test_internal_work_is_left_out_for_the_public_and_outsiders(demo, outsider):
    secret = internal_work(acting_user=None)
    wm = pairing(WEST_MIDLANDS)
    secret_node = node_id("organisation", secret.pk)
    for user in (anonymous, outsider):
        assert secret_node not in network_around_pairing(wm, user)
        assert secret_node not in full_network(user)
        around_secret = network_around_organisation(secret, user)
        assert list(around_secret) == [secret_node]  # only itself: no pairing to show


def test_internal_work_is_shown_to_the_programme_team_and_the_pairings_own_people(
        demo, manager, admin_user):
    secret = internal_work(acting_user=None)
    wm = pairing(WEST_MIDLANDS)
    coordinator = User.objects.create_user("coordinator", password="a-long-test-password")
    Membership.objects.create(user=coordinator, role=Role.COORDINATOR, pairing=wm)
    secret_node, centre = node_id("organisation", secret.pk), node_id("pairing", wm.pk)
    for user in (manager, admin_user, coordinator):
        edge = network_around_pairing(wm, user).edges[centre, secret_node]
        assert (edge["actions"], edge["agreements"]) == (1, 1)
        assert network_around_organisation(secret, user).has_edge(secret_node, centre)


def test_a_coordinator_does_not_see_other_pairings_internal_work(demo):
    lyon = pairing("lyon-guangzhou")
    pilot = create_pilot({"pairing": lyon, "slug": "closed-door", "title": "Closed door",
                          "position": 9, "is_public": False}, acting_user=None)
    action = create_action({"pilot": pilot, "position": 0, "text": "Talks"}, acting_user=None)
    create_record(ActionOrganisation, {"action": action,
                                       "organisation": Organisation.objects.get(
                                           slug="keele-university")}, acting_user=None)
    coordinator = User.objects.create_user("coordinator", password="a-long-test-password")
    Membership.objects.create(user=coordinator, role=Role.COORDINATOR,
                              pairing=pairing(WEST_MIDLANDS))
    graph = network_around_pairing(pairing(WEST_MIDLANDS), coordinator)
    assert not graph.has_edge(pairing_node("lyon-guangzhou"), organisation("keele-university"))


def test_an_internal_pairing_is_invisible_to_the_public(demo, admin_user):
    lyon = pairing("lyon-guangzhou")
    update_pairing(lyon, {"is_public": False}, acting_user=None, expected_version=None)
    lyon_node = node_id("pairing", lyon.pk)
    assert lyon_node not in network_around_pairing(pairing(WEST_MIDLANDS), anonymous)
    assert network_around_pairing(lyon, anonymous).number_of_nodes() == 0
    assert lyon_node in network_around_pairing(pairing(WEST_MIDLANDS), admin_user)


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "manager", "admin_user"])
def test_the_whole_network_shows_exactly_the_pairings_the_user_may_see(demo, request, persona):
    update_pairing(pairing("lyon-guangzhou"), {"is_public": False}, acting_user=None,
                   expected_version=None)
    user = anonymous if persona == "anonymous" else request.getfixturevalue(persona)
    graph = full_network(user)
    shown = {data["slug"] for _, data in graph.nodes(data=True) if data["kind"] == "pairing"}
    assert shown == set(visible_pairings(user, Pairing.objects.all())
                        .values_list("slug", flat=True))


def test_trimming_keeps_the_centre_its_members_and_the_best_connected(demo):
    wm = pairing(WEST_MIDLANDS)
    full = network_around_pairing(wm, anonymous)
    small = network_around_pairing(wm, anonymous, max_nodes=6)
    centre = node_id("pairing", wm.pk)
    assert small.number_of_nodes() == 6
    assert nx.is_connected(small) and centre in small
    members = {place(slug) for slug in ("west-midlands", "guangzhou", "tianjin")}
    assert members <= set(small)
    # The rest are the nodes with the most links in the untrimmed network.
    others = set(small) - members - {centre}
    assert min(full.degree(n) for n in others) >= max(
        full.degree(n) for n in set(full) - set(small) if full.has_edge(centre, n))


def test_the_number_of_queries_does_not_grow_with_the_portfolio(
        demo, manager, django_assert_max_num_queries):
    wm = pairing(WEST_MIDLANDS)
    keele = Organisation.objects.get(slug="keele-university")
    guangzhou = Place.objects.get(slug="guangzhou")

    def build_all() -> None:
        for user in (anonymous, manager):
            with django_assert_max_num_queries(QUERIES):
                network_around_pairing(wm, user)
            with django_assert_max_num_queries(QUERIES):
                network_around_organisation(keele, user)
        with django_assert_max_num_queries(QUERIES):
            full_network(manager)

    build_all()
    # Thirty more pairings, each with Guangzhou and Keele University in it.
    programme = Programme.objects.get(slug="world-cities-2015-2016")
    for n in range(30):
        more = create_pairing({"slug": f"more-{n}", "programme": programme,
                               "label": f"More {n} – Guangzhou"}, acting_user=None)
        create_record(PairingMember, {"pairing": more, "place": guangzhou, "side": "partner"},
                      acting_user=None)
        pilot = create_pilot({"pairing": more, "slug": "p", "title": "P"}, acting_user=None)
        action = create_action({"pilot": pilot, "position": 0, "text": "Work"},
                               acting_user=None)
        create_record(ActionOrganisation, {"action": action, "organisation": keele},
                      acting_user=None)
    assert Pairing.objects.count() >= 40
    build_all()
    graph = network_around_organisation(keele, anonymous, max_nodes=20)
    assert graph.number_of_nodes() == 20


# -- export ------------------------------------------------------------------------------------


def test_the_graphml_export_reads_back(demo):
    graph = full_network(anonymous)
    text = to_graphml(graph)
    read = nx.read_graphml(io.BytesIO(text.encode()))
    assert set(read) == set(graph)
    assert read.number_of_edges() == graph.number_of_edges()
    tianjin = read.nodes[place("tianjin")]
    assert tianjin["kind"] == "place" and "天津" in tianjin["other_names"]
    centre, keele = pairing_node(WEST_MIDLANDS), organisation("keele-university")
    assert read.edges[centre, keele]["kind"] == "action"


# -- the picture -------------------------------------------------------------------------------


def test_the_picture_keeps_every_node_and_label_inside_with_the_centre_in_the_middle(demo):
    picture = network_picture(network_around_pairing(pairing(WEST_MIDLANDS), anonymous))
    assert picture.centre is not None and picture.centre.show_label
    assert abs(picture.centre.x - picture.width / 2) < 1
    assert abs(picture.centre.y - picture.height / 2) < 10  # room is kept for labels below
    for node in picture.nodes:
        assert node.r <= node.x <= picture.width - node.r
        assert node.r <= node.y <= picture.height - node.r
        if node.show_label:
            width = text_width(node.label, FONT_SIZE)
            left = {"start": node.label_x, "end": node.label_x - width}.get(
                node.label_anchor, node.label_x - width / 2)
            assert left >= 0 and left + width <= picture.width
            assert 0 <= node.label_y <= picture.height


def test_the_picture_is_the_same_every_time(demo):
    graph = network_around_pairing(pairing(WEST_MIDLANDS), anonymous)
    first, second = network_picture(graph), network_picture(graph)
    assert [(n.id, n.x, n.y, n.label_x) for n in first.nodes] == [
        (n.id, n.x, n.y, n.label_x) for n in second.nodes]


def test_the_picture_names_places_in_the_readers_language(demo):
    graph = network_around_pairing(pairing(WEST_MIDLANDS), anonymous)
    with translation.override("zh-hans"):
        picture = network_picture(graph)
    tianjin = next(n for n in picture.nodes if n.id == place("tianjin"))
    assert tianjin.label == "天津"
    assert tianjin.name == "天津 (Tianjin)"
    assert tianjin.url.endswith("/places/tianjin/")


def test_the_include_draws_a_linked_node_for_every_node_with_a_text_alternative(demo):
    picture = network_picture(network_around_pairing(pairing(WEST_MIDLANDS), anonymous))
    html = render_to_string("web/_network.html", {"network": picture})
    markup = re.search(r"<svg [^>]*class=\"network-svg\".*?</svg>", html, re.S)
    assert markup is not None
    svg = ET.fromstring(markup.group(0))
    # A group, not an image: its nodes are links that keyboard and screen-reader users reach.
    assert svg.get("role") == "group" and "West-Midlands" in (svg.get("aria-label") or "")
    links = svg.findall(f".//{SVG}a")
    assert len(links) == len(picture.nodes)
    assert {link.get("href") for link in links} == {node.url for node in picture.nodes}
    assert all(link.find(f"{SVG}title") is not None for link in links)
    # Edges are drawn as one path per kind and width, each edge one "M…L…" segment.
    paths = svg.findall(f".//{SVG}g[@class='net-edges']/{SVG}path")
    assert sum(path.get("d", "").count("M") for path in paths) == len(picture.edges)
    assert "web/network.css" in html
    # The text alternative: one table row per connection, with its reasons.
    table = html.split('<div class="visually-hidden">')[1]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td><td>(.*?)</td>"
                      r"<td>(\d+)</td><td>(\d+)</td></tr>", table)
    assert len(rows) == len(picture.edges)
    assert ("West-Midlands – Guangzhou / Tianjin", "Guangzhou", "yes", "0", "0") in rows
    assert ("West-Midlands – Guangzhou / Tianjin", "Keele University", "", "1", "0") in rows


def test_the_include_says_so_when_there_is_nothing_to_draw(demo):
    lonely = create_pairing({"slug": "lonely", "programme": Programme.objects.first(),
                             "label": "Lonely – Nowhere"}, acting_user=None)
    picture = network_picture(network_around_pairing(lonely, anonymous))
    assert [node.id for node in picture.nodes] == [node_id("pairing", lonely.pk)]
    html = render_to_string("web/_network.html", {"network": picture})
    assert "network-svg" not in html
    assert "No connections" in html
