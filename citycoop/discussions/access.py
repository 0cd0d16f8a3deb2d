"""Who may read, write and moderate in the discussions.

A thread has no visibility of its own: it is readable by whoever may read its subject (a
thread on an internal pilot is internal too), and anyone signed in who may read it may post
in it. Moderators are the site's admins and the programme managers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from citycoop.accounts.models import Role, User
from citycoop.accounts.permissions import (
    access_pairing,
    access_pilot,
    can_manage_registry,
    sees_internal,
)
from citycoop.discussions.models import Post, PostAttachment, PostReport, Thread
from citycoop.practices.access import access_need, access_practice, can_edit_need, can_see_practice

# The model behind each kind of thread subject, by its model name.
SUBJECT_KINDS = {"practice": "practice", "pilotproject": "pilot", "pairing": "pairing",
                 "need": "need"}
FOLLOW_KINDS = ("practice", "theme", "place")
# What a thread page needs to decide who may read it, in the thread's own query.
THREAD_RELATED = ("practice", "pilot__pairing", "pairing", "need")


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def subject_kind(subject: Model) -> str:
    """"practice", "pilot", "pairing" or "need": the Thread column the subject goes in."""
    try:
        return SUBJECT_KINDS[subject._meta.model_name or ""]
    except KeyError:
        raise TypeError(f"{type(subject).__name__} cannot have discussions") from None


def subject_key(subject: Any) -> str:
    """The subject's key in the discussions' addresses: its slug, or for a pilot
    "<pairing-slug>/<pilot-slug>" (pilot slugs are unique only within their pairing)."""
    if subject_kind(subject) == "pilot":
        return f"{subject.pairing.slug}/{subject.slug}"
    return str(subject.slug)


def subject_url(subject: Any) -> str:
    if subject_kind(subject) == "pilot":
        return reverse("web:pilot", args=[subject.pairing.slug, subject.slug])
    return str(subject.get_absolute_url())


def thread_url(thread: Thread) -> str:
    return reverse("discussions:thread", args=[thread.pk])


def can_read_subject(user: Any, subject: Any) -> bool:
    kind = subject_kind(subject)
    if kind == "practice":
        return can_see_practice(user, subject)
    if kind == "need":
        return bool(subject.is_public or can_manage_registry(user)
                    or can_edit_need(user, subject))
    pairing = subject.pairing if kind == "pilot" else subject
    if subject.is_public and pairing.is_public:
        return True
    return sees_internal(user, pairing)


def is_public_subject(subject: Any) -> bool:
    """Readable by anyone, signed in or not (costs no query)."""
    return can_read_subject(AnonymousUser(), subject)


def can_post(user: Any, subject: Any) -> bool:
    return _signed_in(user) and can_read_subject(user, subject)


def readers_among(subject: Any, user_ids: Iterable[int]) -> set[int]:
    """Those of the users who may read threads on the subject: notifications never name an
    internal thread to someone who could not open it."""
    ids = {pk for pk in user_ids if pk is not None}
    if not ids or is_public_subject(subject):
        return ids
    return {user.pk for user in User.objects.filter(pk__in=ids, is_active=True)
            if can_read_subject(user, subject)}


def access_thread(user: Any, pk: int) -> Thread:
    """The thread if this user may read its subject; 404 otherwise."""
    thread = (Thread.objects.select_related("created_by", *THREAD_RELATED)
              .filter(pk=pk).first())
    if thread is None or not can_read_subject(user, thread.subject):
        raise Http404("No such discussion.")
    return thread


def access_post(user: Any, pk: int) -> Post:
    post = (Post.objects.select_related(*(f"thread__{name}" for name in THREAD_RELATED))
            .filter(pk=pk).first())
    if post is None or not can_read_subject(user, post.thread.subject):
        raise Http404("No such post.")
    return post


def access_attachment(user: Any, pk: int) -> PostAttachment:
    """A file of a post the user may read; a hidden post's files only for moderators."""
    attachment = (PostAttachment.objects
                  .select_related(*(f"post__thread__{name}" for name in THREAD_RELATED))
                  .filter(pk=pk).first())
    if attachment is None or not can_read_subject(user, attachment.post.thread.subject):
        raise Http404("No such file.")
    if attachment.post.is_hidden and not can_moderate(user):
        raise Http404("No such file.")
    return attachment


def access_subject(user: Any, kind: str, key: str) -> Any:
    """The practice, pilot, pairing or need a new thread would be about; 404 when the user
    may not read it or the address names nothing."""
    if kind == "practice":
        return access_practice(user, key)
    if kind == "need":
        return access_need(user, key)
    if kind == "pairing":
        return access_pairing(user, key)
    if kind == "pilot":
        pairing_slug, _, pilot_slug = key.partition("/")
        if not pilot_slug or "/" in pilot_slug:
            raise Http404("No such pilot project.")
        return access_pilot(user, pairing_slug, pilot_slug)
    raise Http404("Discussions are about practices, pilots, pairings and needs.")


def access_follow_subject(user: Any, kind: str, slug: str) -> Any:
    """The practice, theme or place to follow. Themes and places are public records."""
    from citycoop.registry.models import Place, Theme

    if kind == "practice":
        return access_practice(user, slug)
    if kind == "theme":
        return get_object_or_404(Theme, slug=slug)
    if kind == "place":
        return get_object_or_404(Place, slug=slug)
    raise Http404("One follows practices, themes and places.")


def can_moderate(user: Any) -> bool:
    if not _signed_in(user):
        return False
    return bool(user.is_superuser or user.memberships.filter(
        role=Role.MANAGER, programme__isnull=False).exists())


def require_moderator(user: Any) -> None:
    if not can_moderate(user):
        raise PermissionDenied("Only the programme's managers moderate the discussions.")


def moderators() -> QuerySet:
    return User.objects.filter(
        Q(is_superuser=True)
        | Q(memberships__role=Role.MANAGER, memberships__programme__isnull=False),
        is_active=True).distinct()


def access_report(user: Any, pk: int) -> PostReport:
    require_moderator(user)
    report = (PostReport.objects
              .select_related(*(f"post__thread__{name}" for name in THREAD_RELATED))
              .filter(pk=pk).first())
    if report is None or not can_read_subject(user, report.post.thread.subject):
        raise Http404("No such report.")
    return report
