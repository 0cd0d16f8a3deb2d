"""Who may see and change what. Views never fetch protected records without these helpers."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from citycoop.accounts.models import Role


def is_programme_staff(user: Any, programme_id: int | None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.memberships.filter(programme_id=programme_id, role=Role.MANAGER).exists()


def sees_internal(user: Any, pairing: Any) -> bool:
    """Admins, the programme's managers and the pairing's own members see internal records."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.memberships.filter(
        Q(programme_id=pairing.programme_id, role=Role.MANAGER) | Q(pairing_id=pairing.pk)
    ).exists()


def can_edit_pairing(user: Any, pairing: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        m.can_edit
        for m in user.memberships.filter(
            Q(programme_id=pairing.programme_id, role=Role.MANAGER) | Q(pairing_id=pairing.pk)
        )
    )


def visible_pairings(user: Any, queryset: QuerySet) -> QuerySet:
    if getattr(user, "is_superuser", False):
        return queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.filter(is_public=True)
    return queryset.filter(
        Q(is_public=True)
        | Q(programme__memberships__user=user, programme__memberships__role=Role.MANAGER)
        | Q(memberships__user=user)
    ).distinct()


def access_pairing(user: Any, slug: str) -> Any:
    """The pairing if this user may see it; 404 otherwise (an internal pairing stays unnamed)."""
    from citycoop.portfolio.models import Pairing

    pairing = Pairing.objects.select_related("programme").filter(slug=slug).first()
    if pairing is None or (not pairing.is_public and not sees_internal(user, pairing)):
        raise Http404("No such pairing.")
    return pairing
