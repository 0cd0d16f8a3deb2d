"""Good practices and needs in the API: lists with filters and single records, read with the
same rules as the pages (published practices and public needs for everyone; drafts for
their keepers and the reviewers), and a need's matches.

A practice carries its text in every language it is written in, under ``texts`` by
language code, so that a client chooses what to show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from citycoop.common.apikit import READ_AUTH, json_response, page, page_of, respond

from .access import access_need, access_practice, visible_needs, visible_practices
from .models import Adoption, Need, NeedStatus, Practice, PracticeStatus, PracticeText
from .need_matching import matches_for

router = Router(tags=["good practices"])

TEXT_FIELDS = PracticeText.FIELDS


class PracticeTextOut(Schema):
    title: str
    summary: str
    problem: str
    what_was_done: str
    results: str
    cost_and_funding: str
    what_it_took: str
    transferability_notes: str


class PracticeOut(Schema):
    id: int
    slug: str
    title: str
    original_language: str
    place: str | None
    organisation: str | None
    status: str
    labelled: bool
    published_at: str | None
    themes: list[str]
    sdgs: list[int]
    transferability: str
    cost_amount: str | None
    cost_currency: str
    adoptions: int
    texts: dict[str, PracticeTextOut]
    url: str
    version: int


PracticePage = page_of(PracticeOut)


def practice_shape(rows: list[Practice]) -> list[dict[str, Any]]:
    """Practices as the API gives them; their texts, themes and adoptions in three queries."""
    ids = [practice.pk for practice in rows]
    texts: dict[int, dict[str, dict[str, str]]] = defaultdict(dict)
    for text in PracticeText.objects.filter(practice_id__in=ids).values(
            "practice_id", "language", *TEXT_FIELDS):
        texts[text["practice_id"]][text["language"]] = {f: text[f] for f in TEXT_FIELDS}
    themes: dict[int, list[str]] = defaultdict(list)
    for practice_id, slug in Practice.themes.through.objects.filter(
            practice_id__in=ids).order_by("theme__slug").values_list("practice_id",
                                                                      "theme__slug"):
        themes[practice_id].append(slug)
    adoptions: dict[int, int] = defaultdict(int)
    for practice_id in Adoption.objects.filter(
            practice_id__in=ids).values_list("practice_id", flat=True):
        adoptions[practice_id] += 1
    return [{
        "id": p.pk, "slug": p.slug, "title": p.title, "original_language": p.original_language,
        "place": p.place.slug if p.place else None,
        "organisation": p.organisation.slug if p.organisation else None,
        "status": p.status, "labelled": p.labelled_at is not None,
        "published_at": p.published_at.isoformat() if p.published_at else None,
        "themes": themes[p.pk], "sdgs": list(p.sdgs or []),
        "transferability": p.transferability,
        "cost_amount": str(p.cost_amount) if p.cost_amount is not None else None,
        "cost_currency": p.cost_currency, "adoptions": adoptions[p.pk],
        "texts": texts[p.pk], "url": p.get_absolute_url(), "version": p.version,
    } for p in rows]


@router.get("/practices", response=PracticePage, auth=READ_AUTH)
def list_practices(request: HttpRequest, theme: str | None = None, country: str | None = None,
                   labelled: bool | None = None, status: PracticeStatus | None = None,
                   q: str | None = None, ordering: str = "id", limit: int = 100,
                   cursor: str | None = None) -> HttpResponse:
    """Good practices: published ones, and the drafts you keep or review. Filter by theme
    key, country of the city (ISO code), label, status or words in the title."""
    practices = visible_practices(request.user).select_related("place", "organisation")
    if theme:
        practices = practices.filter(themes__slug=theme)
    if country:
        practices = practices.filter(place__country=country.upper())
    if labelled is not None:
        practices = practices.filter(labelled_at__isnull=not labelled)
    if status:
        practices = practices.filter(status=status)
    if q:
        practices = practices.filter(texts__title__icontains=q).distinct()
    return page(request, practices, ordering=ordering,
                allowed=("id", "title", "published_at"), limit=limit, cursor=cursor,
                shape=practice_shape)


@router.get("/practices/{slug}", response=PracticeOut, auth=READ_AUTH)
def get_practice(request: HttpRequest, slug: str) -> HttpResponse:
    found = access_practice(request.user, slug)
    return respond(request, found, lambda practice: practice_shape([practice])[0])


class NeedOut(Schema):
    id: int
    slug: str
    place: str
    title: str
    description: str
    themes: list[str]
    sdgs: list[int]
    status: str
    is_public: bool
    url: str
    version: int


NeedPage = page_of(NeedOut)


def need_shape(rows: list[Any]) -> list[dict[str, Any]]:
    ids = [need.pk for need in rows]
    themes: dict[int, list[str]] = defaultdict(list)
    for need_id, slug in Need.themes.through.objects.filter(
            need_id__in=ids).order_by("theme__slug").values_list("need_id", "theme__slug"):
        themes[need_id].append(slug)
    return [{"id": n.pk, "slug": n.slug, "place": n.place.slug, "title": n.title,
             "description": n.description, "themes": themes[n.pk], "sdgs": list(n.sdgs or []),
             "status": n.status, "is_public": n.is_public, "url": n.get_absolute_url(),
             "version": n.version} for n in rows]


@router.get("/needs", response=NeedPage, auth=READ_AUTH)
def list_needs(request: HttpRequest, place: str | None = None,
               status: NeedStatus | None = None, theme: str | None = None,
               ordering: str = "id", limit: int = 100, cursor: str | None = None) -> HttpResponse:
    """What cities say they need help with; filter by city key, status or theme key."""
    needs = visible_needs(request.user).select_related("place")
    if place:
        needs = needs.filter(place__slug=place)
    if status:
        needs = needs.filter(status=status)
    if theme:
        needs = needs.filter(themes__slug=theme)
    return page(request, needs, ordering=ordering, allowed=("id", "title", "created_at"),
                limit=limit, cursor=cursor, shape=need_shape)


@router.get("/needs/{slug}", response=NeedOut, auth=READ_AUTH)
def get_need(request: HttpRequest, slug: str) -> HttpResponse:
    found = access_need(request.user, slug)
    return respond(request, found, lambda need: need_shape([need])[0])


class ReasonOut(Schema):
    kind: str
    text: str


class PracticeFitOut(Schema):
    key: str
    title: str
    url: str
    place_name: str
    labelled: bool
    reasons: list[ReasonOut]


class CityFitOut(Schema):
    key: str
    name: str
    country: str
    url: str
    reasons: list[ReasonOut]


class NeedMatchesOut(Schema):
    practices: list[PracticeFitOut]
    cities: list[CityFitOut]


@router.get("/needs/{slug}/matches", response=NeedMatchesOut, auth=READ_AUTH)
def get_need_matches(request: HttpRequest, slug: str) -> HttpResponse:
    """The published practices and the cities that fit the need, best first, each with its
    reasons in plain words (in the language asked with Accept-Language)."""
    found = matches_for(access_need(request.user, slug))
    return json_response({"practices": [asdict(fit) for fit in found.practices],
                          "cities": [asdict(fit) for fit in found.cities]})
