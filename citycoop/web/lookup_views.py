"""What the record pickers suggest as the user types: /lookup/<kind>/?q=… answers with at
most 15 records as {"results": [{"value": "Name — key", "label": "Name (where)"}]}.

Staff only (a membership or an admin); pairings and pilot projects are those the user may
see; people come with their name and organisation, never their email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, JsonResponse

from citycoop.accounts.permissions import visible_pairings
from citycoop.opendata.selection import Selection
from citycoop.portfolio.models import Pairing

from .pickers import KINDS, MAX_RESULTS, search


def is_staff_user(user: Any) -> bool:
    return bool(user.is_superuser or user.memberships.exists())


def records_for(kind: str, user: Any, params: Any) -> models.QuerySet:
    if kind == "pairings":
        return visible_pairings(user, Pairing.objects.all())
    if kind == "pilots":
        # The pilots' own flag counts too: an internal pilot of a public pairing is for that
        # pairing's people and the programme's managers only.
        pilots = Selection(user=user).pilots()
        if params.get("pairing"):
            pilots = pilots.filter(pairing__slug=params["pairing"])
        return pilots
    return KINDS[kind].model._default_manager.all()


@login_required
def records(request: HttpRequest, kind: str) -> JsonResponse:
    if kind not in KINDS:
        raise Http404("No such kind of record.")
    if not is_staff_user(request.user):
        return JsonResponse({"error": "Staff only."}, status=403)
    text = request.GET.get("q", "")[:100]
    if "—" in text:  # a chosen record being retyped: search its name
        text = text.rpartition("—")[0]
    picker = KINDS[kind]
    found = search(picker, records_for(kind, request.user, request.GET), text, MAX_RESULTS)
    results = [{"value": picker.value(row), "label": picker.label(row)} for row in found]
    return JsonResponse({"results": results[:MAX_RESULTS]},
                        headers={"Cache-Control": "private, max-age=60"})
