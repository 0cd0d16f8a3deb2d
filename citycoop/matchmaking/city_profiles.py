"""The partner recommender's inputs from the records: one ``CityProfile`` per place.

The engine (:mod:`citycoop.matchmaking.engine.partners`) never sees Django; this module
reads the registry and the portfolio in a fixed handful of queries, whatever the number of
places, and turns each place other than a country into a profile:

- side: the side it took in pairings ("eu" or "partner"), else by country (the European
  side of these programmes is the EU, the United Kingdom and EFTA);
- topics: the titles of the pilot projects of its pairings and their actions' topic labels,
  also kept per programme; themes and their SDGs from those pilots;
- offers: the descriptions of the organisations based there (what the place can share);
- organisations: those based there or in its districts, and those at work in its pairings
  (as members, in actions or as agreement parties): the ties the reasons name;
- partners: the places on the other side of its pairings, with the programmes;
- size and level from the place itself.

A pairing member that is an organisation stands for its place ("Copenhagen / CLEAN Cluster").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Manager, Q, QuerySet

from citycoop.matchmaking.engine.partners import CityProfile, Rules
from citycoop.portfolio.models import (
    Action,
    ActionOrganisation,
    AgreementParty,
    Pairing,
    PairingMember,
    PilotProject,
)
from citycoop.registry.models import CityProfile as StatedProfile
from citycoop.registry.models import Organisation, Place, PlaceKind, Programme

EUROPEAN = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES "
                     "SE GB NO IS CH LI".split())
LEVELS: dict[str, str] = {
    PlaceKind.CITY: "city", PlaceKind.DISTRICT: "city", PlaceKind.NEW_AREA: "city",
    PlaceKind.REGION: "region", PlaceKind.PROVINCE: "region", PlaceKind.STATE: "region"}
OFFER_LENGTH = 300  # an organisation's description is cut here: its first lines say what it does


@dataclass
class _Pairing:
    programme: str
    places: dict[int, str] = field(default_factory=dict)  # place pk -> side
    topics: list[str] = field(default_factory=list)
    themes: set[str] = field(default_factory=set)
    sdgs: set[int] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)


def programme_label(programme: Programme) -> str:
    return programme.short_name or programme.name


def _pairings(public_only: bool) -> dict[int, _Pairing]:
    """Every pairing with its places by side, its topics, themes and organisations; with
    ``public_only`` only public pairings and their public pilots and agreements, so that
    what a public page says of a city never rests on an internal record."""
    def scoped(queryset: QuerySet[Any] | Manager[Any], *public: str) -> QuerySet[Any]:
        """The rows, kept only where each record named by a prefix is public."""
        rows = queryset.all()
        if public_only:
            rows = rows.filter(**{f"{prefix}is_public": True for prefix in public})
        return rows.order_by()

    pairings = {pk: _Pairing(short or name) for pk, short, name in scoped(
        Pairing.objects, "").values_list("pk", "programme__short_name", "programme__name")}
    for pairing, side, place, organisation, organisation_place in scoped(
            PairingMember.objects, "pairing__").values_list(
            "pairing_id", "side", "place_id", "organisation_id", "organisation__place_id"):
        where = place or organisation_place
        if where is not None:
            pairings[pairing].places.setdefault(where, side)
        if organisation is not None:
            pairings[pairing].organisations.add(organisation)
    for pairing, title in scoped(PilotProject.objects, "pairing__", "").values_list(
            "pairing_id", "title"):
        pairings[pairing].topics.append(title)
    actions = scoped(Action.objects.exclude(topic=""), "pilot__pairing__", "pilot__")
    for pairing, topic in actions.values_list("pilot__pairing_id", "topic").distinct():
        pairings[pairing].topics.append(topic)
    through = scoped(PilotProject.themes.through.objects, "pilotproject__pairing__",
                     "pilotproject__")
    for pairing, theme, sdgs in through.values_list(
            "pilotproject__pairing_id", "theme__name", "theme__sdgs"):
        pairings[pairing].themes.add(theme)
        pairings[pairing].sdgs.update(g for g in sdgs or [] if isinstance(g, int))
    roles = scoped(ActionOrganisation.objects, "action__pilot__pairing__", "action__pilot__")
    for pairing, organisation in roles.values_list(
            "action__pilot__pairing_id", "organisation_id").distinct():
        pairings[pairing].organisations.add(organisation)
    parties = scoped(AgreementParty.objects.filter(agreement__pairing__isnull=False,
                                                   organisation__isnull=False),
                     "agreement__pairing__", "agreement__")
    for pairing, organisation in parties.values_list(
            "agreement__pairing_id", "organisation_id").distinct():
        pairings[pairing].organisations.add(organisation)
    return pairings


@dataclass(frozen=True)
class _Stated:
    """What a city's own profile says (challenges and priorities are its needs)."""

    needs: tuple[str, ...]
    offers: tuple[str, ...]
    themes: frozenset[str]
    sdgs: frozenset[int]


