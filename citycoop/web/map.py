"""The map of the cooperation: places and EU-to-partner arcs as GeoJSON, and the page that draws it.

The browser gets everything it needs from this app (the base map is vendored TopoJSON), so the
map works on a machine with no internet. Arcs are computed here rather than in the browser so
that every consumer of the data (the page, the tests, a GIS tool) sees the same curves.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

from citycoop.accounts.models import Role
from citycoop.accounts.permissions import visible_pairings
from citycoop.portfolio.models import Pairing, PairingMember, PairingStatus, PilotProject, Side
from citycoop.registry.models import Place, Programme, Theme

LonLat = tuple[float, float]

# One point per degree of arc keeps a Europe-China arc (about 80 degrees) smooth at every zoom
# while the JSON stays small; short arcs still get enough points to curve.
ARC_DEGREES_PER_STEP = 1.0
ARC_MIN_STEPS = 16
# Five decimals is about a metre: more precision only makes the response bigger.
COORDINATE_DIGITS = 5


# Geometry ---------------------------------------------------------------------------------------

def _unit_vector(point: LonLat) -> tuple[float, float, float]:
    lon, lat = (math.radians(v) for v in point)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def unwrap_longitudes(points: Iterable[LonLat]) -> list[LonLat]:
    """Shift each longitude by whole turns so that no step between neighbours exceeds 180°.

    A line from 170°E to 170°W then goes through 190°E instead of streaking back across the
    whole map; Leaflet draws longitudes beyond ±180 where they belong.
    """
    unwrapped: list[LonLat] = []
    for lon, lat in points:
        if unwrapped:
            previous = unwrapped[-1][0]
            lon += 360.0 * round((previous - lon) / 360.0)
        unwrapped.append((lon, lat))
    return unwrapped


def great_circle(start: LonLat, end: LonLat) -> list[LonLat]:
    """Points along the shorter great circle from start to end, as (longitude, latitude).

    Spherical linear interpolation between the two unit vectors; the first and last points are
    the given ones exactly, and longitudes are unwrapped (see :func:`unwrap_longitudes`).
    """
    a, b = _unit_vector(start), _unit_vector(end)
    cosine = max(-1.0, min(1.0, sum(x * y for x, y in zip(a, b, strict=True))))
    angle = math.acos(cosine)
    # Equal or antipodal points have no single great circle between them: a straight segment
    # is the honest drawing.
    if angle < 1e-9 or math.pi - angle < 1e-9:
        return unwrap_longitudes([start, end])
    steps = max(ARC_MIN_STEPS, math.ceil(math.degrees(angle) / ARC_DEGREES_PER_STEP))
    points = [start]
    for step in range(1, steps):
        t = step / steps
        wa, wb = math.sin((1 - t) * angle), math.sin(t * angle)
        x, y, z = ((wa * p + wb * q) / math.sin(angle) for p, q in zip(a, b, strict=True))
        latitude = math.atan2(z, math.hypot(x, y))
        points.append((math.degrees(math.atan2(y, x)), math.degrees(latitude)))
    points.append(end)
    return unwrap_longitudes(points)


def _rounded(points: Iterable[LonLat]) -> list[list[float]]:
    return [[round(lon, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)] for lon, lat in points]


# Which pairings, and what of them the map shows ------------------------------------------------

@dataclass
class Route:
    """One pairing as the map sees it: its mappable places by side and the pilots shown."""

    pairing: Pairing
    pilots: list[PilotProject]
    eu: list[Place] = field(default_factory=list)
    partner: list[Place] = field(default_factory=list)

    @property
    def actions(self) -> int:
        return sum(pilot.action_count for pilot in self.pilots)  # type: ignore[attr-defined]

    @property
    def segments(self) -> list[tuple[Place, Place]]:
        """Every EU place to every partner place (a place on both sides is not an arc)."""
        return [(a, b) for a in self.eu for b in self.partner if a.pk != b.pk]

    def members(self, side: str) -> list[PairingMember]:
        return [m for m in self.pairing.members.all() if m.side == side]

    @property
    def eu_members(self) -> list[PairingMember]:
        return self.members(Side.EU)

    @property
    def partner_members(self) -> list[PairingMember]:
        return self.members(Side.PARTNER)


def theme_family(slug: str) -> set[int]:
    """The ids of the theme with this slug and of every theme below it (empty if unknown)."""
    rows = list(Theme.objects.values_list("id", "parent_id", "slug"))
    children: dict[int | None, list[int]] = {}
    for theme_id, parent_id, _slug in rows:
        children.setdefault(parent_id, []).append(theme_id)
    family = {theme_id for theme_id, _parent, theme_slug in rows if theme_slug == slug}
    pending = list(family)
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in family:
                family.add(child)
                pending.append(child)
    return family


def internal_scope(user: Any) -> Callable[[Pairing], bool]:
    """A test of "may this user see the pairing's internal pilots", costing one query in all.

    Same rule as :func:`citycoop.accounts.permissions.sees_internal`, which costs a query per
    pairing and so cannot be used on a list.
    """
    if not getattr(user, "is_authenticated", False):
        return lambda pairing: False
    if user.is_superuser:
        return lambda pairing: True
    managed: set[int] = set()
    member_of: set[int] = set()
    for role, programme_id, pairing_id in user.memberships.values_list(
            "role", "programme_id", "pairing_id"):
        if role == Role.MANAGER and programme_id is not None:
            managed.add(programme_id)
        if pairing_id is not None:
            member_of.add(pairing_id)
    return lambda pairing: pairing.programme_id in managed or pairing.pk in member_of


def _pairings(user: Any, *, programme: str | None, status: str | None,
              themes: set[int] | None) -> QuerySet[Pairing]:
    members = PairingMember.objects.select_related("place", "organisation__place")
    pilots = (PilotProject.objects.annotate(action_count=Count("actions"))
              .prefetch_related("themes").order_by("position"))
    pairings = Pairing.objects.select_related("programme").prefetch_related(
        Prefetch("members", queryset=members), Prefetch("pilots", queryset=pilots))
    if programme:
        pairings = pairings.filter(programme__slug=programme)
    if status:
        pairings = pairings.filter(status=status)
    if themes is not None:
        # Narrows the rows in the database; whether the pilot is one this user may see is
        # checked again in Python, so an internal pilot never lets its pairing through.
        pairings = pairings.filter(pilots__themes__in=themes).distinct()
    return visible_pairings(user, pairings).order_by(
        "programme__starts_start", "group", "number", "label")


def _mappable_place(member: PairingMember) -> Place | None:
    """Where a member sits on the map: its place, or an organisation's place, if located."""
    place = member.place or (member.organisation.place if member.organisation else None)
    if place is None or place.latitude is None or place.longitude is None:
        return None
    return place


