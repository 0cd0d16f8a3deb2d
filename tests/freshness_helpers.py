"""Waiting for the background threads that recompute kept public answers."""

from __future__ import annotations

import threading

from citycoop.common import freshness


def wait_for_recomputations() -> None:
    for thread in threading.enumerate():
        if thread.name == freshness.REFRESH_THREAD:
            thread.join(10)
