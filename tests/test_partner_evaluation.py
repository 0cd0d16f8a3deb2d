"""Leave-one-out evaluation of the partner recommender: on a small made-up file, and on the
real pairings of ../shared/data/pairings.json."""

from __future__ import annotations

import json

import pytest

from citycoop.matchmaking.engine import partner_eval
from citycoop.matchmaking.engine.partner_eval import PairingsFileError, evaluate, parse
from tests.conftest import require_shared


def pairing(eu, partner, programme="IUC", topics=(), tags=(), level="city-city"):
    return {"eu": list(eu), "partner": list(partner), "programme": programme, "level": level,
            "topics": list(topics), "topics_normalised": list(tags)}


def synthetic() -> dict:
    """Twelve partner cities; six of them paired twice on the same topics (a trio), one
    paired once on topics nobody else states, the rest without topics."""
    rows = [
        pairing(("Aachen", "DE"), ("Kawasaki", "JP"), topics=["hydrogen buses"]),
        pairing(("Brest", "FR"), ("Kawasaki", "JP"), topics=["hydrogen buses", "fuel cells"]),
        pairing(("Como", "IT"), ("Surat", "IN"), topics=["flood management", "urban drainage"]),
        pairing(("Dax", "FR"), ("Surat", "IN"), topics=["urban drainage", "flood management"]),
        pairing(("Evora", "PT"), ("Recife", "BR"), "IURC", topics=["carnival tourism"]),
        pairing(("Faro", "PT"), ("Recife", "BR"), "IURC", topics=["carnival tourism", "heritage"]),
        pairing(("Gdynia", "PL"), ("Ushuaia", "AR"), "IURC", topics=["penguin colonies"]),
    ]
    rows += [pairing((f"Eu{i}", "DE"), (name, country))
             for i, (name, country) in enumerate([
                 ("Osaka", "JP"), ("Kobe", "JP"), ("Pune", "IN"), ("Patna", "IN"),
                 ("Natal", "BR"), ("Salta", "AR"), ("Lima", "PE"), ("Cusco", "PE"),
                 ("Quito", "EC")])]
    return {"pairings": rows,
            "city_priorities": {"Surat (municipal corporation), IN": {
                "priorities": ["flood risk"]}}}


def test_the_figures_come_as_one_json_object_of_the_agreed_shape():
    result = evaluate(synthetic(), embedder=None)
    json.dumps(result)  # plain JSON types only
    assert result["n"] == 7  # the pairings with topics
    for figures in (result, result["baselines"]["random"], result["baselines"]["popularity"]):
        assert set(figures) >= {"recall_at_5", "recall_at_10", "mrr"}
        assert all(0.0 <= figures[k] <= 1.0 for k in ("recall_at_5", "recall_at_10", "mrr"))
    assert result["candidates"] == 13
    assert result["excluded_by_rules"] == 0


def test_twins_are_found_and_the_baselines_are_beaten():
    result = evaluate(synthetic(), embedder=None)
    # The six twins are found first; the seventh partner, paired once on topics nobody
    # else states, has no profile left once its pairing is hidden.
    assert result["recall_at_5"] >= round(6 / 7, 4)
    assert result["mrr"] >= round(6 / 7, 4)
    assert result["recall_at_10"] > 2 * result["baselines"]["popularity"]["recall_at_10"]


def test_the_random_baseline_is_the_exact_expectation_with_a_seeded_check():
    random_figures = evaluate(synthetic(), embedder=None, seed=3)["baselines"]["random"]
    assert random_figures["recall_at_5"] == round(5 / 13, 4)
    assert random_figures["recall_at_10"] == round(10 / 13, 4)
    assert random_figures["mrr"] == round(sum(1 / r for r in range(1, 14)) / 13, 4)
    simulated = random_figures["simulated"]
    assert simulated["seed"] == 3
    assert abs(simulated["recall_at_10"] - 10 / 13) < 0.05


def test_the_evaluation_is_deterministic():
    assert evaluate(synthetic(), embedder=None) == evaluate(synthetic(), embedder=None)


