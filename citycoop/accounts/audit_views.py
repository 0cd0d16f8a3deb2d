"""The audit log for the programme team: every change, filtered, each revertible from its
entry; and the deleted records that can still be restored.

Who: site admins and programme managers (of any programme) read the whole log. The log names
records of every kind, many of which belong to no programme (organisations, places, people)
or no longer exist (deleted ones), so it is not cut by programme. Reverting or restoring is
narrower: a change to a pairing or to what hangs from it only by the managers of its
programme (and admins), as editing it would be.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from citycoop.common.models import TrashedRecord
from citycoop.common.revert import NOTES, RevertRefused, field_changes, label_of, revert_entry
from citycoop.common.revert import revert_kind as find_revert_kind
from citycoop.common.trash import (
    TrashRefused,
    preview,
    restorable,
    restorable_records,
    restorable_until,
    restore,
    trash_days,
)

from .history import PAIRING_OF
from .models import AuditAction, AuditEntry
from .permissions import can_manage_registry, manageable_programmes

PER_PAGE = 50


def require_audit_reader(user: Any) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied("Only site admins and programme managers can read the audit log.")


def programme_of(label: str, record: Any) -> int | None:
    """The programme whose managers may revert a change to this record, or None when the
    record belongs to no programme (any manager may)."""
    if label == "registry.programme":
        return int(record.pk)
    if label in PAIRING_OF:
        pairing = PAIRING_OF[label](record)
        return pairing.programme_id if pairing is not None else None
    return None


def programme_of_trashed(trashed: TrashedRecord) -> int | None:
    label = trashed.content_type.app_label + "." + trashed.content_type.model
    root = next((row for row in json.loads(trashed.payload)
                 if row["model"] == label and str(row["pk"]) == trashed.object_id), None)
    fields = root["fields"] if root else {}
    if fields.get("programme") is not None:
        return int(fields["programme"])
    if fields.get("pairing") is not None:
        from citycoop.portfolio.models import Pairing

        return Pairing.objects.filter(pk=fields["pairing"]).values_list(
            "programme_id", flat=True).first()
    return None


def may_change_for(user: Any, programme_id: int | None) -> bool:
    if user.is_superuser:
        return True
    if not can_manage_registry(user):
        return False
    return programme_id is None or manageable_programmes(user).filter(pk=programme_id).exists()


def may_revert(user: Any, entry: AuditEntry) -> bool:
    model = entry.content_type.model_class()
    if model is None:
        return False
    label = model._meta.label_lower
    record = model._default_manager.filter(pk=entry.object_id).first()
    if record is not None:
        return may_change_for(user, programme_of(label, record))
    trashed = TrashedRecord.objects.filter(entry=entry).first()
    return may_change_for(user, programme_of_trashed(trashed) if trashed else None)


def access_entry_for_revert(user: Any, pk: int) -> AuditEntry:
    require_audit_reader(user)
    entry = AuditEntry.objects.select_related("content_type").filter(pk=pk).first()
    if entry is None:
        raise Http404("No such audit entry.")
    if not may_revert(user, entry):
        raise PermissionDenied("Only the managers of this record's programme can revert it.")
    return entry


def access_trashed_for_restore(user: Any, pk: int) -> TrashedRecord:
    require_audit_reader(user)
    trashed = TrashedRecord.objects.select_related("content_type").filter(pk=pk).first()
    if trashed is None:
        raise Http404("No such deleted record.")
    if not may_change_for(user, programme_of_trashed(trashed)):
        raise PermissionDenied("Only the managers of this record's programme can restore it.")
    return trashed


# -- the log ---------------------------------------------------------------------------------

# Kinds of rows that are the log itself or derived from logged ones: never in the log.
NOT_LOGGED = {"accounts.auditentry", "common.trashedrecord", "search.searchentry",
              "discussions.notification"}


def logged_kinds() -> list[tuple[str, str]]:
    """The record types of the filter, by name: our apps' models (one query)."""
    ours = [config.label for config in apps.get_app_configs()
            if config.name.startswith("citycoop.")]
    kinds = []
    for content_type in ContentType.objects.filter(app_label__in=ours):
        model = content_type.model_class()
        if model is not None and model._meta.label_lower not in NOT_LOGGED:
            kinds.append((str(content_type.pk), str(model._meta.verbose_name)))
    return sorted(kinds, key=lambda choice: choice[1].casefold())


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("Who (user name)"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Record type"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("Change"), required=False,
                               choices=[("", gettext_lazy("any")), *AuditAction.choices])
    since = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    words = forms.CharField(label=gettext_lazy("Words in the record’s name"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            ("", _("any")), *logged_kinds()]

    def apply(self, entries: models.QuerySet[AuditEntry]) -> models.QuerySet[AuditEntry]:
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor_label__iexact=data["actor"].strip())
        if data["kind"]:
            entries = entries.filter(content_type_id=int(data["kind"]))
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["since"]:
            entries = entries.filter(created_at__gte=start_of(data["since"]))
        if data["until"]:
            entries = entries.filter(
                created_at__lt=start_of(data["until"] + datetime.timedelta(days=1)))
        for word in data["words"].split():
            entries = entries.filter(object_repr__icontains=word)
        return entries


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def present(entry: AuditEntry, kept: dict[int, TrashedRecord],
            undone_by: dict[int, int]) -> dict[str, Any]:
    """What the log shows of one entry, worked out without a query of its own."""
    model = entry.content_type.model_class()
    label = model._meta.label_lower if model else ""
    fields = field_changes(entry) if model else {}
    kind = find_revert_kind(entry)
    if kind == "delete":
        trashed = kept.get(entry.pk)
        kind = kind if trashed is not None and restorable(trashed) else None
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    return {
        "entry": entry,
        "kind": model._meta.verbose_name if model else entry.content_type.model,
        "fields": [(label_of(model, name), shown(old), shown(new))
                   for name, (old, new) in fields.items()] if model else [],
        "notes": [(name, shown(value)) for name, value in changes.items()
                  if name not in fields and name not in NOTES],
        "undoes": changes.get("undoes"),
        "undone_by": undone_by.get(entry.pk),
        "history_url": (reverse("accounts:history", args=[*label.split("."), entry.object_id])
                        if label in PAIRING_OF and entry.object_id.isdigit()
                        and entry.action != AuditAction.DELETE else ""),
        "revertible": kind is not None and entry.pk not in undone_by,
    }


