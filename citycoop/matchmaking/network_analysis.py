"""Reading the cooperation network: who connects pairings, which pairings stand alone, and
which pairings in different countries work on the same themes (clusters, as programmes
group their pairings by hand).

Works on the graph :func:`~citycoop.matchmaking.network.full_network` builds for a user, so
what it names follows the same visibility rules as the network pictures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx
from django.db.models import QuerySet

from citycoop.portfolio.models import PairingMember, PilotProject

from .network import ORGANISATION, PAIRING, PLACE, split_node_id

# Betweenness is exact up to this many nodes, sampled above (it grows with nodes x edges).
EXACT_BETWEENNESS_NODES = 2_000
BETWEENNESS_SAMPLES = 300
# Two pairings belong together when they share this share of their themes (Jaccard).
CLUSTER_SIMILARITY = 0.5
MIN_CLUSTER = 3


@dataclass(frozen=True)
class Connector:
    node: str
    slug: str
    name: str
    kind: str               # organisation or place
    pairings: int           # how many pairings it links
    betweenness: float      # share of shortest paths through it, 0 to 1


@dataclass(frozen=True)
class Cluster:
    themes: list[str]                   # what its pairings share, most shared first
    pairings: list[tuple[str, str]]     # (node, label)
    countries: list[str]                # the partner-side countries it spans


def betweenness(graph: nx.Graph) -> dict[str, float]:
    if graph.number_of_nodes() <= EXACT_BETWEENNESS_NODES:
        return nx.betweenness_centrality(graph)
    return nx.betweenness_centrality(graph, k=BETWEENNESS_SAMPLES, seed=1)


def connectors(graph: nx.Graph, *, top: int = 15) -> list[Connector]:
    """Organisations and places tied to more than one pairing, the most connecting first."""
    central = betweenness(graph)
    found = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") not in (ORGANISATION, PLACE):
            continue
        linked = sum(1 for other in graph[node] if graph.nodes[other].get("kind") == PAIRING)
        if linked > 1:
            found.append(Connector(node, str(data.get("slug", "")),
                                   str(data.get("name") or node), str(data["kind"]), linked,
                                   round(central.get(node, 0.0), 4)))
    found.sort(key=lambda c: (-c.pairings, -c.betweenness, c.name))
    return found[:top]


def isolated_pairings(graph: nx.Graph) -> list[tuple[str, str]]:
    """Pairings that share no place or organisation with any other pairing: (node, label)."""
    alone = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") != PAIRING:
            continue
        neighbours = graph[node]
        if all(sum(1 for n in graph[other] if graph.nodes[n].get("kind") == PAIRING) <= 1
               for other in neighbours):
            alone.append((node, str(data.get("name") or node)))
    return sorted(alone, key=lambda pair: pair[1])


def pairing_themes(pairing_ids: list[int], pilots: QuerySet[PilotProject]) -> dict[int, set[str]]:
    """Each pairing's themes, as the top of the taxonomy names them (a sub-theme counts as
    its parent), from the pilots in ``pilots``."""
    themes: dict[int, set[str]] = defaultdict(set)
    rows = (PilotProject.themes.through.objects
            .filter(pilotproject__in=pilots, pilotproject__pairing_id__in=pairing_ids)
            .values_list("pilotproject__pairing_id", "theme__name", "theme__parent__name"))
    for pairing, name, parent in rows:
        themes[pairing].add(parent or name)
    return themes


def partner_countries(pairing_ids: list[int]) -> dict[int, set[str]]:
    countries: dict[int, set[str]] = defaultdict(set)
    for pairing, country in (PairingMember.objects.filter(pairing_id__in=pairing_ids,
                                                          side="partner")
                             .values_list("pairing_id", "place__country")):
        if country:
            countries[pairing].add(country)
    return countries


def clusters(graph: nx.Graph, pilots: QuerySet[PilotProject]) -> list[Cluster]:
    """Groups of pairings, in more than one partner country, whose themes overlap; each
    named by the themes most of its pairings share."""
    labels = {split_node_id(node)[1]: str(data.get("name") or node)
              for node, data in graph.nodes(data=True) if data.get("kind") == PAIRING}
    ids = sorted(labels)
    themes = pairing_themes(ids, pilots)
    countries = partner_countries(ids)
    similar = nx.Graph()
    themed = [pk for pk in ids if themes.get(pk)]
    for index, first in enumerate(themed):
        for second in themed[index + 1:]:
            shared = themes[first] & themes[second]
            if shared and len(shared) / len(themes[first] | themes[second]) >= \
                    CLUSTER_SIMILARITY:
                similar.add_edge(first, second)
    found = []
    for group in nx.connected_components(similar):
        members = sorted(group, key=lambda pk: labels[pk])
        spanned = set().union(*(countries.get(pk, set()) for pk in members))
        if len(members) < MIN_CLUSTER or len(spanned) < 2:
            continue
        counts: Counter[str] = Counter(t for pk in members for t in themes[pk])
        common = [t for t, n in counts.most_common() if n * 2 >= len(members)]
        found.append(Cluster(common, [(f"{PAIRING}:{pk}", labels[pk]) for pk in members],
                             sorted(spanned)))
    return sorted(found, key=lambda c: (-len(c.pairings), c.themes))


def summary(graph: nx.Graph) -> dict[str, Any]:
    kinds = Counter(data.get("kind") for _node, data in graph.nodes(data=True))
    return {"pairings": kinds[PAIRING], "organisations": kinds[ORGANISATION],
            "places": kinds[PLACE], "links": graph.number_of_edges()}
