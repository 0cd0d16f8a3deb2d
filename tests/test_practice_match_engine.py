"""The need-to-practice matcher's engine: pure Python, no database, no network."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time

import numpy as np
import pytest

from citycoop.matchmaking.engine.partners import CityProfile, PartnerIndex
from citycoop.matchmaking.engine.practice_match import (
    CityMatch,
    NeedQuery,
    PracticeCandidate,
    PracticeIndex,
    PracticeMatch,
    Reason,
    partner_cities,
    propose_cities,
)


class LetterEmbedder:
    """A stand-in model: a text's vector counts its letters (as in the partner engine's
    tests), enough to exercise the embedding path without wordllama."""

    dim = 26

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            for ch in text.lower():
                if "a" <= ch <= "z":
                    out[i, ord(ch) - 97] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


class RandomEmbedder:
    """wordllama's width, random vectors: for timing at the real size."""

    dim = 256

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = [np.random.default_rng(int.from_bytes(hashlib.md5(t.encode()).digest()[:4],
                                                     "big")).standard_normal(self.dim)
                for t in texts]
        out = np.asarray(rows, np.float32).reshape(len(texts), self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def practice(key: str, title: str, *body: str, language: str = "en",
             **fields) -> PracticeCandidate:
    return PracticeCandidate(key=key, title=title, texts={language: (title, *body)}, **fields)


WASTE = practice("waste-sorting", "Sorting household waste at the source",
                 "Households sort food waste and recyclables; waste sent to landfill fell by "
                 "a third in two years.", themes=frozenset({"Waste management"}),
                 sdgs=frozenset({11, 12}), place="lyon", place_name="Lyon", country="FR")
MUSIC = practice("street-music", "A street music festival in the old town",
                 "Musicians play in the old town every summer weekend.",
                 themes=frozenset({"Culture"}), sdgs=frozenset({11}), place="fiuggi",
                 place_name="Fiuggi", country="IT")
BUSES = practice("electric-buses", "Electric buses on every city line",
                 "Diesel buses were replaced by electric ones charged at night.",
                 themes=frozenset({"Urban mobility"}), place="tianjin", country="CN")
LANDFILL = NeedQuery("Reduce landfill by half in five years",
                     themes=frozenset({"Waste management"}), sdgs=frozenset({12}),
                     country="CN", place="guangzhou")


def test_a_landfill_need_finds_the_waste_practice_first_with_its_reasons():
    index = PracticeIndex([MUSIC, WASTE, BUSES], embedder=False)
    found = index.match(LANDFILL, top=3)
    assert found[0].key == "waste-sorting"
    assert all(m.key != "street-music" for m in found)  # unrelated: not proposed at all
    kinds = {r.kind: r for r in found[0].reasons}
    assert "landfill" in kinds["terms"].words
    assert kinds["themes"].words == ("Waste management",)
    assert kinds["sdgs"].words == ("12",)
    weights = [r.weight for r in found[0].reasons]
    assert weights == sorted(weights, reverse=True)


def test_a_shared_theme_alone_is_enough_and_said():
    need = NeedQuery("Less rubbish buried", themes=frozenset({"Waste management"}))
    found = PracticeIndex([MUSIC, WASTE], embedder=False).match(need)
    assert [m.key for m in found] == ["waste-sorting"]
    assert [r.kind for r in found[0].reasons] == ["themes"]


def test_a_shared_sdg_alone_proposes_nothing():
    need = NeedQuery("Something else entirely", sdgs=frozenset({11}))
    assert PracticeIndex([MUSIC, WASTE], embedder=False).match(need) == []


def test_a_labelled_practice_ranks_above_an_otherwise_equal_one():
    plain = practice("b-plain", "Sorting household waste at the source", "Less landfill.",
                     themes=frozenset({"Waste management"}))
    labelled = practice("z-labelled", "Sorting household waste at the source",
                        "Less landfill.", themes=frozenset({"Waste management"}),
                        labelled=True)
    found = PracticeIndex([plain, labelled], embedder=False).match(LANDFILL)
    assert [m.key for m in found] == ["z-labelled", "b-plain"]
    assert "labelled" in [r.kind for r in found[0].reasons]
    assert "labelled" not in [r.kind for r in found[1].reasons]


def test_adoptions_elsewhere_count_and_are_named():
    copied = practice("b-copied", "Sorting household waste", "Less landfill.", adoptions=2)
    alone = practice("a-alone", "Sorting household waste", "Less landfill.")
    found = PracticeIndex([alone, copied], embedder=False).match(LANDFILL)
    assert found[0].key == "b-copied"
    assert Reason("adopted", ("2",), pytest.approx(0.1)) in found[0].reasons


def test_the_same_country_adds_a_little():
    here = practice("b-here", "Sorting household waste", "Less landfill.", country="CN")
    there = practice("a-there", "Sorting household waste", "Less landfill.", country="FR")
    found = PracticeIndex([there, here], embedder=False).match(LANDFILL)
    assert found[0].key == "b-here"
    assert any(r.kind == "same_country" and r.subject == "CN" for r in found[0].reasons)


def test_each_language_is_matched_on_its_own():
    both = PracticeCandidate("compost", "Community composting", texts={
        "en": ("Community composting", "Residents compost food waste."),
        "zh-hans": ("社区堆肥", "居民把厨余垃圾堆肥，减少垃圾填埋。")})
    other = practice("buses", "Electric buses", "Diesel buses replaced.")
    index = PracticeIndex([both, other], embedder=False)
    found = index.match(NeedQuery("减少垃圾填埋"))
    assert [m.key for m in found] == ["compost"]
    assert any("垃圾填埋" in word for r in found[0].reasons if r.kind == "terms"
               for word in r.words)
    assert [m.key for m in index.match(NeedQuery("food waste composting"))] == ["compost"]


def test_embeddings_find_a_practice_without_shared_words():
    close = practice("close", "zzz qqq", "zqz")
    far = practice("far", "bbb ccc", "cbc")
    found = PracticeIndex([close, far], embedder=LetterEmbedder()).match(
        NeedQuery("zqzq zq"))
    assert found[0].key == "close"
    assert found[0].reasons[0].kind == "meaning"


def test_equal_scores_are_ordered_by_key_and_top_is_bounded():
    twins = [practice(k, "Sorting household waste", "Landfill.") for k in ("c", "a", "b")]
    index = PracticeIndex(twins, embedder=False)
    assert [m.key for m in index.match(LANDFILL, top=2)] == ["a", "b"]
    assert index.match(LANDFILL, top=0) == []
    assert PracticeIndex([], embedder=False).match(LANDFILL) == []


def test_two_practices_with_one_key_are_refused():
    with pytest.raises(ValueError, match="same key"):
        PracticeIndex([WASTE, WASTE], embedder=False)


def test_cities_come_from_their_practices_and_their_profiles():
    fitting = [PracticeMatch("waste-sorting", "Sorting", 1.5, (), "lyon", "Lyon", "FR"),
               PracticeMatch("compost", "Compost", 1.0, (), "lyon", "Lyon", "FR"),
               PracticeMatch("own", "Own", 2.0, (), "guangzhou", "Guangzhou", "CN")]
    profiles = [CityMatch("lyon", "Lyon", "FR", 0.5, (Reason("they_offer", ("recycling",),
                                                             0.5),)),
                CityMatch("surat", "Surat", "IN", 0.8, (Reason("topics", ("landfill",), 0.8),))]
    cities = propose_cities(LANDFILL, fitting, profiles, top=5)
    assert [c.key for c in cities] == ["lyon", "surat"]  # never the need's own city
    lyon = cities[0]
    assert lyon.score == pytest.approx(2.0)
    assert lyon.reasons[0] == Reason("practice", ("waste-sorting", "compost"), 1.5)
    assert lyon.reasons[1].kind == "they_offer"
    assert propose_cities(LANDFILL, fitting, profiles, top=1)[0].key == "lyon"


def test_the_partner_recommender_finds_cities_that_offer_what_the_need_asks():
    places = [CityProfile("surat", "Surat", "IN", offers=("flood early warning",)),
              CityProfile("kamakura", "Kamakura", "JP", topics=("sustainable tourism",)),
              CityProfile("guangzhou", "Guangzhou", "CN", offers=("flood early warning",))]
    index = PartnerIndex(places, embedder=False)
    need = NeedQuery("A flood early warning system", place="guangzhou", country="CN")
    found = partner_cities(index, need)
    assert [c.key for c in found] == ["surat"]  # not the need's own city, not unrelated
    assert found[0].country == "IN"
    assert any(r.kind == "they_offer" for r in found[0].reasons)


def test_ten_thousand_practices_are_matched_in_under_200_ms():
    rng = np.random.default_rng(0)
    words = ("waste landfill recycling heating flood drainage tourism buses cycling water "
             "schools health composting plastic port trees solar housing").split()
    candidates = [practice(f"p{i:05d}", " ".join(rng.choice(words, 4)),
                           " ".join(rng.choice(words, 25)),
                           themes=frozenset({str(rng.choice(words))}),
                           labelled=bool(i % 7 == 0), adoptions=i % 4,
                           place=f"c{i % 500}", country=("CN", "FR", "IN")[i % 3])
                  for i in range(10_000)]
    index = PracticeIndex(candidates, embedder=RandomEmbedder())
    need = NeedQuery("Reduce landfill by half with more recycling and composting",
                     themes=frozenset({"waste"}), sdgs=frozenset({12}), country="CN")
    index.match(need)
    started = time.perf_counter()
    found = index.match(need, top=50)
    cities = propose_cities(need, found, top=6)
    assert time.perf_counter() - started < 0.2
    assert len(found) == 50 and len(cities) == 6
    assert all(r.weight > 0 for m in found for r in m.reasons)


def test_the_engine_imports_no_django():
    code = ("import sys, citycoop.matchmaking.engine.practice_match; "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
