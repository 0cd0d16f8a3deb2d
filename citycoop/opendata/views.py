"""The open-data download: the public dump, kept until the records change."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.utils import timezone

from .dump import current_dump


def opendata_zip(request: HttpRequest) -> FileResponse:
    path = current_dump()
    name = f"citycoop-opendata-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name,
                            content_type="application/zip")
    response["Cache-Control"] = "public, max-age=300"
    return response
