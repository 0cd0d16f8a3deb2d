"""The portfolio's API: pairings, their pilot projects and the pilots' actions.

Reads go through the Selection (who may see internal records), single records through the
access helpers, writes through the audited services with the record's ETag in If-Match
(see :mod:`citycoop.common.apikit`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.errors import HttpError

from citycoop.accounts.permissions import (
    access_action_for_edit,
    access_pairing,
    access_pairing_for_edit,
    access_pilot,
    access_pilot_for_edit,
    manageable_programmes,
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

from .models import Action, ActionKind, Pairing, PairingStatus, PilotProject, PilotStatus
from .services import create_action, create_pairing, create_pilot

router = Router(tags=["portfolio"])


def fuzzy(record: Any, name: str) -> dict[str, Any]:
    """A date as the report wrote it, with the first and last day it can mean."""
    return {name: getattr(record, f"{name}_text"),
            f"{name}_start": getattr(record, f"{name}_start"),
            f"{name}_end": getattr(record, f"{name}_end")}


# -- pairings -------------------------------------------------------------------------------


class PairingOut(Schema):
    id: int
    slug: str
    label: str
    programme: str
    group: str
    number: int | None
    status: str
    starts: str
    starts_start: datetime.date | None
    starts_end: datetime.date | None
    ends: str
    ends_start: datetime.date | None
    ends_end: datetime.date | None
    summary: str
    is_public: bool
    version: int
    url: str


PairingPage = page_of(PairingOut)


class PairingFields(Schema):
    """What may be set on a pairing: a change (PATCH) sends any of them; a new one (POST)
    needs those its In schema makes required."""

    label: str | None = None
    group: str = ""
    number: int | None = None
    status: PairingStatus = PairingStatus.ACTIVE
    starts: str = ""
    ends: str = ""
    summary: str = ""
    is_public: bool = True


class PairingIn(PairingFields):
    programme: str
    slug: str
    label: str


def pairing_out(pairing: Pairing) -> dict[str, Any]:
    return {"id": pairing.pk, "slug": pairing.slug, "label": pairing.label,
            "programme": pairing.programme.slug, "group": pairing.group,
            "number": pairing.number, "status": pairing.status,
            **fuzzy(pairing, "starts"), **fuzzy(pairing, "ends"), "summary": pairing.summary,
            "is_public": pairing.is_public, "version": pairing.version,
            "url": reverse("web:pairing", args=[pairing.slug])}


PAIRING_ORDER = ("id", "label", "slug", "updated_at")


@router.get("/pairings", response=PairingPage, auth=READ_AUTH)
def list_pairings(request: HttpRequest, programme: str | None = None,
                  group: str | None = None, status: PairingStatus | None = None,
                  q: str | None = None, ordering: str = "id", limit: int = 100,
                  cursor: str | None = None) -> HttpResponse:
    """Pairings the caller may see; filter by programme key, country group, status, or words
    in the label."""
    pairings = Selection(user=request.user).pairings().select_related("programme")
    if programme:
        pairings = pairings.filter(programme__slug=programme)
    if group:
        pairings = pairings.filter(group=group)
    if status:
        pairings = pairings.filter(status=status)
    if q:
        pairings = pairings.filter(label__icontains=q)
    return page(request, pairings, ordering=ordering, allowed=PAIRING_ORDER, limit=limit,
                cursor=cursor, shape=each(pairing_out))


@router.get("/pairings/{slug}", response=PairingOut, auth=READ_AUTH)
def get_pairing(request: HttpRequest, slug: str) -> HttpResponse:
    return respond(request, access_pairing(request.user, slug), pairing_out)


@router.post("/pairings", response={201: PairingOut}, auth=WRITE_AUTH)
def add_pairing(request: HttpRequest, data: PairingIn) -> HttpResponse:
    """Programme managers start pairings in the programmes they manage."""
    programme = manageable_programmes(request.user).filter(slug=data.programme).first()
    if programme is None:
        raise HttpError(403, "You do not manage a programme with that key.")
    values = data.dict(exclude={"programme"})
    pairing = create_pairing({**values, "programme": programme}, acting_user=acting(request))
    return respond(request, pairing, pairing_out, status=201)


@router.patch("/pairings/{slug}", response=PairingOut, auth=WRITE_AUTH)
def change_pairing(request: HttpRequest, slug: str,
                   data: PairingFields) -> HttpResponse:
    pairing = access_pairing_for_edit(request.user, slug)
    changed = update_versioned(request, pairing, data)
    return respond(request, changed, pairing_out)


# -- pilots ---------------------------------------------------------------------------------


class PilotOut(Schema):
    id: int
    pairing: str
    slug: str
    number: int | None
    title: str
    status: str
    summary: str
    themes: list[str]
    position: int
    is_public: bool
    version: int
    url: str


PilotPage = page_of(PilotOut)


class PilotFields(Schema):
    title: str | None = None
    number: int | None = None
    status: PilotStatus = PilotStatus.ACTIVE
    summary: str = ""
    position: int = 0
    is_public: bool = True


class PilotIn(PilotFields):
    slug: str
    title: str


PILOT_FIELDS = ("id", "pairing__slug", "slug", "number", "title", "status", "summary",
                "position", "is_public", "version")


def pilots_out(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pilots from plain rows of ``PILOT_FIELDS``, their themes read in one query: a page of
    pilots costs two queries and no model objects."""
    themes: dict[int, list[str]] = defaultdict(list)
    for pilot_id, theme in (PilotProject.themes.through.objects
                            .filter(pilotproject_id__in=[row["id"] for row in rows])
                            .order_by("theme__slug")
                            .values_list("pilotproject_id", "theme__slug")):
        themes[pilot_id].append(theme)
    url = (reverse("web:pilot", args=["__pairing__", "__pilot__"])
           .replace("__pairing__", "{0}").replace("__pilot__", "{1}"))
    return [{"id": row["id"], "pairing": row["pairing__slug"], "slug": row["slug"],
             "number": row["number"], "title": row["title"], "status": row["status"],
             "summary": row["summary"], "themes": themes[row["id"]],
             "position": row["position"], "is_public": row["is_public"],
             "version": row["version"], "url": url.format(row["pairing__slug"], row["slug"])}
            for row in rows]


