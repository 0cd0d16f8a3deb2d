"""Word (.docx) reports, read with python-docx, body paragraphs and tables in order.

Blocks: paragraphs styled "Title" or "Heading N" (or whose style has an outline level) are
HEADINGs of level 1 / N (a leading "1." goes to ``marker``); list paragraphs (a "List ..."
style or numbering in their properties) are BULLETs whose level is the numbering level
``w:ilvl`` (else the number in "List Bullet 2", counted from 0) and whose marker is the
bullet character Word draws ("•", "◦", "▪") or the item's number ("1."); table cells are
CELLs with table, row and grid column; other non-empty paragraphs are PARAGRAPHs.
Page headers, footers, comments and text boxes are not read.

The archive is checked before anything is decompressed: a "zip bomb" (members declaring
more than 200 MB, or compressing large members more than a hundredfold) is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import TYPE_CHECKING, Any

from citycoop.imports.readers.base import BlockKind, Document
from citycoop.imports.readers.sniff import MIB, refuse
from citycoop.imports.readers.text import PRIVATE_USE_BULLETS, DocumentBuilder, split_number

if TYPE_CHECKING:
    from lxml.etree import _Element

MAX_UNCOMPRESSED = 200 * MIB
MAX_RATIO = 100
LARGE_MEMBER = 10 * MIB  # small XML parts compress very well and are harmless
MAX_MEMBERS = 10_000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Runs under these are not read: deleted or moved-away text, and text boxes.
_HIDDEN = {f"{_W}del", f"{_W}moveFrom", f"{_W}txbxContent",
           "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre|título|titolo)\s*(\d)$", re.I)
_LIST_STYLE = re.compile(r"^list (?:bullet|number|paragraph|continue)(?: (\d))?$", re.I)
# Word's own bullet characters, as fonts draw them: "o" in Courier New, "§" in Wingdings.
_GLYPHS = {**PRIVATE_USE_BULLETS, "o": "◦", "§": "▪", "": "•"}


def check_archive(data: bytes, name: str | None) -> None:
    """Refuse archives that would expand beyond what a report can be, before expanding them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refuse(name, f"is not a readable Word file ({exc}): save it again") from None
    total = sum(member.file_size for member in members)
    swollen = [m for m in members if m.file_size > LARGE_MEMBER
               and m.file_size > MAX_RATIO * max(m.compress_size, 1)]
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED or swollen:
        raise refuse(name, f"would expand to {total // MIB} MB: it is not a normal Word "
                           "file (a zip bomb?); save a copy from Word")


def _attr(element: _Element | None, path: str) -> str | None:
    """``w:val`` of the first element at ``path`` (tags without the w: prefix) under element."""
    if element is None:
        return None
    found = element.find("/".join(f"{_W}{part}" for part in path.split("/")))
    return found.get(f"{_W}val") if found is not None else None


