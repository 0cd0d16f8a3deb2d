"""The API for what follows from the cooperation: agreements (MoUs) and next steps."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from citycoop.accounts.permissions import (
    access_agreement_for_edit,
    access_next_step_for_edit,
    access_pairing_for_edit,
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

from .api import fuzzy
from .models import Agreement, AgreementStatus, AgreementType, NextStep, NextStepStatus
from .services import create_next_step

router = Router(tags=["agreements and next steps"])


class AgreementOut(Schema):
    id: int
    slug: str
    title: str
    type: str
    status: str
    pairing: str | None
    signed_on: str
    signed_on_start: datetime.date | None
    signed_on_end: datetime.date | None
    counts_toward_kpi: bool
    document_url: str
    is_public: bool
    version: int


AgreementPage = page_of(AgreementOut)


class AgreementPatch(Schema):
    title: str | None = None
    type: AgreementType | None = None
    status: AgreementStatus | None = None
    signed_on: str | None = None
    counts_toward_kpi: bool | None = None
    document_url: str | None = None
    is_public: bool | None = None


def agreement_out(agreement: Agreement) -> dict[str, Any]:
    return {"id": agreement.pk, "slug": agreement.slug, "title": agreement.title,
            "type": agreement.type, "status": agreement.status,
            "pairing": agreement.pairing.slug if agreement.pairing else None,
            **fuzzy(agreement, "signed_on"), "counts_toward_kpi": agreement.counts_toward_kpi,
            "document_url": agreement.document_url, "is_public": agreement.is_public,
            "version": agreement.version}


@router.get("/agreements", response=AgreementPage, auth=READ_AUTH)
def list_agreements(request: HttpRequest, pairing: str | None = None,
                    status: AgreementStatus | None = None, type: AgreementType | None = None,
                    ordering: str = "id", limit: int = 100,
                    cursor: str | None = None) -> HttpResponse:
    """Agreements the caller may see; filter by pairing key, status or type."""
    agreements = Selection(user=request.user).agreements().select_related("pairing")
    if pairing:
        agreements = agreements.filter(pairing__slug=pairing)
    if status:
        agreements = agreements.filter(status=status)
    if type:
        agreements = agreements.filter(type=type)
    return page(request, agreements, ordering=ordering, allowed=("id", "title", "slug"),
                limit=limit, cursor=cursor, shape=each(agreement_out))


@router.get("/agreements/{slug}", response=AgreementOut, auth=READ_AUTH)
def get_agreement(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_object_or_404(Selection(user=request.user).agreements()
                              .select_related("pairing"), slug=slug)
    return respond(request, found, agreement_out)


@router.patch("/agreements/{slug}", response=AgreementOut, auth=WRITE_AUTH)
def change_agreement(request: HttpRequest, slug: str, data: AgreementPatch) -> HttpResponse:
    found = access_agreement_for_edit(request.user, slug)
    return respond(request, update_versioned(request, found, data),
                   agreement_out)


class NextStepOut(Schema):
    id: int
    text: str
    status: str
    due: str
    due_start: datetime.date | None
    due_end: datetime.date | None
    owner: int | None
    owner_text: str
    pairing: str | None
    pilot: int | None
    agreement: str | None
    event: str | None
    version: int


NextStepPage = page_of(NextStepOut)


class NextStepFields(Schema):
    text: str | None = None
    due: str = ""
    owner_text: str = ""
    status: NextStepStatus = NextStepStatus.OPEN


class NextStepIn(NextStepFields):
    pairing: str
    text: str


def next_step_out(step: NextStep) -> dict[str, Any]:
    return {"id": step.pk, "text": step.text, "status": step.status, **fuzzy(step, "due"),
            "owner": step.owner_id, "owner_text": step.owner_text,
            "pairing": step.pairing.slug if step.pairing else None,
            "pilot": step.pilot_id,
            "agreement": step.agreement.slug if step.agreement else None,
            "event": step.event.slug if step.event else None, "version": step.version}


@router.get("/next-steps", response=NextStepPage, auth=READ_AUTH)
def list_next_steps(request: HttpRequest, status: NextStepStatus | None = None,
                    pairing: str | None = None, ordering: str = "id", limit: int = 100,
                    cursor: str | None = None) -> HttpResponse:
    """Next steps of the records the caller may see; filter by status or pairing key."""
    steps = (Selection(user=request.user).next_steps()
             .select_related("pairing", "agreement", "event"))
    if status:
        steps = steps.filter(status=status)
    if pairing:
        steps = steps.filter(pairing__slug=pairing)
    return page(request, steps, ordering=ordering, allowed=("id", "updated_at"), limit=limit,
                cursor=cursor, shape=each(next_step_out))


@router.get("/next-steps/{step_id}", response=NextStepOut, auth=READ_AUTH)
def get_next_step(request: HttpRequest, step_id: int) -> HttpResponse:
    found = get_object_or_404(Selection(user=request.user).next_steps()
                              .select_related("pairing", "agreement", "event"), pk=step_id)
    return respond(request, found, next_step_out)


@router.post("/next-steps", response={201: NextStepOut}, auth=WRITE_AUTH)
def add_next_step(request: HttpRequest, data: NextStepIn) -> HttpResponse:
    """A next step on a pairing the caller may edit."""
    pairing = access_pairing_for_edit(request.user, data.pairing)
    if not data.text.strip():
        raise HttpError(422, "A next step needs a text.")
    step = create_next_step({**data.dict(exclude={"pairing"}), "pairing": pairing},
                            acting_user=acting(request))
    return respond(request, step, next_step_out, status=201)


@router.patch("/next-steps/{step_id}", response=NextStepOut, auth=WRITE_AUTH)
def change_next_step(request: HttpRequest, step_id: int,
                     data: NextStepFields) -> HttpResponse:
    found = access_next_step_for_edit(request.user, step_id)
    return respond(request, update_versioned(request, found, data),
                   next_step_out)
