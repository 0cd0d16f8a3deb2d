"""Good practices and needs on the map: one point per city, where its practices and open needs
are, so that a visitor sees who has something to share and who is asking for help."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import ngettext

from citycoop.practices.access import visible_needs, visible_practices
from citycoop.practices.models import NeedStatus

# A tooltip names this many titles and counts the rest.
TITLES_SHOWN = 4


def _points(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Rows (place and title) grouped by place, with the place's position and names."""
    points: dict[int, dict[str, Any]] = {}
    titles: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        if row["latitude"] is None or row["longitude"] is None:
            continue
        points.setdefault(row["place_id"], row)
        titles[row["place_id"]].append(row["title"])
    for place_id, point in points.items():
        point["titles"] = sorted(titles[place_id])
    return points


def _feature(kind: str, point: dict[str, Any], count_label: str, url: str) -> dict[str, Any]:
    titles = point["titles"]
    facts = [count_label, *titles[:TITLES_SHOWN]]
    if len(titles) > TITLES_SHOWN:
        facts.append("…")
    return {
        "type": "Feature",
        "id": f"{kind}:{point['slug']}",
        "geometry": {"type": "Point", "coordinates": [point["longitude"], point["latitude"]]},
        "properties": {"kind": kind, "slug": point["slug"], "name": point["name"],
                       "count": len(titles), "url": url, "facts": facts},
    }


def practice_features(user: Any, theme_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """A point per city with practices this user may see (an organisation's practice sits at
    the organisation's city), filtered to practices with one of the themes if given."""
    practices = visible_practices(user)
    if theme_ids is not None:
        practices = practices.filter(themes__in=theme_ids).distinct()
    rows = list(practices.annotate(
        place_key=Coalesce("place_id", "organisation__place_id"),
    ).filter(place_key__isnull=False).values(
        "title", place_id=F("place_key"),
    ))
    places = _place_rows({row["place_id"] for row in rows})
    points = _points([{**places[row["place_id"]], **row} for row in rows
                      if row["place_id"] in places])
    url = reverse("practices:list")
    return [_feature("practice", point,
                     ngettext("%(count)d good practice", "%(count)d good practices",
                              len(point["titles"])) % {"count": len(point["titles"])},
                     f"{url}?place={point['slug']}")
            for point in points.values()]


def need_features(user: Any, theme_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """A point per city with open needs this user may see."""
    needs = visible_needs(user).filter(status=NeedStatus.OPEN)
    if theme_ids is not None:
        needs = needs.filter(themes__in=theme_ids).distinct()
    rows = list(needs.values("title", "place_id"))
    places = _place_rows({row["place_id"] for row in rows})
    points = _points([{**places[row["place_id"]], **row} for row in rows])
    url = reverse("practices:needs")
    return [_feature("need", point,
                     ngettext("%(count)d open need", "%(count)d open needs",
                              len(point["titles"])) % {"count": len(point["titles"])},
                     f"{url}?place={point['slug']}")
            for point in points.values()]


def _place_rows(ids: set[int]) -> dict[int, dict[str, Any]]:
    from citycoop.registry.models import Place

    return {row["id"]: {"slug": row["slug"], "name": row["name"],
                        "latitude": row["latitude"], "longitude": row["longitude"]}
            for row in Place.objects.filter(id__in=ids).values(
                "id", "slug", "name", "latitude", "longitude")}
