"""``citycoop import-sheet FILE``: read an edited XLSX export back, show the review, apply it.

The module is named import_sheet because a Python module name cannot hold a dash; the
``citycoop`` command offers it as ``import-sheet``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.accounts.models import User
from citycoop.common.progress import Bar
from citycoop.opendata.sheet_import import (
    ImportRefused,
    SheetFileError,
    apply_review,
    review_workbook,
)
from citycoop.opendata.sheet_kinds import CLEAR_MARKER
from citycoop.opendata.sheet_review import REFUSED, STATUSES, UNCHANGED, Review

# A changed text is shown up to this many characters in the terminal.
SHOWN_CHARS = 60


def shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…"


def counts_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[status]} {status}" for status in STATUSES)


def review_lines(review: Review) -> list[str]:
    """The review as text: counts per sheet and overall, then every row that is not
    unchanged, then the notes."""
    lines = [f"{sheet.name}: {counts_line(sheet.counts())}" for sheet in review.sheets]
    lines.append(f"total: {counts_line(review.counts())}")
    for sheet in review.sheets:
        if sheet.refused:
            lines.append(f"{sheet.name}: refused: {sheet.refused}")
        for note in sheet.notes:
            lines.append(f"{sheet.name}: {note}")
    lines.extend(review.notes)
    for row in review.rows():
        if row.status == UNCHANGED:
            continue
        head = f"{row.where} {row.status}"
        if row.status == REFUSED:
            lines.append(f"{head}: {row.reason}")
            continue
        lines.append(f"{head}: {row.label}" if row.label else head)
        lines.extend(f"    {change.column}: {shorten(change.before) or '—'} → "
                     f"{shorten(change.after) or '—'}" for change in row.changes)
        lines.extend(f"    ({note})" for note in row.notes)
    return lines


class Command(BaseCommand):
    help = (
        "Read back an XLSX export edited in a spreadsheet ('citycoop export --format xlsx'), "
        "show what it changes and apply it in one transaction. A row with an id updates that "
        "record, only in the cells that differ from it; a blank cell leaves the field as it "
        f"is, and a cell holding {CLEAR_MARKER} empties it. A row without an id adds a "
        "record. Derived columns (counts, addresses, the parts of a date) are not imported. "
        "A row is refused when a cell cannot be read or fails validation, when the record "
        "changed since the export (its version column is older), or when --user may not "
        "change it; then nothing is written unless --skip-refused. Without --yes the review "
        "is printed and a confirmation asked; --dry-run only prints it. docs/spreadsheets.md "
        "explains the round trip."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the edited XLSX workbook")
        parser.add_argument("--user", default="", metavar="USERNAME",
                            help="import with this user's rights (default: the operator, "
                                 "who may change every record)")
        parser.add_argument("--dry-run", action="store_true",
                            help="print the review and write nothing")
        parser.add_argument("--yes", action="store_true",
                            help="apply without asking for confirmation")
        parser.add_argument("--skip-refused", action="store_true",
                            help="apply the valid rows even if some are refused (default: "
                                 "refused rows stop the whole import)")

    def handle(self, *args: Any, file: Path, user: str, dry_run: bool, yes: bool,
               skip_refused: bool, **options: Any) -> None:
        acting_user = self.acting_user(user)
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            review = review_workbook(file.read_bytes(), name=file.name, user=acting_user,
                                     progress=Bar(self.stderr, "reading"))
        except SheetFileError as error:
            raise CommandError(str(error)) from error
        for line in review_lines(review):
            self.stdout.write(line)
        refusals = review.refusals()
        writes = len(review.to_write())
        # A dry run ends as the real import would, so that a script can check a file first.
        if refusals and not skip_refused:
            raise CommandError(f"{len(refusals)} refused (listed above), so nothing was "
                               "written. Correct the file and import it again, or give "
                               "--skip-refused to apply the valid rows only.")
        if dry_run:
            self.stdout.write(f"Dry run: {writes} records would be added or updated; nothing "
                              "was written.")
            return
        if not writes:
            self.stdout.write("Nothing to change.")
            return
        if not yes and not self.confirmed(writes):
            self.stdout.write("Nothing was written.")
            return
        try:
            written = apply_review(review, acting_user=acting_user, skip_refused=skip_refused)
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Applied: {written} records added or updated.")

    @staticmethod
    def acting_user(username: str) -> User | None:
        if not username:
            return None
        found = User.objects.filter(username=username).first()
        if found is None:
            raise CommandError(f"No user has the name {username!r}.")
        return found

    def confirmed(self, writes: int) -> bool:
        try:
            answer = input(f"Apply {writes} changes? [y/N] ")
        except EOFError:
            return False  # no terminal to answer from: writing needs --yes
        return answer.strip().casefold() in ("y", "yes")
