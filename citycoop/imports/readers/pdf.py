"""PDF reports: pypdf checks the file, pdfplumber gives text lines with their positions.

Reading order is top to bottom on each page, left column then right where a page's lines
leave its middle free. Blocks:

- HEADING: a line clearly larger than the body text (1.15 times the median size), or a short
  line that is all bold or reads "Issue N: ...". Levels rank the document's heading sizes,
  largest first (h1/h2/h3 of a web page give 1/2/3); bold or "Issue" lines at body size come
  next. A leading "1." goes to ``marker``; a wrapped heading stays one block.
- BULLET: a line starting with a bullet glyph (• ● ▪ ◦ - –, Symbol/Wingdings private-use
  glyphs shown as "•", Word's Courier "o" as "◦") or a number ("1.", "2)"). Its level comes
  from the marker's x position in the list (0 leftmost); lines starting where its text starts
  continue it, across a page break too.
- PARAGRAPH: consecutive lines at normal line spacing and the same left edge.
- CELL: the cells of the tables pdfplumber finds (ruled tables); their text is not repeated
  as paragraphs.

Page numbers and lines repeated in the margins of several pages (running heads) are dropped.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from citycoop.imports.readers.base import BlockKind, Document
from citycoop.imports.readers.sniff import refuse
from citycoop.imports.readers.text import (
    BULLET_GLYPHS,
    PRIVATE_USE_BULLETS,
    DocumentBuilder,
    is_issue_heading,
    split_number,
)

_WEAK_MARKERS = "-–"  # also dashes in running text
_GLYPHS = BULLET_GLYPHS + _WEAK_MARKERS
_NUMBERED = re.compile(r"(\d{1,2}[.)])\s")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
_WORD_BREAK = re.compile(r"\w[-/\u2010]$")
_MARGIN = 0.08  # share of the page height at top and bottom where running heads live
_X_TOLERANCE = 3.0  # points: how far two left edges may differ and still line up
_HEADING_RATIO = 1.15


@dataclass
class _Line:
    text: str  # the whole line
    marker: str
    body: str  # the text after the marker
    x0: float  # left edge of the line (of its marker, for a bullet)
    text_x: float  # left edge of the text after the marker
    top: float
    bottom: float
    size: float
    bold: bool
    page: int
    column: int
    in_margin: bool


@dataclass
class _Table:
    rows: list[list[str | None]]
    top: float
    column: int


@dataclass
class _Open:
    kind: BlockKind
    level: int = 0
    marker: str = ""
    lines: list[_Line] = field(default_factory=list)


def _check(data: bytes, name: str | None) -> None:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import PyPdfError

    end = data.rfind(b"%%EOF")
    # A cut file lacks its final end marker; a little trailing junk or padding is normal.
    if end < 0 or (len(data) - end > 4096 and data[end + 5:].strip(b"\x00 \t\r\n")):
        raise refuse(name, "is not a readable PDF: it stops before its end (truncated?); "
                           "download or export it again")
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise refuse(name, f"is not a readable PDF: {_first_line(exc)}") from None
    if locked:
        raise refuse(name, "is password-protected: save an unprotected copy")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n")[0][:150] or type(exc).__name__


def _line(raw: dict[str, Any], page: int, column: int, height: float) -> _Line | None:
    chars = [c for c in raw["chars"] if c["text"].strip()]
    if not chars:
        return None
    text = raw["text"].strip()
    marker, skip = "", 0
    first = chars[0]["text"]
    numbered = _NUMBERED.match(text)
    if first in _GLYPHS and len(text) > 1 and (first not in _WEAK_MARKERS or text[1] == " "):
        marker, skip = PRIVATE_USE_BULLETS.get(first, first), 1
    elif first == "o" and text[1:2] == " " and "courier" in chars[0]["fontname"].lower():
        marker, skip = "◦", 1  # Word's second-level bullet, exported as a Courier "o"
    elif numbered:
        marker, skip = numbered.group(1), len(numbered.group(1))
    if skip >= len(chars):
        return None
    sizes = [round(c["size"], 1) for c in chars]
    bold = sum("bold" in c["fontname"].lower() for c in chars) >= 0.8 * len(chars)
    top, bottom = raw["top"], raw["bottom"]
    return _Line(text, marker, text[skip:].strip(), raw["x0"], chars[skip]["x0"], top, bottom,
                 statistics.median(sizes), bold, page, column,
                 top < _MARGIN * height or bottom > (1 - _MARGIN) * height)


def _columns(page: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    """The page's text lines and, if it is set in two columns, its two halves."""
    lines = page.extract_text_lines(return_chars=True)
    middle = (page.bbox[0] + page.bbox[2]) / 2
    crossing = both = 0
    for line in lines:
        xs = [(c["x0"], c["x1"]) for c in line["chars"] if c["text"].strip()]
        crossing += any(x0 < middle < x1 or abs(x0 - middle) < 4 for x0, x1 in xs)
        both += any(x1 < middle for _, x1 in xs) and any(x0 > middle for x0, _ in xs)
    if len(lines) >= 6 and crossing <= 0.1 * len(lines) and both >= 0.3 * len(lines):
        x0, top, x1, bottom = page.bbox
        return [], [page.crop((x0, top, middle, bottom)), page.crop((middle, top, x1, bottom))]
    return lines, [page]


