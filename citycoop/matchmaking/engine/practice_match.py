"""Good practices and cities for a city's need, with the reasons: pure Python, no Django.

:meth:`PracticeIndex.match` scores each published practice for a need ("reduce landfill by
half in five years") as a weighted sum (:class:`MatchWeights`) of signals from 0 to 1: the
TF-IDF cosine of their texts (``terms``, the partner recommender's terms), the cosine of
their wordllama embeddings (``meaning``), the share of the need's themes and of its SDGs the
practice has; a practice is proposed only when terms, meaning and themes reach
``MIN_RELEVANCE``. Small bonuses then order practices that fit about equally: the
programme's label, adoptions by other cities, the need's country. Each language version of a
practice is a document of its own and the practice scores as its best one.

:func:`propose_cities` adds the cities whose practices fit to those whose profile fits by
the partner recommender (:func:`partner_cities`). Reasons are ``Reason`` objects, as data:
the pages word them in the reader's language. docs/needs.md explains it all for readers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from citycoop.matchmaking.engine import partner_text as text
from citycoop.matchmaking.engine.partner_text import Reason
from citycoop.matchmaking.engine.partners import CityProfile as _CityProfile
from citycoop.matchmaking.engine.partners import PartnerIndex, Rules, Weights
from citycoop.matchmaking.engine.recommend import _match

__all__ = ["CityMatch", "MatchWeights", "NeedQuery", "PracticeCandidate", "PracticeIndex",
           "PracticeMatch", "Reason", "partner_cities", "propose_cities"]

# A long practice shares a smaller part of its words with a short need than two short topics
# do, so its TF-IDF cosines are lower than the partner recommender's: here 0.03 is noise and
# 0.3 as close as a need and a practice get (a need's key words all in the practice's title
# and problem).
TERMS_FLOOR = 0.03
TERMS_FULL = 0.3
# Embedding cosines (after centring) below this are noise, as in the partner recommender.
EMBEDDING_FLOOR = 0.2
MIN_RELEVANCE = 0.1
REASON_FLOOR = 0.05  # a reason worth less than this many points goes unsaid
ADOPTIONS_FULL = 3
# The beginning of a field says what it is about; the rest would only slow the index down.
FIELD_LENGTH = 1000
# Centring takes away the part all averaged word vectors share (see partner_text.centre); a
# mean of a handful of practices is no such common part, so it is taken away in proportion
# n / (n + CENTRE_SHRINK): fully for a real library, barely for three practices.
CENTRE_SHRINK = 20
CITY_PRACTICES_NAMED = 2
MIN_CITY_SCORE = 0.15
# Words of every goal ("reduce ... by half in five years"): alone they are no shared topic;
# inside a phrase ("reduce landfill") they stay, as partner_text.GENERIC does for cooperation.
GOAL_WORDS = frozenset("year month week half time reduce increase improve".split())


@dataclass(frozen=True)
class PracticeCandidate:
    """A published practice as the matcher sees it. ``texts`` holds, by language, the
    practice's title first and then its other fields (summary, problem, what was done...);
    ``adoptions`` counts the other places that report having adopted it; ``place`` is the key
    of the city or region it comes from."""

    key: str
    title: str = ""
    texts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    themes: frozenset[str] = frozenset()
    sdgs: frozenset[int] = frozenset()
    labelled: bool = False
    adoptions: int = 0
    country: str = ""
    place: str = ""
    place_name: str = ""


@dataclass(frozen=True)
class NeedQuery:
    title: str
    description: str = ""
    themes: frozenset[str] = frozenset()
    sdgs: frozenset[int] = frozenset()
    country: str = ""
    place: str = ""  # the need's own city: never proposed to itself

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(t for t in (self.title.strip(), self.description.strip()) if t)


@dataclass(frozen=True)
class MatchWeights:
    terms: float = 1.0
    meaning: float = 1.0
    themes: float = 0.6
    sdgs: float = 0.2
    labelled: float = 0.15
    adopted: float = 0.15
    same_country: float = 0.1


@dataclass(frozen=True)
class PracticeMatch:
    key: str
    title: str
    score: float
    reasons: tuple[Reason, ...]
    place: str = ""
    place_name: str = ""
    country: str = ""


@dataclass(frozen=True)
class CityMatch:
    """A city proposed for a need. A ``practice`` reason's words are practice keys."""

    key: str
    name: str
    country: str
    score: float
    reasons: tuple[Reason, ...]


def _ramp(values: np.ndarray, floor: float, full: float) -> np.ndarray:
    """0 up to ``floor``, rising to 1 at ``full`` and staying there."""
    return np.clip((values - np.float32(floor)) / np.float32(full - floor), 0.0, 1.0)


