"""Who works with whom across pairings: the cooperation network as a networkx graph.

Nodes are pairings, places and organisations, named ``"pairing:12"``, ``"place:3"``,
``"organisation:7"``. Every edge joins a pairing to a place or an organisation and says why:

- ``member``: the place or organisation is a member of the pairing;
- ``action``: the organisation takes part in actions of the pairing's pilot projects;
- ``agreement``: the organisation is party to agreements of the pairing.

An edge carries the count of each (``members``, ``actions``, ``agreements``), their sum as
``count``, and the strongest of them as ``kind``.

Each graph costs a fixed handful of SQL queries however large the portfolio is (five for
the public, six for a signed-in user): links come in bulk, counted by the database, and
names in one query per kind of node, never one per node.
Visibility follows :mod:`citycoop.accounts.permissions`: only pairings the user may see,
and internal pilot projects and agreements only in pairings where :func:`sees_internal`
would let the user see them.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx
from django.db.models import CharField, Count, F, IntegerField, Q, QuerySet, Value

from citycoop.accounts.permissions import internal_reach, visible_pairings
from citycoop.portfolio.models import ActionOrganisation, AgreementParty, Pairing, PairingMember
from citycoop.registry.models import Organisation, Place

PAIRING, PLACE, ORGANISATION = "pairing", "place", "organisation"
MEMBER, ACTION, AGREEMENT = "member", "action", "agreement"
# The strongest reason first: it names the edge when there are several.
REASONS = (MEMBER, AGREEMENT, ACTION)
COUNT_FIELDS = {MEMBER: "members", AGREEMENT: "agreements", ACTION: "actions"}


def node_id(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def split_node_id(node: str) -> tuple[str, int]:
    kind, _, pk = node.partition(":")
    return kind, int(pk)


# -- who may see what --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What one user may see, as query conditions on the path to a pairing.

    The same rule as ``visible_pairings`` and ``sees_internal``, but for many pairings at
    once: those helpers answer for one queryset or one pairing, and asking ``sees_internal``
    per pairing would cost a query per node.
    """

    everything: bool
    programmes: frozenset[int]  # programmes the user manages: all their records are visible
    pairings: frozenset[int]  # pairings the user belongs to: all their records are visible

    def _own(self, path: str) -> Q | None:
        """The user's own pairings (reached through ``path``), or None when there are none."""
        condition = Q()
        if self.programmes:
            condition |= Q(**{f"{path}__programme__in": sorted(self.programmes)})
        if self.pairings:
            condition |= Q(**{f"{path}__in": sorted(self.pairings)})
        return condition or None

    def pairing(self, path: str) -> Q:
        """The pairing at the end of ``path`` is visible."""
        if self.everything:
            return Q()
        own = self._own(path)
        public = Q(**{f"{path}__is_public": True})
        return public | own if own is not None else public

    def record(self, path: str, pairing_path: str) -> Q:
        """The pilot or agreement at ``path`` is visible: its pairing is, and either the
        record is public or the user sees that pairing's internal records."""
        if self.everything:
            return Q()
        own = self._own(pairing_path)
        public = Q(**{f"{path}__is_public": True})
        return self.pairing(pairing_path) & (public | own if own is not None else public)


def scope_for(user: Any) -> Scope:
    """One query for a signed-in user's memberships; none for the public and for admins."""
    everything, programmes, pairings = internal_reach(user)
    return Scope(everything=everything, programmes=programmes, pairings=pairings)


# -- edges, in bulk ----------------------------------------------------------------------------

# One edge row: pairing id, other node, reason, how many records give that reason.
EdgeRow = tuple[int, str, str, int]


