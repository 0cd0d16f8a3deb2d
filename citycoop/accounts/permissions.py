"""Who may see and change what. Views never fetch protected records without these helpers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from citycoop.accounts.models import Role


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


def role_for_pairing(user: Any, pairing: Any) -> str | None:
    """The strongest role this user holds over the pairing: "admin", "manager",
    "coordinator", "member", or None for the public and other pairings' people."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return "admin"
    roles = set(user.memberships.filter(
        Q(programme_id=pairing.programme_id, role=Role.MANAGER) | Q(pairing_id=pairing.pk)
    ).values_list("role", flat=True))
    for role in (Role.MANAGER, Role.COORDINATOR, Role.MEMBER):
        if role in roles:
            return str(role)
    return None


def access_pairing_for_edit(user: Any, slug: str) -> Any:
    """The pairing if this user may change it and what hangs from it; 404 when they may not
    even see it, 403 when they may see it but not change it."""
    pairing = access_pairing(user, slug)
    if not can_edit_pairing(user, pairing):
        raise PermissionDenied("Only the pairing's coordinators and the programme's managers "
                               "can change it.")
    return pairing


def access_action_for_edit(user: Any, pk: int) -> Any:
    from citycoop.portfolio.models import Action

    action = Action.objects.select_related("pilot__pairing").filter(pk=pk).first()
    if action is None:
        raise Http404("No such action.")
    access_pairing_for_edit(user, action.pilot.pairing.slug)
    return action


def access_pilot(user: Any, pairing_slug: str, pilot_slug: str) -> Any:
    pairing = access_pairing(user, pairing_slug)
    pilot = pairing.pilots.filter(slug=pilot_slug).first()
    if pilot is None or (not pilot.is_public and not sees_internal(user, pairing)):
        raise Http404("No such pilot project.")
    return pilot


def can_manage_registry(user: Any) -> bool:
    """Merging organisations touches every pairing: admins and programme managers only."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.memberships.filter(role=Role.MANAGER).exists()


def require_registry_manager(user: Any) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied("Only programme managers can merge organisations.")


# The staff workspace's create and edit pages. Registry records and events touch every
# pairing, so only admins and programme managers change them; a pairing's coordinators
# change the pairing and what hangs from it (pilots, actions, agreements, next steps).

def manageable_programmes(user: Any) -> QuerySet:
    """The programmes this user manages: all of them for an admin, none for the public."""
    from citycoop.registry.models import Programme

    if not getattr(user, "is_authenticated", False):
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(memberships__user=user, memberships__role=Role.MANAGER)


def can_create_pairing(user: Any) -> bool:
    return manageable_programmes(user).exists()


def require_pairing_creator(user: Any) -> None:
    if not can_create_pairing(user):
        raise PermissionDenied("Only programme managers can start a pairing.")


def require_registry_editor(user: Any) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied("Only programme managers can change places, organisations, "
                               "people and events.")


def access_pilot_for_edit(user: Any, pairing_slug: str, pilot_slug: str) -> Any:
    pairing = access_pairing_for_edit(user, pairing_slug)
    pilot = pairing.pilots.select_related("pairing__programme").filter(slug=pilot_slug).first()
    if pilot is None:
        raise Http404("No such pilot project.")
    return pilot


def access_agreement_for_edit(user: Any, slug: str) -> Any:
    """An agreement outside any pairing is the programme team's: managers only."""
    from citycoop.portfolio.models import Agreement

    agreement = Agreement.objects.select_related("pairing__programme").filter(slug=slug).first()
    if agreement is None:
        raise Http404("No such agreement.")
    if agreement.pairing is None:
        require_registry_editor(user)
    else:
        access_pairing_for_edit(user, agreement.pairing.slug)
    return agreement


def access_next_step_for_edit(user: Any, pk: int) -> Any:
    """A step belongs to the pairing it hangs from; a step of an event alone is the
    programme team's."""
    from citycoop.portfolio.models import NextStep

    step = (NextStep.objects.select_related("pairing", "pilot__pairing", "agreement__pairing",
                                            "owner").filter(pk=pk).first())
    if step is None:
        raise Http404("No such next step.")
    pairing = step.owning_pairing
    if pairing is None:
        require_registry_editor(user)
    else:
        access_pairing_for_edit(user, pairing.slug)
    return step


def _registry_record_for_edit(user: Any, model: Any, **lookup: Any) -> Any:
    require_registry_editor(user)
    record = model._default_manager.filter(**lookup).first()
    if record is None:
        raise Http404(f"No such {model._meta.verbose_name}.")
    return record


def access_organisation_for_edit(user: Any, slug: str) -> Any:
    from citycoop.registry.models import Organisation

    return _registry_record_for_edit(user, Organisation, slug=slug)


def access_place_for_edit(user: Any, slug: str) -> Any:
    from citycoop.registry.models import Place

    return _registry_record_for_edit(user, Place, slug=slug)


def access_person_for_edit(user: Any, pk: int) -> Any:
    from citycoop.registry.models import Person

    return _registry_record_for_edit(user, Person, pk=pk)


def access_event_for_edit(user: Any, slug: str) -> Any:
    from citycoop.events.models import Event

    return _registry_record_for_edit(user, Event, slug=slug)


def access_event(user: Any, slug: str) -> Any:
    """An event's public pages: a public event for everyone, the others for signed-in people."""
    from citycoop.events.models import Event

    event = Event.objects.select_related("place").filter(slug=slug).first()
    if event is None or (not event.is_public and not getattr(user, "is_authenticated", False)):
        raise Http404("No such event.")
    return event


def internal_reach(user: Any) -> tuple[bool, frozenset[int], frozenset[int]]:
    """For lists, the rule of :func:`sees_internal` in one query: whether the user sees every
    internal record (admins), the programmes they manage, and the pairings they belong to."""
    if getattr(user, "is_superuser", False):
        return True, frozenset(), frozenset()
    if not getattr(user, "is_authenticated", False):
        return False, frozenset(), frozenset()
    programmes: set[int] = set()
    pairings: set[int] = set()
    for role, programme_id, pairing_id in user.memberships.values_list(
            "role", "programme_id", "pairing_id"):
        if pairing_id is not None:
            pairings.add(pairing_id)
        if role == Role.MANAGER and programme_id is not None:
            programmes.add(programme_id)
    return False, frozenset(programmes), frozenset(pairings)


def can_edit_city_profile(user: Any, place: Any) -> bool:
    """A city's profile is kept by the programme's managers and by the coordinators of a
    pairing the city (or a district of it) is a member of."""
    if can_manage_registry(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    from citycoop.portfolio.models import Pairing

    pairings = Pairing.objects.filter(Q(members__place=place) | Q(members__place__parent=place))
    return any(m.can_edit for m in user.memberships.filter(pairing__in=pairings))


def access_city_profile_for_edit(user: Any, slug: str) -> Any:
    """The place whose profile this user may edit; 404 for no such place, 403 otherwise."""
    from citycoop.registry.models import Place

    place = Place.objects.filter(slug=slug).first()
    if place is None:
        raise Http404("No such place.")
    if not can_edit_city_profile(user, place):
        raise PermissionDenied("Only the city's pairing coordinators and the programme's "
                               "managers can edit its profile.")
    return place
