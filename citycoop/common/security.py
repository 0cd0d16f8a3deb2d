"""Response headers that limit what a page may do in the browser.

The Content-Security-Policy allows scripts, styles, fonts, images and connections from this
site only: every script is a static file (no inline script, no ``on...=`` attribute, no
``eval``), so an injected ``<script>`` or a link to another site's script does not run. Inline
``style`` attributes stay allowed: the charts and bars size themselves with them, and a
style cannot run code. Pages may not be framed by other sites (``frame-ancestors 'none'``,
with X-Frame-Options DENY for older browsers), and forms post only to this site.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Powerful browser features no page of the site uses.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
