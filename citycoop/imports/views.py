"""The import flow for staff: upload a report, review what it says against the registry with
the source text beside each fact, accept or reject items, apply."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from citycoop.accounts.models import Role

from . import staging
from .extract import extract
from .forms import UploadForm
from .load import apply_review
from .readers import read_bytes
from .readers.base import UnreadableFile
from .review import ImportRefused, Item, Review, review_report

CONTEXT_CHARS = 90


def require_import_right(user: Any) -> None:
    """Admins and programme managers import reports."""
    if user.is_superuser or user.memberships.filter(role=Role.MANAGER).exists():
        return
    raise PermissionDenied(_("Only programme managers can import reports."))


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    require_import_right(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        digest = staging.stage(form.content, form.cleaned_data["file"].name)
        target = reverse("imports:review", args=[digest])
        return redirect(f"{target}?{urlencode({'programme': form.programme_name()})}")
    return render(request, "imports/upload.html", {"form": form})


def load_review(digest: str, programme: str) -> Review:
    found = staging.staged(digest)
    if found is None:
        raise Http404(_("This upload has expired or was applied; upload the file again."))
    data, name = found
    document = read_bytes(data, name)
    return review_report(document, extract(document), data, programme=programme)


@login_required
def review(request: HttpRequest, digest: str) -> HttpResponse:
    require_import_right(request.user)
    programme = request.GET.get("programme") or request.POST.get("programme") or ""
    try:
        result = load_review(digest, programme)
    except (ImportRefused, UnreadableFile) as error:
        messages.error(request, str(error))
        return redirect("imports:upload")
    if request.method == "POST":
        accepted = set(request.POST.getlist("accept"))
        try:
            report = apply_review(result, acting_user=request.user,  # type: ignore[arg-type]
                                  accepted=accepted)
        except ValidationError as error:  # nothing was written; the message says which item
            messages.error(request, " ".join(error.messages))
            return redirect("imports:upload")
        staging.discard(digest)
        messages.success(request, _("Imported %(name)s: %(n)s records created or updated.")
                         % {"name": result.document.source, "n": report.written})
        return redirect("web:pairings")
    rows = [(item, in_context(result, item)) for item in result.ordered()
            if item.status != "skipped"]
    return render(request, "imports/review.html", {
        "review": result, "rows": rows, "programme": programme, "counts": result.counts(),
        "skipped": [item for item in result.ordered() if item.status == "skipped"],
    })


def in_context(review: Review, item: Item) -> SafeString:
    """The source text around the item's first span, the span itself highlighted."""
    if not item.spans:
        return mark_safe("")
    start, end = next(iter(item.spans.values()))
    text = review.document.text
    if end <= start:
        end = min(len(text), start + 120)
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[end:end + CONTEXT_CHARS]
    # Every part of the text is escaped; only the <mark> around the fact is markup.
    return mark_safe(
        f"{'…' if start > CONTEXT_CHARS else ''}{escape(before)}<mark>{escape(text[start:end])}"
        f"</mark>{escape(after)}{'…' if end + CONTEXT_CHARS < len(text) else ''}")
