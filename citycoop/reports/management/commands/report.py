"""``citycoop report status|kpis``: the programme's status page regenerated from the records,
or its KPI report for a period."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.common.files import write_beside
from citycoop.common.progress import Bar, notice
from citycoop.registry.models import Programme
from citycoop.reports.forms import KpiFilterForm, scope_from
from citycoop.reports.kpi_report import build_kpi_report, render_kpi_html, render_kpi_pdf
from citycoop.reports.kpis import groups_of
from citycoop.reports.status.formats import FORMATS, render
from citycoop.reports.status.model import build_status_report, default_programme


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
        "shows on standard error for long runs. "
        "'kpis' makes the KPI report instead: a one-page summary, then every KPI with its "
        "breakdown, chart and reported figures, and the results framework's targets against "
        "approved values; html or pdf, for the whole programme or --group, --pairing, "
        "--start and --end, public records unless --internal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=["status", "kpis"],
                            help="the report to make: 'status' (the programme's status page) "
                                 "or 'kpis' (the KPI report)")
        parser.add_argument("--programme", metavar="SLUG",
                            help="the programme's key, e.g. world-cities-2015-2016 "
                                 "(default: the programme with the most pairings)")
        parser.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default="html",
                            help="html (default), md, docx or pdf; the KPI report: html or pdf")
        parser.add_argument("--output", metavar="FILE", type=Path,
                            help="the file to write (default: standard output, for html and "
                                 "md only)")
        kpis = parser.add_argument_group("the KPI report")
        kpis.add_argument("--group", default="", help="one country group, e.g. EU-China")
        kpis.add_argument("--pairing", default="", metavar="KEY", help="one pairing's key")
        kpis.add_argument("--start", default="", metavar="YYYY-MM-DD",
                          help="the period's first day (records are counted by their date)")
        kpis.add_argument("--end", default="", metavar="YYYY-MM-DD",
                          help="the period's last day")
        kpis.add_argument("--internal", action="store_true",
                          help="count internal records too, as the programme's managers see "
                               "them (default: public records only)")

    def handle(self, *args: Any, report: str, programme: str | None, fmt: str,
               output: Path | None, **options: Any) -> None:
        if output is None and fmt in ("docx", "pdf"):
            raise CommandError(f"--format {fmt} writes a binary file: give --output FILE.")
        narrowed = [f"--{name}" for name in ("group", "pairing", "start", "end", "internal")
                    if options.get(name)]
        if report == "status" and narrowed:
            # The status page is the programme's public page, whole: quietly ignoring a
            # narrowing would hand over a report that is not the one asked for.
            raise CommandError(f"{', '.join(narrowed)}: only for 'report kpis'; the status "
                               "page covers the programme's public records, whole.")
        if output is not None:
            output = Path(output)  # a str when called through call_command
            check_output(output)
        chosen = Programme.objects.filter(slug=programme).first() if programme else \
            default_programme()
        if chosen is None:
            raise CommandError(f"No programme has the key {programme!r}." if programme else
                               "No programme has pairings: nothing to report.")
        if report == "kpis":
            self.kpis(chosen, fmt, output, options)
            return
        started = time.perf_counter()
        status = build_status_report(chosen, progress=Bar(self.stderr, "reading"))
        if fmt == "pdf" and status.pairing_count > 50:
            notice(self.stderr, f"printing {status.pairing_count} pairings to PDF…")
        data = render(status, fmt, Bar(self.stderr, "writing"))
        if self.emit(data, output):
            seconds = time.perf_counter() - started
            notice(self.stderr, f"{chosen.slug}: {status.pairing_count} pairings written to "
                              f"{output} ({fmt}, {len(data):,} bytes) in {seconds:.2f} s.")

    def kpis(self, programme: Programme, fmt: str, output: Path | None,
             options: dict[str, Any]) -> None:
        if fmt not in ("html", "pdf"):
            raise CommandError(f"The KPI report is made as html or pdf, not {fmt}.")
        started = time.perf_counter()
        public_only = not options["internal"]
        filters = {key: options[key] for key in ("group", "pairing", "start", "end")}
        form = KpiFilterForm(filters, groups=groups_of(programme, public_only=public_only))
        scope = scope_from(form, programme, public_only)
        if form.errors:
            raise CommandError("; ".join(
                " ".join(str(e) for e in errors) if field == "__all__"
                else f"--{field}: {' '.join(str(e) for e in errors)}"
                for field, errors in form.errors.items()))
        report = build_kpi_report(scope)
        data = render_kpi_pdf(report) if fmt == "pdf" else render_kpi_html(report).encode()
        if self.emit(data, output):
            seconds = time.perf_counter() - started
            notice(self.stderr, f"{programme.slug}: KPI report written to {output} ({fmt}, "
                              f"{len(data):,} bytes) in {seconds:.2f} s.")

    def emit(self, data: bytes, output: Path | None) -> bool:
        """Write to the file, or to standard output; True when a file was written."""
        if output is None:
            sys.stdout.flush()
            self.stdout.write(data.decode(), ending="")
            return False
        write_whole(Path(output), data)
        return True


def check_output(output: Path) -> None:
    """Refuse a path that cannot be written before the report is made, which can take
    minutes: a missing folder is not made, since a typo in it would go unnoticed."""
    folder = output.parent
    if not folder.exists():
        raise CommandError(f"--output {output}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise CommandError(f"--output {output}: {folder} is a file, not a folder.")
    if output.is_dir():
        raise CommandError(f"--output {output} is a folder: give a file name in it.")


def write_whole(output: Path, data: bytes) -> None:
    """The report under its name only once whole (see :func:`write_beside`); a failed write
    (a full disk, no permission) says why."""
    try:
        write_beside(output, lambda out: out.write(data))
    except OSError as error:
        raise CommandError(f"--output {output} could not be written: "
                           f"{error.strerror or error}") from error
