from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.imports.extract import extract
from citycoop.imports.load import apply_review
from citycoop.imports.readers import read_document
from citycoop.imports.readers.base import UnreadableFile
from citycoop.imports.review import ImportRefused, review_report
from citycoop.imports.reviewtable import review_table


class Command(BaseCommand):
    help = (
        "Import a report: read it, compare what it says with the registry (new, same, "
        "changed), print the review, and on confirmation write it in one transaction. "
        "Importing the same file twice changes nothing; fields edited by hand are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the report (.txt, .md, .html, .docx, .pdf)")
        parser.add_argument("--programme", default=None,
                            help="the programme it belongs to (created if it does not exist; "
                                 "needed unless the database holds exactly one)")
        parser.add_argument("--dry-run", action="store_true",
                            help="print the review and write nothing")
        parser.add_argument("--yes", action="store_true",
                            help="apply without asking for confirmation")
        parser.add_argument("--all", action="store_true",
                            help="list records that are the same too, not only what changes")

    def handle(self, *args: Any, file: Path, programme: str | None, dry_run: bool, yes: bool,
               **options: Any) -> None:
        try:
            data = file.read_bytes()
            document = read_document(file, data=data)
        except UnreadableFile as error:
            raise CommandError(f"{file}: {error}") from error
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from error
        try:
            review = review_report(document, extract(document), data, programme=programme)
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(review_table(review, show_same=options["all"]))
        if not any(item.writes for item in review.items.values()):
            self.stdout.write(self.style.SUCCESS("Nothing to import: the registry already "
                                                 "holds everything this report says."))
            return
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        if not yes and not self.confirmed():
            self.stdout.write("Nothing was written.")
            return
        try:
            report = apply_review(review)
        except ValidationError as error:
            raise CommandError(f"nothing was written: {error}") from error
        self.stdout.write(self.style.SUCCESS(
            f"Imported {file.name}: {report.written} records created or updated."))

    def confirmed(self) -> bool:
        if not sys.stdin.isatty():
            raise CommandError("not a terminal, so no one can confirm: pass --yes to apply, "
                               "or --dry-run to only review")
        return input("Apply this import? [y/N] ").strip().lower() in {"y", "yes"}
