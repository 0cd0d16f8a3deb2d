"""The events' API: events tied to the pairings the caller may see (read only: events are
changed in the workspace, where registrations and capacity are handled)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from citycoop.accounts.permissions import access_event_for_edit, require_registry_editor
from citycoop.common.apikit import (
    READ_AUTH,
    WRITE_AUTH,
    acting,
    page,
    page_of,
    respond,
    update_versioned,
)
from citycoop.common.services import create_record
from citycoop.opendata.selection import Selection
from citycoop.portfolio.models import Pairing
from citycoop.registry.models import Place

from .models import Event, EventKind

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    slug: str
    title: str
    kind: str
    when: str
    when_start: datetime.date | None
    when_end: datetime.date | None
    place: str | None
    pairing_count: int
    capacity: int | None
    link: str
    is_public: bool
    version: int


class EventDetail(EventOut):
    pairings: list[str]


EventPage = page_of(EventOut)


EVENT_FIELDS = ("id", "slug", "title", "kind", "when_text", "when_start", "when_end",
                "place__slug", "capacity", "link", "is_public", "version")


def events_out(selection: Selection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events from plain rows, with how many of the pairings the caller may see each is tied
    to: a summit can gather a thousand pairings, so lists give the count, and one event's
    answer the keys."""
    tied = Event.pairings.through.objects.filter(event_id__in=[row["id"] for row in rows])
    if not selection.unrestricted:
        tied = tied.filter(pairing__in=selection.pairings())
    counts = {entry["event_id"]: entry["n"]
              for entry in tied.values("event_id").annotate(n=Count("id"))}
    return [{"id": row["id"], "slug": row["slug"], "title": row["title"], "kind": row["kind"],
             "when": row["when_text"], "when_start": row["when_start"],
             "when_end": row["when_end"], "place": row["place__slug"],
             "pairing_count": counts.get(row["id"], 0), "capacity": row["capacity"],
             "link": row["link"], "is_public": row["is_public"], "version": row["version"]}
            for row in rows]


@router.get("/events", response=EventPage, auth=READ_AUTH)
def list_events(request: HttpRequest, kind: EventKind | None = None,
                pairing: str | None = None, ordering: str = "id", limit: int = 100,
                cursor: str | None = None) -> HttpResponse:
    """Events of the pairings the caller may see; filter by kind or pairing key."""
    selection = Selection(user=request.user)
    events = selection.events()
    if kind:
        events = events.filter(kind=kind)
    if pairing:
        events = events.filter(pairings__slug=pairing)
    return page(request, events, ordering=ordering, allowed=("id", "title", "slug"),
                limit=limit, cursor=cursor, fields=EVENT_FIELDS,
                shape=lambda rows: events_out(selection, rows))


@router.get("/events/{slug}", response=EventDetail, auth=READ_AUTH)
def get_event(request: HttpRequest, slug: str) -> HttpResponse:
    selection = Selection(user=request.user)
    event = get_object_or_404(selection.events(), slug=slug)
    return respond(request, event, lambda found: event_detail(selection, found))


def event_detail(selection: Selection, event: Event) -> dict[str, Any]:
    """One event with the keys of the pairings the caller may see that it is tied to."""
    row = events_out(selection, list(Event.objects.filter(pk=event.pk).values(*EVENT_FIELDS)))
    keys = selection.pairings().filter(events=event).order_by("slug")
    return {**row[0], "pairings": list(keys.values_list("slug", flat=True))}


class EventFields(Schema):
    title: str | None = None
    kind: EventKind | None = None
    when: str = ""
    place: str | None = None
    capacity: int | None = None
    description: str = ""
    link: str = ""
    is_public: bool = True


class EventIn(EventFields):
    slug: str
    title: str
    kind: EventKind
    pairings: list[str] = []


def event_values(data: EventFields) -> dict[str, Any]:
    """The body's fields, the place named by its key."""
    values = data.dict(exclude_unset=True, exclude={"pairings"})
    if values.get("place"):
        values["place"] = get_object_or_404(Place, slug=values["place"])
    return values


@router.post("/events", response={201: EventDetail}, auth=WRITE_AUTH)
def add_event(request: HttpRequest, data: EventIn) -> HttpResponse:
    """Programme managers (registry editors) add events, tied to pairings by their keys."""
    require_registry_editor(request.user)
    pairings = list(Pairing.objects.filter(slug__in=data.pairings))
    if len(pairings) != len(set(data.pairings)):
        raise HttpError(422, "Some of those pairing keys name no pairing.")
    event = create_record(Event, event_values(data), acting_user=acting(request),
                          many={"pairings": pairings})
    selection = Selection(user=request.user)
    return respond(request, event, lambda found: event_detail(selection, found), status=201)


@router.patch("/events/{slug}", response=EventDetail, auth=WRITE_AUTH)
def change_event(request: HttpRequest, slug: str, data: EventFields) -> HttpResponse:
    found = access_event_for_edit(request.user, slug)
    changed = update_versioned(request, found, data, values=event_values(data))
    selection = Selection(user=request.user)
    return respond(request, changed, lambda event: event_detail(selection, event))
