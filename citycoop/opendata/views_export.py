"""The exports page: every format, for the records the signed-in user (or the public) may see."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from citycoop.registry.models import Programme

from .download import ExportRefused, export_download
from .exporters import EXPORTERS, RECORD_TYPES


def exports(request: HttpRequest) -> HttpResponse | FileResponse:
    fmt = request.GET.get("format", "")
    error = ""
    if fmt:
        try:
            return export_download(request, fmt, request.GET.get("record", ""),
                                   request.GET.get("programme", ""))
        except ExportRefused as refusal:
            error = str(refusal)
    return render(request, "opendata/exports.html", {
        "formats": EXPORTERS.values(), "records": RECORD_TYPES,
        "programmes": Programme.objects.filter(pairings__isnull=False).distinct()
        .order_by("name"),
        "error": error, "chosen": request.GET,
        "internal_note": _("You are signed in: the files include the internal records you "
                           "may see.") if request.user.is_authenticated else "",
    }, status=400 if error else 200)
