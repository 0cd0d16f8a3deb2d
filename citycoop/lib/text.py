"""Small text helpers shared by the gazetteer and the importers.

Nothing here imports Django, so the helpers can be used from scripts and tests
without settings.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["fold", "normalise_space", "slugify"]

# Letters that NFKD does not take apart into a base letter plus a combining mark.
# Applied after casefold, so only the lower-case forms are needed.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "þ": "th",
        "\u0131": "i",  # dotless i
        "ħ": "h",
    }
)

# Hyphens and dashes, apostrophes and quotes-used-as-apostrophes, dots and middle dots.
_SEPARATORS = re.compile(
    "[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212'\u2018\u2019\u02bc`\u00b4.\u00b7]+"
)
# Characters that are not whitespace to str.split() but still show up between words.
_INVISIBLE = str.maketrans({"\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None,
                            "\ufeff": None, "\u00ad": None})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def normalise_space(s: str) -> str:
    """Turn no-break spaces and any run of whitespace into one space, and strip the ends.

    Zero-width characters and soft hyphens are dropped.
    """
    return " ".join(s.translate(_INVISIBLE).split())


def fold(s: str) -> str:
    """Fold a name for comparison: case, accents, punctuation and spacing.

    ``fold("West-Midlands") == fold("west  midlands") == "west midlands"``;
    ``fold("Málaga") == "malaga"``; ``fold("Rambøll") == "ramboll"``.
    Scripts without case or accents (Chinese, for instance) pass through unchanged.
    """
    s = s.casefold()
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s.translate(_LETTERS))
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = _SEPARATORS.sub(" ", s)
    return normalise_space(s)


def slugify(s: str, max_length: int | None = None) -> str:
    """Make an ASCII slug: ``"Andalucía Smart City Cluster"`` → ``"andalucia-smart-city-cluster"``.

    Text with no ASCII letters or digits left after folding (``"成都"``) gets a
    stable fallback made of ``"x"`` and a short hash, so the slug is never empty
    unless the input is blank. ``max_length`` cuts at a hyphen where it can.
    """
    text = normalise_space(s)
    if not text:
        return ""
    slug = _NOT_SLUG.sub("-", fold(text)).strip("-")
    if not slug:
        slug = "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    if max_length is not None and len(slug) > max_length:
        cut = slug[:max_length]
        if slug[max_length] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        slug = cut.strip("-")
    return slug
