"""Contacts: a person and an email address written together ("contact Mr Pablo Gándara at
pgandara@world-cities.eu"), or an email alone."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tokens import EMAIL

NAME_BEFORE = re.compile(
    r"((?:Mr|Mrs|Ms|Dr|Prof|Professor)\.?\s+[A-ZÀ-Ý][\w’'-]+(?:\s+[A-ZÀ-Ý][\w’'-]+){0,3}|"
    r"[A-ZÀ-Ý][a-zà-ÿ’'-]+\s+[A-ZÀ-Ý][a-zà-ÿ’'-]+(?:\s+[A-ZÀ-Ý][a-zà-ÿ’'-]+)?)"
    r"\s*(?:at|on|via|by email|email|e-mail|:|\(|,)?\s*$")


TITLES = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof", "Professor"})


@dataclass(frozen=True)
class Contact:
    name: str | None
    email: str
    start: int
    end: int


def find_contacts(text: str) -> list[Contact]:
    found = []
    for match in EMAIL.finditer(text):
        email = match.group().rstrip(".")
        window = text[max(0, match.start() - 80):match.start()]
        named = NAME_BEFORE.search(window)
        name = None
        start = match.start()
        if named and ("contact" in window.casefold() or
                      named.group(1).split()[0].rstrip(".") in TITLES):
            name = named.group(1).strip()
            start = match.start() - (len(window) - named.start(1))
        found.append(Contact(name, email, start, match.start() + len(email)))
    return found