def test_a_candidate_profile_never_holds_the_hidden_pairing():
    data = parse(synthetic())
    hidden = data.pairings[0]  # Aachen - Kawasaki, hydrogen buses
    remaining = data.pairings[1:]
    profiles = {p.key: p for p in partner_eval._profiles(data, remaining, None, {})}
    kawasaki = profiles["Kawasaki, JP"]
    assert kawasaki.partners == {"Brest, FR": "IUC"}  # not Aachen
    assert kawasaki.pairings == 1
    # The partner paired once is still a candidate, with nothing but its place.
    alone = {p.key: p for p in partner_eval._profiles(data, data.pairings[:6] + data.pairings[7:],
                                                       None, {})}["Ushuaia, AR"]
    assert alone.topics == () and alone.pairings == 0 and alone.country == "AR"
    assert hidden.topics == ("hydrogen buses",)


def test_the_same_pairing_listed_twice_in_a_programme_is_hidden_whole():
    data = synthetic()
    data["pairings"].append(pairing(("Gdynia", "PL"), ("Ushuaia", "AR"), "IURC",
                                    topics=["penguin colonies"]))
    result = evaluate(data, embedder=None)
    assert result["n"] == 8
    assert result["excluded_by_rules"] == 0  # the copy neither leaks nor excludes it


def test_stated_priorities_are_matched_to_places_by_their_words():
    places = {"Surat, IN": ("Surat", "IN"), "Velletri & Rome (Anci Lazio), IT": (
        "Velletri & Rome (Anci Lazio)", "IT"), "San Martín, PE": ("San Martín", "PE")}
    match = partner_eval._match_place
    assert match("Surat, IN", places) == "Surat, IN"
    assert match("Anci Lazio (Velletri & Rome), IT", places) == "Velletri & Rome (Anci Lazio), IT"
    assert match("San Martín (region), PE", places) == "San Martín, PE"
    assert match("Surat, PK", places) is None
    assert parse(synthetic()).priorities == {"Surat, IN": ("flood risk",)}


@pytest.mark.parametrize(("data", "message"), [
    ([], "an object with a 'pairings' list"),
    ({"pairings": {}}, "an object with a 'pairings' list"),
    ({"pairings": ["x"]}, r"pairings\[0\]: must be an object"),
    ({"pairings": [{"eu": ["Lyon"], "partner": ["Kobe", "JP"]}]},
     r"pairings\[0\]\.eu: must be \[city, country code\]"),
    ({"pairings": [{"eu": ["Lyon", "FR"], "partner": ["Kobe", "JP"], "topics": "energy"}]},
     r"pairings\[0\]\.topics: must be a list of strings"),
    ({"pairings": [{"eu": ["Lyon", "FR"], "partner": ["Kobe", "JP"], "programme": 3}]},
     "'programme' and 'level' must be strings"),
    ({"pairings": [], "city_priorities": []}, "'city_priorities' must be an object"),
])
def test_a_malformed_file_is_refused_with_where_and_why(data, message):
    with pytest.raises(PairingsFileError, match=message):
        evaluate(data, embedder=None)


def test_ablations_list_each_signal_taken_away():
    result = evaluate(synthetic(), embedder=None, with_ablations=True)
    assert "without tfidf" in result["ablations"]
    assert "text only (tfidf + embedding)" in result["ablations"]
    assert partner_eval.TAKEN in result["ablations"]
    assert result["ablations"]["without tfidf"]["recall_at_5"] <= result["recall_at_5"]


def test_on_the_real_pairings_the_recommender_beats_both_baselines():
    path = require_shared("data/pairings.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    result = evaluate(data, lookup=partner_eval.gazetteer_lookup())
    with_topics = [p for p in data["pairings"] if p["topics"] or p["topics_normalised"]]
    assert result["n"] == len(with_topics)
    popularity = result["baselines"]["popularity"]
    random_figures = result["baselines"]["random"]
    # The target is 0.6; what is reached, and why not more, is in
    # bench/partners-results.md. This guards what is reached against regressions (0.569
    # with embeddings, 0.492 on terms alone).
    assert result["recall_at_10"] >= (0.55 if result["embeddings"] != "none" else 0.47)
    assert result["recall_at_10"] >= 2 * popularity["recall_at_10"]
    assert result["recall_at_10"] >= 3 * random_figures["recall_at_10"]
    assert result["mrr"] > max(popularity["mrr"], random_figures["mrr"])


def test_without_embeddings_the_figures_say_so():
    assert evaluate(synthetic(), embedder=False)["embeddings"] == "none"
