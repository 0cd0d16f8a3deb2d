"""A cooperation network (see :mod:`citycoop.matchmaking.network`) as a picture model: where
each node sits in an SVG view box, its shape, size, label and link. ``web/_network.html``
draws it; nothing here writes SVG markup, so the template keeps every user-facing word.

The layout is deterministic (a fixed seed, nodes in a fixed order), so a page looks the
same on every visit and in screenshots. Call it with the reader's language active: place
labels use their local names ("天津" on a Chinese page).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import networkx as nx
import numpy as np
from django.urls import reverse

from citycoop.common.text_metrics import text_width
from citycoop.matchmaking.network import ACTION, AGREEMENT, MEMBER, ORGANISATION, PAIRING, PLACE
from citycoop.web.templatetags.citycoop_names import bilingual, local_name

WIDTH, HEIGHT = 720, 440
FONT_SIZE = 11  # in view-box units, as the stylesheet sets it
EDGE = 6  # the gap kept between anything drawn and the picture's edge
LABEL_GAP = 1.5  # room kept around each label, so that neighbours do not touch
LABEL_CHARS = 24  # longer labels are shortened; the full name is in the tooltip
SEED = 20160428  # any fixed number: the same picture on every visit
SPRING_LENGTH = 2.0  # the springs' rest length, times 1/sqrt(nodes): rings are 1 apart
SPRING_ITERATIONS = 50
NODE_GAP = 3.0  # the least room between two drawn nodes, in view-box units
SEPARATE_ROUNDS = 150
URL_NAMES = {PAIRING: "web:pairing", PLACE: "web:place", ORGANISATION: "web:organisation"}


@dataclass
class PictureNode:
    id: str
    kind: str  # pairing, place or organisation
    name: str  # the full name, for the tooltip and the text alternative
    label: str  # the name as drawn, shortened to fit
    url: str
    x: float
    y: float
    r: float
    degree: int
    is_centre: bool = False
    shape: str = ""  # SVG path data: a square, a circle or a diamond by kind
    show_label: bool = False
    label_x: float = 0.0
    label_y: float = 0.0
    label_anchor: str = "middle"


@dataclass(frozen=True)
class PictureEdge:
    pairing: PictureNode
    other: PictureNode
    kind: str  # member, action or agreement: the strongest reason
    members: int
    actions: int
    agreements: int
    width: float


@dataclass(frozen=True)
class Stroke:
    """All the edges of one kind and width as one SVG path: a busy picture has hundreds of
    edges, and one element each would cost more to render than the rest of the page."""

    kind: str
    width: float
    path: str


@dataclass
class NetworkPicture:
    nodes: list[PictureNode]
    edges: list[PictureEdge]
    centre: PictureNode | None
    strokes: list[Stroke] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    counts: dict[str, int] = field(default_factory=dict)  # nodes by kind, for the summary

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def dom_id(self) -> str:
        """A prefix for element ids, distinct for each centre on one page."""
        return "network-" + (self.centre.id.replace(":", "-") if self.centre else "all")

    @property
    def connections(self) -> list[PictureEdge]:
        """The edges in reading order for the text alternative: the centre's own links
        first, then each other pairing's."""
        return sorted(self.edges, key=lambda e: (not (e.pairing.is_centre or e.other.is_centre),
                                                 e.pairing.name.casefold(),
                                                 e.other.name.casefold()))


