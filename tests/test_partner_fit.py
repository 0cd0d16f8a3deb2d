"""Fitting the partner recommender's weights: on made-up cases where the answer is known, and
the shipped weights against a fresh fit on the real pairings."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from citycoop.matchmaking.engine import partner_eval
from citycoop.matchmaking.engine.partner_fit import (
    FITTED,
    REASONED,
    Signals,
    fit_to_pairings,
    fit_weights,
    signals,
)
from citycoop.matchmaking.engine.partners import CityProfile, PartnerIndex, Rules, Weights
from tests.conftest import require_shared

SIZE, TIE = FITTED.index("size"), FITTED.index("tie_country")


def case(rng: np.random.Generator, telling: int, *, candidates: int = 20) -> Signals:
    """Random signals in which the real partner (column 0) always has the highest value of
    the signal ``telling``."""
    matrix = rng.random((len(FITTED), candidates)) * 0.5
    matrix[telling, 0] = 1.0
    return Signals(matrix, 0)


def test_a_signal_that_always_picks_the_partner_gains_weight_and_one_that_never_does_loses():
    rng = np.random.default_rng(0)
    cases = [case(rng, SIZE) for _ in range(40)]
    for c in cases:  # "tie_country" points away from the partner
        c.matrix[TIE, 0] = 0.0
        c.matrix[TIE, 1:] = 1.0
    fitted = fit_weights(cases)
    assert fitted.size > REASONED.size + 0.5
    assert fitted.tie_country < REASONED.tie_country
    assert all(getattr(fitted, name) >= 0.0 for name in FITTED)  # never negative


def test_signals_the_cases_say_nothing_about_keep_their_reasoned_weight():
    rng = np.random.default_rng(1)
    cases = [case(rng, SIZE) for _ in range(40)]
    for c in cases:
        c.matrix[FITTED.index("organisations")] = 0.0  # no organisations anywhere
    assert fit_weights(cases).organisations == REASONED.organisations


def test_the_signals_that_are_not_fitted_and_unusable_cases_are_left_alone():
    prior = replace(REASONED, experience=0.3, taken=0.7)
    excluded = Signals(np.ones((len(FITTED), 5)), None)  # a rule excluded the partner
    alone = Signals(np.ones((len(FITTED), 1)), 0)  # nothing to choose between
    assert fit_weights([excluded, alone], prior) == prior
    fitted = fit_weights([case(np.random.default_rng(2), SIZE) for _ in range(10)], prior)
    assert (fitted.experience, fitted.taken) == (0.3, 0.7)


def test_signals_keep_only_the_candidates_the_rules_allow_and_find_the_partner_among_them():
    profiles = [CityProfile(key=k, country=c, side="partner", topics=t) for k, c, t in [
        ("a", "JP", ("hydrogen buses",)), ("b", "CN", ("flood control",)),
        ("c", "JP", ("district heating",)), ("d", "IN", ("hydrogen buses", "fuel cells"))]]
    index = PartnerIndex(profiles, embedder=None)
    query = CityProfile(key="q", country="DE", side="eu", topics=("hydrogen buses",))
    found = signals(index, query, Rules(side="partner", exclude=frozenset({"b"})), "d")
    assert found.matrix.shape == (len(FITTED), 3)  # a, c, d
    assert found.answer == 2
    assert found.matrix[FITTED.index("tfidf"), 2] > found.matrix[FITTED.index("tfidf"), 1]
    assert signals(index, query, Rules(exclude=frozenset({"d"})), "d").answer is None


def test_variants_are_measured_on_the_same_cases_as_the_recommender():
    from tests.test_partner_evaluation import synthetic

    same = partner_eval.fixed(Weights())
    only_size = partner_eval.fixed(Weights().without(*(n for n in FITTED if n != "size")))
    result = partner_eval.evaluate(synthetic(), embedder=None,
                                   variants={"same": same, "size only": only_size})
    figures = {k: result[k] for k in ("recall_at_5", "recall_at_10", "mrr")}
    assert {k: result["variants"]["same"][k] for k in figures} == figures
    assert result["variants"]["size only"]["mrr"] < result["mrr"]


def test_the_shipped_weights_are_the_fit_to_the_real_pairings():
    """The defaults in ``Weights`` are what ``bench/partners_fit.py`` fits: if the
    pairings, the signals or the fit change, refit and ship the new weights."""
    path = require_shared("data/pairings.json")
    data = partner_eval.parse(json.loads(path.read_text(encoding="utf-8")))
    fitted = fit_to_pairings(data, lookup=partner_eval.gazetteer_lookup(),
                             embedder=partner_eval.cached_embedder(True))
    shipped = Weights()
    for name in FITTED:
        assert getattr(fitted, name) == pytest.approx(getattr(shipped, name), abs=0.02), name
