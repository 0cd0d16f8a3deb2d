"""What the index says about each kind of record: one builder per kind.

A builder turns records (all of them, or some ids) into entry values with a fixed number of
queries per batch: the names a record borrows from the records around it (its pairing,
places, organisations, themes) come from ``Facts``, loaded in bulk and kept for the run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any

from django.db import models
from django.urls import reverse

from citycoop.events.models import Event, EventKind
from citycoop.portfolio.models import (
    Action,
    ActionOrganisation,
    Agreement,
    AgreementParty,
    AgreementType,
    Pairing,
    PairingMember,
    PilotProject,
)
from citycoop.practices.models import Need, Practice
from citycoop.registry.models import (
    Organisation,
    OrganisationType,
    Place,
    PlaceKind,
    Theme,
)

from .backends import MARK_END, MARK_START
from .models import Kind

BATCH = 2000
MODELS: dict[str, type[models.Model]] = {
    Kind.PAIRING: Pairing,
    Kind.PILOT: PilotProject,
    Kind.ACTION: Action,
    Kind.ORGANISATION: Organisation,
    Kind.PLACE: Place,
    Kind.AGREEMENT: Agreement,
    Kind.EVENT: Event,
    Kind.PRACTICE: Practice,
    Kind.NEED: Need,
}
KIND_OF = {model: kind for kind, model in MODELS.items()}


def batched(items: Iterable[Any], size: int) -> Iterator[tuple[Any, ...]]:
    """itertools.batched, which arrives with Python 3.12."""
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


def clean(text: Any) -> str:
    """Text fit for the index: no highlight markers, no runs of blanks."""
    text = str(text or "").replace(MARK_START, "").replace(MARK_END, "")
    return " ".join(text.split())


def joined(*parts: Any, sep: str = " · ") -> str:
    """The non-empty parts, each once ("Tianjin Port" as named and as written is one)."""
    seen: dict[str, str] = {}
    for part in parts:
        if (cleaned := clean(part)) and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return sep.join(seen.values())


def shortened(text: str, length: int = 120) -> str:
    text = clean(text)
    return text if len(text) <= length else text[:length - 1].rsplit(" ", 1)[0] + " …"


def year_of(date: Any) -> int | None:
    return date.year if date else None


# -- facts borrowed from other records ------------------------------------------------------

@dataclass
class ThemeFacts:
    slug: str
    name: str
    sdgs: list[int]
    parent_id: int | None


@dataclass
class NamedFacts:
    """A place or an organisation as others name it: a place's names in other scripts too,
    so that 天津 finds what happens in Tianjin."""

    name: str
    country: str
    other_names: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.other_names)


@dataclass
class PairingFacts:
    id: int
    slug: str
    label: str
    summary: str
    group: str
    status: str
    programme: str
    is_public: bool
    year: int | None
    url: str
    member_names: list[str] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)


@dataclass
class PilotFacts:
    id: int
    pairing_id: int
    slug: str
    title: str
    summary: str
    status: str
    is_public: bool
    theme_ids: list[int] = field(default_factory=list)


class Facts:
    """Caches of the records entries borrow from, filled a batch of ids at a time."""

    def __init__(self) -> None:
        self._themes: dict[int, ThemeFacts] | None = None
        self._places: dict[int, NamedFacts] = {}
        self._organisations: dict[int, NamedFacts] = {}
        self._pairings: dict[int, PairingFacts] = {}
        self._pilots: dict[int, PilotFacts] = {}

    @staticmethod
    def _fill(cache: dict[int, Any], ids: Iterable[int | None],
              load: Callable[[list[int]], None]) -> dict[int, Any]:
        missing = sorted({i for i in ids if i is not None} - cache.keys())
        for chunk in batched(missing, BATCH):
            load(list(chunk))
        return cache

    def themes(self) -> dict[int, ThemeFacts]:
        if self._themes is None:  # the taxonomy is a few dozen rows: load it whole
            self._themes = {
                row["id"]: ThemeFacts(row["slug"], row["name"], list(row["sdgs"] or []),
                                      row["parent_id"])
                for row in Theme.objects.values("id", "slug", "name", "sdgs", "parent_id")
            }
        return self._themes

    def theme_facets(self, theme_ids: Iterable[int]) -> tuple[str, str]:
        """Theme slugs (with their ancestors, so a parent counts its children) and SDGs."""
        themes = self.themes()
        slugs: set[str] = set()
        sdgs: set[int] = set()
        for theme_id in theme_ids:
            seen: set[int] = set()
            current: int | None = theme_id
            while current is not None and current in themes and current not in seen:
                seen.add(current)
                slugs.add(themes[current].slug)
                sdgs.update(g for g in themes[current].sdgs if isinstance(g, int))
                current = themes[current].parent_id
        return " ".join(sorted(slugs)), " ".join(str(g) for g in sorted(sdgs))

    def places(self, ids: Iterable[int | None]) -> dict[int, NamedFacts]:
        def load(chunk: list[int]) -> None:
            for row in Place.objects.filter(id__in=chunk).values("id", "name", "country",
                                                                 "other_names"):
                others = row["other_names"] if isinstance(row["other_names"], dict) else {}
                self._places[row["id"]] = NamedFacts(row["name"], row["country"], tuple(
                    str(n) for n in others.values() if n and n != row["name"]))
        return self._fill(self._places, ids, load)

    def organisations(self, ids: Iterable[int | None]) -> dict[int, NamedFacts]:
        def load(chunk: list[int]) -> None:
            rows = list(Organisation.objects.filter(id__in=chunk).values(
                "id", "name", "acronym", "country", "place_id"))
            places = self.places(row["place_id"] for row in rows)
            for row in rows:
                name = row["name"]
                if row["acronym"] and row["acronym"].casefold() not in name.casefold():
                    name = f"{name} ({row['acronym']})"
                country = row["country"] or getattr(places.get(row["place_id"]), "country", "")
                self._organisations[row["id"]] = NamedFacts(name, country)
        return self._fill(self._organisations, ids, load)

    def pairings(self, ids: Iterable[int | None]) -> dict[int, PairingFacts]:
        def load(chunk: list[int]) -> None:
            found = {}
            for row in Pairing.objects.filter(id__in=chunk).values(
                    "id", "slug", "label", "summary", "group", "status", "programme__slug",
                    "is_public", "starts_start"):
                found[row["id"]] = PairingFacts(
                    id=row["id"], slug=row["slug"], label=row["label"], summary=row["summary"],
                    group=row["group"], status=row["status"], programme=row["programme__slug"],
                    is_public=row["is_public"], year=year_of(row["starts_start"]),
                    url=reverse("web:pairing", args=[row["slug"]]))
            members = list(PairingMember.objects.filter(pairing_id__in=chunk).order_by(
                "pairing_id", "position").values_list("pairing_id", "place_id",
                                                      "organisation_id", "label"))
            places = self.places(place for _, place, _, _ in members)
            organisations = self.organisations(org for _, _, org, _ in members)
            for pairing_id, place_id, organisation_id, label in members:
                member = places.get(place_id) or organisations.get(organisation_id)
                if member is None:
                    continue
                facts = found[pairing_id]
                facts.member_names.extend(member.names)
                if label and label != member.name:
                    facts.member_names.append(label)
                if member.country:
                    facts.countries.add(member.country)
            self._pairings.update(found)
        return self._fill(self._pairings, ids, load)

    def pilots(self, ids: Iterable[int | None]) -> dict[int, PilotFacts]:
        def load(chunk: list[int]) -> None:
            found = {
                row["id"]: PilotFacts(
                    id=row["id"], pairing_id=row["pairing_id"], slug=row["slug"],
                    title=row["title"], summary=row["summary"], status=row["status"],
                    is_public=row["is_public"])
                for row in PilotProject.objects.filter(id__in=chunk).values(
                    "id", "pairing_id", "slug", "title", "summary", "status", "is_public")
            }
            for pilot_id, theme_id in PilotProject.themes.through.objects.filter(
                    pilotproject_id__in=chunk).values_list("pilotproject_id", "theme_id"):
                found[pilot_id].theme_ids.append(theme_id)
            self._pilots.update(found)
        return self._fill(self._pilots, ids, load)


# -- builders: records -> entry values ------------------------------------------------------

def rows_of(model: type[models.Model], ids: Collection[int] | None,
            fields: Iterable[str]) -> Iterator[list[dict[str, Any]]]:
    """The records' values in batches: the given ids, or every record by ascending id."""
    queryset = model._default_manager.order_by("pk").values("id", *fields)
    if ids is not None:
        for chunk in batched(sorted(set(ids)), BATCH):
            yield list(queryset.filter(pk__in=chunk))
        return
    last = 0
    while rows := list(queryset.filter(pk__gt=last)[:BATCH]):
        yield rows
        last = rows[-1]["id"]


