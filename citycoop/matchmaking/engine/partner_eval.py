"""Leave-one-out evaluation of the partner recommender on real pairings. No Django.

The input is a dict shaped like ../shared/data/pairings.json: ``pairings``, each with
``eu`` and ``partner`` as [city, country code], ``programme``, ``level`` ("city-city",
"region-city"...), ``topics`` as stated and ``topics_normalised`` tags; and optionally
``city_priorities``, stated priorities keyed "City, CC".

For each pairing with topics: hide it (and any other row of the same two places in the same
programme: the same pairing listed twice); the query is the EU city with the hidden
pairing's topics (its tags as themes) and the EU city's stated priorities as needs; the
candidates are every partner-side place of the file. Each candidate's profile comes only
from the remaining pairings (their topics, tags, EU partners and programmes) and from its
own stated priorities. A partner that appears only in the hidden pairing is still a
candidate: it keeps its country, its size and level from the gazetteer, and its priorities
if stated, and has no topics, no tags and no pairings, exactly as any place that was never
paired. Rules: the hidden pairing's programme is known (the countries its other pairings
cover weigh in, softly) and places already paired with the EU city in that programme are
excluded; a place paired with it in another programme counts as an existing tie (IURC
continued many IUC pairings). The real partner's rank is recorded; recall@k is the share
ranked within the top k, MRR the mean of 1/rank. Equal scores are ordered by key;
``tie_averaged`` gives the figures expected when ties are broken at random instead.

Baselines in the same run over the same candidates: a random ranking (expectation computed
exactly, plus a seeded simulation) and popularity (most pairings among the remaining ones
first, equal counts by key).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from citycoop.lib.text import fold
from citycoop.matchmaking.engine import partner_text as text
from citycoop.matchmaking.engine.partners import CityProfile, PartnerIndex, Rules, Weights

__all__ = ["Case", "PairingsFileError", "cases", "evaluate", "gazetteer_lookup", "parse"]

# A place's population and level ("city", "region" or "") from its name and country.
Lookup = Callable[[str, str], tuple[int | None, str]]

SIMULATED_SHUFFLES = 200


class PairingsFileError(ValueError):
    """The data is not shaped like pairings.json; the message says where."""


@dataclass(frozen=True)
class Pairing:
    eu: tuple[str, str]
    partner: tuple[str, str]
    programme: str
    level: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def eu_key(self) -> str:
        return f"{self.eu[0]}, {self.eu[1]}"

    @property
    def partner_key(self) -> str:
        return f"{self.partner[0]}, {self.partner[1]}"


@dataclass
class Data:
    pairings: list[Pairing]
    priorities: dict[str, tuple[str, ...]]  # place key -> stated priorities
    places: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (name, CC)


def _place(value: Any, where: str) -> tuple[str, str]:
    if not (isinstance(value, list | tuple) and len(value) == 2
            and all(isinstance(v, str) and v.strip() for v in value)):
        raise PairingsFileError(f"{where}: must be [city, country code], not {value!r}")
    return value[0].strip(), value[1].strip().upper()


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PairingsFileError(f"{where}: must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def parse(data: Any) -> Data:
    """Check the shape and read it; PairingsFileError says what is wrong and where."""
    if not isinstance(data, dict) or not isinstance(data.get("pairings"), list):
        raise PairingsFileError("the file must be an object with a 'pairings' list")
    pairings = []
    for i, row in enumerate(data["pairings"]):
        where = f"pairings[{i}]"
        if not isinstance(row, dict):
            raise PairingsFileError(f"{where}: must be an object")
        programme = row.get("programme", "")
        level = row.get("level", "")
        if not isinstance(programme, str) or not isinstance(level, str):
            raise PairingsFileError(f"{where}: 'programme' and 'level' must be strings")
        pairings.append(Pairing(_place(row.get("eu"), f"{where}.eu"),
                                _place(row.get("partner"), f"{where}.partner"),
                                programme.strip(), level.strip(),
                                _strings(row.get("topics"), f"{where}.topics"),
                                _strings(row.get("topics_normalised"),
                                         f"{where}.topics_normalised")))
    stated = data.get("city_priorities")
    stated = {} if stated is None else stated
    if not isinstance(stated, dict):
        raise PairingsFileError("'city_priorities' must be an object keyed 'City, CC'")
    places: dict[str, tuple[str, str]] = {}
    for p in pairings:
        places.setdefault(p.eu_key, p.eu)
        places.setdefault(p.partner_key, p.partner)
    priorities: dict[str, tuple[str, ...]] = {}
    for key, entry in stated.items():
        items = entry.get("priorities") if isinstance(entry, dict) else entry
        found = _strings(items, f"city_priorities[{key!r}]")
        place = _match_place(str(key), places)
        if place is not None and found:
            priorities[place] = priorities.get(place, ()) + found
    return Data(pairings, priorities, places)


_MINOR = {"of", "the", "and", "de", "del", "la", "city", "region"}


def _words(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", fold(name))) - _MINOR


def _match_place(key: str, places: Mapping[str, tuple[str, str]]) -> str | None:
    """The place a priorities key ("San Martín (region), PE") names: the same key, else the
    one place of that country whose name's words contain, or are contained in, the key's
    ("San Martín"; "Velletri & Rome (Anci Lazio)" for "Anci Lazio (Velletri & Rome)")."""
    if key in places:
        return key
    name, _, country = key.rpartition(",")
    country = country.strip().upper()
    words = _words(name)
    if not words:
        return None
    found = [k for k, (n, c) in places.items()
             if c == country and (_words(n) <= words or words <= _words(n)) and _words(n)]
    return found[0] if len(found) == 1 else None


def _level(text_: str) -> str:
    text_ = text_.casefold()
    return "region" if "region" in text_ else "city" if "city" in text_ else ""


def gazetteer_lookup() -> Lookup:
    """Population and level from citycoop's gazetteer (GeoNames and our places file), for
    names it finds in the same country at a score of 90 or more."""
    from citycoop.lib.geo import get_gazetteer

    gazetteer = get_gazetteer()

    def lookup(name: str, country: str) -> tuple[int | None, str]:
        match = gazetteer.resolve(name, country=country, min_score=90.0)
        if match is None or match.entry.country != country:
            return None, ""
        kind = match.entry.kind
        level = "region" if kind in {"region", "province", "state"} else (
            "city" if kind in {"city", "district", "new_area"} else "")
        return match.entry.population, level

    return lookup


def _profiles(data: Data, remaining: Sequence[Pairing], lookup: Lookup | None,
              looked: dict[str, tuple[int | None, str]]) -> list[CityProfile]:
    """Every partner-side place of the file, profiled from ``remaining`` only."""
    def seen(key: str) -> tuple[int | None, str]:
        if key not in looked:
            looked[key] = lookup(*data.places[key]) if lookup else (None, "")
        return looked[key]

    rows: dict[str, list[Pairing]] = {p.partner_key: [] for p in data.pairings}
    for p in remaining:
        rows[p.partner_key].append(p)
    profiles = []
    for key, mine in rows.items():
        name, country = data.places[key]
        population, level = seen(key)
        levels = Counter(_level(p.level.rpartition("-")[2]) for p in mine) - Counter({"": 99})
        profiles.append(CityProfile(
            key=key, name=name, country=country, side="partner",
            level=levels.most_common(1)[0][0] if levels else level, population=population,
            topics=tuple(dict.fromkeys(t for p in mine for t in (p.topics or p.tags))),
            needs=data.priorities.get(key, ()),
            themes=frozenset(t for p in mine for t in p.tags),
            partners={p.eu_key: p.programme for p in mine},
            partner_countries=frozenset(p.eu[1] for p in mine),
            programme_topics={programme: tuple(dict.fromkeys(
                t for p in mine if p.programme == programme for t in (p.topics or p.tags)))
                for programme in {p.programme for p in mine}},
            pairings=len(mine)))
    return profiles


def _query(data: Data, hidden: Pairing, remaining: Sequence[Pairing],
           looked: dict[str, tuple[int | None, str]], lookup: Lookup | None) -> CityProfile:
    key = hidden.eu_key
    if key not in looked:
        looked[key] = lookup(*hidden.eu) if lookup else (None, "")
    population, level = looked[key]
    mine = [p for p in remaining if p.eu_key == key]
    return CityProfile(
        key=key, name=hidden.eu[0], country=hidden.eu[1], side="eu",
        level=_level(hidden.level.partition("-")[0]) or level, population=population,
        topics=hidden.topics or hidden.tags, needs=data.priorities.get(key, ()),
        themes=frozenset(hidden.tags), partners={p.partner_key: p.programme for p in mine},
        partner_countries=frozenset(p.partner[1] for p in mine), pairings=len(mine))


def _rules(hidden: Pairing, remaining: Sequence[Pairing]) -> Rules:
    """The programme's rules as the remaining pairings show them: the partner side; not a
    place already paired with the EU city in the programme; the programme's countries."""
    return Rules(
        side="partner", programme=hidden.programme,
        exclude=frozenset(p.partner_key for p in remaining
                          if p.eu_key == hidden.eu_key and p.programme == hidden.programme),
        programme_countries=Counter(p.partner[1] for p in remaining
                                    if p.programme == hidden.programme))


