"""A small typesetter for long, plain documents: headings, paragraphs and bullets set in
lines and pages and written straight to PDF.

Why not the HTML printer: WeasyPrint lays out about 25 pages a second, and a generated
portfolio's status report runs to 6,000 pages. This module knows only what such a report
needs (styled paragraphs, hanging bullets, rules under headings, a heading kept with what
follows it, a footer with the title and "page n / N", clickable web addresses) and sets
hundreds of pages a second.

Lines are broken at spaces and between CJK characters (a word longer than the line is cut
where it must be), with the font's own widths; a character the first font lacks is set in
the next one that has it (Chinese in Noto Sans CJK).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .fonts import CJK_FACE, CJK_FONT, LATIN_FONT, Font

MM = 72 / 25.4
A4 = (595.28, 841.89)
# Where a line may break: after spaces, and around each CJK character.
TOKENS = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff"
                    r"\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+\s*|\s+")
URL = re.compile(r"https?://\S+")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Style:
    size: float = 10.0
    leading: float = 1.45              # line height, in sizes
    colour: tuple[float, float, float] = (0.11, 0.15, 0.2)
    indent: float = 0.0                # left margin of every line, points
    bullet: str = ""                   # hung in the indent's last ``hang`` points
    hang: float = 4 * MM
    before: float = 0.0                # space above and below, points
    after: float = 0.0
    keep_with_next: bool = False       # never the last thing on a page
    underline: bool = False
    rule: tuple[float, tuple[float, float, float]] | None = None  # (width, colour) below


@dataclass
class Run:
    font: int
    text: str
    width: float


@dataclass
class Line:
    runs: list[Run]
    style: Style
    y: float = 0.0
    first: bool = True   # a paragraph's first line carries its bullet


@dataclass
class Page:
    lines: list[Line] = field(default_factory=list)
    rules: list[tuple[float, float, float, tuple[float, float, float]]] = field(
        default_factory=list)   # (y, x-from, width, colour)


def rgb(hex_colour: str) -> tuple[float, float, float]:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


class Table(dict[Any, Any]):
    """A dictionary that computes a missing entry once: per-character lookups (font, width,
    code) then run at C speed through ``map`` and ``str.translate``."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.compute(key)
        return value


class Fonts:
    """The fonts in fallback order, the CJK one loaded only when a character needs it."""

    def __init__(self) -> None:
        self.fonts: list[Font] = [Font(LATIN_FONT)]
        # ord(character) -> the font's index as a digit, for str.translate
        self.marks = Table(lambda code: str(self.font_of(chr(code))))
        self.advances = Table(lambda char: self.fonts[self.font_of(char)].advance(char))

    def font_of(self, char: str) -> int:
        if self.fonts[0].has(char) or char.isspace():
            return 0
        if len(self.fonts) == 1:
            self.fonts.append(Font(CJK_FONT, CJK_FACE))
        return 1 if self.fonts[1].has(char) else 0

    def width(self, text: str) -> float:
        """The text's width at a size of one point."""
        return sum(map(self.advances.__getitem__, text))

    def runs(self, text: str, size: float) -> list[Run]:
        """The text cut where its font changes."""
        marks = text.translate(self.marks)
        if "1" not in marks:   # the usual case: all in the first font
            return [Run(0, text, self.width(text) * size)] if text else []
        out: list[Run] = []
        start = 0
        for end in range(1, len(text) + 1):
            if end == len(text) or marks[end] != marks[start]:
                piece = text[start:end]
                out.append(Run(int(marks[start]), piece, self.width(piece) * size))
                start = end
        return out


