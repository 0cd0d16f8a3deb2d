"""Word tokens with offsets, and the capitalised chunks names are made of."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import NAME_CONNECTORS

MONTHS = frozenset("january february march april may june july august september october "
                   "november december jan feb mar apr jun jul aug sep sept oct nov dec".split())

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
WORD = re.compile(r"&|[^\W_][\w’'&.\-]*", re.UNICODE)
SENTENCE_BREAK = re.compile(r"[.!?:;]\s*$")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    sentence_start: bool  # first word of the text or of a sentence

    @property
    def folded(self) -> str:
        return self.text.casefold()

    @property
    def is_capitalised(self) -> bool:
        first = self.text[0]
        return first.isupper() or (first.isdigit() and any(c.isupper() for c in self.text))

    @property
    def is_connector(self) -> bool:
        return (self.folded in NAME_CONNECTORS and not self.text[0].isupper()) or self.text == "&"

    @property
    def is_acronym(self) -> bool:
        """ "ACCIO", "CETDZ", "ESCI-UPF", "R&D"; not "Dr", not "UK-China"."""
        letters = [c for c in self.text if c.isalpha()]
        return (len(letters) >= 2 and all(c.isupper() for c in letters)
                and not any(c.islower() for c in self.text))

    @property
    def is_camel(self) -> bool:
        """ "LyonFrenchTech": capitals inside a word that starts with one."""
        body = self.text[1:]
        return (self.text[0].isupper() and any(c.isupper() for c in body)
                and any(c.islower() for c in body) and "-" not in self.text)


def mask_links(text: str) -> str:
    """The text with URLs and emails blanked out (same length), so names are not found in them."""
    chars = list(text)
    for pattern in (URL, EMAIL):
        for match in pattern.finditer(text):
            chars[match.start():match.end()] = " " * (match.end() - match.start())
    return "".join(chars)


def tokenise(text: str) -> list[Token]:
    tokens: list[Token] = []
    previous_end = 0
    for match in WORD.finditer(text):
        word, start = match.group(), match.start()
        # A final dot ends the sentence unless it belongs to an abbreviation ("Co.", "e.g.").
        stripped = word.rstrip(".-'’")
        if stripped.endswith(("’s", "'s")) and len(stripped) > 3:
            stripped = stripped[:-2]
        if not stripped:
            continue
        gap = text[previous_end:start]
        sentence_start = not tokens or bool(SENTENCE_BREAK.search(gap)) or (
            "\n" in gap and text[previous_end - 1:previous_end] in ".:")
        tokens.append(Token(stripped, start, start + len(stripped), sentence_start))
        # The gap to the next word starts after the stripped text, so a final dot is seen.
        previous_end = start + len(stripped)
    return tokens


def only_space_between(text: str, left: Token, right: Token) -> bool:
    return text[left.end:right.start].strip() == ""


def chunks(text: str, tokens: list[Token]) -> list[list[Token]]:
    """Runs of capitalised words, joined by connectors ("of", "de", "&", "and"), with only
    spaces between them: the raw material of names."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for index, token in enumerate(tokens):
        joined = bool(current) and only_space_between(text, current[-1], token)
        if token.is_capitalised and (not current or joined):
            current.append(token)
            continue
        if token.is_connector and current and joined and index + 1 < len(tokens):
            following = tokens[index + 1]
            # "... Government in June": a month after "in" is a date, not part of the name.
            if following.is_capitalised and only_space_between(text, token, following) and \
                    following.folded not in MONTHS:
                current.append(token)
                continue
        if current:
            runs.append(current)
        current = [token] if token.is_capitalised else []
    if current:
        runs.append(current)
    return [trim_connectors(run) for run in runs if trim_connectors(run)]


def trim_connectors(run: list[Token]) -> list[Token]:
    while run and run[-1].is_connector:
        run = run[:-1]
    while run and run[0].is_connector:
        run = run[1:]
    return run