def pilot_out(pilot: PilotProject) -> dict[str, Any]:
    return pilots_out(list(PilotProject.objects.filter(pk=pilot.pk).values(*PILOT_FIELDS)))[0]


PILOT_ORDER = ("id", "title", "updated_at")


@router.get("/pilots", response=PilotPage, auth=READ_AUTH)
def list_pilots(request: HttpRequest, pairing: str | None = None,
                programme: str | None = None, status: PilotStatus | None = None,
                theme: str | None = None, q: str | None = None, ordering: str = "id",
                limit: int = 100, cursor: str | None = None) -> HttpResponse:
    """Pilot projects the caller may see; filter by pairing or programme key, status, theme
    key or words in the title."""
    pilots = Selection(user=request.user).pilots()
    if pairing:
        pilots = pilots.filter(pairing__slug=pairing)
    if programme:
        pilots = pilots.filter(pairing__programme__slug=programme)
    if status:
        pilots = pilots.filter(status=status)
    if theme:
        pilots = pilots.filter(themes__slug=theme)
    if q:
        pilots = pilots.filter(title__icontains=q)
    return page(request, pilots, ordering=ordering, allowed=PILOT_ORDER, limit=limit,
                cursor=cursor, shape=pilots_out, fields=PILOT_FIELDS)


@router.get("/pairings/{slug}/pilots/{pilot}", response=PilotOut, auth=READ_AUTH)
def get_pilot(request: HttpRequest, slug: str, pilot: str) -> HttpResponse:
    return respond(request, access_pilot(request.user, slug, pilot), pilot_out)


