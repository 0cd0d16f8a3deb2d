"""Fitting the partner recommender's weights to the real pairings, and what fitting is worth.

Run with `.venv/bin/python bench/partners_fit.py` (needs ../shared; about 3 minutes).

The weights start as reasoned values (``partner_fit.REASONED``) and are fitted to the
leave-one-out cases of ../shared/data/pairings.json by ``partner_fit.fit_weights``; the
shipped defaults (``Weights()``) are that fit. Scored on the same cases, fitted weights
flatter themselves, so the same run also measures them honestly: for each hidden pairing,
weights fitted on the file without it (every other pairing hidden in turn, as in the
evaluation), then scored on it alone. All lines come from one evaluation run, with the
baselines, over the same cases:

- reasoned weights; the shipped weights (fitted on all cases: optimistic); the
  cross-validated fit (what fitting brings to pairings it has not seen);
- two diagnoses, not advice: told the real partner's country (only candidates there), and
  told which places are not yet paired (places the programme already paired with a city of
  another country left out; in this test every candidate comes from a pairing, so this
  almost names the hidden partner).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from citycoop.matchmaking.engine import partner_eval as ev  # noqa: E402
from citycoop.matchmaking.engine.partner_fit import (  # noqa: E402
    FITTED,
    REASONED,
    fit_to_pairings,
)
from citycoop.matchmaking.engine.partners import Rules, Weights  # noqa: E402

PAIRINGS = ROOT.parent / "shared" / "data" / "pairings.json"


def same(p: ev.Pairing) -> tuple[str, str, str]:
    """What the evaluation hides together: the rows of the same two places in a programme."""
    return p.eu_key, p.partner_key, p.programme


def told_country(weights: Weights) -> ev.Variant:
    def variant(case: ev.Case) -> tuple[Weights, Rules]:
        return weights, replace(case.rules, eligible_countries=frozenset({
            case.hidden.partner[1]}))
    return variant


def told_not_yet_paired(weights: Weights) -> ev.Variant:
    def variant(case: ev.Case) -> tuple[Weights, Rules]:
        taken = ev.taken_places(case.hidden, case.remaining)
        return weights, replace(case.rules, exclude=case.rules.exclude | taken)
    return variant


def row(name: str, figures: dict[str, Any]) -> str:
    return (f"| {name} | {figures['recall_at_5']:.3f} | {figures['recall_at_10']:.3f} | "
            f"{figures['mrr']:.3f} |")


def main() -> None:
    if not PAIRINGS.exists():
        sys.exit(f"{PAIRINGS} is not there: this benchmark needs ../shared")
    data = ev.parse(json.loads(PAIRINGS.read_text(encoding="utf-8")))
    build: dict[str, Any] = {"lookup": ev.gazetteer_lookup(),
                             "embedder": ev.cached_embedder(True)}

    fitted = fit_to_pairings(data, **build)
    hidden = list(dict.fromkeys(same(p) for p in data.pairings if p.topics or p.tags))
    held_out: dict[tuple[str, str, str], Weights] = {}
    for done, key in enumerate(hidden, start=1):
        rest = ev.Data([p for p in data.pairings if same(p) != key], data.priorities,
                       data.places)
        held_out[key] = fit_to_pairings(rest, **build)
        print(f"\rfitting without each pairing: {done}/{len(hidden)}", end="", file=sys.stderr)
    print(file=sys.stderr)

    shipped = Weights()
    result = ev.evaluate(data, weights=shipped, seed=0, **build, variants={
        "reasoned weights (before fitting)": ev.fixed(REASONED),
        "fitted without the hidden pairing (cross-validated)":
            lambda case: (held_out[same(case.hidden)], case.rules),
        "diagnosis: told the partner's country": told_country(shipped),
        "diagnosis: told which places are not yet paired": told_not_yet_paired(shipped),
    })
    variants = result["variants"]
    print(f"### Fitted weights on {PAIRINGS.name}: {result['n']} cases, "
          f"{result['candidates']} candidates each\n")
    print("| weights | recall@5 | recall@10 | MRR |\n|---|---|---|---|")
    print(row("reasoned (before fitting)", variants["reasoned weights (before fitting)"]))
    print(row("shipped: fitted on all cases (optimistic)", result))
    print(row("fitted without the hidden pairing (cross-validated)",
              variants["fitted without the hidden pairing (cross-validated)"]))
    print(row("random ranking (exact expectation)", result["baselines"]["random"]))
    print(row("popularity", result["baselines"]["popularity"]))
    print(row("diagnosis: told the partner's country",
              variants["diagnosis: told the partner's country"]))
    print(row("diagnosis: told which places are not yet paired",
              variants["diagnosis: told which places are not yet paired"]))
    print("\n| signal | reasoned | fitted on all cases | shipped |\n|---|---|---|---|")
    for name in FITTED:
        print(f"| {name} | {getattr(REASONED, name):g} | {getattr(fitted, name):g} | "
              f"{getattr(shipped, name):g} |")
    if fitted != shipped:
        print("\nThe shipped weights are not this fit. To ship it, set Weights' defaults to:\n"
              + json.dumps({k: v for k, v in asdict(fitted).items()}), file=sys.stderr)


if __name__ == "__main__":
    main()
