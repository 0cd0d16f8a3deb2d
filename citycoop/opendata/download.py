"""An export as a download, for the web page and the API alike."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpRequest
from django.utils import timezone

from citycoop.registry.models import Programme

from .exporters import EXPORTERS, RECORD_TYPES
from .selection import Selection

SPOOL_BYTES = 8 * 1024 * 1024   # kept in memory up to this size, then in a temporary file


class ExportRefused(ValueError):
    """The request names no known format, record type or programme."""


def export_download(request: HttpRequest, fmt: str, record: str = "",
                    programme: str = "") -> FileResponse:
    """The records this user may see, in the format asked, as an attachment."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise ExportRefused(f"No export format {fmt!r}: one of {', '.join(EXPORTERS)}.")
    if record and record not in RECORD_TYPES:
        raise ExportRefused(f"No record type {record!r}: one of {', '.join(RECORD_TYPES)}.")
    if exporter.per_record and not record:
        raise ExportRefused(f"The {exporter.label} export holds one record type: choose one of "
                            f"{', '.join(RECORD_TYPES)}.")
    chosen = None
    if programme:
        chosen = Programme.objects.filter(slug=programme).first()
        if chosen is None:
            raise ExportRefused(f"No programme has the key {programme!r}.")
    selection = Selection(programme=chosen, user=request.user)
    # Closed by the response once sent: not a with block.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    exporter.export(selection, spool, record=record)  # type: ignore[arg-type]
    spool.seek(0)
    name = "-".join(part for part in ("citycoop", programme, record,
                                      f"{timezone.localdate():%Y-%m-%d}") if part)
    response = FileResponse(spool, as_attachment=True,
                            filename=f"{name}.{exporter.extension}",
                            content_type=exporter.content_type)
    # What it holds depends on who asked: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response
