"""Who may see a programme's KPIs and who may take a snapshot of them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from citycoop.accounts.permissions import manageable_programmes
from citycoop.registry.models import Programme


def access_programme(slug: str) -> Programme:
    """The programme: its public figures are for everyone; 404 for a key that names none."""
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404("No such programme.")
    return programme


def manages_programme(user: Any, programme: Programme) -> bool:
    """Admins and the programme's managers: they see the counts of internal records too."""
    if not getattr(user, "is_authenticated", False):
        return False
    return manageable_programmes(user).filter(pk=programme.pk).exists()


def require_programme_manager(user: Any, programme: Programme) -> None:
    if not manages_programme(user, programme):
        raise PermissionDenied("Only the programme's managers can take a snapshot of its KPIs.")
