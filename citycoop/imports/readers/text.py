"""Plain-text reports, and the block writer the other readers share.

The plain-text reader keeps the decoded file as ``Document.text`` (newlines normalised to
"\\n", no-break spaces kept) and finds blocks in it line by line, in one pass, so a 50 MB
file costs little more than its own text. Conventions, taken from the programme's pages:

- BULLET: a line whose first character is a bullet glyph (• · ▪ ◦ ● ○ ■ ► ➢, or the
  private-use glyphs Symbol and Wingdings fonts leave in pasted text), or "-", "*", "–", "—"
  followed by a space. ``marker`` is that character; the text excludes it. Bullets that follow
  each other (blank lines allowed) form one list: its shallowest indentation is level 0 and
  each deeper indentation (by 2 columns or more) opens the next level.
- A line without a marker, indented deeper than the marker of the bullet directly above it,
  continues that bullet: the block spans both lines.
- HEADING, level 1: a short title line standing alone between blank lines ("Pilot Projects").
- HEADING, level 2: a numbered line standing alone ("1.   West-Midlands – Guangzhou",
  "1)  Chandigarh (...)"); ``marker`` is "1." or "1)" and the text excludes it. Numbered
  lines in a run of items, or standing alone with nothing between them, are BULLETs with
  that marker instead, and so are lettered items ("a) ...").
- HEADING, level 3: "Issue 1: ..." or "Issue 1 – ..." (also Topic, Theme, Area, Field,
  Pillar, Priority); the text keeps "Issue 1" for the extractor to read.
- PARAGRAPH: any other lines, up to the next blank line, as one block.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from itertools import chain, pairwise
from typing import NamedTuple

from citycoop.imports.readers.base import BlockKind, Document, TextBlock
from citycoop.imports.readers.sniff import decode_text, refuse

BULLET_GLYPHS = "•·▪◦●○■□►▸➢➤✓✔\uf0a7\uf0b7\uf0d8\uf0fc\uf076"
# Symbol and Wingdings fonts draw bullets from private-use code points; what they show.
PRIVATE_USE_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "►", "\uf0fc": "✓",
                       "\uf076": "❖"}
_BULLET = re.compile(rf"(?:([{BULLET_GLYPHS}])|([-*–—])(?=\s))\s*(?=\S)")
_NUMBER = re.compile(r"(\d{1,2}[.)])\s+(?=\S)")
_LETTER = re.compile(r"([a-z]\))\s+(?=\S)")  # "a) ..." items are never headings
_ISSUE = re.compile(r"(?:issue|topic|theme|area|field|pillar|priority)\s+\d{1,2}\s*[:.–—-]\s*\S",
                    re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_TITLE_MAX = 80
_NUMBERED_HEADING_MAX = 120
_ISSUE_MAX = 150


def split_number(text: str) -> tuple[str, str]:
    """('1.', 'West-Midlands') for '1. West-Midlands'; ('', text) without a number."""
    match = _NUMBER.match(text)
    return (match.group(1), text[match.end():]) if match else ("", text)


def is_issue_heading(text: str) -> bool:
    return len(text) <= _ISSUE_MAX and _ISSUE.match(text) is not None


def clean(text: str) -> str:
    """Runs of spaces and tabs as one space, lines trimmed, empty lines dropped.

    No-break spaces inside a line stay: the extractor normalises them.
    """
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class DocumentBuilder:
    """Writes blocks one to a line into a rendered text, recording each block's offsets.

    The html, docx, pdf and md readers use it, so their texts read alike: a blank line before
    headings and paragraphs, bullets indented by level behind their marker, cells one a line.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0
        self.blocks: list[TextBlock] = []

    def add(self, kind: BlockKind, text: str, *, level: int = 0, marker: str = "",
            row: int | None = None, column: int | None = None,
            table: int | None = None) -> TextBlock | None:
        text = clean(text)
        if not text:
            return None
        previous = self.blocks[-1] if self.blocks else None
        if previous is not None and (kind in (BlockKind.HEADING, BlockKind.PARAGRAPH)
                                     or previous.kind != kind or previous.table != table):
            self._write("\n")
        if kind is BlockKind.BULLET:
            self._write("  " * level + (marker or "•") + " ")
        elif marker:
            self._write(marker + " ")
        start = self._size
        self._write(text)
        block = TextBlock(kind, text, start, self._size, level, marker, row, column, table)
        self.blocks.append(block)
        self._write("\n")
        return block

    def _write(self, part: str) -> None:
        self._parts.append(part)
        self._size += len(part)

    def build(self, source: str | None, format: str, title: str | None = None) -> Document:
        first = next((b.text for b in self.blocks
                      if b.kind is BlockKind.HEADING and b.level == 1), None)
        return Document("".join(self._parts), self.blocks, source, format, first or title)


class _Line(NamedTuple):
    start: int  # offset of the first non-space character
    end: int  # offset after the last non-space character
    indent: int  # columns of indentation, a tab counting as four
    kind: str  # "bullet", "marker" (a marker alone), "number", "issue" or "text"
    marker: str
    body: int  # offset where the text after the marker starts


def _lines(text: str) -> Iterator[_Line | None]:
    """Each line of ``text`` classified, None for a blank one; no list of lines is built."""
    pos, size = 0, len(text)
    while pos < size:
        end = text.find("\n", pos)
        if end < 0:
            end = size
        yield _classify(text[pos:end], pos)
        pos = end + 1