def grouped(pairs: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
    by_key: dict[int, list[Any]] = defaultdict(list)
    for key, value in pairs:
        by_key[key].append(value)
    return by_key


def entry(facts: Facts, kind: str, object_id: int, *, title: str, body: str = "",
          context: str = "", url: str = "", is_public: bool = True,
          pairing: PairingFacts | None = None, countries: Iterable[str] = (),
          theme_ids: Iterable[int] = (), status: str = "", year: int | None = None) -> dict:
    themes, sdgs = facts.theme_facets(theme_ids)
    return {
        "kind": kind,
        "object_id": object_id,
        "title": shortened(title, 300),
        "body": body,
        "context": context,
        "url": url[:500],
        "is_public": is_public,
        "pairing_pk": pairing.id if pairing else None,
        "programme": pairing.programme if pairing else None,
        "countries": " ".join(sorted({c for c in countries if c})),
        "themes": themes,
        "sdgs": sdgs,
        "status": status or "",
        "year": year,
    }


@lru_cache(maxsize=4096)
def _pilot_url(pairing_slug: str, pilot_slug: str) -> str:
    return reverse("web:pilot", args=[pairing_slug, pilot_slug])


def pilot_url(pairing: PairingFacts, pilot: PilotFacts) -> str:
    # Memoised: a rebuild asks for the same pilot's address once per action.
    return _pilot_url(pairing.slug, pilot.slug)


def build_pairings(ids: Collection[int] | None, facts: Facts) -> Iterator[dict]:
    for rows in rows_of(Pairing, ids, ()):
        chunk = [row["id"] for row in rows]
        pairings = facts.pairings(chunk)
        themes = grouped(PilotProject.themes.through.objects.filter(
            pilotproject__pairing_id__in=chunk).values_list("pilotproject__pairing_id",
                                                            "theme_id"))
        for pairing_id in chunk:
            p = pairings[pairing_id]
            yield entry(facts, Kind.PAIRING, p.id, title=p.label, body=clean(p.summary),
                        context=joined(p.group, *p.member_names), url=p.url,
                        is_public=p.is_public, pairing=p, countries=p.countries,
                        theme_ids=themes.get(p.id, ()), status=p.status, year=p.year)


def build_pilots(ids: Collection[int] | None, facts: Facts) -> Iterator[dict]:
    for rows in rows_of(PilotProject, ids, ()):
        pilots = facts.pilots(row["id"] for row in rows)
        pairings = facts.pairings(pilot.pairing_id for pilot in pilots.values())
        themes = facts.themes()
        for row in rows:
            pilot = pilots[row["id"]]
            p = pairings[pilot.pairing_id]
            theme_names = [themes[t].name for t in pilot.theme_ids if t in themes]
            yield entry(facts, Kind.PILOT, pilot.id, title=pilot.title,
                        body=joined(pilot.summary, *theme_names), context=clean(p.label),
                        url=pilot_url(p, pilot),
                        is_public=pilot.is_public and p.is_public, pairing=p,
                        countries=p.countries, theme_ids=pilot.theme_ids, status=pilot.status,
                        year=p.year)


def build_actions(ids: Collection[int] | None, facts: Facts) -> Iterator[dict]:
    for rows in rows_of(Action, ids, ("pilot_id", "topic", "text", "sub_items", "status",
                                      "when_start")):
        chunk = [row["id"] for row in rows]
        places_of = grouped(Action.places.through.objects.filter(action_id__in=chunk)
                            .values_list("action_id", "place_id"))
        roles_of = grouped((action_id, (org, written)) for action_id, org, written in
                           ActionOrganisation.objects.filter(action_id__in=chunk)
                           .values_list("action_id", "organisation_id", "as_written"))
        places = facts.places(p for ids_ in places_of.values() for p in ids_)
        organisations = facts.organisations(o for roles in roles_of.values() for o, _ in roles)
        pilots = facts.pilots(row["pilot_id"] for row in rows)
        pairings = facts.pairings(pilot.pairing_id for pilot in pilots.values())
        for row in rows:
            pilot = pilots[row["pilot_id"]]
            p = pairings[pilot.pairing_id]
            named = [places[i] for i in places_of.get(row["id"], ()) if i in places]
            named += [organisations[o] for o, _ in roles_of.get(row["id"], ())
                      if o in organisations]
            written = [w for _, w in roles_of.get(row["id"], ())]
            sub_items = [item for item in row["sub_items"] or [] if isinstance(item, str)]
            # The topic is a lead-in label: it makes the title, the text the body.
            yield entry(facts, Kind.ACTION, row["id"], title=row["topic"] or shortened(row["text"]),
                        body=joined(row["text"], *sub_items),
                        context=joined(pilot.title, p.label, *(x for n in named for x in n.names),
                                       *written),
                        url=f"{pilot_url(p, pilot)}#action-{row['id']}",
                        is_public=pilot.is_public and p.is_public, pairing=p,
                        countries={*p.countries, *(n.country for n in named)},
                        theme_ids=pilot.theme_ids, status=row["status"],
                        year=year_of(row["when_start"]))


def build_agreements(ids: Collection[int] | None, facts: Facts) -> Iterator[dict]:
    for rows in rows_of(Agreement, ids, ("title", "type", "status", "pairing_id", "text",
                                         "signed_on_start", "is_public")):
        chunk = [row["id"] for row in rows]
        parties_of = grouped((agreement, (place, org, label)) for agreement, place, org, label in
                             AgreementParty.objects.filter(agreement_id__in=chunk).values_list(
                                 "agreement_id", "place_id", "organisation_id", "label"))
        pilots_of = grouped(Agreement.pilots.through.objects.filter(agreement_id__in=chunk)
                            .values_list("agreement_id", "pilotproject_id"))
        parties = [party for items in parties_of.values() for party in items]
        places = facts.places(place for place, _, _ in parties)
        organisations = facts.organisations(org for _, org, _ in parties)
        pilots = facts.pilots(p for items in pilots_of.values() for p in items)
        pairings = facts.pairings(row["pairing_id"] for row in rows)
        for row in rows:
            p = pairings.get(row["pairing_id"])
            named = [places.get(place) or organisations.get(org)
                     for place, org, _ in parties_of.get(row["id"], ())]
            labels = [label for _, _, label in parties_of.get(row["id"], ())]
            served = [pilots[i] for i in pilots_of.get(row["id"], ()) if i in pilots]
            yield entry(facts, Kind.AGREEMENT, row["id"], title=row["title"],
                        body=joined(row["text"], AgreementType(row["type"]).label),
                        context=joined(p.label if p else "",
                                       *(x for n in named if n for x in n.names),
                                       *labels, *(pilot.title for pilot in served)),
                        url=f"{p.url}#agreements" if p else "",
                        is_public=row["is_public"] and (p is None or p.is_public), pairing=p,
                        countries={n.country for n in named if n},
                        theme_ids=[t for pilot in served for t in pilot.theme_ids],
                        status=row["status"], year=year_of(row["signed_on_start"]))


def build_events(ids: Collection[int] | None, facts: Facts) -> Iterator[dict]:
    for rows in rows_of(Event, ids, ("slug", "title", "kind", "when_start", "place_id",
                                     "description", "is_public")):
        chunk = [row["id"] for row in rows]
        organisers_of = grouped(Event.organisers.through.objects.filter(event_id__in=chunk)
                                .values_list("event_id", "organisation_id"))
        pairings_of = grouped(Event.pairings.through.objects.filter(event_id__in=chunk)
                              .values_list("event_id", "pairing_id"))
        for event_id, pairing_id in Event.pilots.through.objects.filter(
                event_id__in=chunk).values_list("event_id", "pilotproject__pairing_id"):
            pairings_of[event_id].append(pairing_id)
        places = facts.places(row["place_id"] for row in rows)
        organisations = facts.organisations(o for items in organisers_of.values() for o in items)
        pairings = facts.pairings(p for items in pairings_of.values() for p in items)
        for row in rows:
            place = places.get(row["place_id"])
            organisers = [organisations[o] for o in organisers_of.get(row["id"], ())
                          if o in organisations]
            served = [pairings[p] for p in sorted(set(pairings_of.get(row["id"], ())))]
            yield entry(facts, Kind.EVENT, row["id"], title=row["title"],
                        body=joined(row["description"], EventKind(row["kind"]).label),
                        context=joined(*(place.names if place else ()),
                                       *(o.name for o in organisers),
                                       *(p.label for p in served)),
                        url=reverse("web:event", args=[row["slug"]]),
                        # The first pairing it serves lends its programme and its members.
                        is_public=row["is_public"], pairing=served[0] if served else None,
                        countries={place.country if place else "",
                                   *(o.country for o in organisers)},
                        year=year_of(row["when_start"]))


def build_organisations(ids: Collection[int] | None, facts: Facts) -> Iterator[dict]:
    for rows in rows_of(Organisation, ids, ("slug", "name", "acronym", "aliases", "type",
                                            "country", "place_id", "parent_id", "description")):
        places = facts.places(row["place_id"] for row in rows)
        parents = facts.organisations(row["parent_id"] for row in rows)
        for row in rows:
            place = places.get(row["place_id"])
            parent = parents.get(row["parent_id"])
            name = row["name"]
            if row["acronym"] and row["acronym"].casefold() not in name.casefold():
                name = f"{name} ({row['acronym']})"
            yield entry(facts, Kind.ORGANISATION, row["id"], title=name,
                        body=joined(row["description"], *(row["aliases"] or []),
                                    OrganisationType(row["type"]).label),
                        context=joined(*(place.names if place else ()),
                                       parent.name if parent else ""),
                        url=reverse("web:organisation", args=[row["slug"]]),
                        countries={row["country"] or (place.country if place else "")})


def build_places(ids: Collection[int] | None, facts: Facts) -> Iterator[dict]:
    for rows in rows_of(Place, ids, ("slug", "name", "kind", "country", "parent_id",
                                     "other_names", "aliases")):
        parents = facts.places(row["parent_id"] for row in rows)
        for row in rows:
            parent = parents.get(row["parent_id"])
            other_names = list((row["other_names"] or {}).values())
            yield entry(facts, Kind.PLACE, row["id"], title=row["name"],
                        body=joined(*other_names, *(row["aliases"] or []),
                                    PlaceKind(row["kind"]).label),
                        context=clean(parent.name if parent else ""),
                        url=reverse("web:place", args=[row["slug"]]), countries={row["country"]})


def builders() -> dict[str, Callable[[Collection[int] | None, Facts], Iterator[dict]]]:
    # Practices and needs live in their own module, which builds on this one.
    from .entries_practices import build_needs, build_practices

    return {
        Kind.PAIRING: build_pairings,
        Kind.PILOT: build_pilots,
        Kind.ACTION: build_actions,
        Kind.ORGANISATION: build_organisations,
        Kind.PLACE: build_places,
        Kind.AGREEMENT: build_agreements,
        Kind.EVENT: build_events,
        Kind.PRACTICE: build_practices,
        Kind.NEED: build_needs,
    }