def _count(texts: Sequence[str], shown: dict[str, str]) -> Counter[str]:
    counts = text.count_terms(texts, shown)
    for word in GOAL_WORDS & counts.keys():
        del counts[word]
    return counts


def _documents(candidate: PracticeCandidate) -> list[tuple[str, ...]]:
    """The candidate's language versions, each a tuple of fields (title first); at least
    one, possibly empty, so that every practice owns a row."""
    found = []
    for _language, fields in sorted(candidate.texts.items()):
        kept = tuple(f.strip()[:FIELD_LENGTH] for f in fields)
        if any(kept):
            found.append(kept)
    return found or [(candidate.title,)]


class PracticeIndex:
    """The published practices with their vectors, built once for many needs."""

    def __init__(self, candidates: Sequence[PracticeCandidate], *,
                 embedder: text.Embedder | bool | None = True) -> None:
        """``embedder``: True for the packaged wordllama model when installed, False or None
        for TF-IDF terms alone, or a model of one's own."""
        self.candidates = list(candidates)
        n = len(self.candidates)
        self.position = {c.key: i for i, c in enumerate(self.candidates)}
        if len(self.position) != n:
            raise ValueError("two practices have the same key")
        documents: list[tuple[str, ...]] = []
        starts = []
        for candidate in self.candidates:
            starts.append(len(documents))
            documents.extend(_documents(candidate))
        self.starts = np.asarray(starts, np.intp)
        self.owner = np.repeat(np.arange(n), np.diff([*starts, len(documents)]))

        self.shown: dict[str, str] = {}
        counted = [_count(d, self.shown) or None for d in documents]
        self.space = text.TermSpace.fit((c for c in counted if c), self.shown)
        self.terms = self.space.matrix(counted)
        self.term_rows = self.terms.tocsr()

        self.embedder = text.load_embedder() if embedder is True else (embedder or None)
        self.embeddings: np.ndarray | None = None
        self.embedding_mean = np.zeros(0, np.float32)
        if self.embedder is not None:
            raw = self._embed(documents)
            has_text = np.linalg.norm(raw, axis=1) > 0
            mean = raw[has_text].mean(axis=0) if has_text.any() else np.zeros(raw.shape[1])
            self.embedding_mean = (mean * has_text.sum() / (has_text.sum() + CENTRE_SHRINK)
                                   ).astype(np.float32)
            self.embeddings = text.unit_rows_dense(
                np.where(has_text[:, None], raw - self.embedding_mean, 0).astype(np.float32))

        self.theme_ids: dict[str, int] = {}
        cells = [(i, self.theme_ids.setdefault(t, len(self.theme_ids)))
                 for i, c in enumerate(self.candidates) for t in sorted(c.themes)]
        self.themes = text.binary(cells, (n, len(self.theme_ids))).tocsc()
        df = np.asarray(self.themes.sum(axis=0)).ravel()
        self.theme_idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        self.unknown_theme_idf = math.log(1 + n) + 1
        goals = [(i, g - 1) for i, c in enumerate(self.candidates) for g in c.sdgs
                 if 1 <= g <= 17]
        self.sdgs = text.binary(goals, (n, 17)).tocsc()
        self.labelled = np.fromiter((c.labelled for c in self.candidates), np.float32, n)
        self.adopted = np.fromiter((min(c.adoptions, ADOPTIONS_FULL) / ADOPTIONS_FULL
                                    for c in self.candidates), np.float32, n)
        self.countries: dict[str, int] = {}
        self.country = text.codes([c.country for c in self.candidates], self.countries)

    def _embed(self, documents: list[tuple[str, ...]]) -> np.ndarray:
        """One vector per document: the mean of its title's and its body's, so that a long
        body does not drown the title, which says best what the practice is."""
        assert self.embedder is not None
        out = np.zeros((len(documents), self.embedder.dim), np.float32)
        for part in (lambda d: d[0] if d else "", lambda d: " ".join(d[1:])):
            said = [(i, part(d).strip()) for i, d in enumerate(documents)]
            said = [(i, s) for i, s in said if s]
            for start in range(0, len(said), 2048):
                batch = said[start:start + 2048]
                out[[i for i, _ in batch]] += self.embedder.embed([s for _, s in batch])
        return text.unit_rows_dense(out)

    def __len__(self) -> int:
        return len(self.candidates)

    # -- scores --------------------------------------------------------------------------------

    def _best(self, per_document: np.ndarray) -> np.ndarray:
        """Each practice's best document."""
        if not len(self.candidates):
            return np.zeros(0, np.float32)
        return np.maximum.reduceat(per_document, self.starts).astype(np.float32)

    def _wanted(self, need: NeedQuery) -> tuple[np.ndarray, np.ndarray]:
        return self.space.vector(_count(need.texts, {}))

    def _query_embedding(self, need: NeedQuery) -> np.ndarray | None:
        if self.embedder is None or self.embeddings is None or not need.texts:
            return None
        raw = text.unit_rows_dense(self.embedder.embed(list(need.texts)).sum(axis=0)[None, :])
        centred = raw[0] - self.embedding_mean
        norm = float(np.linalg.norm(centred))
        return (centred / norm).astype(np.float32) if norm else None

    def parts(self, need: NeedQuery) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Each signal for every practice (0 to 1), and each practice's best document by
        terms (whose shared terms the reasons name)."""
        n = len(self.candidates)
        zero = np.zeros(n, np.float32)
        wanted = self._wanted(need)
        by_document = (np.asarray(self.terms[:, wanted[0]] @ wanted[1]).ravel()
                       if len(wanted[0]) else np.zeros(len(self.owner), np.float32))
        out = {"terms": _ramp(self._best(by_document), TERMS_FLOOR, TERMS_FULL)}
        query = self._query_embedding(need)
        out["meaning"] = (
            np.asarray(text.above(self._best(self.embeddings @ query), EMBEDDING_FLOOR),
                       np.float32)
            if query is not None and self.embeddings is not None else zero)
        out["themes"] = self._themes(need)
        goals = sorted({g - 1 for g in need.sdgs if 1 <= g <= 17})
        out["sdgs"] = (np.asarray(self.sdgs[:, goals].sum(axis=1)).ravel() / len(goals)
                       if goals else zero)
        out["labelled"] = self.labelled
        out["adopted"] = self.adopted
        code = self.countries.get(need.country) if need.country else None
        out["same_country"] = ((self.country == code).astype(np.float32) if code is not None
                               else zero)
        best_document = self.starts
        if len(wanted[0]) and n:
            # Sorted by practice, each practice's best document first: the practices' rows
            # keep their places, so each one's first is at its start.
            best_document = np.lexsort((-by_document, self.owner))[self.starts]
        return out, best_document

    def _themes(self, need: NeedQuery) -> np.ndarray:
        """The idf-weighted share of the need's themes each practice has."""
        if not need.themes:
            return np.zeros(len(self.candidates), np.float32)
        known = [self.theme_ids[t] for t in need.themes if t in self.theme_ids]
        total = (float(self.theme_idf[known].sum())
                 + self.unknown_theme_idf * (len(need.themes) - len(known)))
        if not known:
            return np.zeros(len(self.candidates), np.float32)
        return (np.asarray(self.themes[:, known] @ self.theme_idf[known]).ravel()
                / np.float32(total)).astype(np.float32)

    def scores(self, need: NeedQuery, weights: MatchWeights | None = None
               ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
        """Every practice's score (-inf for those not relevant enough), its parts and its
        best document."""
        w = weights or MatchWeights()
        parts, best = self.parts(need)
        relevance = sum((np.float32(getattr(w, k)) * parts[k]
                         for k in ("terms", "meaning", "themes")),
                        np.zeros(len(self.candidates), np.float32))
        total = relevance + np.float32(w.sdgs) * parts["sdgs"]
        for bonus in ("labelled", "adopted", "same_country"):
            total = total + np.float32(getattr(w, bonus)) * parts[bonus]
        total = np.where(relevance >= MIN_RELEVANCE, total, -np.inf).astype(np.float32)
        return total, parts, best

    def match(self, need: NeedQuery, *, top: int = 10,
              weights: MatchWeights | None = None) -> list[PracticeMatch]:
        """The ``top`` best practices, best first (equal scores by key), with reasons."""
        w = weights or MatchWeights()
        total, parts, best = self.scores(need, w)
        wanted = self._wanted(need)
        found = []
        for i in self._top(total, top):
            c = self.candidates[i]
            found.append(PracticeMatch(c.key, c.title, round(float(total[i]), 4),
                                       self._reasons(need, w, i, parts, wanted, int(best[i])),
                                       c.place, c.place_name, c.country))
        return found

    def _top(self, total: np.ndarray, k: int) -> list[int]:
        finite = np.flatnonzero(np.isfinite(total))
        if k <= 0 or not len(finite):
            return []
        if len(finite) > k:
            threshold = np.partition(total[finite], len(finite) - k)[len(finite) - k]
            finite = finite[total[finite] >= threshold]
        ranked = sorted(finite.tolist(),
                        key=lambda i: (-float(total[i]), self.candidates[i].key))
        return ranked[:k]

    # -- reasons, for the top few only ---------------------------------------------------------

    def _shared_terms(self, wanted: tuple[np.ndarray, np.ndarray], document: int
                      ) -> tuple[str, ...]:
        """The need's terms the document shares, strongest first. The document's weights are
        kept for the shared terms only and made unit again: a long practice's cosine with a
        short need is small however well it covers it, and what decides whether a term is
        named is the share of the need it carries (at least recommend.MIN_TEXT_MATCH)."""
        rows = self.term_rows
        start, end = rows.indptr[document], rows.indptr[document + 1]
        if not len(wanted[0]) or start == end:
            return ()
        mine = self.space.named(*wanted)
        theirs = {t: w for t, w in self.space.named(rows.indices[start:end],
                                                    rows.data[start:end]).items() if t in mine}
        norm = math.sqrt(sum(w * w for w in theirs.values()))
        if not norm:
            return ()
        return _match(mine, {t: w / norm for t, w in theirs.items()}, self.shown)[1]

    def _reasons(self, need: NeedQuery, w: MatchWeights, i: int,
                 parts: dict[str, np.ndarray], wanted: tuple[np.ndarray, np.ndarray],
                 document: int) -> tuple[Reason, ...]:
        c = self.candidates[i]

        def points(name: str) -> float:
            return float(getattr(w, name)) * float(parts[name][i])

        found: list[Reason] = []
        if named := self._shared_terms(wanted, document):
            found.append(Reason("terms", named, points("terms") + points("meaning")))
        else:
            found.append(Reason("meaning", (), points("terms") + points("meaning")))
        themes = sorted(need.themes & c.themes,
                        key=lambda t: (-float(self.theme_idf[self.theme_ids[t]]), t))
        if themes:
            found.append(Reason("themes", tuple(themes[:3]), points("themes")))
        if goals := sorted(need.sdgs & c.sdgs):
            found.append(Reason("sdgs", tuple(str(g) for g in goals[:3]), points("sdgs")))
        if c.labelled:
            found.append(Reason("labelled", (), points("labelled")))
        if c.adoptions:
            found.append(Reason("adopted", (str(c.adoptions),), points("adopted")))
        if need.country and c.country == need.country:
            found.append(Reason("same_country", (), points("same_country"), c.country))
        return tuple(sorted((r for r in found if r.weight >= REASON_FLOOR),
                            key=lambda r: -r.weight))


# -- cities ------------------------------------------------------------------------------------

# The partner recommender's signals that say something about a need: its texts against what
# a city works on and offers, themes and SDGs. Ties, size and programme context do not.
# Their own points, not the partner defaults: those are fitted to pairings, not to needs.
NEED_WEIGHTS = Weights(tfidf=1.0, embedding=1.0, complement=1.0, themes=0.5, sdgs=0.2
                       ).without(
    "programme_context", "country_context", "programme_country", "paired_before",
    "organisations", "tie_country", "peers", "size", "level", "experience", "taken")


def partner_cities(index: PartnerIndex, need: NeedQuery, *, top: int = 10) -> list[CityMatch]:
    """Cities whose profile (what they work on and offer) fits the need, by the partner
    recommender: the need's text is the query city's need."""
    query = _CityProfile(key=need.place or "", country=need.country, needs=need.texts,
                         themes=need.themes, sdgs=need.sdgs)
    rules = Rules(exclude=frozenset({need.place} - {""}))
    found = []
    for r in index.recommend(query, top=top, rules=rules, weights=NEED_WEIGHTS):
        if r.score >= MIN_CITY_SCORE and r.reasons:
            country = index.profiles[index.position[r.key]].country
            found.append(CityMatch(r.key, r.name, country, r.score, r.reasons))
    return found


def propose_cities(need: NeedQuery, practices: Sequence[PracticeMatch],
                   profiles: Sequence[CityMatch] = (), *, top: int = 5) -> list[CityMatch]:
    """Cities for the need, best first: each city whose practices fit (scored as its best
    practice, the first ``CITY_PRACTICES_NAMED`` named), plus the points of its profile's fit
    when the partner recommender found it too. Never the need's own city."""
    merged: dict[str, CityMatch] = {}
    by_place: dict[str, list[PracticeMatch]] = {}
    for match in practices:
        if match.place and match.place != need.place:
            by_place.setdefault(match.place, []).append(match)
    for key, mine in by_place.items():
        best = max(m.score for m in mine)
        keys = tuple(m.key for m in sorted(mine, key=lambda m: -m.score)[:CITY_PRACTICES_NAMED])
        merged[key] = CityMatch(key, mine[0].place_name or key, mine[0].country, best,
                                (Reason("practice", keys, best),))
    for city in profiles:
        if city.key == need.place:
            continue
        known = merged.get(city.key)
        if known is None:
            merged[city.key] = city
        else:
            merged[city.key] = CityMatch(city.key, known.name, known.country or city.country,
                                         round(known.score + city.score, 4),
                                         known.reasons + city.reasons)
    ranked = sorted(merged.values(), key=lambda c: (-c.score, c.key))
    return ranked[:max(top, 0)]

