"""Whom to meet at an event, with the reasons: pure Python, no Django import.

Each profile is a ``Card``. What one side looks for is matched against what the other
offers, both ways, as TF-IDF vectors of words and two-word phrases weighted over all the
event's profiles (a word every profile uses says little; "district heating" says a lot).
Shared themes, complementary sides (a buyer and a seller) and a shared language add to the
score. Every point of the score comes with a ``Reason`` the page can put into words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

# Weights of the parts of the score: matching texts count most, then themes, then the rest.
TEXT_WEIGHT = 3.0
THEME_WEIGHT = 0.5
MAX_THEMES = 3
SIDE_WEIGHT = 0.75
LANGUAGE_WEIGHT = 0.25
NO_COMMON_LANGUAGE = -0.5
MIN_TERM_SHARE = 0.05  # a shared term must carry this share of a match to be named
# Below this cosine a match is one stray word; measured on the demo event, stray words
# ("waste" heat and "waste" water) scored up to 0.09, real matches from 0.14.
MIN_TEXT_MATCH = 0.12
TERMS_SHOWN = 3

BUYER, SELLER = "buyer", "seller"

STOPWORDS = frozenset("""
a about above after all also an and any are as at be been being both but by can could do
does for from further had has have how i if in into is it its just like may more most my no
nor not of off on once only or other our out over own same so some such than that the their
them then there these they this those through to too under until up us very was we were what
when where which while who whom why will with within would you your yours etc via per new
looking look offer offers offering seek seeking need needs want wants interested company
companies partner partners solution solutions service services provide provider providers
""".split())

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_BREAK = re.compile(r"[,.;:!?()\[\]/\\|\n\r\t•·、，。；：！？（）]+")


@dataclass(frozen=True)
class Card:
    """One participant's published profile, as the recommender sees it."""

    id: str
    name: str = ""
    offers: str = ""
    requests: str = ""
    themes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    side: str = "either"


@dataclass(frozen=True)
class Reason:
    """One reason to meet. ``kind`` is one of "they_offer" (they offer what you look for),
    "they_seek" (they look for what you offer), "themes", "sides" (items: their side, your
    side) and "language"; ``items`` are the terms, themes, sides or language codes."""

    kind: str
    items: tuple[str, ...]
    points: float


@dataclass(frozen=True)
class Suggestion:
    id: str
    score: float
    reasons: tuple[Reason, ...]


def _stem(word: str) -> str:
    # Plurals only: "sensors" and "sensor" should meet, "business" must stay whole.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str, shown: dict[str, str] | None = None) -> Counter[str]:
    """The words (plurals folded) and two-word phrases of a text, counted.

    Phrases never cross punctuation or a stopword. Chinese has no spaces: its runs count as
    overlapping pairs of characters (and short runs also whole). ``shown`` collects a
    readable form of each term."""
    counts: Counter[str] = Counter()
    for chunk in _BREAK.split(text.casefold()):
        for run in _CJK.findall(chunk):
            pieces = [run[i:i + 2] for i in range(len(run) - 1)] or [run]
            if 2 < len(run) <= 8:
                pieces.append(run)  # the whole run too: equal runs are named whole
            for piece in pieces:
                counts[piece] += 1
                if shown is not None:
                    shown.setdefault(piece, piece)
        chunk = _CJK.sub(" ", chunk)
        previous: tuple[str, str] | None = None
        for word in _WORD.findall(chunk):
            if word in STOPWORDS or len(word) < 3 or word.isdigit():
                previous = None
                continue
            stem = _stem(word)
            counts[stem] += 1
            if shown is not None:
                shown.setdefault(stem, word)
            if previous is not None:
                phrase = f"{previous[0]} {stem}"
                counts[phrase] += 1
                if shown is not None:
                    shown.setdefault(phrase, f"{previous[1]} {word}")
            previous = (stem, word)
    return counts


@dataclass
class _Vectors:
    offers: dict[str, float]
    requests: dict[str, float]


@dataclass
class CardIndex:
    """The event's profiles with their TF-IDF vectors, built once for many look-ups."""

    cards: dict[str, Card]
    vectors: dict[str, _Vectors] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)