def edge_rows(scope: Scope, *, pairings: Iterable[int] | None = None,
              places: Iterable[int] | None = None,
              organisations: Iterable[int] | None = None) -> Iterator[EdgeRow]:
    """The links of some pairings (``pairings``) or of some places and organisations
    (``places``, ``organisations``), or of everything when none is given: one query, a
    UNION of memberships, action roles and agreement parties counted per pairing."""
    by_pairing = None if pairings is None else sorted(set(pairings))
    by_node = places is not None or organisations is not None
    place_ids, organisation_ids = sorted(set(places or ())), sorted(set(organisations or ()))
    if by_pairing == [] or (by_node and not place_ids and not organisation_ids):
        return

    # Each part has the same columns: pairing, place, organisation, reason, count.
    members = PairingMember.objects.filter(scope.pairing("pairing"))
    if by_pairing is not None:
        members = members.filter(pairing__in=by_pairing)
    if by_node:
        members = members.filter(Q(place__in=place_ids) | Q(organisation__in=organisation_ids))
    parts = [members.values_list("pairing_id", "place_id", "organisation_id").annotate(
        reason=Value(MEMBER, CharField()), n=Value(1, IntegerField())).order_by()]

    # Actions and agreements link organisations only: the places an action names are where
    # it happens, not partners of the pairing.
    if not by_node or organisation_ids:
        roles = ActionOrganisation.objects.filter(
            scope.record("action__pilot", "action__pilot__pairing"))
        parties = AgreementParty.objects.filter(
            scope.record("agreement", "agreement__pairing"),
            agreement__pairing__isnull=False, organisation__isnull=False)
        if by_pairing is not None:
            roles = roles.filter(action__pilot__pairing__in=by_pairing)
            parties = parties.filter(agreement__pairing__in=by_pairing)
        if by_node:
            roles = roles.filter(organisation__in=organisation_ids)
            parties = parties.filter(organisation__in=organisation_ids)
        # An organisation is on an action once (a constraint), so rows count actions.
        parts.append(counted(roles, "action__pilot__pairing_id", ACTION, Count("id")))
        parts.append(counted(parties, "agreement__pairing_id", AGREEMENT,
                             Count("agreement_id", distinct=True)))

    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for pairing_id, place_id, organisation_id, reason, n in rows:
        other = (node_id(PLACE, place_id) if place_id is not None
                 else node_id(ORGANISATION, organisation_id))
        yield pairing_id, other, reason, n


def counted(queryset: QuerySet, pairing: str, reason: str, count: Count) -> QuerySet:
    """Rows of ``queryset`` counted per pairing and organisation, in the columns of the
    membership part (no place)."""
    # order_by() drops default orderings, which would split the groups.
    # Annotation names must not clash with fields (an agreement party has a place).
    return (queryset.annotate(link_pairing=F(pairing), no_place=Value(None, IntegerField()),
                              link_reason=Value(reason, CharField()))
            .values_list("link_pairing", "no_place", "organisation_id", "link_reason")
            .annotate(n=count).order_by())


# Counts by reason for each link, keyed by (pairing node, other node). Plain dicts: rows
# arrive by the thousand around a busy organisation, and networkx's add_edge per row costs
# more than all the queries together.
Links = dict[tuple[str, str], dict[str, int]]


def collect(rows: Iterable[EdgeRow], links: Links | None = None, *,
            skip: str | None = None) -> Links:
    """Add the rows to ``links``; ``skip`` leaves out the links of one node (the centre,
    whose links the first query already counted)."""
    links = {} if links is None else links
    for pairing_id, other, reason, n in rows:
        pairing = node_id(PAIRING, pairing_id)
        if skip in (pairing, other):
            continue
        counts = links.get((pairing, other))
        if counts is None:
            counts = links[pairing, other] = {"members": 0, "actions": 0, "agreements": 0}
        counts[COUNT_FIELDS[reason]] += n
    return links


def graph_of(links: Links, **attributes: Any) -> nx.Graph:
    graph = nx.Graph(**attributes)
    graph.add_edges_from(
        (pairing, other, {**counts, "count": sum(counts.values()),
                          "kind": next(r for r in REASONS if counts[COUNT_FIELDS[r]])})
        for (pairing, other), counts in links.items())
    return graph


def busiest(links: Links, centre: str, limit: int) -> list[str]:
    """The centre's neighbours, members first, then by how many records link them."""
    def key(item: tuple[tuple[str, str], dict[str, int]]) -> tuple[int, int, tuple[str, int]]:
        (pairing, other), counts = item
        neighbour = other if pairing == centre else pairing
        return -counts["members"], -sum(counts.values()), sort_key(neighbour)

    ranked = sorted(links.items(), key=key)[:max(0, limit)]
    return [other if pairing == centre else pairing for (pairing, other), _ in ranked]


