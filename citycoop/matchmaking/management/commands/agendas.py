"""``citycoop agendas EVENT --out DIR``: every participant's agenda as a PDF file."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    OutputWrapper,
)
from django.db import connections

from citycoop.events.models import Event
from citycoop.lib.text import slugify
from citycoop.matchmaking.agenda import agenda_html, event_agendas, html_to_pdf
from citycoop.matchmaking.services import display_name

BAR_WIDTH = 30


class Progress:
    """A one-line text bar on stderr: [#####.....] 120/1000 12.3 per second, 71 s left."""

    def __init__(self, total: int, stream: OutputWrapper) -> None:
        self.total, self.stream, self.done = total, stream, 0
        self.started = time.perf_counter()
        self.interactive = stream.isatty()
        self.last_line = 0.0

    def step(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        # On a terminal the bar redraws in place; in a log, one line every few seconds.
        if self.done == self.total or now - self.last_line >= (0.1 if self.interactive else 5):
            self.last_line = now
            self.draw(now)

    def draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        filled = BAR_WIDTH * self.done // max(self.total, 1)
        left = (self.total - self.done) / rate if rate else 0
        line = (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total} "
                f"{rate:.1f}/s, {left:.0f} s left")
        end = "\n" if not self.interactive or self.done == self.total else ""
        self.stream.write(("\r" if self.interactive else "") + line, ending=end)
        self.stream.flush()


def _render(job: tuple[str, str]) -> str:
    """In a worker process: one agenda's HTML to its PDF file; returns the path."""
    path, html = job
    Path(path).write_bytes(html_to_pdf(html))
    return path


def check_folder(out: Path) -> None:
    """A path that is a file stops the command before anything is read or written."""
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out} is a file, not a folder: give the folder to write "
                           "the agendas in.")


def make_folder(out: Path) -> None:
    """The folder the agendas go to, made if needed, or a sentence saying why it cannot be."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"--out {out}: the folder cannot be made: "
                           f"{error.strerror or error}") from error


class Command(BaseCommand):
    help = ("Write every participant's B2B agenda (their published meetings) as a PDF into a "
            "folder, one file per participant, with a progress bar on stderr.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event", help="the event's key (slug)")
        parser.add_argument("--out", required=True, type=Path, help="the folder to write to")
        parser.add_argument("--jobs", type=int, default=0,
                            help="processes making PDFs at once (default: one per core)")

    def handle(self, *args: Any, event: str, out: Path, jobs: int, **options: Any) -> None:
        out = Path(out)  # a str when called through call_command
        check_folder(out)
        found = Event.objects.select_related("place").filter(slug=event).first()
        if found is None:
            raise CommandError(f"No event has the key {event!r}.")
        make_folder(out)
        started = time.perf_counter()
        jobs_list = []
        for participation, items in event_agendas(found):
            name = slugify(display_name(participation), max_length=60) or "participant"
            path = out / f"agenda-{participation.pk}-{name}.pdf"
            jobs_list.append((str(path), agenda_html(participation, items)))
        if not jobs_list:
            self.stderr.write("No published meeting: nothing to write.")
            return
        prepared = time.perf_counter() - started
        progress = Progress(len(jobs_list), self.stderr)
        # The pages are ready: the database is not needed in the workers, which only print.
        connections.close_all()
        workers = jobs or None
        import weasyprint  # noqa: F401 - loaded once here, shared by the forked workers

        if workers == 1:
            for job in jobs_list:
                _render(job)
                progress.step()
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for _path in pool.map(_render, jobs_list, chunksize=8):
                    progress.step()
        seconds = time.perf_counter() - started
        self.stdout.write(f"{len(jobs_list)} agendas written to {out} in {seconds:.1f} s "
                          f"({prepared:.1f} s reading the meetings and writing the pages, "
                          f"{len(jobs_list) / seconds:.1f} per second).")
