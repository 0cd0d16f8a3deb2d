from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from citycoop.imports.extract import extract
from citycoop.imports.readers import MAX_BYTES, read_document
from citycoop.imports.readers.base import UnreadableFile
from citycoop.imports.readers.sniff import SAMPLE, megabytes, refuse, sniff
from citycoop.imports.stream import write_draft
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
            if format == "json" and is_plain_text(file):
                # Plain text is read in parts and written as it goes, so a long report
                # needs the memory of one part, not of the whole file.
                write_draft(file, RawOutput(self.stdout), spans=not no_spans)
                return
            document = read_document(file)
        except UnreadableFile as error:
            sys.stderr.write(f"citycoop extract: {error}\n")
            sys.exit(2)
        except BrokenPipeError:
            return  # the reader of the output stopped early (`| head`): not an error
        except OSError as error:
            sys.stderr.write(f"citycoop extract: {file}: {error.strerror or error}\n")
            sys.exit(2)
        draft = extract(document)
        if format == "json":
            self.stdout.write(json.dumps(draft.to_json(spans=not no_spans), ensure_ascii=False,
                                         indent=2))
        else:
            self.stdout.write(draft_as_text(draft))


def is_plain_text(path: Path) -> bool:
    """Whether the file is a plain-text report (by its content), within the size limit."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise refuse(path.name, f"is {megabytes(size)}; the limit is {megabytes(MAX_BYTES)}")
    with path.open("rb") as handle:
        head = handle.read(SAMPLE)
    return bool(head) and sniff(head, path.name) == "txt"


class RawOutput:
    """The command's output without the newline Django's wrapper adds to every write."""

    def __init__(self, wrapper: Any) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
