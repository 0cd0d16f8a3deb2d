"""The events' API: events tied to the pairings the caller may see (read only: events are
changed in the workspace, where registrations and capacity are handled)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from citycoop.common.apikit import READ_AUTH, page
from citycoop.opendata.selection import Selection
from citycoop.portfolio.api import fuzzy, respond

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
    pairings: list[str]
    capacity: int | None
    link: str
    is_public: bool
    version: int


class EventPage(Schema):
    items: list[EventOut]
    next: str | None


def event_out(event: Event) -> dict[str, Any]:
    return {"id": event.pk, "slug": event.slug, "title": event.title, "kind": event.kind,
            **fuzzy(event, "when"), "place": event.place.slug if event.place else None,
            "pairings": [p.slug for p in event.pairings.all()], "capacity": event.capacity,
            "link": event.link, "is_public": event.is_public, "version": event.version}


def visible_events(request: HttpRequest) -> Any:
    return (Selection(user=request.user).events().select_related("place")
            .prefetch_related("pairings"))


@router.get("/events", response=EventPage, auth=READ_AUTH)
def list_events(request: HttpRequest, kind: EventKind | None = None,
                pairing: str | None = None, ordering: str = "id", limit: int = 100,
                cursor: str | None = None) -> dict[str, Any]:
    """Events of the pairings the caller may see; filter by kind or pairing key."""
    events = visible_events(request)
    if kind:
        events = events.filter(kind=kind)
    if pairing:
        events = events.filter(pairings__slug=pairing)
    return page(request, events, ordering=ordering, allowed=("id", "title", "slug"),
                limit=limit, cursor=cursor, shape=event_out)


@router.get("/events/{slug}", response=EventOut, auth=READ_AUTH)
def get_event(request: HttpRequest, slug: str) -> HttpResponse:
    return respond(request, get_object_or_404(visible_events(request), slug=slug), event_out)