def _route(pairing: Pairing, pilots: list[PilotProject]) -> Route:
    route = Route(pairing=pairing, pilots=pilots)
    for member in pairing.members.all():
        place = _mappable_place(member)
        side = route.eu if member.side == Side.EU else route.partner
        # An organisation often sits in a member place ("Andalucía" and its cluster): one dot.
        if place is not None and all(p.pk != place.pk for p in side):
            side.append(place)
    return route


def map_routes(user: Any, *, programme: str | None = None, theme: str | None = None,
               status: str | None = None) -> list[Route]:
    """The pairings this user may see that pass the filters, ready to draw or to list."""
    themes = theme_family(theme) if theme else None
    sees_internal = internal_scope(user)
    routes = []
    for pairing in _pairings(user, programme=programme, status=status, themes=themes):
        pilots = [p for p in pairing.pilots.all() if p.is_public or sees_internal(pairing)]
        if themes is not None and not any(t.pk in themes for p in pilots for t in p.themes.all()):
            continue
        routes.append(_route(pairing, pilots))
    return routes


# GeoJSON --------------------------------------------------------------------------------------

def group_key(group: str) -> str:
    """A CSS-safe key for a country group: the page and the script colour arcs by it."""
    return slugify(group) or "other"


def _lonlat(place: Place) -> LonLat:
    # Only located places reach the GeoJSON (see _mappable_place).
    return (cast(float, place.longitude), cast(float, place.latitude))


def _arc_feature(route: Route, start: Place, end: Place) -> dict[str, Any]:
    pairing = route.pairing
    line = great_circle(_lonlat(start), _lonlat(end))
    pilots = len(route.pilots)
    themes = sorted({t.name for p in route.pilots for t in p.themes.all()})
    return {
        "type": "Feature",
        "id": f"{pairing.slug}:{start.slug}:{end.slug}",
        "geometry": {"type": "LineString", "coordinates": _rounded(line)},
        "properties": {
            "kind": "pairing",
            "pairing": pairing.slug,
            "label": pairing.label,
            "group": pairing.group,
            "group_key": group_key(pairing.group),
            "status": pairing.status,
            "status_label": str(pairing.get_status_display()),
            "programme": pairing.programme.slug,
            "programme_name": pairing.programme.name,
            "themes": themes,
            "pilots": pilots,
            "from": start.name,
            "to": end.name,
            "url": pairing.get_absolute_url(),
            "facts": [str(pairing.get_status_display()),
                      ngettext("%(count)d pilot project", "%(count)d pilot projects",
                               pilots) % {"count": pilots}],
        },
    }


