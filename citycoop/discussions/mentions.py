"""@username mentions in posts: finding them, and showing them."""

from __future__ import annotations

import re

from django.utils.html import escape

from citycoop.accounts.models import User

# Django usernames are letters, digits and @.+-_. A mention starts where no username
# character comes before the @ (so "ana@example.org" mentions no one) and ends on a letter or
# digit, so "@ana," or "@ana." at the end of a sentence still names ana.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*\w)")
# A post naming more people than this is not a conversation: the rest are not notified.
MAX_MENTIONS = 50


def mentioned_usernames(text: str) -> list[str]:
    """The usernames mentioned in the text, each once, in the order they appear."""
    names = dict.fromkeys(match.group(1) for match in MENTION.finditer(text or ""))
    return list(names)[:MAX_MENTIONS]


def mentioned_user_ids(text: str) -> set[int]:
    names = mentioned_usernames(text)
    if not names:
        return set()
    return set(User.objects.filter(username__in=names, is_active=True)
               .values_list("pk", flat=True))


def highlight_mentions(text: str) -> str:
    """The text as HTML, escaped, with each @mention in <strong class="mention">."""
    return MENTION.sub(lambda m: f'<strong class="mention">@{m.group(1)}</strong>',
                       escape(text))
