"""``citycoop export --format F``: the portfolio's records as CSV, XLSX, JSON, GeoJSON,
iCalendar or any other format of the exporter registry."""

from __future__ import annotations

import codecs
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from citycoop.common.files import write_beside
from citycoop.common.progress import Bar, notice
from citycoop.opendata.exporters import EXPORTERS, RECORD_TYPES, Exporter
from citycoop.opendata.selection import Selection
from citycoop.portfolio.models import Pairing
from citycoop.registry.models import Programme

# Formats whose files are not text: they go to a file, never to the terminal.
BINARY_FORMATS = frozenset({"xlsx"})


class TextSink(io.RawIOBase):
    """A binary stream onto the command's text output, so that an exporter's bytes can go
    to standard output as they are written (split UTF-8 sequences are held until whole)."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.stream.write(self.decoder.decode(bytes(data)), ending="")
        return len(data)


class Command(BaseCommand):
    help = (
        "Export the portfolio's records. Formats: csv (one record type per file: give "
        f"--record, one of {', '.join(RECORD_TYPES)}), xlsx (a sheet per record type, or the "
        "one --record names, and a sheet that explains the columns), json (the whole "
        "portfolio nested: programmes, pairings, pilot projects, actions, with agreements, "
        "next steps, events, organisations, places and people), geojson (places as points, "
        "pairings as lines between their members), ics (iCalendar: events and next steps "
        "with a due date, as all-day entries) and iati (IATI 2.03 activity XML). Every row "
        "of csv and xlsx carries the record's id and version, and related records by key and "
        "id; docs/opendata.md describes every column. The command line sees every record, "
        "internal ones included, unless --public asks for what an anonymous visitor may see "
        "(public pairings, pilot projects, agreements and events; people whose details are "
        "public). Narrow the export with --programme and --pairing. Without --output, text "
        "formats go to standard output; xlsx needs --output. A file is written whole or not "
        "at all. A progress bar shows on standard error for long runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", dest="fmt", required=True, metavar="FORMAT",
                            help=f"the format: {', '.join(EXPORTERS)}")
        parser.add_argument("--record", default="", metavar="TYPE",
                            help="the record type, for csv (required) and xlsx (default: "
                                 f"every type): {', '.join(RECORD_TYPES)}")
        parser.add_argument("--programme", default="", metavar="SLUG",
                            help="only this programme's records, by its key, e.g. "
                                 "world-cities-2015-2016 (default: every programme)")
        parser.add_argument("--pairing", dest="pairings", action="extend", nargs="+",
                            default=[], metavar="SLUG",
                            help="only these pairings (and what belongs to them), by key; "
                                 "give one or more, or repeat the option")
        parser.add_argument("--public", action="store_true",
                            help="export what the public may see, as the open-data dump does "
                                 "(default: every record, internal ones included)")
        parser.add_argument("--output", metavar="FILE", type=Path,
                            help="the file to write (default: standard output; xlsx needs a "
                                 "file)")

    def handle(self, *args: Any, fmt: str, record: str, programme: str, pairings: list[str],
               public: bool, output: Path | None, **options: Any) -> None:
        exporter = self.exporter(fmt, record, output)
        selection = Selection(programme=self.programme(programme),
                              pairing_slugs=tuple(self.pairings(pairings, programme)),
                              everything=not public)
        started = time.perf_counter()
        progress = Bar(self.stderr, f"exporting {fmt}")
        if output is None:
            sink = io.BufferedWriter(TextSink(self.stdout))
            exporter.export(selection, sink, record=record, progress=progress)
            sink.flush()
            return
        self.write_file(output, lambda out: exporter.export(selection, out, record=record,
                                                            progress=progress))
        seconds = time.perf_counter() - started
        what = f"{record} " if record else ""
        notice(self.stderr, f"{what}{fmt} written to {output} ({output.stat().st_size:,} bytes"
                          f"{', public records only' if public else ''}) in {seconds:.2f} s.")

    def exporter(self, fmt: str, record: str, output: Path | None) -> Exporter:
        exporter = EXPORTERS.get(fmt)
        if exporter is None:
            raise CommandError(f"Unknown format {fmt!r}: use one of {', '.join(EXPORTERS)}.")
        if record and record not in RECORD_TYPES:
            raise CommandError(f"Unknown record type {record!r}: use one of "
                               f"{', '.join(RECORD_TYPES)}.")
        if exporter.per_record and not record:
            raise CommandError(f"--format {fmt} holds one record type per file: give --record, "
                               f"one of {', '.join(RECORD_TYPES)}.")
        if record and not exporter.per_record and fmt != "xlsx":
            raise CommandError(f"--record applies to csv and xlsx; --format {fmt} always "
                               "holds every record type.")
        if fmt in BINARY_FORMATS and output is None:
            raise CommandError(f"--format {fmt} writes a binary file: give --output FILE.")
        if output is not None and output.is_dir():
            raise CommandError(f"{output} is a folder: give --output a file name.")
        return exporter

    def programme(self, slug: str) -> Programme | None:
        if not slug:
            return None
        found = Programme.objects.filter(slug=slug).first()
        if found is None:
            known = ", ".join(Programme.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No programme has the key {slug!r}. Programmes: "
                               f"{known or 'none yet'}.")
        return found

    def pairings(self, slugs: list[str], programme: str) -> list[str]:
        """The pairing keys, each checked: a typo would otherwise export nothing, silently."""
        slugs = list(dict.fromkeys(slugs))
        known = Pairing.objects.filter(slug__in=slugs)
        if programme:
            known = known.filter(programme__slug=programme)
        missing = sorted(set(slugs) - set(known.values_list("slug", flat=True)))
        if missing:
            where = f" in the programme {programme!r}" if programme else ""
            raise CommandError(f"No pairing has the key{'s' if len(missing) > 1 else ''} "
                               f"{', '.join(missing)}{where}.")
        return slugs

    @staticmethod
    def write_file(output: Path, write: Callable[[IO[bytes]], None]) -> None:
        """Write beside the target and rename at the end: a failed export leaves no half
        file, and an earlier export stays until the new one is complete."""
        folder = output.parent if str(output.parent) else Path(".")
        if not folder.is_dir():
            raise CommandError(f"The folder {folder} does not exist.")
        write_beside(output, write)
