"""Sentences and clauses with offsets, for the recognisers that read whole statements."""

from __future__ import annotations

import re
from collections.abc import Iterator

# A sentence ends at . ! ? followed by space and a capital, a bracket or the end; not after
# "e.g." or an initial, and not inside a URL (no space follows there).
SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\b[A-Z])[.!?](?=\s+[A-Z(“\"]|\s*$)")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in SENTENCE_END.finditer(text):
        end = match.end()
        if text[start:end].strip():
            yield skip_space(text, start), end
        start = end
    if text[start:].strip():
        yield skip_space(text, start), len(text.rstrip())


def skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def clause_around(text: str, start: int, end: int, position: int) -> tuple[int, int]:
    """The clause of ``text[start:end]`` holding ``position``: bounded by commas, semicolons,
    colons and a joining "and"/"but" before it, and by commas or the sentence end after it;
    brackets are never cut."""
    left = start
    depth = 0
    for index in range(position - 1, start - 1, -1):
        char = text[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                continue
            depth -= 1
        elif depth == 0 and char in ",;:":
            left = index + 1
            break
    joiners = list(re.finditer(r"\b(and|but|although|whereas|while)\s+", text[left:position]))
    if joiners:
        left += joiners[-1].end()
    right = end
    depth = 0
    for index in range(position, end):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and char in ",;:" and index > position:
            right = index
            break
    left = skip_space(text, left)
    while right > left and text[right - 1] in " \n":
        right -= 1
    return left, right