# -- node details ------------------------------------------------------------------------------


def describe_nodes(graph: nx.Graph, user: Any) -> None:
    """Give every node its record's names, in three queries, and drop pairings the user may
    not see (a last check against ``visible_pairings`` itself, the rule's source of truth)."""
    ids: dict[str, list[int]] = {PAIRING: [], PLACE: [], ORGANISATION: []}
    for node in graph:
        kind, pk = split_node_id(node)
        ids[kind].append(pk)
    details: dict[str, dict[str, Any]] = {}
    if ids[PAIRING]:
        pairings = visible_pairings(user, Pairing.objects.filter(pk__in=ids[PAIRING]))
        for pk, slug, label, group, is_public in pairings.values_list(
                "pk", "slug", "label", "group", "is_public").order_by():
            details[node_id(PAIRING, pk)] = {"slug": slug, "name": label, "group": group,
                                             "is_public": is_public}
    if ids[PLACE]:
        for pk, slug, name, kind, country, other_names in Place.objects.filter(
                pk__in=ids[PLACE]).values_list(
                "pk", "slug", "name", "kind", "country", "other_names").order_by():
            details[node_id(PLACE, pk)] = {"slug": slug, "name": name, "place_kind": kind,
                                           "country": country, "other_names": other_names}
    if ids[ORGANISATION]:
        for pk, slug, name, acronym, type_, country in Organisation.objects.filter(
                pk__in=ids[ORGANISATION]).values_list(
                "pk", "slug", "name", "acronym", "type", "country").order_by():
            details[node_id(ORGANISATION, pk)] = {"slug": slug, "name": name, "acronym": acronym,
                                                  "organisation_type": type_,
                                                  "country": country}
    graph.remove_nodes_from([node for node in list(graph) if node not in details])
    for node, data in graph.nodes(data=True):
        kind, pk = split_node_id(node)
        data.update(kind=kind, pk=pk, **details[node])


# -- trimming ----------------------------------------------------------------------------------


def trim(links: Links, centre: str, max_nodes: int) -> Links:
    """The links among the ``max_nodes`` most connected nodes that hang together around the
    centre.

    Grows outwards from the centre, always taking next the best node that touches what is
    already kept: the centre's own members first (they define a pairing), then the nodes
    with the most links, then those with the most records behind their links. Growing this
    way never keeps a node whose only link was cut. Works on the plain links, before any
    graph is built: around a busy organisation most of them are about to be dropped.
    """
    neighbours: dict[str, list[str]] = defaultdict(list)
    degree: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    for (pairing, other), counts in links.items():
        n = sum(counts.values())
        neighbours[pairing].append(other)
        neighbours[other].append(pairing)
        degree.update((pairing, other))
        weight[pairing] += n
        weight[other] += n
    if len(neighbours) <= max_nodes:
        return links
    members = {pairing if other == centre else other
               for (pairing, other), counts in links.items()
               if centre in (pairing, other) and counts["members"]}

    def rank(node: str) -> tuple[int, int, int, tuple[str, int]]:
        return (0 if node in members else 1, -degree[node], -weight[node], sort_key(node))

    kept = {centre}
    frontier = [(rank(node), node) for node in neighbours[centre]]
    heapq.heapify(frontier)
    while frontier and len(kept) < max_nodes:
        _, node = heapq.heappop(frontier)
        if node in kept:
            continue
        kept.add(node)
        for neighbour in neighbours[node]:
            if neighbour not in kept:
                heapq.heappush(frontier, (rank(neighbour), neighbour))
    return {key: counts for key, counts in links.items() if key[0] in kept and key[1] in kept}


def ordered(graph: nx.Graph) -> nx.Graph:
    """The same graph with nodes and edges in a fixed order, so that layouts (which depend
    on the order) come out the same whatever order the database returned rows in."""
    result = nx.Graph(**graph.graph)
    result.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: sort_key(item[0])))
    result.add_edges_from(sorted(graph.edges(data=True),
                                 key=lambda item: (sort_key(item[0]), sort_key(item[1]))))
    return result


