"""Word tokens with offsets, and the capitalised chunks names are made of."""

from __future__ import annotations

import re

from .lexicon import NAME_CONNECTORS

MONTHS = frozenset("january february march april may june july august september october "
                   "november december jan feb mar apr jun jul aug sep sept oct nov dec".split())

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]", re.IGNORECASE)
# An address starts where a run of its characters starts (the leftmost match did anyway):
# without the look-behind, a long run without "@" was scanned again from each of its
# characters, so one 200,000-character word took minutes.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
WORD = re.compile(r"&|[^\W_][\w’'&.\-]*", re.UNICODE)


class Token:
    """A word with its offsets; its shape is worked out once, since the recognisers ask often."""

    __slots__ = ("end", "folded", "is_acronym", "is_camel", "is_capitalised", "is_connector",
                 "sentence_start", "start", "text")

    def __init__(self, text: str, start: int, end: int, sentence_start: bool) -> None:
        self.text, self.start, self.end = text, start, end
        self.sentence_start = sentence_start  # first word of the text or of a sentence
        self.folded = text.casefold()
        first = text[0]
        upper = first.isupper()
        self.is_capitalised = upper or (first.isdigit() and not text.islower()
                                        and any(c.isupper() for c in text))
        self.is_connector = (not upper and self.folded in NAME_CONNECTORS) or text == "&"
        # Most words are lowercase: only a capitalised one can be an acronym or a camel name.
        # "ACCIO", "CETDZ", "ESCI-UPF", "R&D" are acronyms; "Dr" and "UK-China" are not.
        self.is_acronym = upper and text.isupper() and sum(c.isalpha() for c in text) >= 2
        # "LyonFrenchTech": capitals inside a word that starts with one.
        self.is_camel = (upper and not text.isupper() and "-" not in text
                         and any(c.isupper() for c in text[1:]))

    def __repr__(self) -> str:
        return f"Token({self.text!r}, {self.start})"


def ends_sentence(gap: str) -> bool:
    """Whether the characters between two words close a sentence (". ", ": ", "?\n")."""
    closing = gap.rstrip()
    return bool(closing) and closing[-1] in ".!?:;"


def mask_links(text: str) -> str:
    """The text with URLs and emails blanked out (same length), so names are not found in them."""
    if "@" not in text and "www" not in text and "http" not in text:
        return text
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
        # A final dot or hyphen is left out of the word, so the gap after it shows the end of
        # a sentence; a possessive "'s" is left out of the name.
        stripped = word.rstrip(".-'’")
        if stripped.endswith(("’s", "'s")) and len(stripped) > 3:
            stripped = stripped[:-2]
        if not stripped:
            continue
        gap = text[previous_end:start]
        sentence_start = not tokens or (gap != " " and ends_sentence(gap))
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
