"""GeoJSON (RFC 7946): one FeatureCollection with the places as points and the pairings as
lines.

- a place with coordinates is a Point at [longitude, latitude];
- a pairing is a line from each EU-side member to each partner-side member: a LineString
  when each side has one located member, a MultiLineString otherwise. A member organisation
  stands at the place it is based in. A pairing with no located member on one side has no
  line to draw and is left out (the other formats still carry it).

Each feature's properties start with ``record`` ("place" or "pairing") and carry the
documented columns named below (see :mod:`.columns`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from citycoop.opendata.exporters import Progress
from citycoop.opendata.exporters.columns import (
    CHUNK_SIZE,
    COLUMNS,
    Column,
    View,
    as_dict,
    listed,
    records,
)
from citycoop.opendata.selection import Selection
from citycoop.portfolio.models import Pairing, Side
from citycoop.registry.models import Place

PLACE_PROPERTIES = ("id", "slug", "name", "kind", "country", "population", "geonames_id", "url")
PAIRING_PROPERTIES = ("id", "slug", "label", "programme", "group", "number", "status",
                      "eu_side", "partner_side", "pilot_count", "is_public", "url")
# Six decimals are ten centimetres: more would be noise, fewer would move the point.
DECIMALS = 6
PROGRESS_EVERY = 500

Position = tuple[float, float]


def chosen(record: str, names: tuple[str, ...]) -> list[Column]:
    return [column for column in COLUMNS[record] if column.name in names]


def position(place: Place | None) -> Position | None:
    if place is None or place.latitude is None or place.longitude is None:
        return None
    return (round(place.longitude, DECIMALS), round(place.latitude, DECIMALS))


def side_positions(pairing: Pairing, side: str) -> list[Position]:
    found: dict[Position, None] = {}  # ordered and without repeats
    for item in listed(pairing, "members"):
        if item.side != side:
            continue
        where = position(item.place or (item.organisation.place if item.organisation else None))
        if where is not None:
            found[where] = None
    return list(found)


def pairing_geometry(pairing: Pairing) -> dict[str, Any] | None:
    lines = [[list(eu), list(partner)] for eu in side_positions(pairing, Side.EU)
             for partner in side_positions(pairing, Side.PARTNER)]
    if not lines:
        return None
    if len(lines) == 1:
        return {"type": "LineString", "coordinates": lines[0]}
    return {"type": "MultiLineString", "coordinates": lines}


def feature(kind: str, pk: int, geometry: dict[str, Any], properties: dict[str, Any]) -> str:
    return json.dumps({"type": "Feature", "id": f"{kind}-{pk}", "geometry": geometry,
                       "properties": {"record": kind, **properties}},
                      ensure_ascii=False, default=str)


def features(selection: Selection, view: View, progress: Progress | None) -> Iterator[str]:
    places = records(selection, "places").filter(latitude__isnull=False,
                                                 longitude__isnull=False)
    pairings = records(selection, "pairings")
    total = places.count() + pairings.count() if progress is not None else 0
    done = 0
    place_columns = chosen("places", PLACE_PROPERTIES)
    for place in places.iterator(chunk_size=CHUNK_SIZE):
        point = {"type": "Point", "coordinates": list(position(place) or ())}
        yield feature("place", place.pk, point, as_dict(place, place_columns, view))
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    pairing_columns = chosen("pairings", PAIRING_PROPERTIES)
    for pairing in pairings.iterator(chunk_size=CHUNK_SIZE):
        done += 1
        geometry = pairing_geometry(pairing)
        if geometry is not None:
            yield feature("pairing", pairing.pk, geometry,
                          as_dict(pairing, pairing_columns, view))
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    if progress is not None:
        progress(done, total)


def export(selection: Selection, out: IO[bytes], *, record: str = "",
           progress: Progress | None = None) -> None:
    out.write(b'{"type": "FeatureCollection", "features": [')
    for number, text in enumerate(features(selection, View.of(selection), progress)):
        out.write((("," if number else "") + "\n" + text).encode("utf-8"))
    out.write(b"\n]}\n")
