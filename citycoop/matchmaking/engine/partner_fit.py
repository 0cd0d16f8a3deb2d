"""Fitting the partner recommender's weights to real pairings. Pure Python, no Django.

Each case is a hidden pairing: every candidate's signals (one row per signal, one column per
candidate) and which candidate was the real partner. The fit maximises the likelihood that
a city picks its real partner when it picks with probability proportional to
``exp(score)`` among the candidates its rules allow (a softmax over each case's candidates,
i.e. the listwise model of learning to rank), with two safeguards for a few dozen cases:

- a pull towards the reasoned weights (``prior``): a Gaussian prior, so a signal the
  pairings say nothing about (no offers or organisations in them) keeps its reasoned
  weight, and one they say little about moves little;
- no negative weights: sharing a theme or a partner country never counts against a place.

``bench/partners_fit.py`` fits the shipped weights with it and measures, by leaving each
pairing out of the fit in turn, what fitting brings to pairings it has not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.optimize import minimize

from citycoop.matchmaking.engine import partner_eval
from citycoop.matchmaking.engine.partners import CityProfile, PartnerIndex, Rules, Weights

__all__ = ["FITTED", "REASONED", "Signals", "fit_to_pairings", "fit_weights", "signals"]

# The weights set by reasoning about what each signal means, before any fitting: the prior.
REASONED = Weights(tfidf=1.0, embedding=1.0, complement=0.5, themes=0.5, sdgs=0.2,
                   programme_context=1.5, country_context=0.5, programme_country=0.3,
                   paired_before=1.0, organisations=0.5, tie_country=0.2, peers=0.2, size=0.5,
                   level=0.2, experience=0.0, taken=0.5)

# The signals that are fitted. ``experience`` (popularity) and ``taken`` (places the
# programme already paired) stay as they are: in a test drawn from a file of pairings,
# every candidate but the hidden partner has a pairing, so both would learn that artefact.
FITTED = tuple(name for name in Weights.names() if name not in {"experience", "taken"})

# How strongly the weights are pulled towards the reasoned ones (the prior's precision).
# 1.0 keeps them within about one point of the prior on the real pairings' 65 cases.
PRIOR_STRENGTH = 1.0


@dataclass(frozen=True)
class Signals:
    """One case: ``matrix`` has a row per signal in FITTED and a column per candidate the
    rules allow; ``answer`` is the real partner's column, or None if a rule excluded it."""

    matrix: np.ndarray
    answer: int | None


def signals(index: PartnerIndex, query: CityProfile, rules: Rules, answer_key: str,
            prior: Weights = REASONED) -> Signals:
    """The signals of the candidates ``rules`` allow for ``query`` (the contexts mix terms
    and embeddings as ``prior`` weighs them)."""
    parts = index.parts(query, rules, prior)
    allowed = index.allowed(query, rules)
    n = len(index)
    matrix = np.vstack([np.broadcast_to(np.asarray(parts[name], np.float64), (n,))
                        for name in FITTED])[:, allowed]
    position = index.position[answer_key]
    answer = int(allowed[:position].sum()) if allowed[position] else None
    return Signals(matrix, answer)


def fit_weights(cases: Sequence[Signals], prior: Weights | None = None, *,
                strength: float = PRIOR_STRENGTH) -> Weights:
    """The weights that make the real partners most likely (see the module's docstring),
    rounded to two decimals; the signals not fitted keep the prior's values."""
    prior = prior or REASONED
    start = np.array([getattr(prior, name) for name in FITTED], np.float64)
    usable = [c for c in cases if c.answer is not None and c.matrix.shape[1] > 1]

    def loss_and_gradient(w: np.ndarray) -> tuple[float, np.ndarray]:
        gap = w - start
        loss, gradient = strength * float(gap @ gap), 2 * strength * gap
        for case in usable:
            scores = w @ case.matrix
            chance = np.exp(scores - scores.max())
            chance /= chance.sum()
            loss -= float(np.log(max(chance[case.answer], 1e-300)))
            gradient -= case.matrix[:, case.answer] - case.matrix @ chance
        return loss, gradient

    if not usable:
        return prior
    found = minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B",
                     bounds=[(0.0, None)] * len(FITTED))
    return replace(prior, **{name: round(float(v), 2)
                             for name, v in zip(FITTED, found.x, strict=True)})


def fit_to_pairings(data: partner_eval.Data, *, lookup: partner_eval.Lookup | None = None,
                    embedder: Any = None) -> Weights:
    """Weights fitted to every leave-one-out case of a pairings file (as parsed by
    ``partner_eval.parse``); ``lookup`` and ``embedder`` as ``partner_eval.cases`` takes
    them."""
    return fit_weights([signals(case.index, case.query, case.rules, case.hidden.partner_key)
                        for case in partner_eval.cases(data, lookup=lookup,
                                                       embedder=embedder)])