def _page_items(page: Any, number: int) -> list[_Line | _Table]:
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    if boxes:
        # Table text is read as cells only: hide its characters from the line finder.
        page = page.filter(lambda obj: obj.get("object_type") != "char" or not any(
            x0 <= (obj["x0"] + obj["x1"]) / 2 <= x1 and top <= (obj["top"] + obj["bottom"]) / 2
            <= bottom for x0, top, x1, bottom in boxes))
    lines, regions = _columns(page)
    right = regions[-1].bbox[0]  # where the right column starts, if there are two
    items: list[_Line | _Table] = [
        _Table(t.extract(), t.bbox[1], int(len(regions) == 2 and t.bbox[0] >= right - 1))
        for t in tables]
    for column, region in enumerate(regions):
        raw_lines = lines if len(regions) == 1 else region.extract_text_lines(return_chars=True)
        found = (_line(raw, number, column, page.height) for raw in raw_lines)
        items.extend(line for line in found if line is not None)
    items.sort(key=lambda item: (item.column, item.top))
    return items


def _extract(data: bytes, name: str | None) -> tuple[list[_Line | _Table], str | None]:
    import pdfplumber

    items: list[_Line | _Table] = []
    try:
        with pdfplumber.open(io.BytesIO(data), password="") as pdf:
            title = (pdf.metadata or {}).get("Title")
            for number, page in enumerate(pdf.pages):
                items.extend(_page_items(page, number))
                page.close()  # frees the page's cached layout objects
    except Exception as exc:  # pdfminer raises anything from KeyError to struct.error
        raise refuse(name, f"is not a readable PDF: {_first_line(exc)}") from None
    return items, title if isinstance(title, str) else None


