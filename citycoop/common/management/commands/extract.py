from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from citycoop.imports.extract import extract
from citycoop.imports.readers import read_document
from citycoop.imports.readers.base import UnreadableFile
from citycoop.imports.textview import draft_as_text


class Command(BaseCommand):
    help = (
        "Read a report (.txt, .md, .html, .docx, .pdf) and print what it says as a structured "
        "draft: pairings, pilot areas, actions with their organisations, places, dates and "
        "links, agreements, headline figures and contacts. Writes nothing."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the report to read")
        parser.add_argument("--format", choices=["json", "text"], default="json",
                            help="json (the report draft, default) or text (a readable summary)")
        parser.add_argument("--no-spans", action="store_true",
                            help="leave out the character offsets of each fact")

    def handle(self, *args: Any, file: Path, format: str, no_spans: bool, **options: Any) -> None:
        try:
            document = read_document(file)
        except UnreadableFile as error:
            sys.stderr.write(f"citycoop extract: {error}\n")
            sys.exit(2)
        except OSError as error:
            sys.stderr.write(f"citycoop extract: {file}: {error.strerror or error}\n")
            sys.exit(2)
        draft = extract(document)
        if format == "json":
            self.stdout.write(json.dumps(draft.to_json(spans=not no_spans), ensure_ascii=False,
                                         indent=2))
        else:
            self.stdout.write(draft_as_text(draft))