@dataclass
class _PlaceTally:
    place: Place
    sides: set[str] = field(default_factory=set)
    pairings: int = 0
    activity: int = 0


def _place_feature(tally: _PlaceTally) -> dict[str, Any]:
    place = tally.place
    side = next(iter(tally.sides)) if len(tally.sides) == 1 else "both"
    return {
        "type": "Feature",
        "id": f"place:{place.slug}",
        "geometry": {"type": "Point",
                     "coordinates": _rounded([_lonlat(place)])[0]},
        "properties": {
            "kind": "place",
            "slug": place.slug,
            "name": place.name,
            "local_name": (place.other_names or {}).get("zh", ""),
            "country": place.country,
            "side": side,
            "pairings": tally.pairings,
            "activity": tally.activity,
            "url": place.get_absolute_url(),
            "facts": [
                ngettext("%(count)d pairing", "%(count)d pairings", tally.pairings)
                % {"count": tally.pairings},
                ngettext("%(count)d action", "%(count)d actions", tally.activity)
                % {"count": tally.activity},
            ],
        },
    }


def _place_tallies(routes: Iterable[Route]) -> list[_PlaceTally]:
    tallies: dict[int, _PlaceTally] = {}
    for route in routes:
        in_route: set[int] = set()
        for side, places in ((Side.EU, route.eu), (Side.PARTNER, route.partner)):
            for place in places:
                tallies.setdefault(place.pk, _PlaceTally(place)).sides.add(str(side))
                in_route.add(place.pk)
        # A pairing counts once per place, even for a place listed on both sides.
        for place_id in in_route:
            tallies[place_id].pairings += 1
            tallies[place_id].activity += route.actions
    return sorted(tallies.values(), key=lambda t: t.place.name)


def routes_geojson(routes: list[Route]) -> dict[str, Any]:
    """Arcs first, then places, so a client that draws in order puts the dots on top."""
    arcs = [_arc_feature(route, a, b) for route in routes for a, b in route.segments]
    places = [_place_feature(tally) for tally in _place_tallies(routes)]
    return {"type": "FeatureCollection", "features": arcs + places}


def map_data(user: Any, *, programme: str | None = None, theme: str | None = None,
             status: str | None = None) -> dict[str, Any]:
    """The map as a GeoJSON FeatureCollection for this user, filtered by slugs and status.

    Pairings are LineString features (one per EU place and partner place), places are Point
    features sized by "activity", the number of actions in their pairings.
    """
    return routes_geojson(map_routes(user, programme=programme, theme=theme, status=status))


# Views ----------------------------------------------------------------------------------------

Choices = list[tuple[str, "str | StrPromise"]]


def _programme_choices() -> Choices:
    return [("", _("All programmes")),
            *((p.slug, p.name) for p in Programme.objects.order_by("starts_start", "name"))]


def _theme_choices() -> Choices:
    """Themes as an indented tree, so that choosing a parent visibly takes in its children."""
    themes = list(Theme.objects.order_by("name"))
    children: dict[int | None, list[Theme]] = {}
    for theme in themes:
        children.setdefault(theme.parent_id, []).append(theme)
    choices: Choices = [("", _("All themes"))]

    def walk(parent: int | None, depth: int) -> None:
        for theme in children.get(parent, []):
            choices.append((theme.slug, "\u2003" * depth + theme.name))
            walk(theme.pk, depth + 1)

    walk(None, 0)
    return choices


class MapFilterForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"), required=False,
                                  choices=_programme_choices)
    theme = forms.ChoiceField(label=_("Theme"), required=False, choices=_theme_choices)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *PairingStatus.choices])

    def filters(self) -> dict[str, str | None]:
        """The valid filters given; a bad value is dropped (the form shows why)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) or None for name in self.fields}


def map_page(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET)
    form.is_valid()
    routes = map_routes(request.user, **form.filters())
    return render(request, "web/map.html", {
        "form": form,
        "routes": routes,
        "groups": sorted({(group_key(r.pairing.group), r.pairing.group) for r in routes}),
        "data_url": reverse("map-data"),
    })


def map_data_view(request: HttpRequest) -> JsonResponse:
    form = MapFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return JsonResponse(map_data(request.user, **form.filters()))
