"""The REST API at /api/v1/: one NinjaAPI mounting each app's router, and the JSON form of
every error, so that a client always gets ``{"detail": ...}`` with the right status.

The OpenAPI document is /api/v1/openapi.json and its browsable docs /api/v1/docs, served
from this server (ninja's Swagger files are in its static folder; nothing is fetched from
elsewhere). docs/api.md explains tokens, pages, filters and versions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from citycoop.events.api import router as events_router
from citycoop.opendata.api import router as exports_router
from citycoop.portfolio.api import router as portfolio_router
from citycoop.portfolio.api_follow import router as follow_router
from citycoop.practices.api import router as practices_router
from citycoop.registry.api import router as registry_router
from citycoop.reports.api import router as results_router

api = NinjaAPI(
    title="citycoop API", version="1",
    description="Pairings, pilot projects, actions, agreements, next steps, events, "
                "organisations, places, people, indicators, good practices and needs of "
                "city-to-city cooperation programmes. Reading public records needs no key; send "
                "'Authorization: Bearer cc_…' (a token from /account/tokens/) to see internal "
                "records you may see and to "
                "write (a token with the write scope). Changes need the record's ETag in "
                "If-Match.",
    urls_namespace="api",
)
for router in (portfolio_router, follow_router, registry_router, events_router,
               results_router, practices_router, exports_router):
    api.add_router("", router)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    details: Any = error.message_dict if hasattr(error, "error_dict") else error.messages
    return api.create_response(request, {"detail": details}, status=422)


@api.exception_handler(PermissionDenied)
def refused(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(error) or "You may not do this."}, status=403)


@api.exception_handler(IntegrityError)
def conflict(request: HttpRequest, error: IntegrityError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "This would duplicate a record that exists (a key or number "
                            "already taken)."}, status=409)


@api.exception_handler(OverflowError)
def out_of_range(request: HttpRequest, error: OverflowError) -> HttpResponse:
    """A number in the address or the query too large for the database's integers."""
    return api.create_response(request, {"detail": "A number in the request is out of range."},
                               status=400)


@api.exception_handler(DataError)
def unusable_text(request: HttpRequest, error: DataError) -> HttpResponse:
    """PostgreSQL refuses text holding a NUL character: the request's fault, not ours. Any
    other data error is a fault of ours and goes on to Django's error handling."""
    if "NUL" in str(error):
        return api.create_response(
            request, {"detail": "Text in the request may not contain NUL characters."},
            status=400)
    raise error