def sort_key(node: str) -> tuple[str, int]:
    return split_node_id(node)


# -- the three graphs --------------------------------------------------------------------------

# How many first-ring nodes may go on to the second query: a pairing with hundreds of
# organisations would otherwise make it scan every pairing of each. The final trim keeps
# far fewer, so this only drops nodes that could not have made it into the picture.
FIRST_RING_FACTOR = 4


def network_around_pairing(pairing: Pairing, user: Any, *, max_nodes: int = 60) -> nx.Graph:
    """The pairing, its places and organisations, and the other pairings they work in."""
    scope = scope_for(user)
    centre = node_id(PAIRING, pairing.pk)
    links = collect(edge_rows(scope, pairings=[pairing.pk]))
    first_ring = busiest(links, centre, (max_nodes - 1) * FIRST_RING_FACTOR)
    keep = set(first_ring)
    links = {key: counts for key, counts in links.items() if key[1] in keep}
    if first_ring:
        kinds = [split_node_id(node) for node in first_ring]
        collect(edge_rows(scope, places=[pk for kind, pk in kinds if kind == PLACE],
                          organisations=[pk for kind, pk in kinds if kind == ORGANISATION]),
                links, skip=centre)
    return finish(links, centre, user, max_nodes)


def network_around_organisation(organisation: Organisation, user: Any, *,
                                max_nodes: int = 60) -> nx.Graph:
    """The organisation, the pairings it works in, and those pairings' places and
    organisations."""
    scope = scope_for(user)
    centre = node_id(ORGANISATION, organisation.pk)
    links = collect(edge_rows(scope, organisations=[organisation.pk]))
    # Its busiest pairings, up to half the picture: the other half shows who it meets
    # there. Without the cap a busy organisation's picture is a star of pairings whose
    # partners are all cut, and the second query reads every action of all those pairings.
    first_ring = busiest(links, centre, max(1, (max_nodes - 1) // 2))
    keep = set(first_ring)
    links = {key: counts for key, counts in links.items() if key[0] in keep}
    if first_ring:
        collect(edge_rows(scope, pairings=[split_node_id(node)[1] for node in first_ring]),
                links, skip=centre)
    return finish(links, centre, user, max_nodes)


def finish(links: Links, centre: str, user: Any, max_nodes: int) -> nx.Graph:
    """Trim, build the graph, name its nodes, and mark how far each is from the centre."""
    graph = graph_of(trim(links, centre, max(1, max_nodes)), centre=centre)
    graph.add_node(centre)  # also when it has no links at all
    describe_nodes(graph, user)
    if centre not in graph:  # a pairing the user may not see: nothing to show
        return nx.Graph()
    # A pairing dropped by the last visibility check may have held a node on: keep only
    # what still reaches the centre.
    graph = graph.subgraph(nx.node_connected_component(graph, centre)).copy()
    for node, distance in nx.single_source_shortest_path_length(graph, centre).items():
        graph.nodes[node]["ring"] = distance
    return ordered(graph)


def full_network(user: Any) -> nx.Graph:
    """Every pairing the user may see, with all its places and organisations."""
    graph = graph_of(collect(edge_rows(scope_for(user))))
    # Pairings with no members or organisations yet are part of the portfolio too.
    graph.add_nodes_from(node_id(PAIRING, pk) for pk in visible_pairings(
        user, Pairing.objects.all()).values_list("pk", flat=True).order_by())
    describe_nodes(graph, user)
    return ordered(graph)


# -- export ------------------------------------------------------------------------------------


def to_graphml(graph: nx.Graph) -> str:
    """The graph as GraphML text. GraphML holds only plain values: mappings and lists (a
    place's names in other scripts) become JSON text, and empty values are left out."""
    plain = nx.Graph()
    plain.graph.update(_plain(graph.graph))
    plain.add_nodes_from((node, _plain(data)) for node, data in graph.nodes(data=True))
    plain.add_edges_from((a, b, _plain(data)) for a, b, data in graph.edges(data=True))
    return "\n".join(nx.generate_graphml(plain, prettyprint=True))


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, dict | list | tuple):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        result[key] = value
    return result
