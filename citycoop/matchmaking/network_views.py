"""The cooperation network as a whole: who connects pairings, which stand alone, thematic
clusters, and the graph as GraphML for network tools (Gephi, Cytoscape, networkx)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from citycoop.opendata.selection import Selection

from . import network_analysis as analysis
from .network import full_network, to_graphml


def network_page(request: HttpRequest) -> HttpResponse:
    graph = full_network(request.user)
    slugs = {node: data.get("slug", "") for node, data in graph.nodes(data=True)}
    return render(request, "matchmaking/network_page.html", {
        "summary": analysis.summary(graph),
        "connectors": analysis.connectors(graph),
        "isolated": [(slugs[node], label) for node, label in analysis.isolated_pairings(graph)],
        "clusters": [(cluster, [(slugs[node], label) for node, label in cluster.pairings])
                     for cluster in analysis.clusters(graph, Selection(user=request.user)
                                                      .pilots())],
    })


def network_graphml(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(to_graphml(full_network(request.user)),
                            content_type="application/graphml+xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="citycoop-network.graphml"'
    response["Cache-Control"] = "private, no-store"
    return response
