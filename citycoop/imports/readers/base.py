"""The one intermediate format every reader produces and the extractor consumes.

A reader turns a file into a :class:`Document`: the report's plain text and the blocks it is
made of (headings, bullets, paragraphs, table cells). Each block's ``text`` is exactly
``document.text[block.start:block.end]``, so every fact the extractor finds in a block can be
traced to characters of the document. Nothing here imports Django.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class BlockKind(enum.StrEnum):
    HEADING = "heading"
    BULLET = "bullet"
    PARAGRAPH = "paragraph"
    CELL = "cell"


@dataclass(frozen=True)
class TextBlock:
    kind: BlockKind
    text: str  # exactly document.text[start:end]: the content without its bullet marker
    start: int
    end: int
    level: int = 0  # heading level 1-6; bullet nesting depth from 0; 0 otherwise
    marker: str = ""  # the bullet or number as written ("•", "-", "1.", "1)", "a)")
    row: int | None = None  # table cells: row and column from 0
    column: int | None = None
    table: int | None = None  # table cells: which table of the document, from 0


@dataclass
class Document:
    text: str
    blocks: list[TextBlock] = field(default_factory=list)
    source: str | None = None  # file name or address
    format: str = "txt"  # txt, md, html, docx, pdf
    title: str | None = None

    def check(self) -> None:
        """Assert the offsets invariant (used by the readers' tests)."""
        for block in self.blocks:
            assert self.text[block.start:block.end] == block.text, block


class UnreadableFile(Exception):
    """A file the readers refuse, with a one-line reason a person can act on."""
