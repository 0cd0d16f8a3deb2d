from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.matchmaking.engine.partners import CityProfile, Recommendation, sentence


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is less than 1")
    return value


class Command(BaseCommand):
    help = (
        "Recommend partner cities for a city: the places of the other side (EU or partner "
        "country) ranked on their stated topics (TF-IDF terms and wordllama embeddings when "
        "wordllama is installed), shared themes and SDGs, what the programme's partners in "
        "each country work on, existing ties (partners, organisations at work on both "
        "sides), comparable size and level, and the programme's rules; each with its "
        "reasons in plain words. Places already paired with the city are left out. With "
        "--evaluate FILE, instead run the leave-one-out evaluation on a pairings file shaped "
        "like shared/data/pairings.json and print recall@5, recall@10 and mean reciprocal "
        "rank against the random and popularity baselines as one JSON object; that mode "
        "needs no database. Writes nothing."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("city", nargs="?",
                            help="the city or region: a place key (e.g. west-midlands) or its "
                                 "name")
        parser.add_argument("--top", type=positive_int, default=10, metavar="N",
                            help="how many partners to list (default 10)")
        parser.add_argument("--format", choices=["text", "json"], default="text",
                            help="text (default): one partner a paragraph with its reasons; "
                                 "json: an object with the city and its recommendations, "
                                 "each with score and reasons (kind, text, weight)")
        parser.add_argument("--programme", metavar="KEY",
                            help="a programme key: apply its rules (only places already "
                                 "paired with the city in it are left out, its countries "
                                 "weigh in, places it already paired with others cost points)")
        parser.add_argument("--country", action="append", default=[], metavar="CC",
                            help="only partners in this country (ISO code, e.g. CN); repeat "
                                 "for several")
        parser.add_argument("--min-population", type=positive_int, metavar="N",
                            help="only partners of at least N people (places of unknown "
                                 "population are kept)")
        parser.add_argument("--evaluate", type=Path, metavar="FILE",
                            help="evaluate on FILE instead (a JSON file with 'pairings', "
                                 "each with 'eu' and 'partner' as [city, country code], "
                                 "'programme', 'level', 'topics' and 'topics_normalised', "
                                 "and optional 'city_priorities'); prints the figures as JSON")
        parser.add_argument("--seed", type=int, default=0, metavar="N",
                            help="with --evaluate: seed of the simulated random baseline "
                                 "(default 0; the figures reported for it are exact)")
        parser.add_argument("--ablation", action="store_true",
                            help="with --evaluate: also the figures without each signal "
                                 "in turn")
        parser.add_argument("--no-embeddings", action="store_true",
                            help="score on TF-IDF terms only, even when wordllama is "
                                 "installed")

    def handle(self, *args: Any, city: str | None, evaluate: Path | None, **options: Any) -> None:
        if evaluate is not None:
            if city:
                raise CommandError("give either a city or --evaluate FILE, not both")
            self.emit(json.dumps(self.evaluate(evaluate, options), ensure_ascii=False,
                                 indent=2))
            return
        if not city:
            raise CommandError("name a city (a place key or name), or give --evaluate FILE")
        self.emit(self.recommend(city, options))

    def emit(self, text: str) -> None:
        try:
            self.stdout.write(text)
        except BrokenPipeError:
            return  # the reader of the output stopped early (`| head`): not an error

    def evaluate(self, path: Path, options: dict[str, Any]) -> dict[str, Any]:
        from citycoop.matchmaking.engine.partner_eval import (
            PairingsFileError,
            evaluate,
            gazetteer_lookup,
        )

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: is not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"{path}: is not JSON: {error.msg} at line {error.lineno} "
                               f"column {error.colno}") from None
        try:
            return evaluate(data, embedder=not options["no_embeddings"],
                            lookup=gazetteer_lookup(), seed=options["seed"],
                            with_ablations=options["ablation"])
        except PairingsFileError as error:
            raise CommandError(f"{path}: {error}") from None

    def recommend(self, name: str, options: dict[str, Any]) -> str:
        from citycoop.matchmaking.city_profiles import as_query, build_profiles, rules_for
        from citycoop.matchmaking.engine.partners import PartnerIndex
        from citycoop.registry.models import Programme

        programme = None
        if options["programme"]:
            programme = Programme.objects.filter(slug=options["programme"]).first()
            if programme is None:
                known = ", ".join(Programme.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"unknown programme {options['programme']!r} "
                                   f"(known: {known})")
        profiles = build_profiles()
        city = find_city(name, profiles)
        index = PartnerIndex(profiles, embedder=not options["no_embeddings"])
        rules = rules_for(city, profiles, programme=programme, countries=options["country"],
                          min_population=options["min_population"])
        found = index.recommend(as_query(city), top=options["top"], rules=rules)
        by_key = {p.key: p for p in profiles}
        if options["format"] == "json":
            return json.dumps(as_json(city, found, by_key, rules.programme,
                                      index.embedder is not None),
                              ensure_ascii=False, indent=2)
        return as_text(city, found, by_key)


def find_city(name: str, profiles: list[CityProfile]) -> CityProfile:
    """The place with this key, else the one with this name (case and accents aside)."""
    from citycoop.lib.text import fold

    by_key = {p.key: p for p in profiles}
    if name in by_key:
        return by_key[name]
    named = [p for p in profiles if fold(p.name) == fold(name)]
    if len(named) == 1:
        return named[0]
    if named:
        keys = ", ".join(p.key for p in named)
        raise CommandError(f"{name!r} names several places: give one of the keys {keys}")
    close = [p.key for p in profiles if fold(name) in fold(p.name)][:5]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise CommandError(f"unknown city {name!r}: no place has this key or name{hint}")


def as_json(city: CityProfile, found: list[Recommendation], by_key: dict[str, CityProfile],
            programme: str, embeddings: bool) -> dict[str, Any]:
    return {
        "city": {"key": city.key, "name": city.name, "country": city.country,
                 "side": city.side},
        "programme": programme or None,
        "embeddings": embeddings,
        "recommendations": [
            {"rank": rank, "key": r.key, "name": r.name, "country": by_key[r.key].country,
             "score": r.score,
             "reasons": [{"kind": reason.kind, "text": sentence(reason),
                          "weight": round(reason.weight, 3)} for reason in r.reasons]}
            for rank, r in enumerate(found, start=1)],
    }


def as_text(city: CityProfile, found: list[Recommendation],
            by_key: dict[str, CityProfile]) -> str:
    lines = [f"Partners for {city.name} ({city.country}):"]
    if not found:
        lines.append("  none: no place passes the rules")
    for rank, r in enumerate(found, start=1):
        lines.append(f"{rank:>3}. {r.name} ({by_key[r.key].country}, {r.key}), score {r.score}")
        lines.extend(f"     - {sentence(reason)}" for reason in r.reasons)
    return "\n".join(lines)
