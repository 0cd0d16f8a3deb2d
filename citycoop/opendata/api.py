"""Exports over the API: the same files as the exports page, for the token's user."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from ninja import Router
from ninja.errors import HttpError

from citycoop.common.apikit import READ_AUTH

from .download import ExportRefused, export_download

router = Router(tags=["exports"])


@router.get("/exports/{fmt}", auth=READ_AUTH,
            openapi_extra={"responses": {200: {
                "description": "The file: CSV, XLSX, JSON, GeoJSON, IATI XML or iCalendar.",
                "content": {"application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}}}}}})
def export(request: HttpRequest, fmt: str, record: str = "",
           programme: str = "") -> FileResponse:
    """The records the caller may see as a file: ``fmt`` is csv (with ``record``, one of
    pairings, pilots, actions, agreements, next_steps, events, organisations, places,
    people), xlsx, json, geojson, iati or ics; ``programme`` narrows it to one programme."""
    try:
        return export_download(request, fmt, record, programme)
    except ExportRefused as refusal:
        raise HttpError(400, str(refusal)) from refusal
