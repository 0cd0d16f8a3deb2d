"""Error pages: the site's own look for people, JSON for API clients."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address nothing answers: under /api/ a JSON error with a ``detail``, as every
    other API error (docs/api.md); elsewhere the site's own page (404.html)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return page_not_found(request, exception)
