"""The network page: who connects pairings, thematic clusters, pairings on their own, and
the graph as GraphML, all within what the visitor may see."""

from __future__ import annotations

import io

import networkx as nx
import pytest

from citycoop.portfolio.models import Pairing
from citycoop.portfolio.services import update_pairing

pytestmark = pytest.mark.django_db


def test_the_page_names_the_connectors_the_clusters_and_the_lone_pairings(client, demo):
    page = client.get("/network/")
    assert page.status_code == 200
    connectors = {c.name: c.pairings for c in page.context["connectors"]}
    assert connectors["Tianjin"] == 2 and connectors["Regional Government of Lazio"] == 2
    assert all(n >= 2 for n in connectors.values())
    clusters = page.context["clusters"]
    assert clusters, "the demo's pairings share themes across China and India"
    cluster, pairings = clusters[0]
    assert "Urban development" in cluster.themes and len(cluster.countries) >= 2
    assert len(pairings) >= 3
    assert [label for _slug, label in page.context["isolated"]] == [
        "Mumbai (cooperation mainly with Stuttgart)"]
    html = page.content.decode()
    assert "Who connects pairings" in html and "Urban development" in html


def test_the_graphml_opens_in_network_tools(client, demo):
    answer = client.get("/network/network.graphml")
    assert answer["Content-Type"].startswith("application/graphml+xml")
    graph = nx.read_graphml(io.BytesIO(answer.content))
    kinds = {data["kind"] for _node, data in graph.nodes(data=True)}
    assert kinds == {"pairing", "organisation", "place"}
    assert sum(1 for _n, d in graph.nodes(data=True) if d["kind"] == "pairing") == 10


def test_an_internal_pairing_is_not_on_the_public_page(client, demo, manager):
    pairing = Pairing.objects.get(slug="mumbai-stuttgart")
    update_pairing(pairing, {"is_public": False}, acting_user=manager,
                   expected_version=pairing.version)
    page = client.get("/network/")
    assert page.context["isolated"] == []
    assert page.context["summary"]["pairings"] == 9
    client.force_login(manager)
    assert client.get("/network/").context["summary"]["pairings"] == 10
