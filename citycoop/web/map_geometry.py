"""Great-circle arcs for the map, as (longitude, latitude) points that never streak across it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

LonLat = tuple[float, float]

# One point every two degrees of arc keeps a Europe-China arc (about 80 degrees) smooth at the
# zooms a world map is read at, while 2,000 pairings still fit in a response of a few hundred
# kilobytes once compressed; short arcs still get enough points to curve.
ARC_DEGREES_PER_STEP = 2.0
ARC_MIN_STEPS = 16
# Five decimals is about a metre: more precision only makes the response bigger.
COORDINATE_DIGITS = 5


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


def rounded(points: Iterable[LonLat]) -> list[list[float]]:
    return [[round(lon, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)] for lon, lat in points]


@lru_cache(maxsize=20_000)
def arc_coordinates(start: LonLat, end: LonLat) -> tuple[tuple[float, float], ...]:
    """The rounded arc between two points, kept: many pairings share their two cities, and
    places do not move between requests."""
    return tuple((lon, lat) for lon, lat in rounded(great_circle(start, end)))
