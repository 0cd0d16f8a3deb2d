"""Headline figures: "Currently there are 24 Pilot projects between European and Chinese
cities", "14 MoUs have been signed", "more than 20 from the CETREGIO cooperation", "no MoU
has been signed so far". Keys name what is counted and for which group ("eu_china")."""

from __future__ import annotations

import re
from dataclasses import dataclass

GROUP_ADJECTIVES = {
    "chinese": "china", "indian": "india", "american": "us", "canadian": "canada",
    "mexican": "mexico", "brazilian": "brazil", "argentinian": "argentina",
    "japanese": "japan", "korean": "korea", "australian": "australia", "vietnamese": "vietnam",
    "indonesian": "indonesia", "thai": "thailand", "malaysian": "malaysia",
    "latin american": "latin_america", "african": "africa", "asian": "asia",
}
GROUP = re.compile(r"\b(?:European|EU)\s+and\s+(Latin\s+American|\w+)\s+(?:cities|regions|partners)"
                   r"|\bEU[-–](\w+)\b", re.I)
COUNTED = re.compile(r"\b(\d+)\s+(pilot\s+projects?|pilots|pairings|cities|regions|projects|"
                     r"partnerships|events|missions|participants)\b", re.I)
SIGNED_COUNT = re.compile(r"\b(\d+)\s+(mous?|memorand\w*|agreements?)\s+(?:have|has|had|were|"
                          r"was)?\s*(?:been\s+)?signed", re.I)
NONE_SIGNED = re.compile(r"\bno\s+(mous?|memorand\w*|agreements?)\s+(?:has|have|had|was|were)"
                         r"\s+(?:yet\s+)?(?:been\s+)?signed", re.I)
MORE_THAN = re.compile(r"\bmore\s+than\s+(\d+)\s+(?:from|under|of|in)\s+(?:the\s+)?([\w-]+)",
                       re.I)


@dataclass(frozen=True)
class Figure:
    key: str
    value: int
    start: int
    end: int


def group_in(text: str, *, strict: bool = False) -> str | None:
    """The group a text speaks of; ``strict`` takes only "European and Chinese cities", not a
    passing "EU-China Summit"."""
    match = GROUP.search(text)
    if not match or (strict and not match.group(1)):
        return None
    word = (match.group(1) or match.group(2)).casefold()
    return "eu_" + GROUP_ADJECTIVES.get(word, word)


def slug(words: str) -> str:
    return re.sub(r"\W+", "_", words.casefold()).strip("_")


def find_figures(text: str, group: str | None = None) -> list[Figure]:
    """Figures in one paragraph; ``group`` is the paragraph's group when the text names none."""
    group = group_in(text) or group
    suffix = f"_{group}" if group else ""
    found = []
    for match in COUNTED.finditer(text):
        noun = "pilot_projects" if match.group(2).casefold().startswith("pilot") else \
            slug(match.group(2))
        found.append(Figure(noun + suffix, int(match.group(1)), match.start(), match.end()))
    for match in SIGNED_COUNT.finditer(text):
        found.append(Figure("mous_signed" + suffix, int(match.group(1)), match.start(),
                            match.end()))
    for match in NONE_SIGNED.finditer(text):
        found.append(Figure("mous_signed" + suffix, 0, match.start(), match.end()))
    for match in MORE_THAN.finditer(text):
        key = f"mous_signed_{slug(match.group(2))}_more_than"
        found.append(Figure(key, int(match.group(1)), match.start(), match.end()))
    return found
