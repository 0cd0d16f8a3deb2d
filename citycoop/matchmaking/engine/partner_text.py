"""Texts of the partner recommender: TF-IDF terms and wordllama embeddings. No Django.

Terms are the B2B recommender's (:func:`citycoop.matchmaking.engine.recommend.terms`: words
with plurals folded and two-word phrases), weighted by TF-IDF over the profiles of the index,
so that "district heating" shared by two cities says more than "city". They also explain a
match: the shared terms are what the reasons name.

Embeddings catch what shared words miss ("flood management" and "urban drainage"). They come
from wordllama, whose wheel ships its weights and tokenizer: :func:`load_embedder` loads them
from the installed package and never downloads anything. wordllama is optional: without it
(or when its files cannot be read) :func:`load_embedder` returns None and the recommender
scores on TF-IDF terms alone.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from scipy import sparse

from citycoop.matchmaking.engine.recommend import _match, terms

__all__ = ["Embedder", "PhraseTable", "Reason", "TermSpace", "load_embedder", "sentence",
           "terms"]

# 256 dimensions: the size wordllama ships weights for. Each profile is one float32 row of
# this width, 1 KB: 50,000 places take 51 MB and one query reads them in a few milliseconds.
EMBEDDING_DIM = 256


class Embedder(Protocol):
    """What the recommender needs of an embedding model: unit vectors for texts."""

    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text, each of length 1 (a zero row for a text with no tokens)."""
        ...


class WordLlamaEmbedder:
    """wordllama's static token embeddings, average-pooled per text."""

    def __init__(self, model: object, dim: int) -> None:
        self._model = model
        self.dim = dim

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.embed(texts, norm=False),  # type: ignore[attr-defined]
                             dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


class CachedEmbedder:
    """Remembers each text's vector: an evaluation builds one index per held-out pairing
    from nearly the same texts."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.dim = embedder.dim
        self.seen: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.seen))
        if missing:
            self.seen.update(zip(missing, self.embedder.embed(missing), strict=True))
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self.seen[t] for t in texts])


_embedder_lock = threading.Lock()
_embedder: list[Embedder | None] = []  # empty until first asked: loading takes 0.7 s


def load_embedder() -> Embedder | None:
    """The packaged wordllama model, loaded once per process; None when wordllama is not
    installed or its shipped files cannot be read (the recommender then uses terms only)."""
    with _embedder_lock:
        if not _embedder:
            _embedder.append(_load_wordllama())
        return _embedder[0]


def _load_wordllama() -> Embedder | None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError:
        return None
    finally:
        # wordllama calls logging.basicConfig(level=INFO) on import, which would make every
        # library's INFO messages appear in our commands' output: put the root logger back.
        root.handlers[:] = handlers
        root.setLevel(level)
    # The wheel ships l2_supercat's 256-dimension weights in wordllama/weights/ and its
    # tokenizer in wordllama/tokenizers/. WordLlama.load looks for the tokenizer in the
    # package under the wrong folder name and would then try to download it; naming the
    # package folder as the cache folder makes both files resolve locally, and
    # disable_download makes any miss an error rather than a network request.
    package = Path(wordllama.__file__).resolve().parent
    try:
        model = WordLlama.load(config="l2_supercat", dim=EMBEDDING_DIM, cache_dir=package,
                               disable_download=True)
    except (OSError, ValueError, RuntimeError):
        return None
    return WordLlamaEmbedder(model, EMBEDDING_DIM)


class PhraseTable:
    """Each distinct phrase embedded once; a group of phrases is the mean of its phrases'
    unit vectors. Embedding each stated topic apart and averaging keeps a long topic from
    outweighing a short one, and a phrase shared by many profiles costs one embedding."""

    def __init__(self, embedder: Embedder, phrases: Iterable[str],
                 progress: Callable[[int, int], None] | None = None, batch: int = 4096) -> None:
        self.embedder = embedder
        self.rows: dict[str, int] = {}
        for phrase in phrases:
            if phrase.strip():
                self.rows.setdefault(phrase, len(self.rows))
        ordered = list(self.rows)
        self.vectors = np.zeros((len(ordered), embedder.dim), dtype=np.float32)
        for start in range(0, len(ordered), batch):
            self.vectors[start:start + batch] = embedder.embed(ordered[start:start + batch])
            if progress:
                progress(min(start + batch, len(ordered)), len(ordered))

    def means(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """One unit vector per group (a zero row for a group without known phrases)."""
        rows, cols = [], []
        for i, phrases in enumerate(groups):
            for phrase in phrases:
                j = self.rows.get(phrase)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        member = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                   shape=(len(groups), len(self.rows)))
        return unit_rows_dense(np.asarray(member @ self.vectors, np.float32))

    def mean(self, phrases: Sequence[str]) -> np.ndarray:
        """A query's vector: its phrases need not be in the table."""
        missing = [p for p in phrases if p.strip() and p not in self.rows]
        total = np.zeros(self.embedder.dim, np.float32)
        for phrase in phrases:
            if phrase in self.rows:
                total += self.vectors[self.rows[phrase]]
        if missing:
            total += self.embedder.embed(missing).sum(axis=0)
        return unit_rows_dense(total[None, :])[0]


