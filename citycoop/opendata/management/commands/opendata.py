"""``citycoop opendata``: the open-data dump of everything public, as one ZIP."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from citycoop.common.progress import Bar, notice
from citycoop.opendata.dump import write_dump_file


class Command(BaseCommand):
    help = (
        "Write the open-data dump: a ZIP of every public record as CSV (one file per record "
        "type), the whole portfolio as JSON and the places and pairings as GeoJSON, with a "
        "README that explains every file and column, the licence (CITYCOOP_OPENDATA_LICENCE, "
        "CC BY 4.0 by default) and the date. Internal records and the details of people who "
        "have not made them public are never included. The web app serves the same dump at "
        "/opendata.zip."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, required=True, metavar="FILE",
                            help="the ZIP file to write (replaced only once it is complete)")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        started = time.perf_counter()
        write_dump_file(output, progress=Bar(self.stderr, "writing"))
        notice(self.stderr, f"Open data written to {output} ({output.stat().st_size:,} bytes) "
                          f"in {time.perf_counter() - started:.1f} s.")
