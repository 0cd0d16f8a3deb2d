from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from citycoop.matchmaking.engine import (
    InstanceError,
    Placement,
    parse_instance,
    result_to_json,
    schedule,
)


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not more than 0 seconds")
    return value


class BadInput(Exception):
    """A file the command cannot use; the message says which and why."""


class Command(BaseCommand):
    help = (
        "Schedule the accepted B2B meeting requests of an event: read the instance (JSON "
        "with slots, tables per slot, participants with the slots they are present in and "
        "an optional meeting cap, and the accepted meetings with a weight) and print the "
        "schedule as JSON: each meeting's slot and table, the meetings that could not be "
        "placed with the reason, and figures including an upper bound on what any schedule "
        "could place. Bad input is refused with a message and exit status 2. Writes nothing."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("instance", type=Path, help="the instance, a JSON file")
        parser.add_argument("--time-limit", type=positive_seconds, default=30.0,
                            metavar="SECONDS",
                            help="stop improving the schedule after this long (default 30); "
                                 "it usually finishes well before")
        parser.add_argument("--keep", type=Path, metavar="SCHEDULE",
                            help="an earlier output of this command whose meetings are "
                                 "already published: each keeps its slot and table where "
                                 "that is still possible")
        parser.add_argument("--seed", type=int, default=0,
                            help="the random seed of the search (default 0); the same seed "
                                 "gives the same schedule unless the time limit cuts the "
                                 "search short")

    def handle(self, *args: Any, instance: Path, time_limit: float, keep: Path | None,
               seed: int, **options: Any) -> None:
        try:
            try:
                problem = parse_instance(read_json(instance))
            except InstanceError as error:
                raise BadInput(f"{instance}: {error}") from None
            published = read_keep(keep) if keep else []
        except BadInput as error:
            sys.stderr.write(f"citycoop schedule: {error}\n")
            sys.exit(2)
        result = schedule(problem, time_limit=time_limit, seed=seed, keep=published)
        try:
            self.stdout.write(json.dumps(result_to_json(result), ensure_ascii=False, indent=2))
        except BrokenPipeError:
            return  # the reader of the output stopped early (`| head`): not an error


def read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{path}: is not UTF-8 text") from None
    except OSError as error:
        raise BadInput(f"{path}: {error.strerror or error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(f"{path}: is not JSON: {error.msg} at line {error.lineno} "
                       f"column {error.colno}") from None
    except RecursionError:  # the decoder recurses once per level of [ or {
        raise BadInput(f"{path}: is JSON nested too deeply to be an instance") from None


def read_keep(path: Path) -> list[Placement]:
    """The scheduled meetings of an earlier output."""
    data = read_json(path)
    items = data.get("scheduled") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadInput(f"{path}: has no 'scheduled' list (is it an output of this command?)")
    kept = []
    for item in items:
        if not (isinstance(item, dict) and all(isinstance(item.get(k), str)
                                               for k in ("a", "b", "slot"))
                and isinstance(item.get("table"), int)):
            raise BadInput(f"{path}: a scheduled meeting needs a, b, slot and table: {item!r}")
        kept.append(Placement(item["a"], item["b"], item["slot"], item["table"]))
    return kept
