"""Partner recommendations for cities, with the reasons: pure Python, no Django import.

:meth:`PartnerIndex.recommend` ranks the places of the other side for a city by a weighted
sum of signals, each from 0 to 1, and names those that count as ``Reason`` objects
(:func:`sentence` says them in plain words). The signals: the stated texts (TF-IDF terms
and, when wordllama is installed, embeddings), what one needs against what the other
offers, shared themes and SDGs; context, i.e. what the programme's partners in the
candidate's country, and all profiles of that country, work on (a place without a profile
of its own is judged by it, as a programme picks a country before a city); the programme's
countries; existing ties (paired before, the same organisations on both sides, partners in
the candidate's country, the candidate's partners in the city's country); comparable size
and level; experience. ``Rules`` adds the hard rules (side, eligible countries, minimum
population, places to exclude) and a cost for places the programme already paired.

All candidates are scored with numpy products over matrices built once (sparse TF-IDF read
by the query's own columns, dense embeddings); reasons are worked out for the top few only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np
from scipy import sparse

from citycoop.matchmaking.engine import partner_text as text
from citycoop.matchmaking.engine.partner_text import Reason, sentence

__all__ = ["CityProfile", "PartnerIndex", "Reason", "Recommendation", "Rules", "Weights",
           "sentence"]

Progress = Callable[[str, int, int], None]  # stage, done, total
Part = np.ndarray | float  # one signal for every candidate, or the same for all

# Cosines below these are noise: about the 90th percentile of the cosines between a query
# and the places that were not its partner, on the real pairings (../shared/data/
# pairings.json: 0.16 for terms, 0.21 for embeddings, 0.48 for the coarse theme tags). Only
# what is above counts, rescaled to 0..1: a profile unlike the query is no evidence, as an
# absent one is, so a place without a profile does not rank below one that merely differs.
TFIDF_FLOOR = 0.15
EMBEDDING_FLOOR = 0.2
THEMES_FLOOR = 0.45


@dataclass(frozen=True)
class CityProfile:
    """A place as the recommender sees it. ``topics`` are what it works on, ``needs`` its
    challenges and priorities, ``offers`` what it is good at and can share;
    ``programme_topics`` the topics it worked on in each programme."""

    key: str
    name: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    side: str = ""  # "eu", "partner", or "" for either
    level: str = ""  # "city", "region", or "" when unknown
    population: int | None = None
    topics: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    themes: frozenset[str] = frozenset()
    sdgs: frozenset[int] = frozenset()
    organisations: Mapping[str, str] = field(default_factory=dict)  # folded -> as written
    partners: Mapping[str, str] = field(default_factory=dict)  # key -> where (programme)
    partner_countries: frozenset[str] = frozenset()
    programme_topics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pairings: int = 0  # how many pairings it has been in

    @property
    def texts(self) -> tuple[str, ...]:
        return self.topics + self.needs + self.offers


@dataclass(frozen=True)
class Rules:
    """A programme's rules for one query. ``side``, ``eligible_countries``,
    ``min_population`` and ``exclude`` are hard: a candidate that breaks one is never
    recommended. ``programme_countries`` (country -> pairings there) only adds points:
    taken from past pairings, it may miss a country the programme admits. ``taken``
    (places the programme has already paired) costs points: trios exist."""

    side: str | None = None
    eligible_countries: frozenset[str] | None = None
    min_population: int | None = None  # places of unknown population are kept
    exclude: frozenset[str] = frozenset()
    programme: str = ""
    programme_countries: Mapping[str, int] = field(default_factory=dict)
    taken: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Weights:
    """Points per signal. Fitted to the real pairings (../shared/data/pairings.json) by
    ``partner_fit.fit_weights``, starting from, and pulled towards, weights set by reasoning
    about what each signal means (``partner_fit.REASONED``). ``bench/partners_fit.py``
    refits them and measures the fit on pairings it was not fitted to."""

    tfidf: float = 2.28
    embedding: float = 2.22
    complement: float = 0.5  # no offers in the pairings: as reasoned
    themes: float = 0.2
    sdgs: float = 0.2  # no SDGs in the pairings: as reasoned
    programme_context: float = 2.34
    country_context: float = 1.65
    programme_country: float = 0.69
    paired_before: float = 1.72
    organisations: float = 0.5  # no organisations in the pairings: as reasoned
    tie_country: float = 1.14
    # Off: in the pairings, places that already work with the city's country were no more
    # often its partner.
    peers: float = 0.0
    size: float = 1.0
    level: float = 0.54
    # Off: on real pairings, the most-paired places were almost never the next partner
    # (the popularity baseline finds none in its top 10).
    experience: float = 0.0
    taken: float = 0.5

    def without(self, *names: str) -> Weights:
        return replace(self, **{name: 0.0 for name in names})

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class Recommendation:
    key: str
    name: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass
class _Query:
    """A query's vectors, computed once for all candidates."""

    profile: CityProfile
    all_terms: tuple[np.ndarray, np.ndarray]
    need_terms: tuple[np.ndarray, np.ndarray]
    offer_terms: tuple[np.ndarray, np.ndarray]
    embedding: np.ndarray | None