def taken_places(hidden: Pairing, remaining: Sequence[Pairing]) -> frozenset[str]:
    """Places the programme already paired with a city of another country (a city of the
    same country may make a trio with them). Only a variant uses it: with every candidate
    taken from the file's own pairings, nearly every place but the hidden partner has a
    pairing, so the penalty measures that artefact more than the rule."""
    return frozenset(p.partner_key for p in remaining
                     if p.programme == hidden.programme and p.eu[1] != hidden.eu[1])


@dataclass
class Case:
    """One pairing hidden: the candidates profiled from the rest, indexed, and the query."""

    hidden: Pairing
    remaining: list[Pairing]
    index: PartnerIndex
    query: CityProfile
    rules: Rules
    of: int  # how many cases there are in all

    @cached_property  # read once for every way a case is ranked
    def keys(self) -> list[str]:
        return [p.key for p in self.index.profiles]

    @property
    def answer(self) -> int:
        """The real partner's position among the candidates."""
        return self.index.position[self.hidden.partner_key]


def cached_embedder(embedder: Any) -> Any:
    """True for wordllama when installed, False or None for none, or a model of one's own;
    wrapped so that the phrases shared by all cases are embedded once."""
    model = text.load_embedder() if embedder is True else (embedder or None)
    return text.CachedEmbedder(model) if model is not None else None