class Document:
    """Add paragraphs in order, then ``pdf()``."""

    def __init__(self, title: str, *, page: tuple[float, float] = A4,
                 margins: tuple[float, float, float, float] = (18 * MM, 16 * MM, 18 * MM,
                                                               16 * MM),
                 footer: Style | None = None) -> None:
        self.title, self.page_size = title, page
        self.top, self.right, self.bottom, self.left = margins
        self.footer = footer or Style(size=7.5, colour=rgb("#5b6776"))
        self.fonts = Fonts()
        self.blocks: list[tuple[str, Style]] = []

    @property
    def measure(self) -> float:
        return self.page_size[0] - self.left - self.right

    def add(self, text: str, style: Style) -> None:
        self.blocks.append((" ".join(text.split()), style))

    # -- lines ------------------------------------------------------------------------------

    def break_lines(self, text: str, style: Style) -> list[str]:
        """The paragraph cut into lines that fit, greedily."""
        room = (self.measure - style.indent) / style.size
        lines, line, used = [], "", 0.0
        for token in TOKENS.findall(text):
            width = self.fonts.width(token.rstrip())
            if used + width > room and line:
                lines.append(line.rstrip())
                line, used = "", 0.0
            while width > room:           # a word longer than a line: cut it
                cut = self.fit(token, room)
                lines.append(token[:cut])
                token = token[cut:]
                width = self.fonts.width(token.rstrip())
            line += token
            used += self.fonts.width(token)
        if line.strip() or not lines:
            lines.append(line.rstrip())
        return lines

    def fit(self, token: str, room: float) -> int:
        used = 0.0
        for index, char in enumerate(token):
            used += self.fonts.advances[char]
            if used > room:
                return max(index, 1)
        return len(token)

    # -- pages ------------------------------------------------------------------------------

    def paginate(self, progress: Progress | None = None) -> list[Page]:
        pages = [Page()]
        floor = self.page_size[1] - self.bottom
        y = self.top
        for index, (text, style) in enumerate(self.blocks):
            if progress is not None and index % 2000 == 0:
                progress(index, 2 * len(self.blocks))
            lines = self.break_lines(text, style)
            height = style.size * style.leading
            needed = height * (len(lines) if style.keep_with_next else 1)
            if style.keep_with_next and index + 1 < len(self.blocks):
                following = self.blocks[index + 1][1]
                needed += following.before + following.size * following.leading
            space = style.before if pages[-1].lines else 0.0
            if y + space + needed > floor and pages[-1].lines:
                pages.append(Page())
                y, space = self.top, 0.0
            y += space
            for number, line in enumerate(lines):
                if y + height > floor:
                    pages.append(Page())
                    y = self.top
                y += height
                pages[-1].lines.append(Line(self.fonts.runs(line, style.size), style, y,
                                            first=number == 0))
            if style.rule is not None:
                width, colour = style.rule
                y += 1.5
                pages[-1].rules.append((y, self.left + style.indent, self.measure, colour))
                y += width
            y += style.after
        return pages

    # -- PDF --------------------------------------------------------------------------------

    def pdf(self, progress: Progress | None = None) -> bytes:
        """The PDF file; ``progress(done, total)`` is told as lines and then pages are set
        (half the total each)."""
        import pydyf

        pages = self.paginate(progress)
        document = pydyf.PDF()
        document.info["Title"] = pydyf.String(self.title)
        document.info["Producer"] = pydyf.String("citycoop")
        half = len(self.blocks)
        streams = []
        for number, page in enumerate(pages, 1):
            streams.append(self.content(page, number, len(pages)))
            if progress is not None and number % 200 == 0:
                progress(half + half * number // len(pages), 2 * half)
        fonts = self.embed(document)   # after setting the text: the glyphs used are known
        for stream, links in streams:
            content = pydyf.Stream([stream], compress=True)
            document.add_object(content)
            entry = pydyf.Dictionary({
                "Type": "/Page", "Parent": document.pages.reference,
                "MediaBox": pydyf.Array([0, 0, *self.page_size]),
                "Contents": content.reference,
                "Resources": pydyf.Dictionary({"Font": fonts}),
            })
            if links:
                entry["Annots"] = pydyf.Array(self.link(document, *link) for link in links)
            document.add_page(entry)
        out = io.BytesIO()
        document.write(out, compress=True)
        if progress is not None:
            progress(2 * half, 2 * half)
        return out.getvalue()

    def content(self, page: Page, number: int, total: int) -> tuple[bytes, list[Any]]:
        """The page's drawing operators, and its links as (x0, y0, x1, y1, address)."""
        height = self.page_size[1]
        ops: list[str] = []
        links: list[Any] = []
        for line in page.lines:
            self.set_line(ops, links, line, height)
        for y, x, width, colour in page.rules:
            ops.append(f"{colour[0]:.3f} {colour[1]:.3f} {colour[2]:.3f} RG "
                       f"{x:.2f} {height - y:.2f} m {x + width:.2f} {height - y:.2f} l S")
        foot_y = self.bottom / 2   # from the bottom edge, as PDF counts
        size = self.footer.size
        for text, x_of in ((self.title, lambda w: self.left),
                           (f"{number} / {total}", lambda w: self.page_size[0] - self.right - w)):
            runs = self.fonts.runs(text, size)
            x = x_of(sum(r.width for r in runs))
            self.set_runs(ops, runs, x, foot_y, self.footer)
        return "\n".join(ops).encode(), links

    def set_line(self, ops: list[str], links: list[Any], line: Line, height: float) -> None:
        style = line.style
        x = self.left + style.indent
        baseline = height - line.y + style.size * (style.leading - 1) / 2 + style.size * 0.22
        if style.bullet and line.first:
            bullet = self.fonts.runs(style.bullet, style.size)
            self.set_runs(ops, bullet, x - style.hang, baseline, style)
        self.set_runs(ops, line.runs, x, baseline, style)
        text = "".join(r.text for r in line.runs)
        for match in URL.finditer(text):
            start = x + self.fonts.width(text[:match.start()]) * style.size
            end = start + self.fonts.width(match.group()) * style.size
            links.append((start, baseline - style.size * 0.25, end,
                          baseline + style.size * 0.85, match.group().rstrip(".,;)")))
        if style.underline:
            width = sum(r.width for r in line.runs)
            ops.append(f"{style.colour[0]:.3f} {style.colour[1]:.3f} {style.colour[2]:.3f} RG "
                       f"0.6 w {x:.2f} {baseline - 1.5:.2f} m {x + width:.2f} "
                       f"{baseline - 1.5:.2f} l S 1 w")

    def set_runs(self, ops: list[str], runs: list[Run], x: float, baseline: float,
                 style: Style) -> None:
        r, g, b = style.colour
        ops.append(f"BT {r:.3f} {g:.3f} {b:.3f} rg {x:.2f} {baseline:.2f} Td")
        for run in runs:
            font = self.fonts.fonts[run.font]
            ops.append(f"/F{run.font} {style.size:g} Tf <{font.encode(run.text)}> Tj")
        ops.append("ET")

    def embed(self, document: Any) -> Any:
        """Each font used, subset, as a Type 0 font; the resource dictionary naming them."""
        import pydyf

        resources = pydyf.Dictionary()
        for index, font in enumerate(self.fonts.fonts):
            if not font.used:
                continue
            program = pydyf.Stream([font.subset_bytes()], compress=True)
            if font.cff:
                program.extra["Subtype"] = "/CIDFontType0C"
            document.add_object(program)
            name = "/CCOOP" + "ABCDEFGHIJ"[index] + "+" + font.postscript_name()
            values = font.descriptor_values()
            descriptor = pydyf.Dictionary({
                "Type": "/FontDescriptor", "FontName": name,
                "FontBBox": pydyf.Array(values.pop("FontBBox")), **values,
                ("FontFile3" if font.cff else "FontFile2"): program.reference})
            document.add_object(descriptor)
            cid_font = pydyf.Dictionary({
                "Type": "/Font", "Subtype": "/CIDFontType0" if font.cff else "/CIDFontType2",
                "BaseFont": name, "FontDescriptor": descriptor.reference,
                "CIDSystemInfo": pydyf.Dictionary({
                    "Registry": pydyf.String("Adobe"), "Ordering": pydyf.String("Identity"),
                    "Supplement": 0}),
                "W": pydyf.Array(pydyf.Array(w) if isinstance(w, list) else w
                                 for w in font.widths())})
            if not font.cff:
                cid_font["CIDToGIDMap"] = "/Identity"
            document.add_object(cid_font)
            unicode_map = pydyf.Stream([font.to_unicode()], compress=True)
            document.add_object(unicode_map)
            type0 = pydyf.Dictionary({
                "Type": "/Font", "Subtype": "/Type0", "BaseFont": name,
                "Encoding": "/Identity-H", "DescendantFonts": pydyf.Array([cid_font.reference]),
                "ToUnicode": unicode_map.reference})
            document.add_object(type0)
            resources[f"F{index}"] = type0.reference
        return resources

    @staticmethod
    def link(document: Any, x0: float, y0: float, x1: float, y1: float, address: str) -> Any:
        import pydyf

        annotation = pydyf.Dictionary({
            "Type": "/Annot", "Subtype": "/Link", "Rect": pydyf.Array([x0, y0, x1, y1]),
            "Border": pydyf.Array([0, 0, 0]),
            "A": pydyf.Dictionary({"S": "/URI", "URI": pydyf.String(address)})})
        document.add_object(annotation)
        return annotation.reference