def network_picture(graph: nx.Graph, *, width: int = WIDTH,
                    height: int = HEIGHT) -> NetworkPicture:
    """Lay the graph out in a ``width`` × ``height`` view box, its centre in the middle."""
    centre = graph.graph.get("centre")
    if centre not in graph:
        centre = None
    degrees = dict(graph.degree())
    most = max((d for node, d in degrees.items() if node != centre), default=1)
    radii = {node: radius(degrees[node], most, node == centre) for node in graph}
    positions = separate(fit(layout(graph, centre), radii, centre, width, height), radii,
                         centre, width, height)
    nodes = {node: PictureNode(
        id=node, kind=data["kind"], name=full_name(data), label=short_label(data),
        url=reverse(URL_NAMES[data["kind"]], args=[data["slug"]]),
        x=positions[node][0], y=positions[node][1], r=radii[node],
        degree=degrees[node], is_centre=node == centre,
    ) for node, data in graph.nodes(data=True)}
    for node in nodes.values():
        node.shape = shape(node.kind, node.x, node.y, node.r)
    place_labels(list(nodes.values()), width, height)
    edges = []
    for a, b, data in graph.edges(data=True):
        pairing, other = (a, b) if nodes[a].kind == PAIRING else (b, a)
        edges.append(PictureEdge(
            pairing=nodes[pairing], other=nodes[other], kind=data["kind"],
            members=data["members"], actions=data["actions"], agreements=data["agreements"],
            # Thicker for more records behind the link, in half steps (fewer strokes).
            width=min(4.0, round(2 + math.log2(max(1, data["count"]))) / 2)))
    counts = {kind: sum(1 for n in nodes.values() if n.kind == kind)
              for kind in (PAIRING, PLACE, ORGANISATION)}
    # The centre last, so that it is drawn over its neighbours; otherwise graph order.
    ordered = sorted(nodes.values(), key=lambda n: n.is_centre)
    return NetworkPicture(nodes=ordered, edges=edges, strokes=strokes(edges),
                          centre=nodes[centre] if centre else None,
                          width=width, height=height, counts=counts)


def strokes(edges: list[PictureEdge]) -> list[Stroke]:
    """Edges grouped into one path per kind and width; agreements drawn last, on top."""
    paths: dict[tuple[str, float], list[str]] = {}
    for edge in edges:
        a, b = edge.pairing, edge.other
        paths.setdefault((edge.kind, edge.width), []).append(f"M{a.x},{a.y}L{b.x},{b.y}")
    order = {MEMBER: 0, ACTION: 1, AGREEMENT: 2}
    return [Stroke(kind=kind, width=width, path="".join(parts))
            for (kind, width), parts in sorted(paths.items(),
                                               key=lambda item: (order[item[0][0]], item[0][1]))]


# -- names -------------------------------------------------------------------------------------


def record(data: dict[str, Any]) -> SimpleNamespace:
    """What the name filters read (a ``name`` and, for places, ``other_names``)."""
    return SimpleNamespace(name=data["name"], other_names=data.get("other_names") or {})


def full_name(data: dict[str, Any]) -> str:
    if data["kind"] == PLACE:
        return bilingual(record(data))
    acronym = data.get("acronym") or ""
    if acronym and acronym.casefold() not in data["name"].casefold():
        return f"{data['name']} ({acronym})"
    return str(data["name"])


def short_label(data: dict[str, Any]) -> str:
    name = local_name(record(data)) if data["kind"] == PLACE else str(data["name"])
    if len(name) > LABEL_CHARS and data.get("acronym"):
        return str(data["acronym"])
    return name if len(name) <= LABEL_CHARS else name[:LABEL_CHARS - 1].rstrip() + "…"


# -- layout ------------------------------------------------------------------------------------


def radius(degree: int, most: int, is_centre: bool) -> float:
    """Bigger for nodes with more links, against the best linked node of this picture (so a
    dense picture does not turn into a pile of big nodes); area grows with the count."""
    r = 4.5 + 8.0 * math.sqrt(degree / max(1, most))
    return round(max(r, 12.0) if is_centre else r, 1)