def cases(data: Data, *, lookup: Lookup | None = None, embedder: Any = None
          ) -> Iterator[Case]:
    """Each pairing with topics, hidden in turn (with any other row of the same two places
    in the same programme), in the file's order. ``embedder`` as given to PartnerIndex."""
    looked: dict[str, tuple[int | None, str]] = {}
    hidden_rows = [p for p in data.pairings if p.topics or p.tags]
    for hidden in hidden_rows:
        same = (hidden.eu_key, hidden.partner_key, hidden.programme)
        remaining = [p for p in data.pairings if (p.eu_key, p.partner_key, p.programme) != same]
        index = PartnerIndex(_profiles(data, remaining, lookup, looked), embedder=embedder)
        yield Case(hidden, remaining, index, _query(data, hidden, remaining, looked, lookup),
                   _rules(hidden, remaining), len(hidden_rows))


@dataclass
class _Tally:
    """Where one method ranked each real partner: (places ranked above it, places with its
    score, itself included, and of those the ones before it by key); None where a rule
    excluded it."""

    ranks: list[tuple[int, int, int] | None] = field(default_factory=list)

    def add(self, scores: np.ndarray, keys: Sequence[str], answer: int) -> None:
        if not np.isfinite(scores[answer]):
            self.ranks.append(None)
            return
        tied = np.flatnonzero(scores == scores[answer]).tolist()
        ahead = sum(1 for i in tied if keys[i] < keys[answer])
        self.ranks.append((int((scores > scores[answer]).sum()), len(tied), ahead))

    def figures(self) -> dict[str, Any]:
        """recall@5, recall@10 and MRR with ties in key order, and the same expected when
        ties are broken at random (``tie_averaged``)."""
        n = len(self.ranks)
        found = [r for r in self.ranks if r is not None]
        ranks = [better + ahead + 1 for better, _, ahead in found]

        def averaged(k: int) -> float:
            return sum(min(1.0, max(0.0, (k - b) / t)) for b, t, _ in found) / n

        rr = sum(sum(1 / (b + j) for j in range(1, t + 1)) / t for b, t, _ in found)
        return {"recall_at_5": _share(sum(r <= 5 for r in ranks), n),
                "recall_at_10": _share(sum(r <= 10 for r in ranks), n),
                "mrr": round(sum(1 / r for r in ranks) / n, 4) if n else 0.0,
                "tie_averaged": {"recall_at_5": round(averaged(5), 4) if n else 0.0,
                                 "recall_at_10": round(averaged(10), 4) if n else 0.0,
                                 "mrr": round(rr / n, 4) if n else 0.0}}


def _share(count: int, n: int) -> float:
    return round(count / n, 4) if n else 0.0


