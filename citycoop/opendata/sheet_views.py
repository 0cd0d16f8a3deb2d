"""The spreadsheet round trip on the web: upload an edited XLSX export, review what it would
change, confirm.

Between the review and the confirmation the file waits on disk under a random token, tied
to the user who uploaded it (the review shows record values, so nobody else may open it).
The confirmation reads the file and reviews it again: what is applied is checked against the
records as they are then, never taken from the page the user saw.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .sheet_forms import SheetUploadForm
from .sheet_import import ImportRefused, SheetFileError, apply_review, review_workbook
from .sheet_kinds import CLEAR_MARKER
from .sheet_review import ADDED, REFUSED, UNCHANGED, UPDATED, Review

TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEPT_FOR_SECONDS = 24 * 60 * 60     # an upload left unconfirmed is removed after a day

# The look of each status, with the report import's tags (refused borrows "overdue").
TAGS = {ADDED: "status-new", UPDATED: "status-changed", UNCHANGED: "status-same",
        REFUSED: "overdue"}
LABELS = {ADDED: gettext_lazy("added"), UPDATED: gettext_lazy("updated"),
          UNCHANGED: gettext_lazy("unchanged"), REFUSED: gettext_lazy("refused")}


# -- the uploaded file, kept between the review and the confirmation ------------------------

def staging_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "sheets" / "staged"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage(data: bytes, name: str, user: Any) -> str:
    folder = staging_dir()
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - KEPT_FOR_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / f"{token}.xlsx").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"user": user.pk,
                                                      "name": Path(name).name[:200]}))
    return token


def staged(token: str, user: Any) -> tuple[bytes, str]:
    """The file and its name, for the user who uploaded it; 404 for anyone else."""
    gone = Http404(_("This upload has expired or was applied; upload the file again."))
    folder = staging_dir()
    about, workbook = folder / f"{token}.json", folder / f"{token}.xlsx"
    if not TOKEN.match(token) or not about.exists() or not workbook.exists():
        raise gone
    facts = json.loads(about.read_text())
    if facts.get("user") != user.pk:
        raise gone  # the same answer as for no upload: nothing says the token exists
    return workbook.read_bytes(), str(facts.get("name") or "")


def discard(token: str) -> None:
    if TOKEN.match(token):
        for suffix in (".xlsx", ".json"):
            (staging_dir() / f"{token}{suffix}").unlink(missing_ok=True)


# -- the pages -------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token = stage(form.content, form.cleaned_data["file"].name, request.user)
        return redirect("sheets:review", token=token)
    return render(request, "opendata/sheet_upload.html",
                  {"form": form, "clear_marker": CLEAR_MARKER})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, token: str) -> HttpResponse:
    data, name = staged(token, request.user)
    try:
        result = review_workbook(data, name=name, user=request.user)
    except SheetFileError as error:
        discard(token)
        messages.error(request, str(error))
        return redirect("sheets:upload")
    if request.method == "POST":
        return confirm(request, token, result)
    return render(request, "opendata/sheet_review.html", review_context(token, result))


def confirm(request: HttpRequest, token: str, result: Review) -> HttpResponse:
    skip_refused = request.POST.get("skip_refused") == "on"
    try:
        written = apply_review(result, acting_user=request.user, skip_refused=skip_refused)
    except ImportRefused as error:
        messages.error(request, str(error))
        return redirect("sheets:review", token=token)
    discard(token)
    messages.success(request, _("Imported %(name)s: %(n)s records added or updated.")
                     % {"name": result.name, "n": written})
    return redirect("sheets:upload")


def review_context(token: str, result: Review) -> dict[str, Any]:
    return {
        "token": token,
        "review": result,
        "counts": result.counts(),
        "sheets": [(sheet, sheet.counts()) for sheet in result.sheets],
        "rows": [(row, TAGS[row.status], LABELS[row.status]) for row in result.rows()
                 if row.status != UNCHANGED],
        "refusals": len(result.refusals()),
        "writes": len(result.to_write()),
    }
