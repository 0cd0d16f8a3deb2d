"""Partner suggestions for a city's public page: the recommender over the public records,
its index kept in the process until the next write to the records."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from citycoop.common.freshness import data_version

from .city_profiles import as_query, build_profiles, rules_for
from .engine.partners import CityProfile, PartnerIndex
from .reason_words import reason_text

_lock = threading.Lock()
_kept: dict[str, Any] = {}


@dataclass(frozen=True)
class Suggestion:
    key: str
    name: str
    country: str
    reasons: list[str]


def _index() -> tuple[PartnerIndex, dict[str, CityProfile]]:
    """The index of the public records as they are now: built once per write."""
    version = data_version()
    with _lock:
        if _kept.get("version") != version:
            profiles = build_profiles(public_only=True)
            _kept.update(version=version, index=PartnerIndex(profiles),
                         profiles={p.key: p for p in profiles})
        return _kept["index"], _kept["profiles"]


def partner_suggestions(place_key: str, *, top: int = 8) -> list[Suggestion] | None:
    """Partners for the place, best first, each with its reasons in words (in the active
    language); None when the
    place has no side in any public pairing (nothing to say whom it could pair with)."""
    index, profiles = _index()
    city = profiles.get(place_key)
    if city is None or not city.side:
        return None
    rules = rules_for(city, list(profiles.values()))
    found = index.recommend(as_query(city), top=top, rules=rules)
    return [Suggestion(r.key, r.name, profiles[r.key].country,
                       [reason_text(reason) for reason in r.reasons]) for r in found]
