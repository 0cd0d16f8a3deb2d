"""What a notification says, and the daily email digest of the ones not yet read.

The wording is chosen from the notification's kind when it is shown, in the reader's
language: the inbox and the digest use the same sentences.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citycoop.accounts.models import User
from citycoop.discussions.models import Notification, NotificationKind

# An email lists at most this many; the rest are counted and wait in the inbox.
DIGEST_MAX_ITEMS = 100


def actor_name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def describe(notification: Notification) -> str:
    """One sentence in the current language. Each kind has its own sentence with and without
    someone who acted, so no sentence is glued from translated pieces."""
    kind, subject = notification.kind, notification.subject
    actor = actor_name(notification.actor)
    if actor:
        with_actor: dict[str, str] = {
            NotificationKind.REPLY: _("%(actor)s replied in “%(subject)s”"),
            NotificationKind.MENTION: _("%(actor)s mentioned you in “%(subject)s”"),
            NotificationKind.NEW_THREAD: _("%(actor)s started “%(subject)s” on something you "
                                           "follow"),
            NotificationKind.PUBLISHED: _("%(actor)s published “%(subject)s”, on something "
                                          "you follow"),
            NotificationKind.REVIEWED: _("%(actor)s reviewed your practice “%(subject)s”"),
            NotificationKind.NEED: _("%(actor)s posted a need your practice may answer: "
                                     "“%(subject)s”"),
            NotificationKind.REPORT: _("%(actor)s reported a post in “%(subject)s”"),
        }
        text = with_actor.get(kind, _("%(actor)s: “%(subject)s”"))
        return text % {"actor": actor, "subject": subject}
    without_actor: dict[str, str] = {
        NotificationKind.REPLY: _("A new reply in “%(subject)s”"),
        NotificationKind.MENTION: _("You were mentioned in “%(subject)s”"),
        NotificationKind.NEW_THREAD: _("A new discussion, “%(subject)s”, on something you "
                                       "follow"),
        NotificationKind.PUBLISHED: _("“%(subject)s” was published, on something you follow"),
        NotificationKind.REVIEWED: _("Your practice “%(subject)s” was reviewed"),
        NotificationKind.NEED: _("A need your practice may answer: “%(subject)s”"),
        NotificationKind.REPORT: _("A post was reported in “%(subject)s”"),
    }
    text = without_actor.get(kind, "“%(subject)s”")
    return text % {"subject": subject}


def absolute(url: str) -> str:
    """The link as the email gives it: on CITYCOOP_SITE_URL when set, else as it is."""
    site = settings.CITYCOOP_SITE_URL
    if site and url.startswith("/"):
        return site + url
    return url


def digest_text(user: User, notifications: list[Notification], total: int) -> str:
    """The email's text: the notifications grouped by kind, newest first in each group."""
    groups: dict[str, list[Notification]] = defaultdict(list)
    for notification in notifications:
        groups[notification.kind].append(notification)
    lines = [_("Hello %(name)s,") % {"name": actor_name(user)}, "",
             _("This is what happened in citycoop since your last digest."), ""]
    for kind, label in NotificationKind.choices:
        items = groups.get(kind)
        if not items:
            continue
        lines.append(f"{capfirst(str(label))} ({len(items)})")
        for item in items:
            when = timezone.localtime(item.created_at).strftime("%Y-%m-%d %H:%M")
            lines.append(f"- {describe(item)} · {when}")
            lines.append(f"  {absolute(item.url)}")
        lines.append("")
    if total > len(notifications):
        more = total - len(notifications)
        lines += [ngettext("And %(count)d more notification, in citycoop.",
                           "And %(count)d more notifications, in citycoop.", more)
                  % {"count": more}, ""]
    lines += [_("All your notifications: %(url)s")
              % {"url": absolute(reverse("discussions:notifications"))},
              _("You get this email at most once a day, when something is new; what you "
                "have already read in citycoop is not sent again.")]
    return "\n".join(lines)


def pending(now: datetime.datetime) -> Any:
    """Notifications not read and not yet emailed, up to ``now``."""
    return Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True,
                                       created_at__lte=now)


def send_digests(now: datetime.datetime | None = None) -> int:
    """Send each user with an email address one email of their unread notifications not
    emailed before, and mark them emailed. Returns how many emails went."""
    now = now or timezone.now()
    user_ids = (pending(now).exclude(user__email="").values_list("user_id", flat=True)
                .distinct().order_by("user_id"))
    sent = 0
    # Users have no language of their own yet: the digest is in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        for user in User.objects.filter(pk__in=list(user_ids), is_active=True).order_by("pk"):
            sent += _send_one(user, now)
    return sent


@transaction.atomic
def _send_one(user: User, now: datetime.datetime) -> int:
    # One transaction per user: a mail server failing half-way leaves the users already
    # served marked, and this one's notifications waiting for the next run.
    waiting = pending(now).filter(user=user)
    total = waiting.count()
    if not total:
        return 0
    shown = list(waiting.select_related("actor").order_by("-created_at", "-id")
                 [:DIGEST_MAX_ITEMS])
    subject = ngettext("citycoop: %(count)d new notification",
                       "citycoop: %(count)d new notifications", total) % {"count": total}
    send_mail(subject, digest_text(user, shown, total), settings.DEFAULT_FROM_EMAIL,
              [user.email])
    waiting.update(emailed_at=now)
    return 1
