"""The registry's API: organisations, places and people.

Organisations and places are the programme's public reference lists; people show to the
public only when their details are public (the Selection decides). Registry editors change
organisations and places through the audited services, with the ETag in If-Match.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from citycoop.accounts.permissions import (
    access_organisation_for_edit,
    access_person_for_edit,
    access_place_for_edit,
    require_registry_editor,
)
from citycoop.common.apikit import (
    READ_AUTH,
    WRITE_AUTH,
    acting,
    each,
    page,
    page_of,
    respond,
    update_versioned,
)
from citycoop.opendata.selection import Selection

from .models import Organisation, OrganisationType, Person, Place, PlaceKind, Visibility
from .services import create_organisation, create_person, create_place

router = Router(tags=["registry"])


class OrganisationOut(Schema):
    id: int
    slug: str
    name: str
    acronym: str
    type: str
    country: str
    place: str | None
    website: str
    description: str
    version: int


OrganisationPage = page_of(OrganisationOut)


class OrganisationFields(Schema):
    name: str | None = None
    acronym: str = ""
    type: OrganisationType | None = None
    country: str = ""
    website: str = ""
    description: str = ""


class OrganisationIn(OrganisationFields):
    slug: str
    name: str
    type: OrganisationType


def organisation_out(organisation: Organisation) -> dict[str, Any]:
    return {"id": organisation.pk, "slug": organisation.slug, "name": organisation.name,
            "acronym": organisation.acronym, "type": organisation.type,
            "country": organisation.country,
            "place": organisation.place.slug if organisation.place else None,
            "website": organisation.website, "description": organisation.description,
            "version": organisation.version}


@router.get("/organisations", response=OrganisationPage, auth=READ_AUTH)
def list_organisations(request: HttpRequest, country: str | None = None,
                       type: OrganisationType | None = None, q: str | None = None,
                       ordering: str = "id", limit: int = 100,
                       cursor: str | None = None) -> HttpResponse:
    """Organisations; filter by country (ISO code), type or words in the name."""
    organisations = Organisation.objects.select_related("place")
    if country:
        organisations = organisations.filter(country=country.upper())
    if type:
        organisations = organisations.filter(type=type)
    if q:
        organisations = organisations.filter(name__icontains=q)
    return page(request, organisations, ordering=ordering, allowed=("id", "name", "slug"),
                limit=limit, cursor=cursor, shape=each(organisation_out))


@router.get("/organisations/{slug}", response=OrganisationOut, auth=READ_AUTH)
def get_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Organisation.objects.select_related("place"), slug=slug)
    return respond(request, found, organisation_out)


@router.post("/organisations", response={201: OrganisationOut}, auth=WRITE_AUTH)
def add_organisation(request: HttpRequest, data: OrganisationIn) -> HttpResponse:
    """Registry editors (programme managers, admins) add organisations."""
    require_registry_editor(request.user)
    found = create_organisation(data.dict(exclude_unset=True), acting_user=acting(request))
    return respond(request, found, organisation_out, status=201)


@router.patch("/organisations/{slug}", response=OrganisationOut, auth=WRITE_AUTH)
def change_organisation(request: HttpRequest, slug: str,
                        data: OrganisationFields) -> HttpResponse:
    found = access_organisation_for_edit(request.user, slug)
    return respond(request, update_versioned(request, found, data),
                   organisation_out)


class PlaceOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    country: str
    latitude: float | None
    longitude: float | None
    population: int | None
    geonames_id: int | None
    version: int


PlacePage = page_of(PlaceOut)


class PlaceFields(Schema):
    name: str | None = None
    kind: PlaceKind | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int | None = None


class PlaceIn(PlaceFields):
    slug: str
    name: str
    kind: PlaceKind
    country: str


def place_out(place: Place) -> dict[str, Any]:
    return {"id": place.pk, "slug": place.slug, "name": place.name, "kind": place.kind,
            "country": place.country, "latitude": place.latitude,
            "longitude": place.longitude, "population": place.population,
            "geonames_id": place.geonames_id, "version": place.version}


@router.get("/places", response=PlacePage, auth=READ_AUTH)
def list_places(request: HttpRequest, country: str | None = None,
                kind: PlaceKind | None = None, q: str | None = None, ordering: str = "id",
                limit: int = 100, cursor: str | None = None) -> HttpResponse:
    """Places (cities, regions, countries); filter by country, kind or words in the name."""
    places = Place.objects.all()
    if country:
        places = places.filter(country=country.upper())
    if kind:
        places = places.filter(kind=kind)
    if q:
        places = places.filter(name__icontains=q)
    return page(request, places, ordering=ordering, allowed=("id", "name", "slug"),
                limit=limit, cursor=cursor, shape=each(place_out))


@router.get("/places/{slug}", response=PlaceOut, auth=READ_AUTH)
def get_place(request: HttpRequest, slug: str) -> HttpResponse:
    return respond(request, get_object_or_404(Place, slug=slug), place_out)


@router.post("/places", response={201: PlaceOut}, auth=WRITE_AUTH)
def add_place(request: HttpRequest, data: PlaceIn) -> HttpResponse:
    """Registry editors add places; coordinates and population the gazetteer knows fill in
    what the body leaves out."""
    require_registry_editor(request.user)
    found = create_place(data.dict(exclude_unset=True), acting_user=acting(request))
    return respond(request, found, place_out, status=201)


@router.patch("/places/{slug}", response=PlaceOut, auth=WRITE_AUTH)
def change_place(request: HttpRequest, slug: str, data: PlaceFields) -> HttpResponse:
    found = access_place_for_edit(request.user, slug)
    return respond(request, update_versioned(request, found, data),
                   place_out)


class PersonOut(Schema):
    id: int
    name: str
    title: str
    position: str
    organisation: str | None
    email: str
    phone: str
    visibility: str
    version: int


PersonPage = page_of(PersonOut)


def person_out(person: Person) -> dict[str, Any]:
    return {"id": person.pk, "name": person.name, "title": person.title,
            "position": person.position,
            "organisation": person.organisation.slug if person.organisation else None,
            "email": person.email, "phone": person.phone, "visibility": person.visibility,
            "version": person.version}


class PersonFields(Schema):
    name: str | None = None
    title: str = ""
    position: str = ""
    organisation: str | None = None
    email: str = ""
    phone: str = ""
    visibility: Visibility = Visibility.INTERNAL


class PersonIn(PersonFields):
    name: str


def person_values(data: PersonFields) -> dict[str, Any]:
    """The body's fields, the organisation named by its key."""
    values = data.dict(exclude_unset=True)
    if values.get("organisation"):
        values["organisation"] = get_object_or_404(Organisation, slug=values["organisation"])
    return values