def _classify(line: str, offset: int) -> _Line | None:
    content = line.lstrip()
    if not content:
        return None
    lead = len(line) - len(content)
    content = content.rstrip()
    start, end = offset + lead, offset + lead + len(content)
    indent = lead + 3 * line.count("\t", 0, lead)
    bullet = _BULLET.match(content) or _LETTER.match(content)
    if bullet:
        # Interned: a large file has hundreds of thousands of blocks with the same marker.
        marker = bullet.group(1) or bullet.group(2)
        return _Line(start, end, indent, "bullet", sys.intern(marker), start + bullet.end())
    if len(content) == 1 and content in BULLET_GLYPHS:
        return _Line(start, end, indent, "marker", sys.intern(content), end)
    number = _NUMBER.match(content)
    if number:
        return _Line(start, end, indent, "number", sys.intern(number.group(1)),
                     start + number.end())
    kind = "issue" if is_issue_heading(content) else "text"
    return _Line(start, end, indent, kind, "", start)


def _looks_like_title(text: str) -> bool:
    return (len(text) <= _TITLE_MAX and len(text.split()) <= 10
            and (text[0].isupper() or text[0].isdigit()) and text[-1] not in ".:;,!?"
            and ". " not in text and "@" not in text and "://" not in text
            and "www." not in text)


class _Open:
    """The block still growing: a paragraph or a bullet that may get more lines."""

    __slots__ = ("end", "indent", "kind", "level", "marker", "start")

    def __init__(self, kind: BlockKind, line: _Line, level: int = 0) -> None:
        self.kind, self.start, self.end = kind, line.body, line.end
        self.level, self.marker, self.indent = level, line.marker, line.indent


class _TextParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks: list[TextBlock] = []
        self.open: _Open | None = None
        self.list_indents: list[int] = []  # marker indentation of each open list level
        self.after_blank = True
        self.lone_marker: _Line | None = None

    def feed(self, line: _Line | None, following: _Line | None) -> None:
        if line is None:
            self.close()
            self.after_blank = True
            return
        if line.kind == "marker":
            self.close()
            self.lone_marker = line
            return
        if self.lone_marker is not None:
            # A marker alone on its line (as PDF-to-text tools write them) heads the next line.
            if line.kind in ("text", "issue"):
                marker = self.lone_marker
                line = line._replace(kind="bullet", marker=marker.marker, indent=marker.indent)
            self.lone_marker = None
        if line.kind == "bullet":
            self.start_bullet(line)
        elif (self.open is not None and self.open.kind is BlockKind.BULLET
              and line.kind == "text" and line.indent > self.open.indent):
            self.open.end = line.end  # continuation of the bullet above
        elif line.kind == "issue":
            self.heading(line, 3)
        elif line.kind == "number":
            self.numbered(line, following)
        elif self.open is not None and self.open.kind is BlockKind.PARAGRAPH:
            self.open.end = line.end
        elif (self.after_blank and following is None
              and _looks_like_title(self.text[line.start:line.end])):
            self.heading(line, 1)
        else:
            self.close()
            self.list_indents.clear()
            self.open = _Open(BlockKind.PARAGRAPH, line)
        self.after_blank = False

    def numbered(self, line: _Line, following: _Line | None) -> None:
        alone = self.after_blank and (following is None or following.kind == "bullet")
        last: _Open | TextBlock | None = self.open or (self.blocks[-1] if self.blocks else None)
        in_list = last is not None and last.kind is BlockKind.BULLET and last.marker[:1].isdigit()
        if alone and not in_list and line.end - line.start <= _NUMBERED_HEADING_MAX:
            self.heading(line, 2)
        elif self.after_blank or self.list_indents:
            self.start_bullet(line)
        elif self.open is not None and self.open.kind is BlockKind.PARAGRAPH:
            self.open.end = line.end  # a wrapped line that happens to start with "12."
        else:
            self.close()
            self.open = _Open(BlockKind.PARAGRAPH, line._replace(body=line.start))

    def start_bullet(self, line: _Line) -> None:
        self.close()
        indents = self.list_indents
        while indents and indents[-1] - line.indent >= 2:
            indents.pop()
        if not indents or line.indent - indents[-1] >= 2:
            indents.append(line.indent)
        self.open = _Open(BlockKind.BULLET, line, len(indents) - 1)

    def heading(self, line: _Line, level: int) -> None:
        self.close()
        self.list_indents.clear()
        previous = self.blocks[-1] if self.blocks else None
        if level == 2 and previous and previous.kind is BlockKind.HEADING and previous.level == 2:
            # Numbered lines with nothing between them are a list spaced out, not headings.
            self.blocks[-1] = replace(previous, kind=BlockKind.BULLET, level=0)
            self.list_indents.append(line.indent)
            self.open = _Open(BlockKind.BULLET, line)
            return
        self.blocks.append(TextBlock(BlockKind.HEADING, self.text[line.body:line.end],
                                     line.body, line.end, level, line.marker))

    def close(self) -> None:
        block = self.open
        if block is not None:
            self.blocks.append(TextBlock(block.kind, self.text[block.start:block.end],
                                         block.start, block.end, block.level, block.marker))
            self.open = None


def parse_text(text: str) -> list[TextBlock]:
    """The blocks of a plain-text report (see the module docstring)."""
    parser = _TextParser(text)
    # Each line is judged with the next one in view ("standing alone" needs it).
    for line, following in pairwise(chain(_lines(text), [None])):
        parser.feed(line, following)
    parser.close()
    return parser.blocks


def read_txt(data: bytes, name: str | None) -> Document:
    text = decode_text(data, name)
    del data  # the caller handed the bytes over (see read_bytes); free them before parsing
    blocks = parse_text(text)
    if not blocks:
        raise refuse(name, "has no readable text")
    first = blocks[0]
    title = first.text if first.kind is BlockKind.HEADING and first.level == 1 else None
    return Document(text, blocks, name, "txt", title)
