"""Practices and cities for a need, from the records: the Django side of the matcher
(:mod:`citycoop.matchmaking.engine.practice_match`).

The index of published practices is built once per process and kept until a write touches
what it is made of (practices, their texts and adoptions, themes, places, organisations):
posts, events and pairings change every minute and leave it alone. The cities' profiles come
from the partner recommender's index of the public records (city_suggestions), kept the
same way. The reasons are put into words here, in the reader's language.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citycoop.accounts.models import AuditEntry
from citycoop.common.freshness import cached_until_change, data_version
from citycoop.matchmaking import city_suggestions
from citycoop.matchmaking.engine import partner_text
from citycoop.matchmaking.engine.partner_text import Reason, country_name
from citycoop.matchmaking.engine.practice_match import (
    CityMatch,
    NeedQuery,
    PracticeCandidate,
    PracticeIndex,
    PracticeMatch,
    partner_cities,
    propose_cities,
)
from citycoop.matchmaking.reason_words import joined, reason_text
from citycoop.registry.models import Organisation, Place, Theme

from .models import Adoption, Need, Practice, PracticeStatus, PracticeText
from .text import site_language

PRACTICES_SHOWN = 8
CITIES_SHOWN = 6
# Cities are proposed from more practices than are shown: a city whose practice ranks ninth
# is still a city that has done something about the need.
PRACTICES_CONSIDERED = 50
# The text fields a practice is matched on, in each language: what it is and what it did.
MATCHED_FIELDS = ("title", "summary", "problem", "what_was_done", "results")
RELEVANT_MODELS = (Practice, PracticeText, Adoption, Theme, Place, Organisation)

_lock = threading.Lock()
_kept: dict[str, Any] = {}


class _RememberingEmbedder:
    """The embedding model, remembering each text's vector by a digest of the text: after a
    write to one practice, the rebuilt index embeds that practice's texts only."""

    def __init__(self, embedder: partner_text.Embedder) -> None:
        self.embedder = embedder
        self.dim = embedder.dim
        self.seen: dict[bytes, np.ndarray] = {}
        self.used: set[bytes] = set()

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.blake2b(t.encode(), digest_size=16).digest() for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.seen}
        if missing:
            vectors = self.embedder.embed(list(missing.values()))
            self.seen.update(zip(missing, vectors, strict=True))
        self.used.update(keys)
        if not keys:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self.seen[k] for k in keys])

    def start_build(self) -> None:
        self.used = set()

    def end_build(self) -> None:
        """Forget the texts the new index no longer has."""
        self.seen = {k: v for k, v in self.seen.items() if k in self.used}


