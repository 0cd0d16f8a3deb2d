"""Getting a server process ready before its first request.

A request allocates many objects, and every so often Python's collector walks all the
objects the process holds to find cycles: with Django, the URL map, every view module and the
libraries they import loaded, that walk takes 50 to 100 ms, paid by whichever request
triggers it. Loading everything up front and freezing it moves those objects out of the
collector's sight for good; only what requests themselves make is walked.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def prepare_process() -> None:
    """Import every view (through the URL map), then freeze what is loaded."""
    get_resolver().url_patterns  # noqa: B018 - importing the URLconf imports every view
    gc.collect()
    gc.freeze()
