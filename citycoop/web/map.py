"""The map of the cooperation: places and EU-to-partner arcs as GeoJSON, and the page that draws it.

The browser gets everything it needs from this app (the base map is vendored TopoJSON), so the
map works on a machine with no internet. Arcs are computed here rather than in the browser so
that every consumer of the data (the page, the tests, a GIS tool) sees the same curves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

from citycoop.common.compressed import Compressed
from citycoop.common.freshness import cached_for_public
from citycoop.portfolio.models import PairingStatus, Side
from citycoop.registry.models import Programme, Theme
from citycoop.registry.themes import theme_family

from .map_geometry import arc_coordinates, great_circle, unwrap_longitudes
from .map_practices import need_features, practice_features
from .map_routes import MapPlace, Route, map_routes

__all__ = ["great_circle", "map_data", "map_routes", "unwrap_longitudes"]

# The page lists the pairings under the map as its text alternative; past this many the full
# list is the pairings page, which is paginated.
TABLE_ROWS = 100


# GeoJSON --------------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def group_key(group: str) -> str:
    """A CSS-safe key for a country group: the page and the script colour arcs by it."""
    return slugify(group) or "other"


class _Counts:
    """"3 pilot projects", "1 pairing": each count translated once per map, not once per
    feature (the map says them thousands of times, in the active language)."""

    PHRASES = {
        "pilots": lambda n: ngettext("%(count)d pilot project", "%(count)d pilot projects", n),
        "pairings": lambda n: ngettext("%(count)d pairing", "%(count)d pairings", n),
        "actions": lambda n: ngettext("%(count)d action", "%(count)d actions", n),
    }

    def __init__(self) -> None:
        self.said: dict[tuple[str, int], str] = {}

    def __call__(self, what: str, n: int) -> str:
        if (what, n) not in self.said:
            self.said[what, n] = self.PHRASES[what](n) % {"count": n}
        return self.said[what, n]


def _arc_feature(route: Route, start: MapPlace, end: MapPlace, counts: _Counts) -> dict[str, Any]:
    line = arc_coordinates((start.longitude, start.latitude), (end.longitude, end.latitude))
    return {
        "type": "Feature",
        "id": f"{route.slug}:{start.slug}:{end.slug}",
        "geometry": {"type": "LineString", "coordinates": line},
        "properties": {
            "kind": "pairing",
            "pairing": route.slug,
            "label": route.label,
            "group": route.group,
            "group_key": group_key(route.group),
            "status": route.status,
            "status_label": route.status_label,
            "programme": route.programme_slug,
            "programme_name": route.programme_name,
            "themes": route.themes,
            "pilots": route.pilots,
            "from": start.name,
            "to": end.name,
            "url": route.url,
            "facts": [route.status_label, counts("pilots", route.pilots)],
        },
    }


@dataclass
class _PlaceTally:
    place: MapPlace
    sides: set[str] = field(default_factory=set)
    pairings: int = 0
    activity: int = 0


def _place_feature(tally: _PlaceTally, counts: _Counts) -> dict[str, Any]:
    place = tally.place
    side = next(iter(tally.sides)) if len(tally.sides) == 1 else "both"
    return {
        "type": "Feature",
        "id": f"place:{place.slug}",
        "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
        "properties": {
            "kind": "place",
            "slug": place.slug,
            "name": place.name,
            "local_name": place.local_name,
            "country": place.country,
            "side": side,
            "pairings": tally.pairings,
            "activity": tally.activity,
            "url": place.url,
            "facts": [counts("pairings", tally.pairings), counts("actions", tally.activity)],
        },
    }


def _place_tallies(routes: Iterable[Route]) -> list[_PlaceTally]:
    tallies: dict[int, _PlaceTally] = {}
    for route in routes:
        in_route: set[int] = set()
        for side, places in ((Side.EU, route.eu), (Side.PARTNER, route.partner)):
            for place in places:
                tallies.setdefault(place.id, _PlaceTally(place)).sides.add(str(side))
                in_route.add(place.id)
        # A pairing counts once per place, even for a place listed on both sides.
        for place_id in in_route:
            tallies[place_id].pairings += 1
            tallies[place_id].activity += route.actions
    return sorted(tallies.values(), key=lambda t: t.place.name)


def routes_geojson(routes: list[Route]) -> dict[str, Any]:
    """Arcs first, then places, so a client that draws in order puts the dots on top."""
    counts = _Counts()
    arcs = [_arc_feature(route, a, b, counts) for route in routes for a, b in route.segments]
    places = [_place_feature(tally, counts) for tally in _place_tallies(routes)]
    return {"type": "FeatureCollection", "features": arcs + places}


def map_data(user: Any, *, programme: str | None = None, theme: str | None = None,
             status: str | None = None) -> dict[str, Any]:
    """The map as a GeoJSON FeatureCollection for this user, filtered by slugs and status.

    Pairings are LineString features (one per EU place and partner place), places are Point
    features sized by "activity", the number of actions in their pairings. Cities with good
    practices and with open needs come last, as "practice" and "need" points.
    """
    collection = routes_geojson(map_routes(user, programme=programme, theme=theme,
                                           status=status))
    themes = theme_family(theme) if theme else None
    collection["features"] += practice_features(user, themes) + need_features(user, themes)
    return collection


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
    filters = form.filters()
    routes = cached_for_public(
        request.user, ("map-routes", get_language(), *sorted(filters.items())),
        lambda: map_routes(request.user, **filters))
    return render(request, "web/map.html", {
        "form": form,
        "routes": routes[:TABLE_ROWS],
        "route_count": len(routes),
        "groups": sorted({(group_key(r.group), r.group) for r in routes}),
        "data_url": reverse("map-data"),
        "pairings_url": reverse("web:pairings"),
    })


def map_data_view(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    filters = form.filters()
    # The public's map is the same for everyone, and redrawing thousands of arcs costs
    # seconds: it is kept, compressed once, until the records change (see common.freshness).
    body = cached_for_public(
        request.user, ("map-data", get_language(), *sorted(filters.items())),
        lambda: Compressed.of(JsonResponse(map_data(request.user, **filters)).content))
    return body.response(request, "application/json")