def page_of(entries: models.QuerySet[AuditEntry],
            request: HttpRequest) -> tuple[list[AuditEntry], int | None, int | None]:
    """One page, newest first, by id: a cursor costs the same on the millionth entry as on
    the first (an offset would not). Returns the page and the cursors to older and newer."""
    before, after = cursor(request, "before"), cursor(request, "after")
    if after is not None:
        rows = list(entries.filter(pk__gt=after).order_by("pk")[:PER_PAGE + 1])
        newer = rows[PER_PAGE - 1].pk if len(rows) > PER_PAGE else None
        rows = rows[:PER_PAGE][::-1]
        older = rows[-1].pk if rows else None
        return rows, older, newer
    if before is not None:
        entries = entries.filter(pk__lt=before)
    rows = list(entries.order_by("-pk")[:PER_PAGE + 1])
    older = rows[PER_PAGE - 1].pk if len(rows) > PER_PAGE else None
    rows = rows[:PER_PAGE]
    newer = rows[0].pk if rows and before is not None else None
    return rows, older, newer


def cursor(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def link_with(request: HttpRequest, **cursors: int) -> str:
    query = request.GET.copy()
    for name in ("before", "after"):
        query.pop(name, None)
    for name, value in cursors.items():
        query[name] = str(value)
    return "?" + query.urlencode()


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    require_audit_reader(request.user)
    form = AuditFilterForm(request.GET or None)
    entries = form.apply(AuditEntry.objects.select_related("content_type"))
    rows, older, newer = page_of(entries, request)
    ids = [entry.pk for entry in rows]
    kept = {t.entry_id or 0: t for t in TrashedRecord.objects.defer("payload", "cleared")
            .filter(entry_id__in=ids)} if ids else {}
    undone_by: dict[int, int] = {}
    if ids:
        # Undos come after what they undo: only newer entries need looking at.
        for pk, undoes in (AuditEntry.objects.filter(pk__gt=min(ids), changes__undoes__in=ids)
                           .values_list("pk", "changes__undoes")):
            undone_by.setdefault(int(undoes), pk)
    return render(request, "accounts/audit_log.html", {
        "form": form, "rows": [present(entry, kept, undone_by) for entry in rows],
        "older_url": link_with(request, before=older) if older else "",
        "newer_url": link_with(request, after=newer) if newer else "",
        "filtered": bool(request.GET.get("before") or request.GET.get("after")
                         or form.is_bound),
    })


def safe_next(request: HttpRequest, target: str) -> str:
    """The page to go back to, if it is one of this site's."""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return ""


def back_to_log(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request, request.POST.get("next", "")) or "audit:log")


