"""``citycoop report status``: the programme's status page regenerated from the records."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from citycoop.registry.models import Programme
from citycoop.reports.status.formats import FORMATS, render
from citycoop.reports.status.model import build_status_report, default_programme

BAR_WIDTH = 30


class Bar:
    """A one-line bar on stderr, "reading [####....] 120/2000": redrawn in place on a
    terminal, one line every few seconds in a log. Short runs draw nothing."""

    def __init__(self, stream: OutputWrapper, label: str) -> None:
        self.stream, self.label = stream, label
        self.interactive = stream.isatty()
        self.started = self.last = time.perf_counter()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.started < 1:
            return
        if done < total and self.drawn and now - self.last < (0.1 if self.interactive else 5):
            return
        self.drawn = True
        self.last = now
        filled = BAR_WIDTH * done // max(total, 1)
        line = f"{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
        end = "\n" if not self.interactive or done == total else ""
        self.stream.write(("\r" if self.interactive else "") + line, ending=end)
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Regenerate a programme's status page from the records, in the structure of the "
        "programme's public 'Pilot Projects' page: per country group an introduction with "
        "the figures counted from the records, then the pairings numbered as stored, their "
        "pilot projects as 'Issue N: title' with their actions as bullets, open next steps, "
        "and the contact of the people whose details are public. Only public pairings and "
        "pilots are included. The page can be read back with 'citycoop import'. Formats: "
        "html, md (Markdown), docx (Word) and pdf. Without --output, html and md go to "
        "standard output; docx and pdf need --output. A progress bar (pairings done / total) "
        "shows on standard error for long runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=["status"],
                            help="the report to make: 'status' (the programme's status page)")
        parser.add_argument("--programme", metavar="SLUG",
                            help="the programme's key, e.g. world-cities-2015-2016 "
                                 "(default: the programme with the most pairings)")
        parser.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default="html",
                            help="html (default), md, docx or pdf")
        parser.add_argument("--output", metavar="FILE", type=Path,
                            help="the file to write (default: standard output, for html and "
                                 "md only)")

    def handle(self, *args: Any, programme: str | None, fmt: str, output: Path | None,
               **options: Any) -> None:
        if output is None and FORMATS[fmt].binary:
            raise CommandError(f"--format {fmt} writes a binary file: give --output FILE.")
        chosen = Programme.objects.filter(slug=programme).first() if programme else \
            default_programme()
        if chosen is None:
            raise CommandError(f"No programme has the key {programme!r}." if programme else
                               "No programme has pairings: nothing to report.")
        started = time.perf_counter()
        report = build_status_report(chosen, progress=Bar(self.stderr, "reading"))
        if fmt == "pdf" and report.pairing_count > 50:
            self.stderr.write(f"printing {report.pairing_count} pairings to PDF…")
        data = render(report, fmt, Bar(self.stderr, "writing"))
        if output is None:
            sys.stdout.flush()
            self.stdout.write(data.decode(), ending="")
            return
        Path(output).write_bytes(data)
        seconds = time.perf_counter() - started
        self.stderr.write(f"{chosen.slug}: {report.pairing_count} pairings written to "
                          f"{output} ({fmt}, {len(data):,} bytes) in {seconds:.2f} s.")
