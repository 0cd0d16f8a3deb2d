"""Who may read, write and review good practices and needs.

A practice belongs to a city or region (kept by that city's pairing coordinators and the
programme's managers, as its profile is) or to an organisation (kept by the managers and by
coordinators of pairings the organisation works in). Published practices are public; a
practice in draft, submitted, returned or reviewed is seen by its keepers, its author and
the reviewers. Reviewers are admins, programme managers and practice reviewers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from citycoop.accounts.models import Role
from citycoop.accounts.permissions import can_edit_city_profile, can_manage_registry
from citycoop.practices.models import Need, Practice, PracticeStatus


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_review(user: Any) -> bool:
    if not _signed_in(user):
        return False
    return user.is_superuser or user.memberships.filter(
        role__in=[Role.MANAGER, Role.REVIEWER]).exists()


def can_write_for_organisation(user: Any, organisation: Any) -> bool:
    if can_manage_registry(user):
        return True
    if not _signed_in(user):
        return False
    from citycoop.portfolio.models import Pairing

    pairings = Pairing.objects.filter(
        Q(members__organisation=organisation)
        | Q(pilots__actions__roles__organisation=organisation))
    return user.memberships.filter(
        pairing__in=pairings, role=Role.COORDINATOR).exists()


def can_write_for(user: Any, *, place: Any = None, organisation: Any = None) -> bool:
    """Whether the user may publish practices (and post needs) in the name of this owner."""
    if place is not None and can_edit_city_profile(user, place):
        return True
    return organisation is not None and can_write_for_organisation(user, organisation)


def can_edit_practice(user: Any, practice: Practice) -> bool:
    if not _signed_in(user):
        return False
    if practice.created_by_id == user.pk:
        return True
    return can_write_for(user, place=practice.place, organisation=practice.organisation)


def can_see_practice(user: Any, practice: Practice) -> bool:
    return (practice.status == PracticeStatus.PUBLISHED or can_review(user)
            or can_edit_practice(user, practice))


def visible_practices(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """Published practices for everyone; a reviewer sees all; others also see their own."""
    queryset = Practice.objects.all() if queryset is None else queryset
    if can_review(user):
        return queryset
    published = Q(status=PracticeStatus.PUBLISHED)
    if not _signed_in(user):
        return queryset.filter(published)
    # The reader's own unpublished practices are few: fetched by id first, so that the list's
    # filter stays a plain condition on columns instead of an OR over a subquery, which
    # makes the database read every practice.
    own = list(Practice.objects.filter(Q(created_by=user) | Q(place__in=_kept_places(user)))
               .exclude(published).values_list("pk", flat=True))
    return queryset.filter(published | Q(pk__in=own)) if own else queryset.filter(published)


def _kept_places(user: Any) -> QuerySet:
    """The places whose profile (and so practices and needs) this user keeps: the cities and
    regions of their pairings, and the city a member district belongs to; never a whole
    country, which no pairing's coordinator speaks for."""
    from citycoop.registry.models import Place, PlaceKind

    pairing_ids = user.memberships.filter(role=Role.COORDINATOR).values("pairing_id")
    return Place.objects.filter(
        Q(pairing_memberships__pairing_id__in=pairing_ids)
        | Q(children__pairing_memberships__pairing_id__in=pairing_ids)).exclude(
        kind=PlaceKind.COUNTRY).values("pk")


def access_practice(user: Any, slug: str) -> Practice:
    """The practice if this user may read it; 404 otherwise (a draft stays unnamed)."""
    practice = (Practice.objects.select_related("place", "organisation", "created_by")
                .filter(slug=slug).first())
    if practice is None or not can_see_practice(user, practice):
        raise Http404("No such practice.")
    return practice


def access_practice_for_edit(user: Any, slug: str) -> Practice:
    practice = access_practice(user, slug)
    if not can_edit_practice(user, practice):
        raise PermissionDenied("Only the practice's author, its city's coordinators and the "
                               "programme's managers can change it.")
    return practice


def access_practice_for_review(user: Any, slug: str) -> Practice:
    practice = access_practice(user, slug)
    if not can_review(user):
        raise PermissionDenied("Only the programme's reviewers and managers review practices.")
    return practice


def can_edit_need(user: Any, need: Need) -> bool:
    if not _signed_in(user):
        return False
    return need.created_by_id == user.pk or can_write_for(user, place=need.place)


def visible_needs(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Need.objects.all() if queryset is None else queryset
    if can_manage_registry(user):
        return queryset
    if not _signed_in(user):
        return queryset.filter(is_public=True)
    return queryset.filter(Q(is_public=True) | Q(created_by=user)
                           | Q(place__in=_kept_places(user)))


def access_need(user: Any, slug: str) -> Need:
    need = Need.objects.select_related("place").filter(slug=slug).first()
    if need is None or not (need.is_public or can_manage_registry(user)
                            or can_edit_need(user, need)):
        raise Http404("No such need.")
    return need


def access_need_for_edit(user: Any, slug: str) -> Need:
    need = access_need(user, slug)
    if not can_edit_need(user, need):
        raise PermissionDenied("Only the city's coordinators and the programme's managers can "
                               "change its needs.")
    return need
