"""Writes to a city's needs: posting, changing and closing one. Atomic and audited through
:mod:`citycoop.common.services`; each checks who acts, since a need speaks in a city's name.

Posting a need tells the authors of the practices that fit it best: they are the people
most likely to answer in the need's thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.accounts.permissions import can_manage_registry
from citycoop.common.services import create_record, update_record
from citycoop.discussions.models import NotificationKind
from citycoop.discussions.notify import notify
from citycoop.lib.text import slugify

from .access import can_edit_need, can_write_for
from .models import Need, NeedStatus, Practice

# What a need's writer may change; the slug stays, so that links to the need keep working.
NEED_FIELDS = frozenset({"place", "title", "description", "sdgs", "is_public", "status"})
AUTHORS_TOLD = 3  # the authors of this many best-fitting practices hear of a new need
# Addresses under /practices/needs/ that are pages of their own.
RESERVED_SLUGS = frozenset({"new"})


def need_slug(title: str) -> str:
    """A key made of the title, numbered when taken; a title without Latin letters gets a
    short stable key (lib.text.slugify's "x" and a hash)."""
    base = slugify(title, max_length=70) or "need"
    taken = set(Need.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, n = base, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _refuse_unless_writer(acting_user: Any, place: Any) -> None:
    if not can_write_for(acting_user, place=place):
        raise PermissionDenied(_("Only the city's coordinators and the programme's managers "
                                 "can post its needs."))


@transaction.atomic
def post_need(place: Any, title: str, description: str, *, acting_user: User | None,
              themes: Iterable[Any] = (), sdgs: Iterable[int] = (),
              is_public: bool = True) -> Need:
    """A city says what it needs help with; the authors of the best-fitting practices are
    told (in the app)."""
    _refuse_unless_writer(acting_user, place)
    need = create_record(Need, {
        "slug": need_slug(title), "place": place, "title": (title or "").strip(),
        "description": (description or "").strip(), "sdgs": sorted(set(sdgs)),
        "is_public": is_public,
        "created_by": acting_user if acting_user is not None and acting_user.pk else None,
    }, acting_user=acting_user, many={"themes": list(themes)})
    tell_practice_authors(need, acting_user=acting_user)
    return need


def tell_practice_authors(need: Need, *, acting_user: Any = None) -> int:
    """Notify the authors of the best-fitting practices who may read the need (an internal
    need is seen by its city's keepers and the managers only). Returns how many."""
    from .need_matching import matching_practices  # the matcher loads numpy and the model

    keys = [m.key for m in matching_practices(need, top=AUTHORS_TOLD)]
    author_ids = set(Practice.objects.filter(slug__in=keys, created_by__isnull=False)
                     .values_list("created_by_id", flat=True))
    if not need.is_public:
        authors = User.objects.filter(pk__in=author_ids)
        author_ids = {a.pk for a in authors if can_manage_registry(a) or can_edit_need(a, need)}
    return notify(author_ids, kind=NotificationKind.NEED, subject=need.title,
                  url=need.get_absolute_url(), actor=acting_user)


@transaction.atomic
def update_need(need: Need, values: Mapping[str, Any], *, acting_user: User | None,
                expected_version: int | None, themes: Iterable[Any] | None = None) -> Need:
    """Change a need (StaleEditError when someone else changed it since
    ``expected_version``); moving it to another city needs the right to write for that
    city too."""
    if not can_edit_need(acting_user, need):
        raise PermissionDenied(_("Only the city's coordinators and the programme's managers "
                                 "can change its needs."))
    unknown = set(values) - NEED_FIELDS
    if unknown:
        raise TypeError(f"update_need does not set {', '.join(sorted(unknown))}")
    place = values.get("place")
    if place is not None and getattr(place, "pk", place) != need.place_id:
        _refuse_unless_writer(acting_user, place)
    changes = dict(values)
    for name in ("title", "description"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    if "sdgs" in changes:
        changes["sdgs"] = sorted(set(changes["sdgs"] or []))
    many = {"themes": list(themes)} if themes is not None else None
    return update_record(need, changes, acting_user=acting_user,
                         expected_version=expected_version, many=many)


@transaction.atomic
def close_need(need: Need, status: str, *, acting_user: User | None) -> Need:
    """Mark a need as met or closed (or open it again)."""
    if status not in NeedStatus.values:
        raise ValidationError({"status": _("“%(status)s” is not a status of a need.")
                               % {"status": status}})
    return update_need(need, {"status": status}, acting_user=acting_user,
                       expected_version=None)