@router.get("/people", response=PersonPage, auth=READ_AUTH)
def list_people(request: HttpRequest, organisation: str | None = None, q: str | None = None,
                ordering: str = "id", limit: int = 100,
                cursor: str | None = None) -> HttpResponse:
    """People whose details the caller may see; filter by organisation key or name."""
    people = Selection(user=request.user).people().select_related("organisation")
    if organisation:
        people = people.filter(organisation__slug=organisation)
    if q:
        people = people.filter(name__icontains=q)
    return page(request, people, ordering=ordering, allowed=("id", "name"), limit=limit,
                cursor=cursor, shape=each(person_out))


@router.get("/people/{person_id}", response=PersonOut, auth=READ_AUTH)
def get_person(request: HttpRequest, person_id: int) -> HttpResponse:
    found = get_object_or_404(Selection(user=request.user).people()
                              .select_related("organisation"), pk=person_id)
    return respond(request, found, person_out)


@router.post("/people", response={201: PersonOut}, auth=WRITE_AUTH)
def add_person(request: HttpRequest, data: PersonIn) -> HttpResponse:
    require_registry_editor(request.user)
    found = create_person(person_values(data), acting_user=acting(request))
    return respond(request, found, person_out, status=201)


@router.patch("/people/{person_id}", response=PersonOut, auth=WRITE_AUTH)
def change_person(request: HttpRequest, person_id: int, data: PersonFields) -> HttpResponse:
    found = access_person_for_edit(request.user, person_id)
    changed = update_versioned(request, found, data, values=person_values(data))
    return respond(request, changed, person_out)


class PartnerOut(Schema):
    key: str
    name: str
    country: str
    reasons: list[str]


@router.get("/places/{slug}/partners", response=list[PartnerOut], auth=READ_AUTH)
def place_partners(request: HttpRequest, slug: str, top: int = 10) -> list[dict[str, Any]]:
    """Partner cities suggested for the place, best first, each with its reasons in words,
    from the public records (as on the place's page); an empty list when the place has no
    side to pair from."""
    from citycoop.matchmaking.city_suggestions import partner_suggestions

    get_object_or_404(Place, slug=slug)
    if not 1 <= top <= 50:
        raise HttpError(400, "top must be between 1 and 50.")
    found = partner_suggestions(slug, top=top) or []
    return [{"key": s.key, "name": s.name, "country": s.country, "reasons": s.reasons}
            for s in found]
