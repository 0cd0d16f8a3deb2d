"""Caching what the public sees until the records change.

Every write goes through a service that writes an audit entry (the house's first rule), so the
newest audit entry is a version number of the whole portfolio: a cached answer keyed
on it can never outlive a change. Reading it is one lookup on the primary key.

Answers for the public are cached; a signed-in user's view depends on their roles, so theirs
are cached only where the key says all that decides it (the KPIs of a scope). The time limit
bounds how long a write that bypassed the services
(a hand-run SQL fix, a restore) can go unnoticed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache

from citycoop.accounts.models import AuditEntry

T = TypeVar("T")
TIMEOUT_SECONDS = 600


def data_version() -> tuple[Any, ...]:
    """The newest audit entry's id and time: they change with every write to the records.
    The time tells apart two entries given the same id, as after a rolled-back transaction or
    a restore."""
    return AuditEntry.objects.order_by("-pk").values_list("pk", "created_at").first() or ()


def cached_for_public(user: Any, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``, kept for anonymous visitors until the next write; computed afresh for a
    signed-in user."""
    if getattr(user, "is_authenticated", False):
        return compute()
    return cached_until_change(("public", *key), compute)


def cached_until_change(key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``, kept until the next write. Only for answers that the key alone decides:
    the key must carry whatever sets what the answer may show (a KPI scope says whether it
    counts internal records; every manager of a programme sees the same count)."""
    digest = hashlib.sha256(repr((data_version(), key)).encode()).hexdigest()
    cache_key = f"citycoop:fresh:{digest}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, TIMEOUT_SECONDS)
    return value
