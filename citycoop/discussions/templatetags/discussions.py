"""The discussions as other pages show them: a subject's threads, a follow button, a post's
text with its mentions, a notification's sentence."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import F
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

from citycoop.discussions.access import FOLLOW_KINDS, subject_key, subject_kind
from citycoop.discussions.digest import describe
from citycoop.discussions.mentions import highlight_mentions
from citycoop.discussions.models import Follow, Notification, Thread

register = template.Library()

THREADS_SHOWN = 10


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return context.get("user") or getattr(request, "user", None)


@register.inclusion_tag("discussions/_threads_for.html", takes_context=True)
def threads_for(context: template.Context, subject: Any) -> dict[str, Any]:
    """The subject's most recently active threads and a "Start a discussion" link; two
    queries at most. The page showing the subject has already checked the reader may see
    it, and whoever may see a subject may post on it once signed in."""
    kind = subject_kind(subject)
    threads = Thread.objects.filter(**{kind: subject})
    shown = list(threads.order_by(F("last_post_at").desc(nulls_last=True), "-id")
                 [:THREADS_SHOWN])
    total = len(shown) if len(shown) < THREADS_SHOWN else threads.count()
    user = _user(context)
    request = context.get("request")
    return {"threads": shown, "total": total, "kind": kind, "key": subject_key(subject),
            "may_post": bool(getattr(user, "is_authenticated", False)),
            "here": request.get_full_path() if request is not None else ""}


@register.inclusion_tag("discussions/_follow_button.html", takes_context=True)
def follow_button(context: template.Context, subject: Any) -> dict[str, Any]:
    """Follow or unfollow a practice, a theme or a place; nothing for anonymous readers."""
    user = _user(context)
    kind = subject._meta.model_name
    if not getattr(user, "is_authenticated", False) or kind not in FOLLOW_KINDS:
        return {"show": False}
    request = context.get("request")
    return {"show": True, "kind": kind, "slug": subject.slug, "name": str(subject),
            "following": Follow.objects.filter(user=user, **{kind: subject}).exists(),
            "csrf_token": context.get("csrf_token"),
            "here": request.get_full_path() if request is not None else ""}


@register.filter
def post_body(text: str) -> SafeString:
    """A post's text as paragraphs, escaped, its @mentions set off."""
    # Safe: highlight_mentions escapes the text before adding its own markup.
    return mark_safe(linebreaks(highlight_mentions(text)))


@register.filter
def notification_text(notification: Notification) -> str:
    return describe(notification)
