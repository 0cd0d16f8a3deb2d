"""Turning what happened into notifications for the people who follow it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from citycoop.discussions.models import Follow, Notification


def followers(*, practice: Any = None, themes: Iterable[Any] = (), place: Any = None) -> set[int]:
    """The ids of the users following the practice, any of the themes, or the place."""
    condition = Q(pk__in=[])
    if practice is not None:
        condition |= Q(practice=practice)
    theme_ids = [getattr(theme, "pk", theme) for theme in themes]
    if theme_ids:
        condition |= Q(theme_id__in=theme_ids)
    if place is not None:
        condition |= Q(place=place)
    return set(Follow.objects.filter(condition).values_list("user_id", flat=True))


def notify(user_ids: Iterable[int], *, kind: str, subject: str, url: str,
           actor: Any = None) -> int:
    """One notification for each user, never for the one who acted. Returns how many."""
    actor_id = getattr(actor, "pk", None)
    rows = [Notification(user_id=user_id, kind=kind, subject=subject[:300], url=url,
                         actor_id=actor_id)
            for user_id in sorted(set(user_ids)) if user_id != actor_id]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notify_followers(*, kind: str, subject: str, url: str, actor: Any = None,
                     practice: Any = None, themes: Iterable[Any] = (),
                     place: Any = None) -> int:
    """Notify everyone who follows the practice, one of the themes or the place."""
    return notify(followers(practice=practice, themes=themes, place=place), kind=kind,
                  subject=subject, url=url, actor=actor)
