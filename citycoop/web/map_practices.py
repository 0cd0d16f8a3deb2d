"""Good practices and needs on the map: one point per city, where its practices and open needs
are, so that a visitor sees who has something to share and who is asking for help. Each
layer is one query, whatever the number of practices (the positions come in the same row)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import ngettext

from citycoop.practices.access import visible_needs, visible_practices
from citycoop.practices.models import NeedStatus

# A tooltip names this many titles and counts the rest.
TITLES_SHOWN = 4
PLACE_FIELDS = ("slug", "name", "latitude", "longitude")


def _points(rows: QuerySet) -> list[dict[str, Any]]:
    """Rows (a title and its place's fields, ``at_*``) grouped by place; places with no
    position are left out."""
    points: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["at_latitude"] is None or row["at_longitude"] is None:
            continue
        point = points.setdefault(row["at_slug"], {
            name: row[f"at_{name}"] for name in PLACE_FIELDS} | {"titles": []})
        point["titles"].append(row["title"])
    for point in points.values():
        point["titles"].sort()
    return list(points.values())


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
                       "count": len(titles), "url": f"{url}?place={point['slug']}",
                       "facts": facts},
    }


def practice_features(user: Any, theme_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """A point per city with practices this user may see (an organisation's practice sits at
    the organisation's city), filtered to practices with one of the themes if given."""
    practices = visible_practices(user)
    if theme_ids is not None:
        practices = practices.filter(themes__in=theme_ids).distinct()
    rows = practices.values("title", **{
        f"at_{name}": Coalesce(f"place__{name}", f"organisation__place__{name}")
        for name in PLACE_FIELDS})
    url = reverse("practices:list")
    return [_feature("practice", point,
                     ngettext("%(count)d good practice", "%(count)d good practices",
                              len(point["titles"])) % {"count": len(point["titles"])}, url)
            for point in _points(rows)]


def need_features(user: Any, theme_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """A point per city with open needs this user may see."""
    needs = visible_needs(user).filter(status=NeedStatus.OPEN)
    if theme_ids is not None:
        needs = needs.filter(themes__in=theme_ids).distinct()
    rows = needs.values("title", **{f"at_{name}": F(f"place__{name}")
                                    for name in PLACE_FIELDS})
    url = reverse("practices:needs")
    return [_feature("need", point,
                     ngettext("%(count)d open need", "%(count)d open needs",
                              len(point["titles"])) % {"count": len(point["titles"])}, url)
            for point in _points(rows)]