def layout(graph: nx.Graph, centre: str | None) -> dict[str, tuple[float, float]]:
    """Positions in layout units, the centre (when there is one) pinned at (0, 0)."""
    if graph.number_of_nodes() <= 1:
        return {node: (0.0, 0.0) for node in graph}
    if centre is None:
        positions = nx.spring_layout(graph, seed=SEED)
    else:
        # Springs from a radial start: the centre's neighbours on one circle, theirs on a
        # wider one beside them. Springs alone tangle and drift; the start alone crosses
        # lines. A few iterations with long springs keep the rings and undo the crossings.
        k = SPRING_LENGTH / math.sqrt(graph.number_of_nodes())
        positions = nx.spring_layout(graph, pos=rings(graph, centre), fixed=[centre], k=k,
                                     seed=SEED, iterations=SPRING_ITERATIONS)
    return {node: (float(x), float(y)) for node, (x, y) in positions.items()}


def rings(graph: nx.Graph, centre: str) -> dict[str, tuple[float, float]]:
    """The centre at (0, 0), nodes ``ring`` links away from it on a circle of radius
    ``ring``, each ring ordered by the mean angle of its links into the ring inside, so
    that a node starts out next to what it is linked to."""
    by_ring: dict[int, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if node != centre:
            by_ring.setdefault(int(data.get("ring", 2)), []).append(node)
    angles = {centre: 0.0}
    start = {centre: (0.0, 0.0)}

    def mean_angle(node: str) -> float:
        inner = [angles[n] for n in graph.neighbors(node) if n in angles]
        return math.atan2(sum(map(math.sin, inner)), sum(map(math.cos, inner))) if inner else 0.0

    for ring in sorted(by_ring):
        members = by_ring[ring] if ring <= 1 else sorted(by_ring[ring], key=mean_angle)
        for i, node in enumerate(members):
            angles[node] = 2 * math.pi * i / len(members)
            start[node] = (ring * math.cos(angles[node]), ring * math.sin(angles[node]))
    return start


def separate(positions: dict[str, tuple[float, float]], radii: dict[str, float],
             centre: str | None, width: int, height: int) -> dict[str, tuple[float, float]]:
    """Push apart nodes drawn on top of each other (densely linked neighbours end up in one
    spot), keeping the centre still and everything inside the picture."""
    nodes = list(positions)
    if len(nodes) < 2:
        return positions
    r = np.array([radii[n] for n in nodes]) * 1.25  # diamonds reach out further than r
    pinned = np.array([n == centre for n in nodes])
    pad = float(r.max()) + EDGE
    low, high = np.array([pad, pad]), np.array([width - pad, height - pad - FONT_SIZE - 2])
    wanted = r[:, None] + r[None, :] + NODE_GAP
    np.fill_diagonal(wanted, 0.0)
    # Nodes on the very same spot have no direction to move apart in: a tiny, fixed offset
    # per node gives them one.
    i = np.arange(len(nodes))
    x = np.array([positions[n][0] for n in nodes]) + np.where(pinned, 0.0, 0.01 * np.cos(i))
    y = np.array([positions[n][1] for n in nodes]) + np.where(pinned, 0.0, 0.01 * np.sin(i))
    for _ in range(SEPARATE_ROUNDS):
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        distance = np.sqrt(dx * dx + dy * dy)
        overlap = wanted - distance
        np.maximum(overlap, 0.0, out=overlap)
        if not overlap.any():
            break
        # Each of a pair moves half the overlap away from the other.
        share = overlap / (2 * np.maximum(distance, 1e-6))
        x = np.clip(x + np.where(pinned, 0.0, (share * dx).sum(axis=1)), low[0], high[0])
        y = np.clip(y + np.where(pinned, 0.0, (share * dy).sum(axis=1)), low[1], high[1])
    return {node: (round(float(x[k]), 1), round(float(y[k]), 1)) for k, node in enumerate(nodes)}


def fit(positions: dict[str, tuple[float, float]], radii: dict[str, float], centre: str | None,
        width: int, height: int) -> dict[str, tuple[float, float]]:
    """Scale layout units to the view box, keeping every node and the line of label below
    it inside. With a centre the picture is scaled about the middle, so the centre sits
    there; without one, the drawing's bounding box fills the picture."""
    if not positions:
        return {}
    pad = max(radii.values()) + EDGE
    left, right = pad, width - pad
    top, bottom = pad, height - pad - FONT_SIZE - 2
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    if centre is not None:
        cx, cy = (left + right) / 2, (top + bottom) / 2
        sx = (right - cx) / (max(abs(x) for x in xs) or 1)
        sy = (bottom - cy) / (max(abs(y) for y in ys) or 1)
        return {node: (round(cx + x * sx, 1), round(cy + y * sy, 1))
                for node, (x, y) in positions.items()}
    x0, y0 = min(xs), min(ys)
    sx = (right - left) / ((max(xs) - x0) or 1)
    sy = (bottom - top) / ((max(ys) - y0) or 1)
    return {node: (round(left + (x - x0) * sx, 1), round(top + (y - y0) * sy, 1))
            for node, (x, y) in positions.items()}


def shape(kind: str, x: float, y: float, r: float) -> str:
    """SVG path data: pairings are squares, places circles, organisations diamonds, so the
    kinds differ in shape as well as colour."""
    if kind == PAIRING:
        s = r * 0.9
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}z"
    if kind == PLACE:
        return (f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0"
                f"a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0z")
    d = r * 1.2
    return f"M{x:.1f},{y - d:.1f}L{x + d:.1f},{y:.1f}L{x:.1f},{y + d:.1f}L{x - d:.1f},{y:.1f}z"


