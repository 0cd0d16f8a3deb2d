"""Caching what the public sees until the records change.

Every write goes through a service that writes an audit entry (the house's first rule), so the
newest audit entry is a version number of the whole portfolio: an answer kept with the version
it was computed at is known to be current while that version is the newest. Reading it is one
lookup on the primary key.

Answers for the public are cached; a signed-in user's view depends on their roles, so theirs
are cached only where the key says all that decides it (the KPIs of a scope).

Under a steady stream of writes every version is short-lived, and recomputing the public's
heaviest answers (the home page's figures, the map's thousands of arcs) after each write would
take the server's whole CPU. So a public answer may lag a write by
``CITYCOOP_PUBLIC_LAG_SECONDS``: within that time after it was computed it is served as it is;
after it, it is still served while one background thread of the process recomputes it, so no
visitor waits for the recomputation. An answer that takes long to compute (the map of ten
thousand pairings: seconds) lags longer, ten times its computing time, so that keeping
it current never takes more than a tenth of a core. Signed-in users and
:func:`cached_until_change` always get the current version; so does everyone with the lag
set to 0.

The time limit bounds how long a write that bypassed the services (a hand-run SQL fix, a
restore) can go unnoticed.

The costly answers are also shared by the server's worker processes (:mod:`shared_answers`):
one process recomputes, the others read its answer.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import translation
from django.utils.translation import get_language

from citycoop.accounts.models import AuditEntry
from citycoop.common import shared_answers

T = TypeVar("T")
# An answer lags at least this many times as long as it took to compute.
LAG_PER_COMPUTING_SECOND = 10
logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 600

# The keys being recomputed in this process: one background thread recomputes each, while
# the requests go on with the kept answer.
_computing: set[str] = set()
_computing_lock = threading.Lock()
REFRESH_THREAD = "citycoop-public-refresh"


def data_version() -> tuple[Any, ...]:
    """The newest audit entry's id and time: they change with every write to the records.
    The time tells apart two entries given the same id, as after a rolled-back transaction or
    a restore."""
    return AuditEntry.objects.order_by("-pk").values_list("pk", "created_at").first() or ()


def cached_for_public(user: Any, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``, kept for anonymous visitors (up to the public lag after a write);
    computed afresh for a signed-in user."""
    if getattr(user, "is_authenticated", False):
        return compute()
    return _kept(("public", *key), compute, settings.CITYCOOP_PUBLIC_LAG_SECONDS)


def cached_until_change(key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``, kept until the next write. Only for answers that the key alone decides:
    the key must carry whatever sets what the answer may show (a KPI scope says whether it
    counts internal records; every manager of a programme sees the same count)."""
    return _kept(key, compute, lag_seconds=0)


def _kept(key: tuple[Hashable, ...], compute: Callable[[], T], lag_seconds: float) -> T:
    """The kept answer for ``key`` if it is of the current version or younger than
    ``lag_seconds``; an older one too, when some lag is allowed, while a background thread
    recomputes it; otherwise ``compute()``, kept with the version it was computed at."""
    cache_key = cache_key_of(key)
    version = data_version()
    kept = cache.get(cache_key)
    if kept is None or kept[0] != version:
        # Another process may have computed a newer one.
        shared = shared_answers.newer(cache_key, None if kept is None else kept[1])
        if shared is not None:
            kept = shared
            cache.set(cache_key, kept, TIMEOUT_SECONDS)
    if kept is not None:
        kept_version, computed_at, took, value = kept
        if kept_version == version:
            return value  # type: ignore[no-any-return]
        if lag_seconds > 0:
            lag = max(lag_seconds, LAG_PER_COMPUTING_SECOND * took)
            if time.time() - computed_at >= lag and _claim(cache_key):
                threading.Thread(target=_recompute, daemon=True, name=REFRESH_THREAD,
                                 args=(cache_key, version, compute, get_language(),
                                       computed_at)).start()
            return value  # type: ignore[no-any-return]
    return _compute_and_keep(cache_key, version, compute)


def cache_key_of(key: tuple[Hashable, ...]) -> str:
    """The cache's key for an answer's key (``("public", *key)`` for a public answer)."""
    return "citycoop:fresh:" + hashlib.sha256(repr(key).encode()).hexdigest()


def _claim(cache_key: str) -> bool:
    """True if this thread may recompute ``cache_key`` (no other thread is at it)."""
    with _computing_lock:
        if cache_key in _computing:
            return False
        _computing.add(cache_key)
        return True


def _recompute(cache_key: str, version: tuple[Any, ...], compute: Callable[[], Any],
               language: str | None, kept_at: float) -> None:
    """In a background thread: compute in the language of the request that asked, keep the
    answer, and let go of the claim and of the thread's database connection. ``kept_at``:
    when the answer being replaced was computed."""
    try:
        with shared_answers.recomputing(cache_key) as mine, translation.override(language):
            # Unless another process is at it, or has just done it.
            if mine and shared_answers.newer(cache_key, kept_at) is None:
                _compute_and_keep(cache_key, version, compute)
    except Exception:
        # The kept answer stays; the next request after the lag tries again.
        logger.exception("recomputing a public answer failed")
    finally:
        with _computing_lock:
            _computing.discard(cache_key)
        connections.close_all()


def _compute_and_keep(cache_key: str, version: tuple[Any, ...], compute: Callable[[], T]) -> T:
    computed_at, started = time.time(), time.perf_counter()
    value = compute()
    took = time.perf_counter() - started
    kept = (version, computed_at, took, value)
    cache.set(cache_key, kept, TIMEOUT_SECONDS)
    shared_answers.share(cache_key, kept)
    return value
