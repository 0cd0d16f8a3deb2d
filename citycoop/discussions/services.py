"""Writing in the discussions: threads, replies, follows, reports and their moderation.

Every function is one transaction with an audit entry per record written. Notifications are
written in the same transaction, so a post that is refused leaves no notification behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from citycoop.accounts.models import User
from citycoop.common.services import create_record, delete_record, update_record
from citycoop.discussions.access import (
    can_moderate,
    can_post,
    can_read_subject,
    moderators,
    readers_among,
    subject_kind,
    thread_url,
)
from citycoop.discussions.mentions import mentioned_user_ids
from citycoop.discussions.models import (
    Follow,
    Notification,
    NotificationKind,
    Post,
    PostAttachment,
    PostReport,
    Thread,
)
from citycoop.discussions.notify import followers, notify

POSTS_PER_PAGE = 50
OUTCOME_HIDDEN = "hidden"
OUTCOME_KEPT = "kept"


def attachment_error(upload: Any) -> str | None:
    """Why the file cannot be attached, or None. Shared with the forms, so the page and the
    service refuse with the same words."""
    limit = settings.CITYCOOP_UPLOAD_MAX_BYTES
    if upload.size > limit:
        return _("“%(name)s” is %(size)s: files of up to %(limit)s can be attached. "
                 "Nothing was posted.") % {"name": os.path.basename(upload.name or ""),
                                           "size": filesizeformat(upload.size),
                                           "limit": filesizeformat(limit)}
    return None


def post_url(post: Post, position: int) -> str:
    """The address of the post on its page of the thread (``position`` counts from 1)."""
    page = (position - 1) // POSTS_PER_PAGE + 1
    return f"{thread_url(post.thread)}?page={page}#post-{post.pk}"


def _require_poster(user: Any, subject: Any) -> None:
    if not can_post(user, subject):
        raise PermissionDenied("Only signed-in people who may read the subject may post.")


def _add_post(thread: Thread, body: str, acting_user: User,
              attachments: Iterable[Any]) -> tuple[Post, int]:
    """Write the post and its files and count it on the thread; return it with its position."""
    uploads = list(attachments)
    # Refused before anything is written: a too-big file must not leave a post without it.
    for upload in uploads:
        error = attachment_error(upload)
        if error:
            raise ValidationError({"attachments": error})
    post = create_record(Post, {"thread": thread, "author": acting_user, "body": body},
                         acting_user=acting_user)
    for upload in uploads:
        create_record(PostAttachment, {"post": post, "file": upload,
                                       "name": os.path.basename(upload.name or "")[:200]},
                      acting_user=acting_user)
    # F() expressions: two replies at once both count.
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + 1,
                                               last_post_at=post.created_at)
    thread.refresh_from_db(fields=["post_count", "last_post_at"])
    return post, thread.post_count


def subject_followers(subject: Any) -> set[int]:
    """Who follows what the subject is about: a practice itself, its themes and its place; a
    need's place and themes; a pilot's themes and its pairing's places; a pairing's places."""
    kind = subject_kind(subject)
    if kind == "practice":
        return followers(practice=subject, themes=subject.themes.all(), place=subject.place)
    if kind == "need":
        return followers(themes=subject.themes.all(), place=subject.place)
    pairing = subject.pairing if kind == "pilot" else subject
    found = followers(themes=subject.themes.all()) if kind == "pilot" else set()
    for member in pairing.members.exclude(place=None).select_related("place"):
        found |= followers(place=member.place)
    return found


def _notify_post(thread: Thread, post: Post, url: str, acting_user: User, *,
                 others: set[int], kind: str) -> None:
    """Mentioned readers get a mention; the others a ``kind`` notification, not both."""
    subject = thread.subject
    mentioned = readers_among(subject, mentioned_user_ids(post.body))
    notify(mentioned, kind=NotificationKind.MENTION, subject=thread.title, url=url,
           actor=acting_user)
    notify(readers_among(subject, others - mentioned), kind=kind, subject=thread.title,
           url=url, actor=acting_user)


@transaction.atomic
def start_thread(subject: Any, title: str, body: str, *, acting_user: User,
                 attachments: Iterable[Any] = ()) -> Thread:
    """A new thread on a practice, pilot, pairing or need, with its first post. Those who
    follow the subject, its themes or its places hear of it."""
    _require_poster(acting_user, subject)
    thread = create_record(Thread, {subject_kind(subject): subject, "title": title.strip(),
                                    "created_by": acting_user}, acting_user=acting_user)
    post, position = _add_post(thread, body, acting_user, attachments)
    _notify_post(thread, post, post_url(post, position), acting_user,
                 others=subject_followers(subject), kind=NotificationKind.NEW_THREAD)
    return thread


@transaction.atomic
def post_reply(thread: Thread, body: str, *, acting_user: User,
               attachments: Iterable[Any] = ()) -> Post:
    """A reply; the thread's other participants are notified, and whoever it mentions."""
    _require_poster(acting_user, thread.subject)
    post, position = _add_post(thread, body, acting_user, attachments)
    participants = set(Post.objects.filter(thread=thread, author__isnull=False)
                       .values_list("author_id", flat=True).distinct())
    if thread.created_by_id is not None:
        participants.add(thread.created_by_id)
    _notify_post(thread, post, post_url(post, position), acting_user,
                 others=participants, kind=NotificationKind.REPLY)
    return post


