"""The reference page as a web page, a Word file, a PDF and Markdown reads like the text.

The variants come from tests/fixtures/make_report_variants.py. Block texts are compared with
whitespace normalised (no-break spaces, line breaks and runs of spaces all count as one space),
since the variants write no-break spaces as spaces and wrap lines where their layout does.
Levels and markers of headings, and bullet levels, agree in every format; bullet markers are
whatever each format draws ("•" in the text, "◦" for a nested bullet in the PDF).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from citycoop.imports.readers import BlockKind, Document, read_bytes, read_document
from tests.fixtures.make_report_variants import BOILERPLATE_PHRASES

FORMATS = ["html", "docx", "pdf", "md"]


def normalised(text: str) -> str:
    return " ".join(text.split())


def outline(document: Document) -> list[tuple[str, int, str, str]]:
    """(kind, level, heading marker, text) of every heading and bullet."""
    return [(b.kind.value, b.level, b.marker if b.kind is BlockKind.HEADING else "",
             normalised(b.text))
            for b in document.blocks if b.kind in (BlockKind.HEADING, BlockKind.BULLET)]


def paragraphs(document: Document) -> list[str]:
    return [normalised(b.text) for b in document.blocks if b.kind is BlockKind.PARAGRAPH]


@pytest.fixture(scope="module")
def as_text(reference_text: str) -> Document:
    return read_bytes(reference_text.encode("utf-8"), "page.txt")


@pytest.fixture(scope="module", params=FORMATS)
def variant(request: pytest.FixtureRequest, variants: dict[str, Path]) -> Document:
    return read_document(variants[request.param])


def test_each_variant_is_read_as_its_format(variant: Document) -> None:
    assert variant.source is not None
    assert variant.format == variant.source.rsplit(".", 1)[1]


def test_every_block_is_a_slice_of_the_rendered_text(variant: Document) -> None:
    variant.check()
    assert all(b.text == b.text.strip() and b.text for b in variant.blocks)


def test_headings_and_bullets_match_the_text_reading(variant: Document,
                                                     as_text: Document) -> None:
    assert outline(variant) == outline(as_text)


def test_paragraphs_match_the_text_reading(variant: Document, as_text: Document) -> None:
    assert paragraphs(variant) == paragraphs(as_text)


def test_the_title_is_the_first_heading(variant: Document) -> None:
    assert variant.title == "Pilot Projects"


def test_the_site_around_the_report_is_left_out(variant: Document) -> None:
    assert [phrase for phrase in BOILERPLATE_PHRASES if phrase in variant.text] == []
    assert "World Cities – status report" not in variant.text  # the Word page header


@pytest.mark.parametrize("suffix, limit", [("html", 0.2), ("docx", 0.5), ("pdf", 5.0),
                                           ("md", 0.2)])
def test_reading_a_variant_is_quick(variants: dict[str, Path], suffix: str,
                                    limit: float) -> None:
    data = variants[suffix].read_bytes()
    start = time.perf_counter()
    read_bytes(data, variants[suffix].name)
    assert time.perf_counter() - start < limit
