from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.portfolio.generate import GenerationSpec, ProgrammeExists, generate_portfolio


def at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


class Command(BaseCommand):
    help = (
        "Generate a realistic portfolio for load tests and benchmarks: real EU cities paired "
        "with Chinese, Indian, Latin American, North American and Japanese ones, pilots on the "
        "programme's themes, actions of every kind naming organisations, places, dates and "
        "links, agreements, events and next steps. A few pairings are large, most small; the "
        "same seed makes the same portfolio. Written in one transaction, with one audit entry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pairings", type=at_least_one, required=True, metavar="N",
                            help="how many pairings to make")
        parser.add_argument("--pilots-per-pairing", type=at_least_one, default=10, metavar="M",
                            help="the mean number of pilot projects per pairing (default 10)")
        parser.add_argument("--actions-per-pilot", type=at_least_one, default=10, metavar="K",
                            help="the mean number of actions per pilot project (default 10)")
        parser.add_argument("--seed", type=int, default=1, metavar="S",
                            help="the random seed: the same seed makes the same portfolio "
                                 "(default 1)")
        parser.add_argument("--programme", default="World Cities (generated)", metavar="NAME",
                            help="the programme to create (default: World Cities (generated))")
        parser.add_argument("--append", action="store_true",
                            help="add to the programme if it exists (refused otherwise)")

    def handle(self, *args: Any, pairings: int, pilots_per_pairing: int,
               actions_per_pilot: int, seed: int, programme: str, append: bool,
               **options: Any) -> None:
        def progress(line: str) -> None:
            # On stderr, so that the counts on stdout can be read by a script.
            if options["verbosity"] > 0:
                sys.stderr.write(f"  {line}\n")
                sys.stderr.flush()

        try:
            spec = GenerationSpec(pairings, pilots_per_pairing, actions_per_pilot, seed,
                                  programme)
            report = generate_portfolio(spec, acting_user=None, append=append,
                                        progress=progress)
        except (ProgrammeExists, ValueError) as error:
            raise CommandError(f"nothing was generated: {error}") from error
        if options["verbosity"] > 0:
            for line in report.lines():
                self.stdout.write(f"  {line}")
            self.stdout.write(self.style.SUCCESS(
                f"Generated into {report.programme.name!r} in {report.seconds:.1f} s."))