def _one_target(practice: Any, theme: Any, place: Any) -> dict[str, Any]:
    targets = {name: value for name, value in
               (("practice", practice), ("theme", theme), ("place", place)) if value is not None}
    if len(targets) != 1:
        raise TypeError("Follow exactly one practice, theme or place.")
    return targets


@transaction.atomic
def follow(user: User, *, practice: Any = None, theme: Any = None, place: Any = None) -> Follow:
    """Follow a practice, a theme or a place; following it again changes nothing."""
    target = _one_target(practice, theme, place)
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to follow.")
    if practice is not None and not can_read_subject(user, practice):
        raise PermissionDenied("No such practice.")
    existing = Follow.objects.filter(user=user, **target).first()
    if existing is not None:
        return existing
    return create_record(Follow, {"user": user, **target}, acting_user=user)


@transaction.atomic
def unfollow(user: User, *, practice: Any = None, theme: Any = None,
             place: Any = None) -> bool:
    """Stop following; says whether there was anything to stop."""
    target = _one_target(practice, theme, place)
    found = list(Follow.objects.filter(user=user, **target))
    for row in found:
        delete_record(row, acting_user=user)
    return bool(found)


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


@transaction.atomic
def report_post(post: Post, reason: str, *, acting_user: User) -> PostReport:
    """Tell the moderators what is wrong with a post."""
    subject = post.thread.subject
    _require_poster(acting_user, subject)
    reason = _reason(reason, _("Say what is wrong with the post."))
    report = create_record(PostReport, {"post": post, "reporter": acting_user,
                                        "reason": reason}, acting_user=acting_user)
    notify(readers_among(subject, moderators().values_list("pk", flat=True)),
           kind=NotificationKind.REPORT, subject=post.thread.title,
           url=reverse("discussions:moderation"), actor=acting_user)
    return report


def _resolve(report: PostReport, outcome: str, acting_user: User, now: Any) -> PostReport:
    return update_record(report, {"resolved_at": now, "resolved_by": acting_user,
                                  "outcome": outcome},
                         acting_user=acting_user, expected_version=None)


@transaction.atomic
def hide_post(post: Post, reason: str, *, acting_user: User) -> Post:
    """Hide a post, keeping it and the reason; its open reports are resolved as "hidden"."""
    if not can_moderate(acting_user) or not can_read_subject(acting_user, post.thread.subject):
        raise PermissionDenied("Only the programme's managers hide posts.")
    reason = _reason(reason, _("Say why the post is hidden: the reason is kept with it."))
    now = timezone.now()
    hidden = update_record(post, {"hidden_at": now, "hidden_by": acting_user,
                                  "hidden_reason": reason},
                           acting_user=acting_user, expected_version=None)
    for report in PostReport.objects.filter(post=post, resolved_at__isnull=True):
        _resolve(report, OUTCOME_HIDDEN, acting_user, now)
    return hidden


@transaction.atomic
def keep_post(report: PostReport, *, acting_user: User) -> PostReport:
    """The moderator read the reported post and leaves it as it is."""
    if not can_moderate(acting_user):
        raise PermissionDenied("Only the programme's managers moderate the discussions.")
    if report.resolved_at is not None:
        return report
    return _resolve(report, OUTCOME_KEPT, acting_user, timezone.now())


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them, or those ``ids``); returns how many.
    Not audited: it is the reader's own inbox, not a record anyone else relies on."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