def _random_figures(sizes: Sequence[int], seed: int) -> dict[str, Any]:
    """Uniformly random rankings of each query's candidates: the exact expectation (the
    real partner is equally likely at every rank: recall@k = k/N, MRR = H_N/N), and a
    simulation of seeded shuffles as a check."""
    n = len(sizes)
    if not n:
        return {"recall_at_5": 0.0, "recall_at_10": 0.0, "mrr": 0.0}
    exact = {"recall_at_5": round(sum(min(5, s) / s for s in sizes) / n, 4),
             "recall_at_10": round(sum(min(10, s) / s for s in sizes) / n, 4),
             "mrr": round(sum(sum(1 / r for r in range(1, s + 1)) / s for s in sizes) / n, 4)}
    rng = random.Random(seed)
    hits5 = hits10 = 0
    rr = 0.0
    for _ in range(SIMULATED_SHUFFLES):
        for s in sizes:
            rank = rng.randrange(s) + 1
            hits5 += rank <= 5
            hits10 += rank <= 10
            rr += 1 / rank
    runs = SIMULATED_SHUFFLES * n
    return {**exact, "method": "exact expectation over uniformly random rankings",
            "simulated": {"seed": seed, "shuffles": SIMULATED_SHUFFLES,
                          "recall_at_5": round(hits5 / runs, 4),
                          "recall_at_10": round(hits10 / runs, 4),
                          "mrr": round(rr / runs, 4)}}


# Signals that stay at zero in the figures unless a variant turns them on: "taken" needs
# the rule's list of places the programme already paired, which the headline leaves out.
TAKEN = "with the programme's places already paired penalised (taken)"


# A way to rank one case's candidates: the weights and rules to score them with.
Variant = Callable[[Case], tuple[Weights, Rules]]


def fixed(weights: Weights, *, taken: bool = False) -> Variant:
    """The same weights for every case, with the case's rules (and, with ``taken``, the
    places the programme already paired listed in them)."""
    def variant(case: Case) -> tuple[Weights, Rules]:
        if not taken:
            return weights, case.rules
        return weights, replace(case.rules, taken=taken_places(case.hidden, case.remaining))
    return variant


def ablations(weights: Weights) -> dict[str, Variant]:
    """Variants: without one signal, or only the texts, or with an extra signal."""
    out = {f"without {name}": fixed(weights.without(name))
           for name in Weights.names() if getattr(weights, name) and name != "taken"}
    text_only = [n for n in Weights.names() if n not in {"tfidf", "embedding"}]
    out["text only (tfidf + embedding)"] = fixed(weights.without(*text_only))
    out["tfidf only"] = fixed(weights.without(*text_only, "embedding"))
    if not weights.experience:
        out["with experience (pairings so far) at 0.1"] = fixed(replace(weights,
                                                                        experience=0.1))
    out[TAKEN] = fixed(replace(weights, taken=weights.taken or 0.5), taken=True)
    return out


def evaluate(data: Any, *, weights: Weights | None = None, embedder: Any = True,
             lookup: Lookup | None = None, seed: int = 0, with_ablations: bool = False,
             variants: Mapping[str, Variant] | None = None,
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The leave-one-out figures as a JSON-ready dict (see the module's docstring).
    ``embedder``: True for wordllama when installed, False or None for TF-IDF alone, or a
    model of one's own; ``lookup``: population and level of places (e.g.
    :func:`gazetteer_lookup`), None for none; ``variants``: other ways to rank, measured on
    the same cases, their figures under "variants"."""
    parsed = data if isinstance(data, Data) else parse(data)
    weights = weights or Weights()
    model = cached_embedder(embedder)
    ranked: dict[str, Variant] = {"recommender": fixed(weights),
                                  **(ablations(weights) if with_ablations else {}),
                                  **(variants or {})}
    tallies = {name: _Tally() for name in ranked}
    popularity = _Tally()
    sizes: list[int] = []
    n = 0
    for n, case in enumerate(cases(parsed, lookup=lookup, embedder=model), start=1):
        for name, variant in ranked.items():
            variant_weights, rules = variant(case)
            scores, _ = case.index.scores(case.query, rules, variant_weights)
            tallies[name].add(scores, case.keys, case.answer)
        allowed = case.index.allowed(case.query, case.rules)
        sizes.append(int(allowed.sum()))
        counts = np.array([p.pairings for p in case.index.profiles], np.float64)
        popularity.add(np.where(allowed, counts, -np.inf), case.keys, case.answer)
        if progress:
            progress(n, case.of)
    result: dict[str, Any] = {
        "n": n,
        **tallies["recommender"].figures(),
        "baselines": {"random": _random_figures(sizes, seed),
                      "popularity": popularity.figures()},
        "candidates": round(sum(sizes) / len(sizes), 1) if sizes else 0,
        "pairings": len(parsed.pairings),
        "method": "leave-one-out: hide each pairing with topics, query its EU city with "
                  "those topics, rank every partner-side place profiled from the rest",
        "embeddings": "wordllama l2_supercat 256" if model is not None else "none",
        "excluded_by_rules": sum(r is None for r in tallies["recommender"].ranks),
    }
    if with_ablations:
        result["ablations"] = {name: tallies[name].figures() for name in ablations(weights)}
    if variants:
        result["variants"] = {name: tallies[name].figures() for name in variants}
    return result
