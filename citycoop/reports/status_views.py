"""The status page downloaded from the web, in any of its formats."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from citycoop.reports.access import access_programme, manages_programme
from citycoop.reports.status.formats import FORMATS, render
from citycoop.reports.status.model import build_status_report


def status_report(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Public pairings and pilots for everyone; the programme's managers get the internal
    ones too (and such a copy is never cached by a shared cache)."""
    if fmt not in FORMATS:
        raise Http404("No such format.")
    programme = access_programme(slug)
    internal = manages_programme(request.user, programme)
    report = build_status_report(programme, include_internal=internal)
    kind = FORMATS[fmt]
    response = HttpResponse(render(report, fmt), content_type=kind.content_type)
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{slug}-status.{kind.extension}"'
    response["Cache-Control"] = "private, no-store" if internal else "public, max-age=300"
    return response
