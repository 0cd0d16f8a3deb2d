"""Which pairings the map shows, and what of them: plain rows read in a fixed number of
aggregate queries, so the map costs the same few queries for ten pairings or ten thousand and
never builds a model instance per pilot or action."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from citycoop.accounts.permissions import internal_reach, visible_pairings
from citycoop.common.slug_urls import slug_urls
from citycoop.portfolio.models import Pairing, PairingMember, PilotProject, Side
from citycoop.registry.themes import theme_family


@dataclass(frozen=True)
class MapPlace:
    id: int
    slug: str
    name: str
    local_name: str
    country: str
    longitude: float
    latitude: float
    url: str



@dataclass
class Route:
    """One pairing as the map sees it: its mappable places by side and the pilots shown."""

    id: int
    slug: str
    label: str
    group: str
    status: str
    status_label: str
    is_public: bool
    programme_id: int
    programme_slug: str
    programme_name: str
    url: str
    pilots: int = 0
    actions: int = 0
    themes: list[str] = field(default_factory=list)
    eu: list[MapPlace] = field(default_factory=list)
    partner: list[MapPlace] = field(default_factory=list)
    eu_members: list[str] = field(default_factory=list)
    partner_members: list[str] = field(default_factory=list)

    @property
    def segments(self) -> list[tuple[MapPlace, MapPlace]]:
        """Every EU place to every partner place (a place on both sides is not an arc)."""
        return [(a, b) for a in self.eu for b in self.partner if a.id != b.id]


def internal_scope(user: Any) -> Callable[[int, int], bool]:
    """A test of "may this user see internal pilots of the pairing (id, programme id)",
    costing one query in all (see :func:`citycoop.accounts.permissions.internal_reach`)."""
    everything, programmes, pairings = internal_reach(user)
    return lambda pairing_id, programme_id: (everything or programme_id in programmes
                                             or pairing_id in pairings)


def _pairings(user: Any, *, programme: str | None, status: str | None,
              themes: set[int] | None) -> QuerySet[Pairing]:
    pairings = Pairing.objects.all()
    if programme:
        pairings = pairings.filter(programme__slug=programme)
    if status:
        pairings = pairings.filter(status=status)
    if themes is not None:
        # Narrows the rows in the database; whether the pilot is one this user may see is
        # checked again in Python, so an internal pilot never lets its pairing through.
        pairings = pairings.filter(pilots__themes__in=themes).distinct()
    return visible_pairings(user, pairings)


# The Chinese name alone is read out of other_names: decoding the whole JSON of every place
# of every member costs more than the rest of the row.
PLACE_COLUMNS = ("id", "slug", "name", "other_names__zh", "country", "longitude", "latitude")


def _place(row: dict[str, Any], prefix: str, url: Callable[[str], str]) -> MapPlace | None:
    values = {name: row[prefix + name] for name in PLACE_COLUMNS}
    if values["id"] is None or values["latitude"] is None or values["longitude"] is None:
        return None
    local = values.pop("other_names__zh") or ""
    return MapPlace(local_name=local, url=url(values["slug"]), **values)


def _add_members(routes: dict[int, Route], pairing_ids: QuerySet) -> None:
    place_url = slug_urls("web:place")
    columns = [f"{prefix}{name}" for prefix in ("place__", "organisation__place__")
               for name in PLACE_COLUMNS]
    rows = (PairingMember.objects.filter(pairing__in=pairing_ids)
            .order_by("pairing_id", "position", "id")
            .values("pairing_id", "side", "place__name", "organisation__name", *columns))
    for row in rows:
        route = routes[row["pairing_id"]]
        eu = row["side"] == Side.EU
        (route.eu_members if eu else route.partner_members).append(
            row["place__name"] or row["organisation__name"] or "")
        # Where a member sits on the map: its place, or an organisation's place, if located.
        place = (_place(row, "place__", place_url)
                 or _place(row, "organisation__place__", place_url))
        side = route.eu if eu else route.partner
        # An organisation often sits in a member place ("Andalucía" and its cluster): one dot.
        if place is not None and all(p.id != place.id for p in side):
            side.append(place)


def _add_pilots(routes: dict[int, Route], pairing_ids: QuerySet,
                sees_internal: Callable[[int, int], bool], themes: set[int] | None) -> None:
    def shown(pairing_id: int, is_public: bool) -> bool:
        return is_public or sees_internal(pairing_id, routes[pairing_id].programme_id)

    for pairing_id, is_public, pilots, actions in (
            PilotProject.objects.filter(pairing__in=pairing_ids).order_by()
            .values_list("pairing_id", "is_public")
            .annotate(pilot_count=Count("pk", distinct=True), action_count=Count("actions"))):
        if shown(pairing_id, is_public):
            routes[pairing_id].pilots += pilots
            routes[pairing_id].actions += actions
    named: dict[int, set[str]] = defaultdict(set)
    matching: set[int] = set()
    for pairing_id, is_public, theme_id, name in (
            PilotProject.themes.through.objects.filter(pilotproject__pairing__in=pairing_ids)
            .values_list("pilotproject__pairing_id", "pilotproject__is_public", "theme_id",
                         "theme__name").distinct()):
        if shown(pairing_id, is_public):
            named[pairing_id].add(name)
            if themes is not None and theme_id in themes:
                matching.add(pairing_id)
    for pairing_id, route in routes.items():
        route.themes = sorted(named[pairing_id])
    if themes is not None:
        for pairing_id in set(routes) - matching:
            del routes[pairing_id]


def map_routes(user: Any, *, programme: str | None = None, theme: str | None = None,
               status: str | None = None) -> list[Route]:
    """The pairings this user may see that pass the filters, ready to draw or to list."""
    themes = theme_family(theme) if theme else None
    pairings = _pairings(user, programme=programme, status=status, themes=themes)
    labels = {value: str(label) for value, label
              in Pairing._meta.get_field("status").flatchoices}  # type: ignore[union-attr]
    pairing_url = slug_urls("web:pairing")
    routes: dict[int, Route] = {}
    for row in pairings.order_by("programme__starts_start", "group", "number", "label").values(
            "id", "slug", "label", "group", "status", "is_public", "programme_id",
            "programme__slug", "programme__name"):
        routes[row["id"]] = Route(
            id=row["id"], slug=row["slug"], label=row["label"], group=row["group"],
            status=row["status"], status_label=labels.get(row["status"], row["status"]),
            is_public=row["is_public"], programme_id=row["programme_id"],
            programme_slug=row["programme__slug"],
            programme_name=row["programme__name"], url=pairing_url(row["slug"]))
    if routes:
        ids = pairings.values("pk")
        _add_members(routes, ids)
        _add_pilots(routes, ids, internal_scope(user), themes)
    return list(routes.values())