@dataclass
class _Context:
    """Mean vectors of groups of profiles, one row per country code."""

    terms: sparse.csc_matrix
    embeddings: np.ndarray | None


class PartnerIndex:
    """Candidate places with their vectors, built once for many queries."""

    def __init__(self, profiles: Sequence[CityProfile], *, progress: Progress | None = None,
                 embedder: text.Embedder | bool | None = True) -> None:
        """Index ``profiles``. ``embedder``: True for the packaged wordllama model when it is
        installed, False or None for TF-IDF terms alone, or a model of one's own."""
        self.profiles = list(profiles)
        n = len(self.profiles)
        self.position = {p.key: i for i, p in enumerate(self.profiles)}
        if len(self.position) != n:
            raise ValueError("two profiles have the same key")
        report = progress or (lambda stage, done, total: None)

        # Terms: the slow part in Python, so it reports progress.
        self.shown: dict[str, str] = {}
        counted: list[tuple[Counter[str] | None, ...]] = []
        for i, p in enumerate(self.profiles):
            counted.append(tuple(text.count_terms(texts, self.shown) if texts else None
                                 for texts in (p.texts, p.needs, p.offers)))
            if i % 1000 == 0 or i == n - 1:
                report("terms", i + 1, n)
        self.space = text.TermSpace.fit((c[0] for c in counted if c[0]), self.shown)
        self.all_terms, self.need_terms, self.offer_terms = (
            self.space.matrix([c[k] for c in counted]) for k in range(3))
        # By rows too, to name the shared terms of the top few.
        self.all_rows, self.need_rows, self.offer_rows = (
            m.tocsr() for m in (self.all_terms, self.need_terms, self.offer_terms))
        self.has_text = np.fromiter((bool(p.texts) for p in self.profiles), bool, count=n)

        self.embedder = text.load_embedder() if embedder is True else (embedder or None)
        self.embeddings: np.ndarray | None = None
        self.embedding_mean = np.zeros(0, np.float32)
        self.phrases: text.PhraseTable | None = None
        if self.embedder is not None:
            every = (t for p in self.profiles
                     for t in (*p.texts, *(x for ts in p.programme_topics.values() for x in ts)))
            self.phrases = text.PhraseTable(self.embedder, every,
                                            lambda d, t: report("embeddings", d, t))
            raw = self.phrases.means([p.texts for p in self.profiles])
            self.embeddings, self.embedding_mean = text.centre(raw, self.has_text)

        self._attributes()
        self._contexts(counted)
        report("done", n, n)

    @classmethod
    def build(cls, profiles: Sequence[CityProfile], *, progress: Progress | None = None,
              embedder: text.Embedder | bool | None = True) -> PartnerIndex:
        return cls(profiles, progress=progress, embedder=embedder)

    def _attributes(self) -> None:
        profiles, n = self.profiles, len(self.profiles)
        self.countries: dict[str, int] = {}
        self.country = text.codes([p.country for p in profiles], self.countries)
        self.sides: dict[str, int] = {}
        self.side = text.codes([p.side for p in profiles], self.sides)
        self.levels: dict[str, int] = {}
        self.level = text.codes([p.level for p in profiles], self.levels)
        self.log_population = np.array(
            [math.log(p.population) if p.population else np.nan for p in profiles], np.float32)
        pairings = np.array([p.pairings for p in profiles], np.float32)
        self.experience = np.log1p(pairings) / max(1.0, float(np.log1p(pairings.max(initial=0))))

        # Themes as unit rows weighted by rarity; SDGs as unit rows of 17 goals.
        self.theme_ids: dict[str, int] = {}
        cells = [(i, self.theme_ids.setdefault(t, len(self.theme_ids)))
                 for i, p in enumerate(profiles) for t in sorted(p.themes)]
        themes = text.binary(cells, (n, len(self.theme_ids)))
        df = np.asarray(themes.sum(axis=0)).ravel()
        self.theme_idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        self.themes = text.unit_rows(themes @ sparse.diags(self.theme_idf)).tocsc()
        goals = [(i, g - 1) for i, p in enumerate(profiles) for g in p.sdgs if 1 <= g <= 17]
        sdgs = text.binary(goals, (n, 17))
        self.sdg_share = np.asarray(sdgs.sum(axis=0)).ravel() / max(n, 1)
        self.sdgs = text.unit_rows(sdgs).tocsc()

        # Who works with whom: organisations, and the countries of each one's partners.
        by_organisation: dict[str, list[int]] = {}
        for i, p in enumerate(profiles):
            for organisation in p.organisations:
                by_organisation.setdefault(organisation, []).append(i)
        self.by_organisation = {k: np.asarray(v, np.intp) for k, v in by_organisation.items()}
        peers = [(i, self.countries.setdefault(c, len(self.countries)))
                 for i, p in enumerate(profiles) for c in sorted(p.partner_countries)]
        self.peer_countries = text.binary(peers, (n, len(self.countries))).tocsc()

    def _contexts(self, counted: list[tuple[Counter[str] | None, ...]]) -> None:
        """Per country, and per programme and country: the terms and the mean embedding
        of what the profiles there work on."""
        groups: dict[tuple[str, int], tuple[Counter[str], list[str]]] = {}
        for i, p in enumerate(self.profiles):
            code = int(self.country[i])
            if code < 0:
                continue
            if counted[i][0]:
                counts, phrases = groups.setdefault(("", code), (Counter(), []))
                counts.update(counted[i][0])
                phrases.extend(p.texts)
            for programme, topics in p.programme_topics.items():
                if programme and topics:
                    counts, phrases = groups.setdefault((programme, code), (Counter(), []))
                    counts.update(text.count_terms(topics, self.shown))
                    phrases.extend(topics)
        self.contexts: dict[str, _Context] = {}
        for programme in sorted({g[0] for g in groups}):
            mine = [(code, group) for (prog, code), group in groups.items() if prog == programme]
            documents: list[Counter[str] | None] = [None] * len(self.countries)
            said: list[list[str]] = [[] for _ in self.countries]
            for code, (counts, texts) in mine:
                documents[code], said[code] = counts, texts
            embeddings = None
            if self.phrases is not None:
                raw = self.phrases.means(said) - self.embedding_mean
                embeddings = text.unit_rows_dense(
                    np.where([bool(t) for t in said], raw.T, 0).T.astype(np.float32))
            self.contexts[programme] = _Context(self.space.matrix(documents), embeddings)

    # -- scores --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.profiles)

    def _query(self, profile: CityProfile) -> _Query:
        def vector(texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
            return self.space.vector(text.count_terms(texts, {}))

        embedding = None
        if self.phrases is not None and profile.texts:
            raw = self.phrases.mean(profile.texts) - self.embedding_mean
            norm = float(np.linalg.norm(raw))
            embedding = (raw / norm).astype(np.float32) if norm else None
        return _Query(profile, vector(profile.texts), vector(profile.needs),
                      vector(profile.offers), embedding)

    @staticmethod
    def _terms(matrix: sparse.csc_matrix, vector: tuple[np.ndarray, np.ndarray]) -> Part:
        index, weights = vector
        if not len(index):
            return 0.0
        return np.asarray(matrix[:, index] @ weights).ravel()

    def parts(self, query: CityProfile, rules: Rules | None = None,
              weights: Weights | None = None, q: _Query | None = None) -> dict[str, Part]:
        """Each signal for every candidate, before weighting (0 to 1 each; -1 for taken)."""
        rules, w = rules or Rules(), weights or Weights()
        q = q or self._query(query)
        out: dict[str, Part] = {"tfidf": text.above(self._terms(self.all_terms, q.all_terms),
                                                TFIDF_FLOOR)}
        out["embedding"] = (text.above(self.embeddings @ q.embedding, EMBEDDING_FLOOR)
                            if q.embedding is not None and self.embeddings is not None else 0.0)
        out["complement"] = 0.5 * (self._terms(self.offer_terms, q.need_terms)
                                   + self._terms(self.need_terms, q.offer_terms))
        out["themes"] = text.above(self._themes(query), THEMES_FLOOR)
        goals = sorted({g - 1 for g in query.sdgs if 1 <= g <= 17})
        out["sdgs"] = (np.asarray(self.sdgs[:, goals].sum(axis=1)).ravel() / math.sqrt(len(goals))
                       if goals else 0.0)
        out["programme_context"] = self._context(q, w, self.contexts.get(rules.programme)
                                                 if rules.programme else None)
        out["country_context"] = self._context(q, w, self.contexts.get(""))
        out["programme_country"] = self._in_countries(
            {c for c, k in rules.programme_countries.items() if k > 0})
        out["paired_before"] = self._marked(k for k in query.partners)
        out["organisations"] = self._organisations(query)
        out["tie_country"] = self._in_countries(set(query.partner_countries) - {""})
        code = self.countries.get(query.country)
        out["peers"] = (np.asarray(self.peer_countries[:, code].todense()).ravel()
                        if code is not None and code < self.peer_countries.shape[1] else 0.0)
        out["size"] = self._size(query.population)
        level = self.levels.get(query.level)
        out["level"] = (self.level == level).astype(np.float32) if level is not None else 0.0
        out["experience"] = self.experience
        taken = self._marked(k for k in rules.taken)
        out["taken"] = -taken if not isinstance(taken, float) else 0.0
        return out

    def _themes(self, query: CityProfile) -> Part:
        ids = [self.theme_ids[t] for t in query.themes if t in self.theme_ids]
        if not ids:
            return 0.0
        idf = self.theme_idf[ids]
        return np.asarray(self.themes[:, ids] @ (idf / np.linalg.norm(idf))).ravel()

    def _context(self, q: _Query, w: Weights, context: _Context | None) -> Part:
        """The query against each country's group, given to every candidate there."""
        if context is None or not len(self.countries):
            return 0.0
        per_country = w.tfidf * np.asarray(self._terms(context.terms, q.all_terms))
        total = w.tfidf
        if q.embedding is not None and context.embeddings is not None and w.embedding:
            per_country = per_country + w.embedding * np.maximum(
                context.embeddings @ q.embedding, 0.0)
            total += w.embedding
        per_country = np.broadcast_to(np.asarray(per_country / max(total, 1e-9), np.float32),
                                      (len(self.countries),))
        return np.where(self.country >= 0, per_country[np.maximum(self.country, 0)], 0.0)

    def _marked(self, keys: Iterable[str]) -> Part:
        positions = [self.position[k] for k in keys if k in self.position]
        if not positions:
            return 0.0
        out = np.zeros(len(self.profiles), np.float32)
        out[positions] = 1.0
        return out

    def _organisations(self, query: CityProfile) -> Part:
        counts: np.ndarray | None = None
        for organisation in query.organisations:
            found = self.by_organisation.get(organisation)
            if found is not None:
                counts = np.zeros(len(self.profiles), np.float32) if counts is None else counts
                np.add.at(counts, found, 1.0)
        return 0.0 if counts is None else np.minimum(counts, 3.0) / 3.0

    def _in_countries(self, countries: set[str]) -> Part:
        codes = [self.countries[c] for c in countries if c in self.countries]
        return np.isin(self.country, codes).astype(np.float32) if codes else 0.0

    def _size(self, population: int | None) -> Part:
        """1 for the same size, falling to 0 at ten times larger or smaller; 0 unknown."""
        if not population:
            return 0.0
        gap = np.abs(self.log_population - math.log(population)) / math.log(10)
        return np.nan_to_num(np.clip(1.0 - gap, 0.0, 1.0), nan=0.0)

    def scores(self, query: CityProfile, rules: Rules | None = None,
               weights: Weights | None = None, q: _Query | None = None
               ) -> tuple[np.ndarray, dict[str, Part]]:
        """The score of every candidate (-inf where a rule excludes it) and its parts."""
        rules, w = rules or Rules(), weights or Weights()
        parts = self.parts(query, rules, w, q)
        total = np.zeros(len(self.profiles), np.float32)
        for name, value in parts.items():
            weight = getattr(w, name)
            if weight:
                total += np.float32(weight) * value
        total[~self.allowed(query, rules)] = -np.inf
        return total, parts

    def allowed(self, query: CityProfile, rules: Rules) -> np.ndarray:
        """Candidates the hard rules let through (never the city itself)."""
        ok = np.ones(len(self.profiles), bool)
        if rules.side is not None:
            ok &= self.side == self.sides.get(rules.side, -2)
        if rules.eligible_countries is not None:
            ok &= np.isin(self.country, [self.countries[c] for c in rules.eligible_countries
                                         if c in self.countries])
        if rules.min_population:
            ok &= ~(self.log_population < math.log(rules.min_population))
        for key in (*rules.exclude, query.key):
            if key in self.position:
                ok[self.position[key]] = False
        return ok

    def recommend(self, query: CityProfile, *, top: int = 10, rules: Rules | None = None,
                  weights: Weights | None = None) -> list[Recommendation]:
        """The ``top`` best candidates, best first (equal scores by key), with reasons."""
        rules, w = rules or Rules(), weights or Weights()
        q = self._query(query)
        total, parts = self.scores(query, rules, w, q)
        return [Recommendation(self.profiles[i].key, self.profiles[i].name,
                               round(float(total[i]), 4), self._reasons(q, rules, w, i, parts))
                for i in self.top(total, top)]

    def top(self, total: np.ndarray, k: int) -> list[int]:
        """Positions of the ``k`` best finite scores, ties by key, without sorting them all."""
        k = min(k, int(np.isfinite(total).sum()))
        if k <= 0:
            return []
        threshold = total[np.argpartition(-total, k - 1)[:k]].min()
        # Everything above the k-th score, and of those equal to it the first by key.
        above = np.flatnonzero(total > threshold).tolist()
        tied = sorted(np.flatnonzero(total == threshold).tolist(),
                      key=lambda i: self.profiles[i].key)[:k - len(above)]
        return sorted(above + tied, key=lambda i: (-float(total[i]), self.profiles[i].key))

    # -- reasons, for the top few only ---------------------------------------------------------
    def _reasons(self, q: _Query, rules: Rules, w: Weights, i: int,
                 parts: dict[str, Part]) -> tuple[Reason, ...]:
        """Candidate ``i``'s reasons, strongest first; under 0.05 points they go unsaid."""
        me, them = q.profile, self.profiles[i]

        def points(name: str) -> float:
            value = parts.get(name, 0.0)
            return float(getattr(w, name)) * float(value if isinstance(value, float)
                                                   else value[i])

        found: list[Reason] = []
        named = text.shared_terms(self.space, q.all_terms, self.all_rows, i)
        if named:
            found.append(Reason("topics", named, points("tfidf") + points("embedding")))
        elif points("embedding") >= 0.05 and self.phrases and (
                pair := text.closest_phrases(self.phrases, me.texts, them.texts)):
            found.append(Reason("similar", pair, points("tfidf") + points("embedding")))
        for kind, wanted, rows in (("they_offer", q.need_terms, self.offer_rows),
                                   ("they_need", q.offer_terms, self.need_rows)):
            if shared := text.shared_terms(self.space, wanted, rows, i):
                found.append(Reason(kind, shared, points("complement")))
        themes = sorted(me.themes & them.themes,
                        key=lambda t: (-float(self.theme_idf[self.theme_ids[t]]), t))
        if themes:
            found.append(Reason("themes", tuple(themes[:3]), points("themes")))
        if goals := sorted(me.sdgs & them.sdgs):  # the rarest three: SDG 11 says little
            goals = sorted(goals, key=lambda g: (float(self.sdg_share[g - 1]), g))[:3]
            found.append(Reason("sdgs", tuple(str(g) for g in sorted(goals)), points("sdgs")))
        if them.country:
            found.append(Reason("programme_context", (them.country,),
                                points("programme_context"), rules.programme))
            found.append(Reason("country_context", (), points("country_context"),
                                them.country))
            found.append(Reason("programme_country", (them.country,),
                                points("programme_country"), rules.programme))
        if them.key in me.partners:
            found.append(Reason("paired_before", tuple(filter(None, [me.partners[them.key]])),
                                points("paired_before")))
        if shared_organisations := [me.organisations[k] for k in sorted(me.organisations)
                                    if k in them.organisations]:
            found.append(Reason("organisations", tuple(shared_organisations[:3]),
                                points("organisations"), them.name or them.key))
        found.append(Reason("tie_country", (), points("tie_country"), them.country))
        found.append(Reason("peers", (), points("peers"), me.country))
        if me.population and them.population and points("size") >= 0.7 * w.size:  # <= 2x
            found.append(Reason("size", (str(me.population), str(them.population)),
                                points("size")))
        found.append(Reason("level", (them.level,), points("level")))
        found.append(Reason("experience", (str(them.pairings),), points("experience")))
        return tuple(sorted((r for r in found if r.weight >= 0.05), key=lambda r: -r.weight))