Box = tuple[float, float, float, float]


def place_labels(nodes: list[PictureNode], width: int, height: int) -> None:
    """Put each label below, above, right or left of its node, the first of those that
    stays inside the picture and clear of nodes and of labels already placed; the centre
    and the best connected nodes choose first. A label with no room is left out: its node
    keeps its tooltip and its line in the text alternative."""
    shapes = {node.id: (node.x - node.r * 1.2, node.y - node.r * 1.2,
                        node.x + node.r * 1.2, node.y + node.r * 1.2) for node in nodes}
    placed: list[Box] = []
    for node in sorted(nodes, key=lambda n: (not n.is_centre, -n.degree, n.id)):
        # The centre is labelled whatever is around it: the picture is about it.
        obstacles = [] if node.is_centre else placed + [
            box for other, box in shapes.items() if other != node.id]
        # The centre's label is bold, so a little wider.
        w = text_width(node.label, FONT_SIZE) * (1.1 if node.is_centre else 1.0)
        ascent, descent = FONT_SIZE * 0.8, FONT_SIZE * 0.25
        options = [  # (anchor x, baseline y, text-anchor)
            (node.x, node.y + node.r + FONT_SIZE, "middle"),
            (node.x, node.y - node.r - 4, "middle"),
            (node.x + node.r + 4, node.y + FONT_SIZE * 0.35, "start"),
            (node.x - node.r - 4, node.y + FONT_SIZE * 0.35, "end"),
        ]
        for x, y, anchor in options:
            if anchor == "middle":
                # Slide a centred label sideways rather than let it cross the edge.
                x = min(max(x, EDGE + w / 2), width - EDGE - w / 2)
                left = x - w / 2
            else:
                left = x if anchor == "start" else x - w
            box = (left - LABEL_GAP, y - ascent - LABEL_GAP, left + w + LABEL_GAP,
                   y + descent + LABEL_GAP)
            inside = (box[0] >= EDGE - LABEL_GAP and box[2] <= width - EDGE + LABEL_GAP
                      and box[1] >= -LABEL_GAP and box[3] <= height + LABEL_GAP)
            if inside and not any(overlaps(box, other) for other in obstacles):
                node.show_label, node.label_x, node.label_y = True, round(x, 1), round(y, 1)
                node.label_anchor = anchor
                placed.append(box)
                break


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