@router.post("/pairings/{slug}/pilots", response={201: PilotOut}, auth=WRITE_AUTH)
def add_pilot(request: HttpRequest, slug: str, data: PilotIn) -> HttpResponse:
    pairing = access_pairing_for_edit(request.user, slug)
    pilot = create_pilot({**data.dict(), "pairing": pairing}, acting_user=acting(request))
    return respond(request, pilot, pilot_out, status=201)


@router.patch("/pairings/{slug}/pilots/{pilot}", response=PilotOut, auth=WRITE_AUTH)
def change_pilot(request: HttpRequest, slug: str, pilot: str,
                 data: PilotFields) -> HttpResponse:
    found = access_pilot_for_edit(request.user, slug, pilot)
    return respond(request, update_versioned(request, found, data),
                   pilot_out)


# -- actions --------------------------------------------------------------------------------


class ActionOut(Schema):
    id: int
    pilot: int
    pairing: str
    position: int
    topic: str
    text: str
    kind: str
    status: str
    when: str
    when_start: datetime.date | None
    when_end: datetime.date | None
    links: list[str]
    sub_items: list[str]
    version: int


ActionPage = page_of(ActionOut)


class ActionFields(Schema):
    text: str | None = None
    topic: str = ""
    kind: ActionKind = ActionKind.COOPERATION
    when: str = ""
    position: int = 0
    links: list[str] = []
    sub_items: list[str] = []


class ActionIn(ActionFields):
    pilot: int
    text: str


def action_out(action: Action) -> dict[str, Any]:
    return {"id": action.pk, "pilot": action.pilot_id, "pairing": action.pilot.pairing.slug,
            "position": action.position, "topic": action.topic, "text": action.text,
            "kind": action.kind, "status": action.status, **fuzzy(action, "when"),
            "links": list(action.links), "sub_items": list(action.sub_items),
            "version": action.version}


@router.get("/actions", response=ActionPage, auth=READ_AUTH)
def list_actions(request: HttpRequest, pilot: int | None = None, pairing: str | None = None,
                 kind: ActionKind | None = None, q: str | None = None, ordering: str = "id",
                 limit: int = 100, cursor: str | None = None) -> HttpResponse:
    """Actions of the pilots the caller may see; filter by pilot id, pairing key, kind or
    words in the text."""
    actions = Selection(user=request.user).actions().select_related("pilot__pairing")
    if pilot:
        actions = actions.filter(pilot_id=pilot)
    if pairing:
        actions = actions.filter(pilot__pairing__slug=pairing)
    if kind:
        actions = actions.filter(kind=kind)
    if q:
        actions = actions.filter(text__icontains=q)
    return page(request, actions, ordering=ordering, allowed=("id", "updated_at"),
                limit=limit, cursor=cursor, shape=each(action_out))


@router.get("/actions/{action_id}", response=ActionOut, auth=READ_AUTH)
def get_action(request: HttpRequest, action_id: int) -> HttpResponse:
    found = get_object_or_404(Selection(user=request.user).actions()
                              .select_related("pilot__pairing"), pk=action_id)
    return respond(request, found, action_out)


@router.post("/actions", response={201: ActionOut}, auth=WRITE_AUTH)
def add_action(request: HttpRequest, data: ActionIn) -> HttpResponse:
    pilot = get_object_or_404(Selection(user=request.user).pilots().select_related("pairing"),
                              pk=data.pilot)
    access_pilot_for_edit(request.user, pilot.pairing.slug, pilot.slug)
    action = create_action({**data.dict(exclude={"pilot"}), "pilot": pilot},
                           acting_user=acting(request))
    return respond(request, action, action_out, status=201)


@router.patch("/actions/{action_id}", response=ActionOut, auth=WRITE_AUTH)
def change_action(request: HttpRequest, action_id: int,
                  data: ActionFields) -> HttpResponse:
    found = access_action_for_edit(request.user, action_id)
    return respond(request, update_versioned(request, found, data),
                   action_out)

