"""URLs and email addresses, verbatim (scheme-less "www.evotion.fr" included)."""

from __future__ import annotations

from .names import Mention
from .tokens import EMAIL, URL

TRAILING = ".,;:!?)"


def find_urls(text: str) -> list[Mention]:
    found = []
    for match in URL.finditer(text):
        value = match.group()
        # A closing bracket belongs to the URL only when the URL opened one.
        while value and value[-1] in TRAILING and not (value[-1] == ")" and "(" in value):
            value = value[:-1]
        found.append(Mention(value, match.start(), match.start() + len(value), "url"))
    return found


def find_emails(text: str) -> list[Mention]:
    return [Mention(m.group().rstrip("."), m.start(), m.start() + len(m.group().rstrip(".")),
                    "email") for m in EMAIL.finditer(text)]
