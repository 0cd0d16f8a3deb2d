"""Staff pages of the registry: duplicate organisations, merge and undo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citycoop.accounts.models import AuditAction, AuditEntry
from citycoop.accounts.permissions import require_registry_manager

from .merge import MergeRefused, duplicate_candidates, merge_organisations, undo_merge
from .models import Organisation


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    require_registry_manager(request.user)
    merges = AuditEntry.objects.filter(action=AuditAction.MERGE).order_by("-created_at")[:20]
    undone = set(AuditEntry.objects.filter(action=AuditAction.UNDO)
                 .values_list("changes__undoes", flat=True))
    return render(request, "registry/duplicates.html", {
        "candidates": duplicate_candidates(),
        "merges": [(entry, entry.pk in undone) for entry in merges],
    })


@login_required
@require_POST
def merge(request: HttpRequest) -> HttpResponse:
    require_registry_manager(request.user)
    keep = get_object_or_404(Organisation, pk=request.POST.get("keep"))
    drop = get_object_or_404(Organisation, pk=request.POST.get("drop"))
    try:
        merge_organisations(keep, drop, acting_user=request.user)  # type: ignore[arg-type]
    except MergeRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Merged “%(drop)s” into “%(keep)s”. You can undo this below.")
                         % {"drop": drop.name, "keep": keep.name})
    return redirect("registry:duplicates")


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    require_registry_manager(request.user)
    entry = get_object_or_404(AuditEntry, pk=pk)
    try:
        restored = undo_merge(entry, acting_user=request.user)  # type: ignore[arg-type]
    except MergeRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Undone: “%(name)s” is back, with its references.")
                         % {"name": restored.name})
    return redirect("registry:duplicates")