def _stated() -> dict[int, _Stated]:
    """Every city profile, by place, in two queries."""
    themes: dict[int, set[str]] = defaultdict(set)
    for place, theme in StatedProfile.themes.through.objects.values_list(
            "cityprofile__place_id", "theme__name").order_by():
        themes[place].add(theme)
    found = {}
    for place, challenges, priorities, offers, sdgs in StatedProfile.objects.values_list(
            "place_id", "challenges", "priorities", "offers", "sdgs").order_by():
        found[place] = _Stated(
            _unique(StatedProfile.lines(challenges) + StatedProfile.lines(priorities)),
            _unique(StatedProfile.lines(offers)), frozenset(themes.get(place, ())),
            frozenset(g for g in sdgs or [] if isinstance(g, int)))
    return found


def build_profiles(*, public_only: bool = False) -> list[CityProfile]:
    """A profile for every place that is not a country, in key order (from the public
    records only, with ``public_only``)."""
    places = {pk: (slug, name, kind, country, population, parent)
              for pk, slug, name, kind, country, population, parent in Place.objects.exclude(
                  kind=PlaceKind.COUNTRY).values_list(
                  "pk", "slug", "name", "kind", "country", "population", "parent_id").order_by()}
    pairings = _pairings(public_only)
    names: dict[int, str] = {}
    based: dict[int, set[int]] = defaultdict(set)  # place -> organisations based there
    offers: dict[int, list[str]] = defaultdict(list)
    for pk, name, place, parent, description in Organisation.objects.values_list(
            "pk", "name", "place_id", "place__parent_id", "description").order_by("name"):
        names[pk] = name
        for where in filter(None, (place, parent)):
            based[where].add(pk)
        if place is not None and description.strip():
            offers[place].append(description.strip()[:OFFER_LENGTH])

    stated = _stated()
    mine: dict[int, list[tuple[_Pairing, str]]] = defaultdict(list)
    for pairing in pairings.values():
        for place, side in pairing.places.items():
            mine[place].append((pairing, side))
    profiles = []
    for pk, (slug, name, kind, country, population, _parent) in places.items():
        taken = mine.get(pk, [])
        sides = Counter(side for _, side in taken)
        side = sides.most_common(1)[0][0] if sides else (
            "eu" if country in EUROPEAN else "partner")
        partners: dict[str, set[str]] = defaultdict(set)
        partner_countries = set()
        by_programme: dict[str, list[str]] = defaultdict(list)
        organisations = set(based.get(pk, ()))
        for pairing, my_side in taken:
            by_programme[pairing.programme].extend(pairing.topics)
            organisations |= pairing.organisations
            for other, other_side in pairing.places.items():
                if other_side != my_side and other in places:
                    partners[places[other][0]].add(pairing.programme)
                    partner_countries.add(places[other][3])
        profiles.append(CityProfile(
            key=slug, name=name, country=country, side=side, level=LEVELS.get(kind, ""),
            population=population,
            topics=_unique(t for pairing, _ in taken for t in pairing.topics),
            needs=stated[pk].needs if pk in stated else (),
            offers=tuple(offers.get(pk, ())) + (stated[pk].offers if pk in stated else ()),
            themes=frozenset(t for pairing, _ in taken for t in pairing.themes)
            | (stated[pk].themes if pk in stated else frozenset()),
            sdgs=frozenset(g for pairing, _ in taken for g in pairing.sdgs)
            | (stated[pk].sdgs if pk in stated else frozenset()),
            organisations={str(o): names[o] for o in sorted(organisations) if o in names},
            partners={k: ", ".join(sorted(v)) for k, v in sorted(partners.items())},
            partner_countries=frozenset(partner_countries),
            programme_topics={p: _unique(ts) for p, ts in by_programme.items()},
            pairings=len(taken)))
    return sorted(profiles, key=lambda p: p.key)


def as_query(city: CityProfile) -> CityProfile:
    """The city as a query: its organisations are only those based there or in its
    districts. Those at work in its pairings already link it to its partners; counting them
    would make every partner's partner look tied to it."""
    own = Organisation.objects.filter(Q(place__slug=city.key) | Q(place__parent__slug=city.key))
    return replace(city, organisations={str(pk): name for pk, name in
                                        own.values_list("pk", "name").order_by("pk")})


def _unique(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in texts if t.strip()))


def rules_for(city: CityProfile, profiles: list[CityProfile], *,
              programme: Programme | None = None, countries: Iterable[str] = (),
              min_population: int | None = None) -> Rules:
    """The rules of a query: the other side only; not a place the city is already paired
    with (in ``programme`` when given, else in any); with ``programme``, the countries it
    works in weigh in and places it has already paired with others cost points."""
    other = "partner" if city.side == "eu" else "eu"
    eligible = frozenset(c.upper() for c in countries) or None
    if programme is None:
        return Rules(side=other, exclude=frozenset(city.partners),
                     eligible_countries=eligible, min_population=min_population)
    label = programme_label(programme)
    in_programme = [p for p in profiles if p.side == other and label in p.programme_topics]
    return Rules(
        side=other, eligible_countries=eligible, min_population=min_population,
        exclude=frozenset(k for k, where in city.partners.items()
                          if label in where.split(", ")),
        programme=label, programme_countries=Counter(p.country for p in in_programme),
        taken=frozenset(p.key for p in in_programme))
