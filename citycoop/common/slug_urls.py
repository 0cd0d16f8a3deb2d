"""``reverse(name, args=[slug])`` for thousands of slugs (the map's places and pairings) at the
cost of one ``reverse``: the pattern is resolved once around a marker and each slug put in its
place. A slug outside the plain characters goes through ``reverse``, which quotes it."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse

PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
MARKER = "0-slug-0"


def slug_urls(name: str) -> Callable[[str], str]:
    """slug → the URL ``name`` for it, in the active language and script prefix (resolved
    now: make one per page or answer, not one for the process)."""
    head, _, tail = reverse(name, args=[MARKER]).partition(MARKER)

    def url(slug: str) -> str:
        return head + slug + tail if PLAIN_SLUG.match(slug) else reverse(name, args=[slug])

    return url