class _Numbering:
    """Markers from numbering.xml: the glyph of a bullet level, the count of a numbered one."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # no numbering part: markers fall back to "•"
        abstract = {a.get(f"{_W}abstractNumId"): a for a in root.iter(f"{_W}abstractNum")}
        for num in root.iter(f"{_W}num"):
            levels = abstract.get(_attr(num, "abstractNumId"))
            for lvl in levels.iter(f"{_W}lvl") if levels is not None else ():
                key = (num.get(f"{_W}numId") or "", int(lvl.get(f"{_W}ilvl") or 0))
                start = _attr(lvl, "start") or "1"
                self.levels[key] = (_attr(lvl, "numFmt") or "bullet", _attr(lvl, "lvlText") or "",
                                    int(start) if start.isdigit() else 1)

    def marker(self, num_id: str, level: int) -> str:
        fmt, text, start = self.levels.get((num_id, level), ("bullet", "•", 1))
        if fmt in ("bullet", "none"):
            return _GLYPHS.get(text, text) or "•"
        self.counters[(num_id, level)] = self.counters.get((num_id, level), start - 1) + 1
        for deeper in range(level + 1, 9):  # a new item restarts the levels below it
            self.counters.pop((num_id, deeper), None)
        # "%1.%2." is the count of level 0, a dot, the count of level 1, a dot.
        return re.sub(r"%(\d)", lambda m: self.count(num_id, int(m.group(1)) - 1), text)

    def count(self, num_id: str, level: int) -> str:
        fmt, _, start = self.levels.get((num_id, level), ("decimal", "", 1))
        count = self.counters.get((num_id, level), start)
        if fmt in ("lowerLetter", "upperLetter"):
            letter = "abcdefghijklmnopqrstuvwxyz"[(count - 1) % 26]
            return letter.upper() if fmt == "upperLetter" else letter
        return str(count)


class _DocxWalker:
    def __init__(self, document: Any) -> None:
        self.document = document
        self.out = DocumentBuilder()
        self.numbering = _Numbering(document)
        self.tables = -1

    def body(self, element: _Element) -> None:
        """Paragraphs and tables in body order (content controls opened like folders)."""
        for child in element.iterchildren():
            if child.tag == f"{_W}p":
                self.paragraph(child)
            elif child.tag == f"{_W}tbl":
                self.table(child)
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self.body(content)

    def paragraph(self, element: _Element) -> None:
        from docx.text.paragraph import Paragraph

        text = _paragraph_text(element)
        if not text.strip():
            return
        style = Paragraph(element, self.document).style
        style_name = style.name if style is not None else ""
        heading = _heading_level(style_name, style)
        if heading:
            marker, text = split_number(text.strip())
            self.out.add(BlockKind.HEADING, text, level=heading, marker=marker)
            return
        numbering = _list_numbering(element, style_name, style)
        if numbering is None:
            self.out.add(BlockKind.PARAGRAPH, text)
            return
        num_id, level = numbering
        marker = self.numbering.marker(num_id, level) if num_id else "•"
        self.out.add(BlockKind.BULLET, text, level=level, marker=marker)

    def table(self, element: _Element) -> None:
        self.tables += 1
        table = self.tables
        for row_index, row in enumerate(element.iterchildren(f"{_W}tr")):
            column = 0
            for cell in row.iterchildren(f"{_W}tc"):
                # Paragraphs of nested tables count as the cell's text too.
                text = "\n".join(_paragraph_text(p) for p in cell.iter(f"{_W}p"))
                self.out.add(BlockKind.CELL, text, row=row_index, column=column, table=table)
                column += int(_attr(cell, "tcPr/gridSpan") or 1)


def _paragraph_text(element: _Element) -> str:
    """The paragraph's text as Word shows it with changes accepted.

    python-docx's Paragraph.text reads only direct runs and links, missing tracked insertions,
    content controls and fields; deleted text and text boxes (read twice: drawing and
    fallback) are left out.
    """
    parts = []
    for run in element.iter(f"{_W}r"):
        parent = run.getparent()
        while parent is not None and parent is not element and parent.tag not in _HIDDEN:
            parent = parent.getparent()
        if parent is element:
            parts.append(run.text or "")  # python-docx's run element renders tabs and breaks
    return "".join(parts)


def _heading_level(style_name: str, style: Any) -> int:
    if style_name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(style_name)
    if match:
        return max(1, int(match.group(1)))
    # Localised or custom heading styles still carry an outline level (0 = level 1).
    while style is not None:
        outline = _attr(style.element, "pPr/outlineLvl")
        if outline is not None and outline.isdigit() and int(outline) < 9:
            return int(outline) + 1
        style = style.base_style
    return 0


def _list_numbering(element: _Element, style_name: str, style: Any) -> tuple[str, int] | None:
    """(numId, level) of a list paragraph, or None for an ordinary one."""
    num_id = _attr(element, "pPr/numPr/numId")
    if num_id is not None:
        if num_id == "0":  # numbering explicitly switched off
            return None
        return num_id, int(_attr(element, "pPr/numPr/ilvl") or 0)
    match = _LIST_STYLE.match(style_name)
    while style is not None and num_id is None:
        num_id = _attr(style.element, "pPr/numPr/numId")
        style = style.base_style
    if match is None and num_id is None:
        return None
    # "List Bullet 2" is the second level; its style's numbering is usually single-level.
    level = int(match.group(1)) - 1 if match and match.group(1) else 0
    return num_id or "", level


def read_docx(data: bytes, name: str | None) -> Document:
    import docx  # imported here: reading a .txt needs none of this
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    check_archive(data, name)
    # A damaged part fails while it is decompressed: zlib.error, EOFError (cut short), or
    # NotImplementedError for a compression method zipfile does not know.
    damaged = (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, LxmlError,
               zlib.error, EOFError, NotImplementedError)
    try:
        document = docx.Document(io.BytesIO(data))
    # python-docx meets a part of unknown XML, or a relationship with no target, with
    # AttributeError or TypeError.
    except (*damaged, AttributeError, TypeError) as exc:
        raise unreadable(name, exc) from None
    try:
        walker = _DocxWalker(document)
        walker.body(document.element.body)
    except damaged as exc:
        raise unreadable(name, exc) from None
    try:
        title = document.core_properties.title or None
    except (*damaged, AttributeError):  # damaged properties: the title is only a nicety
        title = None
    if not walker.out.blocks:
        raise refuse(name, "has no readable text")
    return walker.out.build(name, "docx", title)


def unreadable(name: str | None, exc: Exception) -> Exception:
    reason = str(exc).strip().splitlines()[0][:150] if str(exc).strip() else type(exc).__name__
    return refuse(name, f"is not a readable Word file ({reason}): save it again from Word")