@login_required
def revert(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the change and what reverting it does; POST: revert it."""
    entry = access_entry_for_revert(request.user, pk)
    if request.method == "POST":
        try:
            done = revert_entry(entry, acting_user=request.user)  # type: ignore[arg-type]
        except RevertRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Reverted the change to “%(record)s” (entry "
                                        "%(entry)s); the revert is entry %(done)s.")
                             % {"record": entry.object_repr, "entry": entry.pk,
                                "done": done.pk})
        return back_to_log(request)
    kept = TrashedRecord.objects.filter(entry=entry).first()
    row = present(entry, {entry.pk: kept} if kept else {}, {})
    return render(request, "accounts/audit_revert.html", {
        "row": row, "what": find_revert_kind(entry),
        "next": safe_next(request, request.GET.get("next", "")),
    })


# -- deleted records -------------------------------------------------------------------------

@login_required
def trash(request: HttpRequest) -> HttpResponse:
    require_audit_reader(request.user)
    records = restorable_records().select_related("content_type").defer("payload", "cleared")
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for trashed in page.object_list:
        model = trashed.content_type.model_class()
        rows.append({
            "trashed": trashed, "until": restorable_until(trashed),
            "kind": model._meta.verbose_name if model else trashed.content_type.model,
            "counts": [(str(found._meta.verbose_name_plural), count)
                       for label, count in trashed.counts.items()
                       if (found := apps.get_model(label)) is not model
                       and not found._meta.auto_created],
        })
    return render(request, "accounts/audit_trash.html", {
        "page": page, "rows": rows, "days": trash_days(),
    })


@login_required
@require_POST
def trash_restore(request: HttpRequest, pk: int) -> HttpResponse:
    trashed = access_trashed_for_restore(request.user, pk)
    try:
        record = restore(trashed, acting_user=request.user)  # type: ignore[arg-type]
    except TrashRefused as error:
        messages.error(request, str(error))
        return redirect("audit:trash")
    messages.success(request, _("“%(record)s” is back, with everything deleted with it.")
                     % {"record": record})
    url = getattr(record, "get_absolute_url", None)
    return redirect(url() if url else "audit:trash")


def confirm_delete(request: HttpRequest, record: models.Model, *,
                   delete: Callable[..., TrashedRecord], heading: str, cancel_url: str,
                   done_url: str) -> HttpResponse:
    """The delete page of a pairing or an organisation: GET says what goes with it and how
    long it can be restored; POST deletes it into the trash."""
    refusal = ""
    if request.method == "POST":
        try:
            delete(record, acting_user=request.user)
        except TrashRefused as error:
            refusal = str(error)
        else:
            messages.success(request, _(
                "“%(record)s” was deleted. It can be restored from “Deleted records” for "
                "%(days)d days.") % {"record": record, "days": trash_days()})
            return redirect(done_url)
    taken: list[tuple[str, int]] = []
    if not refusal:
        try:
            taken = preview(record)
        except TrashRefused as error:
            refusal = str(error)
    return render(request, "accounts/audit_delete.html", {
        "record": record, "heading": heading, "cancel_url": cancel_url, "taken": taken,
        "refusal": refusal, "days": trash_days(),
    }, status=409 if refusal and request.method == "POST" else 200)
