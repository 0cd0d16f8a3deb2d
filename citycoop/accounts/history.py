"""The history of a record: its audit entries with the diff of each change, who and when."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .models import AuditEntry
from .permissions import sees_internal

# Models whose history may be read, and how to find the pairing that decides who may read it.
PAIRING_OF = {
    "portfolio.pairing": lambda record: record,
    "portfolio.pilotproject": lambda record: record.pairing,
    "portfolio.action": lambda record: record.pilot.pairing,
    "portfolio.agreement": lambda record: record.pairing,
    "portfolio.nextstep": lambda record: record.owning_pairing,
    "registry.organisation": lambda record: None,
    "registry.place": lambda record: None,
    "registry.person": lambda record: None,
    "events.event": lambda record: None,
}


def may_read_history(user: Any, pairing: Any) -> bool:
    if pairing is not None:
        return sees_internal(user, pairing)
    return user.is_superuser or user.memberships.exists()


@login_required
def history(request: HttpRequest, app: str, model: str, pk: int) -> HttpResponse:
    label = f"{app}.{model}"
    if label not in PAIRING_OF:
        raise Http404("No history for this kind of record.")
    model_class = apps.get_model(app, model)
    record = model_class._default_manager.filter(pk=pk).first()
    if record is None:
        raise Http404("No such record.")
    pairing = PAIRING_OF[label](record)
    if not may_read_history(request.user, pairing):
        # A record the reader may not even see stays unnamed, as its own page keeps it.
        if not getattr(record, "is_public", True) or (pairing is not None
                                                       and not pairing.is_public):
            raise Http404("No such record.")
        raise PermissionDenied("Only the people of this pairing and its managers can read "
                               "its history.")
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model_class), object_id=str(pk)
    ).select_related("actor").order_by("-created_at", "-id")[:200]
    return render(request, "accounts/history.html", {
        "record": record, "entries": entries,
        "kind": model_class._meta.verbose_name,
    })
