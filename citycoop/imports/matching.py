"""Finding what the registry already holds for a name a report writes.

An organisation or place matches an existing record by its name, acronym, alias or names in
other scripts (case and accents folded), or by a fuzzy score; the way it matched and the
score are kept so the review can show them ("same as Keele University, alias 'Keele Univ'").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from citycoop.lib.geo import get_gazetteer
from citycoop.lib.text import fold
from citycoop.registry.models import Organisation, OrganisationType, Place

FUZZY_SAME = 90.0


@dataclass(frozen=True)
class Match:
    record: Any
    how: str  # "name", "acronym", "alias", "gazetteer", "fuzzy"
    score: float
    written: str  # the name the record is known by that matched

    def note(self) -> str:
        if self.how == "name":
            return ""
        if self.how == "fuzzy":
            return f"fuzzy match with '{self.written}' ({self.score:.0f})"
        return f"{self.how} '{self.written}'"


def match_key(name: str) -> str:
    """Folded, without a leading "the": "The World Cities team" is "World Cities team"."""
    key = fold(name)
    return key[4:] if key.startswith("the ") else key


class NameIndex:
    """Folded names of one kind of record, for exact and fuzzy lookups."""

    def __init__(self) -> None:
        self.exact: dict[str, tuple[Any, str, str]] = {}
        self.choices: dict[str, tuple[Any, str]] = {}

    def add(self, record: Any, written: str, how: str) -> None:
        key = match_key(written)
        if key and key not in self.exact:
            self.exact[key] = (record, how, written)
            self.choices[key] = (record, written)

    def find(self, name: str, *, fuzzy: bool = True) -> Match | None:
        key = match_key(name)
        if key in self.exact:
            record, how, written = self.exact[key]
            return Match(record, how, 100.0, written)
        if not fuzzy or len(key) < 5 or not self.choices:
            return None
        best = process.extractOne(key, list(self.choices), scorer=fuzz.ratio,
                                  score_cutoff=FUZZY_SAME)
        if best is None:
            return None
        record, written = self.choices[best[0]]
        return Match(record, "fuzzy", float(best[1]), written)


def organisation_index() -> NameIndex:
    index = NameIndex()
    for org in Organisation.objects.only("id", "name", "acronym", "aliases", "slug", "version"):
        index.add(org, org.name, "name")
        if org.acronym:
            index.add(org, org.acronym, "acronym")
        for alias in org.aliases or []:
            index.add(org, alias, "alias")
    return index


def place_index() -> NameIndex:
    index = NameIndex()
    for place in Place.objects.only("id", "name", "aliases", "other_names", "geonames_id",
                                    "country", "kind", "slug", "version"):
        index.add(place, place.name, "name")
        for alias in place.aliases or []:
            index.add(place, alias, "alias")
        for other in (place.other_names or {}).values():
            index.add(place, other, "alias")
    return index


def find_place(name: str, index: NameIndex) -> Match | None:
    """An existing place: by name or alias, then by the gazetteer's reading of the name (so
    "Chendgu" finds the Chengdu already held), then by a fuzzy score."""
    exact = index.find(name, fuzzy=False)
    if exact:
        return exact
    resolved = get_gazetteer().resolve(name)
    if resolved is not None:
        by_name = index.find(resolved.entry.name, fuzzy=False)
        if by_name:
            return Match(by_name.record, "gazetteer", resolved.score, resolved.entry.name)
        if resolved.entry.geonames_id:
            place = Place.objects.filter(geonames_id=resolved.entry.geonames_id).first()
            if place:
                return Match(place, "gazetteer", resolved.score, place.name)
    return index.find(name)


TYPE_WORDS = [
    ("university universities univ college", OrganisationType.UNIVERSITY),
    ("school academy", OrganisationType.SCHOOL),
    ("institute laboratory research", OrganisationType.RESEARCH_INSTITUTE),
    ("cluster", OrganisationType.CLUSTER),
    ("chamber chambers", OrganisationType.CHAMBER_OF_COMMERCE),
    ("embassy consulate", OrganisationType.EMBASSY),
    ("fund foundation bank", OrganisationType.FUND),
    ("agency bureau office", OrganisationType.AGENCY),
    ("association federation network alliance society", OrganisationType.ASSOCIATION),
    ("zone area district park port", OrganisationType.DEVELOPMENT_ZONE),
    ("municipal corporation", OrganisationType.MUNICIPAL_CORPORATION),
    ("council city authority authorities administration municipality",
     OrganisationType.CITY_GOVERNMENT),
    ("government ministry commission department drc unit", OrganisationType.REGIONAL_GOVERNMENT),
    ("company co ltd gmbh sa spa inc studios architects robotics", OrganisationType.COMPANY),
]


def guess_organisation_type(name: str) -> str:
    """The type a name's words suggest ("Keele Univ" is a university); "other" when unsure."""
    words = set(fold(name).split())
    for vocabulary, kind in TYPE_WORDS:
        if words & set(vocabulary.split()):
            return str(kind)
    return str(OrganisationType.OTHER)