def unit_rows_dense(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def unit_rows(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    csr = sparse.csr_matrix(matrix, dtype=np.float32)
    norms = np.sqrt(np.asarray(csr.multiply(csr).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.csr_matrix(sparse.diags(scale.astype(np.float32)) @ csr)


def above(values: np.ndarray | float, floor: float) -> np.ndarray | float:
    """What is above ``floor``, rescaled so that 1 stays 1."""
    if isinstance(values, float):
        return max(values - floor, 0.0) / (1.0 - floor)
    return np.maximum(values - np.float32(floor), 0.0) / np.float32(1.0 - floor)


def codes(values: Sequence[str], table: dict[str, int]) -> np.ndarray:
    """Small integer codes for repeated strings (countries, sides, levels); "" is -1."""
    return np.fromiter((table.setdefault(v, len(table)) if v else -1 for v in values),
                       dtype=np.int32, count=len(values))


def binary(cells: list[tuple[int, int]], shape: tuple[int, int]) -> sparse.csr_matrix:
    """A 0/1 matrix with ones at ``cells`` (a cell given twice is still one)."""
    matrix = sparse.csr_matrix((np.ones(len(cells), np.float32),
                                ([r for r, _ in cells], [c for _, c in cells])), shape=shape)
    matrix.data[:] = 1.0
    return matrix


def centre(vectors: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors after taking away the mean of the rows in ``mask`` (other rows are
    zero). Averaged word embeddings of any two texts share a large common part (cosines of
    unrelated topics reach 0.5): without it the cosine says how related two texts are."""
    mean = (vectors[mask].mean(axis=0) if mask.any()
            else np.zeros(vectors.shape[1], np.float32)).astype(np.float32)
    centred = np.where(mask[:, None], vectors - mean, 0).astype(np.float32)
    return unit_rows_dense(centred), mean


@dataclass
class TermSpace:
    """The vocabulary of an index's profiles and each term's inverse document frequency."""

    ids: dict[str, int]
    idf: np.ndarray
    shown: dict[str, str]  # the readable form of each term, as first written

    @classmethod
    def fit(cls, documents: Iterable[Counter[str]], shown: dict[str, str]) -> TermSpace:
        """Smoothed IDF: a term in every profile still weighs a little, never nothing."""
        df: Counter[str] = Counter()
        n = 0
        for counts in documents:
            df.update(counts.keys())
            n += 1
        ids = {term: i for i, term in enumerate(sorted(df))}
        idf = np.empty(len(ids), dtype=np.float32)
        for term, i in ids.items():
            idf[i] = math.log((1 + n) / (1 + df[term])) + 1
        return cls(ids, idf, shown)

    def vector(self, counts: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """The unit TF-IDF vector of a text's counted terms, as (term ids, weights); terms
        the index has never seen are left out (no candidate can share them)."""
        pairs = [(self.ids[t], (1 + math.log(n)) * float(self.idf[self.ids[t]]))
                 for t, n in counts.items() if t in self.ids]
        if not pairs:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        index = np.fromiter((p[0] for p in pairs), dtype=np.intp, count=len(pairs))
        weights = np.fromiter((p[1] for p in pairs), dtype=np.float32, count=len(pairs))
        return index, weights / np.float32(np.linalg.norm(weights))

    def matrix(self, documents: Sequence[Counter[str] | None]) -> sparse.csc_matrix:
        """Unit TF-IDF rows, one per document (empty rows for None), stored by column: a
        query reads only the columns of its own terms."""
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for counts in documents:
            if counts:
                index, weights = self.vector(counts)
                indices.append(index)
                data.append(weights)
                indptr.append(indptr[-1] + len(index))
            else:
                indptr.append(indptr[-1])
        shape = (len(documents), len(self.ids))
        if not indices:
            return sparse.csc_matrix(shape, dtype=np.float32)
        csr = sparse.csr_matrix((np.concatenate(data), np.concatenate(indices),
                                 np.asarray(indptr, dtype=np.int64)), shape=shape)
        return csr.tocsc()

    def named(self, index: np.ndarray, weights: np.ndarray) -> dict[str, float]:
        """A vector as {term: weight}, to name the terms two texts share."""
        terms_by_id = self._terms_by_id()
        return {terms_by_id[i]: float(w) for i, w in zip(index.tolist(), weights.tolist(),
                                                        strict=True)}

    def _terms_by_id(self) -> list[str]:
        cached: list[str] | None = getattr(self, "_by_id", None)
        if cached is None:
            cached = [""] * len(self.ids)
            for term, i in self.ids.items():
                cached[i] = term
            self._by_id = cached
        return cached


# Words every cooperation text uses: alone they are no shared topic ("both work on
# cooperation"); inside a phrase ("smart city") they stay.
GENERIC = frozenset("""cooperation collaboration project pilot programme city exchange
development activity support partnership initiative""".split())


def shared_terms(space: TermSpace, wanted: tuple[np.ndarray, np.ndarray],
                 rows: sparse.csr_matrix, i: int) -> tuple[str, ...]:
    """The terms a query vector and row ``i`` of ``rows`` share, strongest first, in the B2B
    recommender's way: stray single words unnamed, words inside a shared phrase not apart.
    The row is read straight from the CSR arrays: scipy's row indexing costs more than the
    rest of the explanation."""
    start, end = rows.indptr[i], rows.indptr[i + 1]
    if not len(wanted[0]) or start == end:
        return ()
    theirs = space.named(rows.indices[start:end], rows.data[start:end])
    return _match(space.named(*wanted), theirs, space.shown)[1]


def closest_phrases(table: PhraseTable, mine: Sequence[str],
                    theirs: Sequence[str]) -> tuple[str, str] | None:
    """Of two lists of topics, the pair the embeddings find closest."""
    if not mine or not theirs:
        return None
    a = np.stack([table.mean([t]) for t in mine])
    b = np.stack([table.mean([t]) for t in theirs])
    best = np.unravel_index(int(np.argmax(a @ b.T)), (len(mine), len(theirs)))
    return mine[int(best[0])], theirs[int(best[1])]


def count_terms(texts: Iterable[str], shown: dict[str, str]) -> Counter[str]:
    """The terms of several texts, counted together (each stated topic is its own text, so
    no two-word phrase spans two topics)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(terms(text, shown))
    for word in GENERIC & counts.keys():
        del counts[word]
    return counts


# -- reasons in plain words ------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One reason to pair, as data. ``kind`` names the signal (see :func:`sentence`);
    ``words`` are what the sentence names (terms, themes, organisations, figures);
    ``subject`` the place, programme or country it is about; ``weight`` its points."""

    kind: str
    words: tuple[str, ...]
    weight: float
    subject: str = ""


def and_join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# pycountry's names where they read badly in a sentence ("Korea, Republic of").
_COUNTRY_NAMES = {"KR": "South Korea", "KP": "North Korea", "US": "the United States",
                  "GB": "the United Kingdom", "NL": "the Netherlands", "CZ": "Czechia",
                  "VN": "Vietnam", "RU": "Russia", "IR": "Iran", "TZ": "Tanzania",
                  "PH": "the Philippines", "AE": "the United Arab Emirates"}


def country_name(code: str) -> str:
    """"China" for "CN"; the code itself when pycountry is missing or does not know it."""
    if code in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[code]
    try:
        import pycountry
    except ImportError:
        return code
    found = pycountry.countries.get(alpha_2=code.upper()) if code else None
    if found is None:
        return code
    name = str(getattr(found, "common_name", None) or found.name)
    return name.split(",")[0]


def people(population: int) -> str:
    """"1.3 million" or "971,000": figures as a sentence says them."""
    if population >= 999_500:  # from here, thousands would round to "1,000,000"
        return f"{population / 1e6:.1f} million"
    if population >= 10_000:
        return f"{round(population, -3):,}"
    return f"{population:,}"


_PLURALS = {"city": "cities"}


def sentence(reason: Reason) -> str:
    """A reason in plain English: "both work on district heating", "Keele University already
    works with Tianjin partners", "similar size: 1.1 million and 1.3 million people"."""
    words, subject = reason.words, reason.subject
    kind = reason.kind
    if kind == "topics":
        return f"both work on {and_join(words)}"
    if kind == "similar":
        return f"close topics: your “{words[0]}” and their “{words[1]}”"
    if kind == "they_offer":
        return f"they offer what you need: {and_join(words)}"
    if kind == "they_need":
        return f"they need what you offer: {and_join(words)}"
    if kind == "themes":  # theme names have their own "and"s: "Health care and biotech"
        return f"shared themes: {'; '.join(words)}"
    if kind == "sdgs":
        return f"both work towards {and_join([f'SDG {g}' for g in words])}"
    if kind == "country_context":
        return f"cities and regions in {country_name(subject)} work on similar topics"
    if kind == "programme_context":
        owner = f"{subject}'" if subject.endswith("s") else f"{subject}'s"
        return f"{owner} partners in {country_name(words[0])} work on similar topics"
    if kind == "programme_country":
        return f"{subject or 'the programme'} already works in {country_name(words[0])}"
    if kind == "paired_before":
        where = f" ({and_join(words)})" if words else ""
        return f"already worked with you{where}"
    if kind == "organisations":
        verb = "works" if len(words) == 1 else "work"
        return f"{and_join(words)} already {verb} with {subject} partners"
    if kind == "tie_country":
        return f"you already work with partners in {country_name(subject)}"
    if kind == "peers":
        return f"they already work with cities in {country_name(subject)}"
    if kind == "size":
        return f"similar size: {people(int(words[0]))} and {people(int(words[1]))} people"
    if kind == "level":
        return f"both are {_PLURALS.get(words[0], words[0] + 's')}"
    if kind == "experience":
        return f"experienced: {words[0]} pairings already"
    return and_join(words)
