"""Getting a server process ready before its first request.

A request allocates many objects, and every so often Python's collector walks all the
objects the process holds to find cycles: with Django, the URL map, every view module and the
libraries they import loaded, that walk takes 50 to 100 ms, paid by whichever request
triggers it. Loading everything up front and freezing it moves those objects out of the
collector's sight for good; only what requests themselves make is walked.

A thread that waits on the database gives up the interpreter's lock and must take it back
to go on. While another thread of the process computes (a public answer being refreshed in
the background), taking it back waits for that thread's switch interval, 5 ms by default,
once per query: a page of twenty queries waits up to 100 ms. At 1 ms the wait shrinks to a
fifth, for a small cost in switching.
"""

from __future__ import annotations

import gc
import sys

from django.urls import get_resolver

SWITCH_INTERVAL_SECONDS = 0.001


def prepare_process() -> None:
    """Import every view (through the URL map), freeze what is loaded, and shorten the
    threads' switch interval."""
    get_resolver().url_patterns  # noqa: B018 - importing the URLconf imports every view
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
