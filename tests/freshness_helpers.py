"""Helpers for the tests of answers kept for the public: a write that changes the records'
version, and waiting for the background threads that recompute kept answers. (The
``clock_and_version`` fixture is in conftest.py.)"""

from __future__ import annotations

import threading

from citycoop.common import freshness
from citycoop.common.services import create_record
from citycoop.registry.models import Place


def a_write(n: int) -> None:
    create_record(Place, {"slug": f"place-{n}", "name": f"Place {n}", "kind": "city",
                          "country": "FR"}, acting_user=None)


def wait_for_recomputations() -> None:
    for thread in threading.enumerate():
        if thread.name == freshness.REFRESH_THREAD:
            thread.join(10)
