"""Fonts for the typesetter: their widths for line breaking, and their embedding in the PDF.

Two kinds of font files are used, both as two-byte composite (Type 0) fonts, so that any
character can be set:

- TrueType outlines (DejaVu Sans): subset with the glyph numbers kept, so a character's
  code in the page is its glyph number (``CIDToGIDMap /Identity``);
- CID-keyed CFF outlines (Noto Sans CJK, in a collection): subset to the characters used,
  the code being the glyph's CID as the font names it (``cid14079``).

Each embedded font carries a ToUnicode map, so that text copied or extracted from the PDF
is the text that was set.
"""

from __future__ import annotations

import io
from functools import cached_property
from pathlib import Path
from typing import Any

LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FACE = "Noto Sans CJK SC"


class MissingFont(RuntimeError):
    """A font the PDF needs is not installed."""


def face_number(path: Path, family: str) -> int:
    """The index of the family in a font collection (0 for a single font file)."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    for index, font in enumerate(TTCollection(str(path), lazy=True).fonts):
        if font["name"].getDebugName(1) == family:
            return index
    raise MissingFont(f"{path} has no face named {family!r}.")


class Font:
    """One font file: which characters it has, how wide they are, and their codes."""

    def __init__(self, path: Path, family: str = "") -> None:
        from fontTools.ttLib import TTFont

        if not path.exists():
            raise MissingFont(f"The font {path} is not installed (Debian: fonts-dejavu-core, "
                              f"fonts-noto-cjk).")
        self.path, self.number = path, face_number(path, family)
        self.ttf = TTFont(str(path), fontNumber=self.number, lazy=True)
        self.cff = "CFF " in self.ttf
        self.cmap: dict[int, str] = self.ttf.getBestCmap()
        self.scale = 1.0 / self.ttf["head"].unitsPerEm
        self.used: dict[str, str] = {}   # character -> glyph name, for the ToUnicode map

    @cached_property
    def glyph_ids(self) -> dict[str, int]:
        return {name: gid for gid, name in enumerate(self.ttf.getGlyphOrder())}

    @cached_property
    def metrics(self) -> Any:
        return self.ttf["hmtx"].metrics

    def has(self, char: str) -> bool:
        return ord(char) in self.cmap

    def advance(self, char: str) -> float:
        """The character's width at a size of one point."""
        glyph = self.cmap.get(ord(char), ".notdef")
        return float(self.metrics[glyph][0] * self.scale)

    def encode(self, text: str) -> str:
        """The text as it is written in a page: two-byte codes, in hex."""
        return "".join(map(self.codes.__getitem__, text))

    @cached_property
    def codes(self) -> dict[str, str]:
        font = self

        class Codes(dict[str, str]):
            def __missing__(self, char: str) -> str:
                glyph = font.cmap.get(ord(char), ".notdef")
                font.used[char] = glyph
                code = self[char] = f"{font.cid(glyph):04x}"
                return code

        return Codes()

    def cid(self, glyph: str) -> int:
        if self.cff:
            return int(glyph[3:]) if glyph.startswith("cid") else 0
        return self.glyph_ids[glyph]

    # -- embedding ------------------------------------------------------------------------

    def subset_bytes(self) -> bytes:
        """The font program with the glyphs used only (CFF data alone for a CFF font)."""
        from fontTools import subset
        from fontTools.ttLib import TTFont

        options = subset.Options()
        options.layout_features, options.name_IDs, options.hinting = [], [], False
        options.notdef_outline, options.retain_gids = True, not self.cff
        options.desubroutinize = self.cff
        options.drop_tables += ["FFTM"]   # FontForge's timestamps: nothing to keep
        font = TTFont(str(self.path), fontNumber=self.number)
        subsetter = subset.Subsetter(options)
        subsetter.populate(glyphs=[".notdef", *set(self.used.values())])
        subsetter.subset(font)
        out = io.BytesIO()
        if self.cff:
            font["CFF "].cff.compile(out, font)
        else:
            font.save(out)
        return out.getvalue()

    def to_unicode(self) -> bytes:
        """The CMap from codes back to characters, for copying and extracting text."""
        pairs = sorted({(self.cid(glyph), char) for char, glyph in self.used.items()})
        lines = [b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
                 b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                 b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
                 b"1 begincodespacerange <0000> <FFFF> endcodespacerange"]
        for start in range(0, len(pairs), 100):   # at most 100 entries per block
            chunk = pairs[start:start + 100]
            lines.append(f"{len(chunk)} beginbfchar".encode())
            lines += [f"<{cid:04x}> <{char.encode('utf-16-be').hex()}>".encode()
                      for cid, char in chunk]
            lines.append(b"endbfchar")
        lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
        return b"\n".join(lines)

    def widths(self) -> list[Any]:
        """The W array: each code used with its width in thousandths of the size."""
        out: list[Any] = []
        for cid, glyph in sorted({(self.cid(g), g) for g in self.used.values()}):
            out += [cid, [round(self.metrics[glyph][0] * self.scale * 1000)]]
        return out

    def descriptor_values(self) -> dict[str, Any]:
        head, hhea = self.ttf["head"], self.ttf["hhea"]
        k = self.scale * 1000
        return {"Flags": 32, "ItalicAngle": 0, "StemV": 80,
                "Ascent": round(hhea.ascent * k), "Descent": round(hhea.descent * k),
                "CapHeight": round(hhea.ascent * k * 0.7),
                "FontBBox": [round(head.xMin * k), round(head.yMin * k),
                             round(head.xMax * k), round(head.yMax * k)]}

    def postscript_name(self) -> str:
        name = self.ttf["name"].getDebugName(6) or self.path.stem
        return "".join(c for c in name if c.isalnum() or c == "-")