def _drop_running_heads(items: list[_Line | _Table]) -> list[_Line | _Table]:
    """The items without page numbers and lines repeated in the margins of many pages."""
    lines = [item for item in items if isinstance(item, _Line)]
    pages = len({line.page for line in lines})
    repeated = Counter(re.sub(r"\d+", "#", line.text) for line in lines if line.in_margin)
    least = max(3, pages // 2)
    return [item for item in items if not (isinstance(item, _Line) and item.in_margin and (
        _PAGE_NUMBER.match(item.text) or repeated[re.sub(r"\d+", "#", item.text)] >= least))]


def _join(lines: list[str]) -> str:
    """The lines of one block, one a line, except where the layout broke a word.

    Layout engines break lines after a hyphen or a slash inside a word ("EU-|China",
    "www.example.eu/|china"); no space was there, so none is put back.
    """
    text = lines[0]
    for line in lines[1:]:
        broken = _WORD_BREAK.search(text) is not None and line[:1].isalnum()
        text += line if broken else "\n" + line
    return text


def _body_size(lines: list[_Line]) -> float:
    """The font size of most of the text: the median size, weighted by characters."""
    weighted = sorted((line.size, len(line.text)) for line in lines)
    half, seen = sum(weight for _, weight in weighted) / 2, 0
    for size, weight in weighted:
        seen += weight
        if seen >= half:
            return size
    return 10.0  # no lines: any size will do


class _PdfLayout:
    def __init__(self, lines: list[_Line]) -> None:
        self.body = _body_size(lines)
        sizes = {round(line.size * 2) / 2 for line in lines if self.large(line)}
        self.heading_sizes = sorted(sizes, reverse=True)
        gaps = [b.top - a.bottom for a, b in pairwise(lines)
                if a.page == b.page and a.column == b.column and 0 <= b.top - a.bottom < a.size]
        self.line_gap = statistics.median(gaps) if gaps else 0.2 * self.body
        self.out = DocumentBuilder()
        self.tables = -1
        self.open: _Open | None = None
        self.list_x: list[float] = []

    def large(self, line: _Line) -> bool:
        return line.size >= self.body * _HEADING_RATIO and len(line.text) <= 200

    def heading_level(self, line: _Line) -> int:
        if self.large(line):
            return min(6, self.heading_sizes.index(round(line.size * 2) / 2) + 1)
        short = len(line.text) <= 100 and not line.text.endswith((".", ":", ";", ","))
        numbered_or_plain = not line.marker or line.marker[0].isdigit()
        if numbered_or_plain and ((line.bold and short) or is_issue_heading(line.text)):
            return min(6, len(self.heading_sizes) + 1)
        return 0

    def feed(self, item: _Line | _Table) -> None:
        if isinstance(item, _Table):
            self.table(item)
            return
        level = self.heading_level(item)
        block = self.open
        if level:
            if not (block and block.kind is BlockKind.HEADING and block.level == level
                    and self.follows(block.lines[-1], item) and len(block.lines) < 3):
                self.start(_Open(BlockKind.HEADING, level=level))
                self.list_x.clear()
        elif self.carries_on(block, item):
            pass
        elif item.marker:
            self.start(_Open(BlockKind.BULLET, self.list_level(item.x0), item.marker))
        else:
            self.start(_Open(BlockKind.PARAGRAPH))
            self.list_x.clear()
        assert self.open is not None
        self.open.lines.append(item)

    def carries_on(self, block: _Open | None, line: _Line) -> bool:
        """Whether ``line`` continues the open bullet or paragraph.

        A number or a dash at the start of a wrapped line ("... between\n12. ...", "Fira
        de Barcelona\n– Tianfu") is only a marker where the line does not line up with the
        text above it; a bullet glyph always starts a new item.
        """
        if block is None or (line.marker and line.marker not in _WEAK_MARKERS
                             and not line.marker[0].isdigit()):
            return False
        if block.kind is BlockKind.BULLET:
            return self.continues_bullet(block, line)
        return block.kind is BlockKind.PARAGRAPH and self.continues(block, line)

    def follows(self, previous: _Line, line: _Line) -> bool:
        """Same page and column, at normal line spacing."""
        return (previous.page == line.page and previous.column == line.column
                and line.top - previous.bottom <= self.line_gap + 0.35 * line.size)

    def continues_bullet(self, block: _Open, line: _Line) -> bool:
        last, first = block.lines[-1], block.lines[0]
        aligned = abs(line.x0 - first.text_x) <= _X_TOLERANCE
        return aligned and (self.follows(last, line) or last.page != line.page)

    def continues(self, block: _Open, line: _Line) -> bool:
        last = block.lines[-1]
        same_size = abs(last.size - line.size) < 0.5
        aligned = abs(line.x0 - last.x0) <= _X_TOLERANCE or (
            len(block.lines) == 1 and 0 < last.x0 - line.x0 <= 40)  # a first-line indent
        unfinished = last.page != line.page and not last.text.endswith((".", "!", "?", ":"))
        return same_size and aligned and (self.follows(last, line) or unfinished)

    def list_level(self, x: float) -> int:
        while self.list_x and self.list_x[-1] - x > _X_TOLERANCE:
            self.list_x.pop()
        if not self.list_x or x - self.list_x[-1] > _X_TOLERANCE:
            self.list_x.append(x)
        return len(self.list_x) - 1

    def start(self, block: _Open | None) -> None:
        done = self.open
        if done is not None and done.lines:
            if done.kind is BlockKind.HEADING:
                marker, text = split_number(_join([line.text for line in done.lines]))
            else:
                # A continuation line that starts with a number or a dash keeps it: it is text.
                lines = [done.lines[0].body] + [line.text for line in done.lines[1:]]
                marker, text = done.marker, _join(lines)
            self.out.add(done.kind, text, level=done.level, marker=marker)
        self.open = block

    def table(self, table: _Table) -> None:
        self.start(None)
        self.list_x.clear()
        self.tables += 1
        for row_index, row in enumerate(table.rows):
            for column, cell in enumerate(row):
                if cell:
                    self.out.add(BlockKind.CELL, cell, row=row_index, column=column,
                                 table=self.tables)


def read_pdf(data: bytes, name: str | None) -> Document:
    _check(data, name)
    items, title = _extract(data, name)
    if not any(isinstance(item, _Line) or any(any(row) for row in item.rows) for item in items):
        raise refuse(name, "has no text layer (a scan?): run OCR on it or export the text "
                           "from the original")
    items = _drop_running_heads(items)
    layout = _PdfLayout([item for item in items if isinstance(item, _Line)])
    for item in items:
        layout.feed(item)
    layout.start(None)
    if not layout.out.blocks:
        raise refuse(name, "has no readable text")
    return layout.out.build(name, "pdf", title)
