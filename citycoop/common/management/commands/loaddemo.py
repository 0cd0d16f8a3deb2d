from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.portfolio.demo import DEMO_FIXTURE
from citycoop.portfolio.demo.loader import FixtureError, load_portfolio


class Command(BaseCommand):
    help = (
        "Load the World Cities 2015-2016 portfolio (or another fixture in the same format) "
        "through the audited services. Loading twice changes nothing; a record changed or "
        "deleted since the last load is put back as the fixture has it; a fixture with an "
        "error loads nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fixture", type=Path, default=DEMO_FIXTURE,
                            help="portfolio fixture to load (default: the World Cities demo)")

    def handle(self, *args: Any, fixture: Path, **options: Any) -> None:
        def progress(step: str) -> None:
            if options["verbosity"] > 0:
                sys.stdout.write(f"  loading {step}…\n")
                sys.stdout.flush()

        try:
            report = load_portfolio(fixture, progress=progress)
        except (FixtureError, ValidationError) as error:
            raise CommandError(f"nothing was loaded: {error}") from error
        if options["verbosity"] > 0:
            for line in report.lines():
                self.stdout.write(f"  {line}")
            summary = (f"{report.changed} records created or changed" if report.changed
                       else "already loaded: nothing changed")
            done = f"Portfolio loaded from {fixture.name}: {summary}."
            self.stdout.write(self.style.SUCCESS(done))