def _candidates() -> tuple[list[PracticeCandidate], dict[str, dict[str, Any]]]:
    """Every published practice as the matcher sees it, in four queries; and what the page
    shows of each (titles by language, label)."""
    published = Practice.objects.filter(status=PracticeStatus.PUBLISHED)
    texts: dict[int, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for pk, language, *fields in PracticeText.objects.filter(
            practice__status=PracticeStatus.PUBLISHED).values_list(
            "practice_id", "language", *MATCHED_FIELDS).order_by():
        texts[pk][language] = tuple(fields)
    themes: dict[int, set[str]] = defaultdict(set)
    for pk, name in Practice.themes.through.objects.filter(
            practice__status=PracticeStatus.PUBLISHED).values_list(
            "practice_id", "theme__name").order_by():
        themes[pk].add(name)
    # Adopted elsewhere: a city reporting its own practice adopted is no transfer.
    adoptions = dict(Adoption.objects.filter(practice__status=PracticeStatus.PUBLISHED)
                     .exclude(place_id=F("practice__place_id")).values("practice_id")
                     .annotate(n=Count("place_id", distinct=True))
                     .values_list("practice_id", "n").order_by())
    candidates, facts = [], {}
    for (pk, slug, title, labelled_at, sdgs, place, place_name, place_country,
         organisation_place, organisation_place_name, organisation_country,
         organisation_place_country) in (
            published.values_list(
                "pk", "slug", "title", "labelled_at", "sdgs", "place__slug", "place__name",
                "place__country", "organisation__place__slug", "organisation__place__name",
                "organisation__country", "organisation__place__country").order_by("pk")):
        candidates.append(PracticeCandidate(
            key=slug, title=title, texts=texts.get(pk, {}),
            themes=frozenset(themes.get(pk, ())),
            sdgs=frozenset(g for g in sdgs or [] if isinstance(g, int)),
            labelled=labelled_at is not None, adoptions=adoptions.get(pk, 0),
            country=place_country or organisation_country or organisation_place_country or "",
            place=place or organisation_place or "",
            place_name=place_name or organisation_place_name or ""))
        facts[slug] = {"title": title, "labelled": labelled_at is not None,
                       "titles": {lang: fields[0] for lang, fields in texts.get(pk, {}).items()
                                  if fields[0]}}
    return candidates, facts


def _fresh() -> bool:
    """Whether the kept index still holds: no write to what it is made of since it was last
    checked. The entry last checked must still be there as it was: a restore or a
    rolled-back transaction can give its id to another entry."""
    checked = _kept.get("checked")
    if checked is None:
        return False
    newest = data_version()
    if newest == checked:
        return True
    entries = AuditEntry.objects.filter(
        content_type__in=ContentType.objects.get_for_models(*RELEVANT_MODELS).values())
    if checked:
        if not AuditEntry.objects.filter(pk=checked[0], created_at=checked[1]).exists():
            return False
        entries = entries.filter(pk__gt=checked[0])
    if entries.exists():
        return False
    _kept["checked"] = newest
    return True


def practice_index() -> tuple[PracticeIndex, dict[str, dict[str, Any]]]:
    """The index of the published practices as they are now, and what pages show of each."""
    with _lock:
        if not _fresh():
            version = data_version()
            model = partner_text.load_embedder()
            embedder = _kept.get("embedder")
            if model is not None and embedder is None:
                embedder = _kept["embedder"] = _RememberingEmbedder(model)
            candidates, facts = _candidates()
            if embedder is not None:
                embedder.start_build()
            index = PracticeIndex(candidates, embedder=embedder or None)
            if embedder is not None:
                embedder.end_build()
            _kept.update(checked=version, index=index, facts=facts)
        return _kept["index"], _kept["facts"]


def need_query(need: Need) -> NeedQuery:
    place = need.place
    return NeedQuery(title=need.title, description=need.description,
                     themes=frozenset(need.themes.values_list("name", flat=True)),
                     sdgs=frozenset(g for g in need.sdgs or [] if isinstance(g, int)),
                     country=place.country if place else "", place=place.slug if place else "")


def matching_practices(need: Need, *, top: int = PRACTICES_SHOWN) -> list[PracticeMatch]:
    """The published practices that fit the need best, best first."""
    index, _facts = practice_index()
    return index.match(need_query(need), top=top)


@dataclass(frozen=True)
class _Found:
    """What matching found for a need, kept until the next write (the page words it)."""

    practices: tuple[PracticeMatch, ...]
    cities: tuple[CityMatch, ...]
    facts: dict[str, dict[str, Any]]


def _find(need: Need) -> _Found:
    index, facts = practice_index()
    query = need_query(need)
    practices = index.match(query, top=PRACTICES_CONSIDERED)
    partners, _profiles = city_suggestions._index()
    cities = propose_cities(query, practices, partner_cities(partners, query, top=CITIES_SHOWN),
                            top=CITIES_SHOWN)
    named = {m.key for m in practices[:PRACTICES_SHOWN]} | {
        k for c in cities for r in c.reasons if r.kind == "practice" for k in r.words}
    return _Found(tuple(practices[:PRACTICES_SHOWN]), tuple(cities),
                  {k: facts[k] for k in named if k in facts})


# -- the reasons in words --------------------------------------------------------------------


@dataclass(frozen=True)
class ShownReason:
    kind: str
    text: str


@dataclass(frozen=True)
class PracticeFit:
    key: str
    title: str
    url: str
    place_name: str
    labelled: bool
    reasons: tuple[ShownReason, ...]


@dataclass(frozen=True)
class CityFit:
    key: str
    name: str
    country: str
    url: str
    reasons: tuple[ShownReason, ...]


@dataclass(frozen=True)
class NeedMatches:
    practices: tuple[PracticeFit, ...]
    cities: tuple[CityFit, ...]


def _title(facts: dict[str, dict[str, Any]], key: str) -> str:
    """The practice's title in the reader's language where it is written in it."""
    fact = facts.get(key)
    if fact is None:
        return key
    return str(fact["titles"].get(site_language()) or fact["title"])


def _adopted(reason: Reason) -> str:
    count = int(reason.words[0])
    return ngettext("already adopted by %(count)s other city",
                    "already adopted by %(count)s other cities", count) % {"count": count}


def _practices(reason: Reason, facts: dict[str, dict[str, Any]]) -> str:
    titles = [f"“{_title(facts, key)}”" for key in reason.words]
    return ngettext("its good practice %(titles)s fits this need",
                    "its good practices %(titles)s fit this need",
                    len(titles)) % {"titles": joined(titles)}


def reason_words(reason: Reason, facts: dict[str, dict[str, Any]]) -> str:
    """A practice's or a city's reason in the reader's language: whole sentences with
    placeholders; the partner recommender's kinds (themes, SDGs, what a city offers) as its
    pages word them."""
    kind, words = reason.kind, reason.words
    if kind == "terms":
        return _("both are about %(terms)s") % {"terms": joined(words)}
    if kind == "meaning":
        return _("what it did is close in meaning to the need")
    if kind == "labelled":
        return _("it carries the programme’s good-practice label")
    if kind == "adopted":
        return _adopted(reason)
    if kind == "same_country":
        return _("it comes from %(country)s, as the need does") % {
            "country": country_name(reason.subject)}
    if kind == "practice":
        return _practices(reason, facts)
    return reason_text(reason)


def matches_for(need: Need) -> NeedMatches:
    """The practices and cities proposed for the need, with their reasons in words."""
    found = cached_until_change(("need-matches", need.pk, need.version), lambda: _find(need))

    def shown(reasons: tuple[Reason, ...]) -> tuple[ShownReason, ...]:
        return tuple(ShownReason(r.kind, reason_words(r, found.facts)) for r in reasons)

    practices = tuple(
        PracticeFit(m.key, _title(found.facts, m.key),
                    reverse("practices:detail", args=[m.key]), m.place_name,
                    bool(found.facts.get(m.key, {}).get("labelled")), shown(m.reasons))
        for m in found.practices)
    cities = tuple(CityFit(c.key, c.name, c.country, reverse("web:place", args=[c.key]),
                           shown(c.reasons)) for c in found.cities)
    return NeedMatches(practices, cities)