def _weigh(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    vector = {t: (1 + math.log(n)) * idf[t] for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm else {}


def build_index(cards: Iterable[Card]) -> CardIndex:
    """Term weights over all the cards: a term in many profiles weighs little (smoothed IDF)."""
    index = CardIndex(cards={card.id: card for card in cards})
    raw = {cid: (terms(c.offers, index.shown), terms(c.requests, index.shown))
           for cid, c in index.cards.items()}
    df: Counter[str] = Counter()
    for offers, requests in raw.values():
        df.update(set(offers) | set(requests))
    n = len(raw)
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
    for cid, (offers, requests) in raw.items():
        index.vectors[cid] = _Vectors(_weigh(offers, idf), _weigh(requests, idf))
    return index


def _inside(term: str, other: str) -> bool:
    """Whether ``term`` is part of the longer term ``other`` (a word of a phrase, or a piece
    of a run of Chinese characters)."""
    if term == other:
        return False
    if " " in other:
        return term in other.split(" ")
    return bool(_CJK.fullmatch(other)) and term in other


def _overlap(first: str, second: str) -> str | None:
    """``first`` and ``second`` as one term when the end of one is the start of the other:
    智慧 + 慧城 -> 智慧城, "traffic data" + "data platforms" -> "traffic data platforms"."""
    if _CJK.fullmatch(first) and _CJK.fullmatch(second):
        return first + second[1:] if first[-1] == second[0] else None
    head, tail = first.split(" "), second.split(" ")
    if len(head) > 1 and len(tail) > 1 and head[-1] == tail[0]:
        return " ".join(head + tail[1:])
    return None


def _join(items: list[tuple[str, str]]) -> list[str]:
    """Overlapping terms put back together, in their readable form (the first of a chain
    keeps its place): 智慧 + 慧城 + 城市 -> 智慧城市."""
    out = list(items)
    merged = True
    while merged:
        merged = False
        for i, j in ((i, j) for i in range(len(out)) for j in range(len(out)) if i != j):
            key = _overlap(out[i][0], out[j][0])
            if key is not None:
                shown = _overlap(out[i][1], out[j][1]) or key
                out[min(i, j)] = (key, shown)
                del out[max(i, j)]
                merged = True
                break
    return [shown for _key, shown in out]


def _match(wanted: dict[str, float], offered: dict[str, float],
           shown: dict[str, str]) -> tuple[float, tuple[str, ...]]:
    """The cosine of two vectors, and the shared terms that carry it, strongest first; a
    word inside a phrase also shared is not named on its own."""
    if len(wanted) > len(offered):
        wanted, offered = offered, wanted
    shares = {t: w * offered[t] for t, w in wanted.items() if t in offered}
    total = sum(shares.values())
    if not total:
        return 0.0, ()
    ranked = [t for t, share in shares.items() if share >= MIN_TERM_SHARE * total]
    # A phrase carries the weight of its words, which are not named apart from it.
    kept = {t: shares[t] + sum(shares[w] for w in ranked if _inside(w, t))
            for t in ranked if not any(_inside(t, other) for other in ranked)}
    if total < MIN_TEXT_MATCH:
        return total, ()  # a stray shared word ("smart", "waste") is no reason to meet
    named = _join([(t, shown.get(t, t)) for t in sorted(kept, key=lambda t: (-kept[t], t))])
    return total, tuple(named[:TERMS_SHOWN])


def reasons_for(index: CardIndex, me_id: str, other_id: str) -> tuple[float, list[Reason]]:
    """The score of ``other_id`` for ``me_id`` and its reasons, strongest first."""
    me, other = index.cards[me_id], index.cards[other_id]
    mine, theirs = index.vectors[me_id], index.vectors[other_id]
    reasons: list[Reason] = []
    score, named = _match(mine.requests, theirs.offers, index.shown)
    if named:
        reasons.append(Reason("they_offer", named, TEXT_WEIGHT * score))
    score, named = _match(theirs.requests, mine.offers, index.shown)
    if named:
        reasons.append(Reason("they_seek", named, TEXT_WEIGHT * score))
    shared = sorted(me.themes & other.themes)
    if shared:
        reasons.append(Reason("themes", tuple(shared),
                              THEME_WEIGHT * min(len(shared), MAX_THEMES)))
    if {me.side, other.side} == {BUYER, SELLER}:
        reasons.append(Reason("sides", (other.side, me.side), SIDE_WEIGHT))
    total = sum(r.points for r in reasons)
    if not reasons:
        return 0.0, []
    common = sorted(me.languages & other.languages)
    if common:
        reasons.append(Reason("language", tuple(common), LANGUAGE_WEIGHT))
        total += LANGUAGE_WEIGHT
    elif me.languages and other.languages:
        total += NO_COMMON_LANGUAGE  # they may not understand each other: rank lower
    reasons.sort(key=lambda r: -r.points)
    return total, reasons


def recommend(index: CardIndex, me_id: str, *, top: int = 5,
              exclude: Collection[str] = ()) -> list[Suggestion]:
    """The ``top`` cards most worth meeting for ``me_id``, best first (ties by name).

    Cards with no reason beyond a shared language are never suggested."""
    found = []
    for other_id in index.cards:
        if other_id == me_id or other_id in exclude:
            continue
        score, reasons = reasons_for(index, me_id, other_id)
        if reasons and score > 0:
            found.append(Suggestion(other_id, round(score, 4), tuple(reasons)))
    found.sort(key=lambda s: (-s.score, index.cards[s.id].name.casefold(), s.id))
    return found[:top]


def rank(cards: Sequence[Card], me_id: str, *, top: int = 5,
         exclude: Collection[str] = ()) -> list[Suggestion]:
    """``recommend`` over a list of cards, building the index on the way."""
    return recommend(build_index(cards), me_id, top=top, exclude=exclude)
