"""The typesetter behind the long PDFs: lines fit, headings keep with what follows, every
page is numbered, Chinese is set in the CJK font, links work, and what is read back from the
PDF is the text that was set."""

from __future__ import annotations

import io

import pytest

from citycoop.common.typeset import MM, Document, Style
from citycoop.common.typeset.fonts import CJK_FONT, LATIN_FONT

pytestmark = pytest.mark.skipif(not (LATIN_FONT.exists() and CJK_FONT.exists()),
                                reason="needs fonts-dejavu-core and fonts-noto-cjk")

HEADING = Style(size=14, keep_with_next=True, before=12, rule=(0.75, (0.8, 0.8, 0.8)))
BODY = Style(size=10)
BULLET = Style(size=10, indent=8 * MM, bullet="•")


def read(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_lines_fit_the_measure_and_long_words_are_cut():
    doc = Document("Fit")
    doc.add("word " * 300, BODY)
    doc.add("x" * 400, BULLET)
    pages = doc.paginate()
    lines = [line for page in pages for line in page.lines]
    assert len(lines) > 10
    for line in lines:
        width = sum(run.width for run in line.runs)
        assert width <= doc.measure - line.style.indent + 0.01
    # Nothing is lost: the words come back in order, the long one in pieces.
    text = "".join(run.text for line in lines if line.style is BULLET for run in line.runs)
    assert text == "x" * 400


def test_a_heading_is_never_the_last_line_of_a_page():
    doc = Document("Keep")
    for n in range(120):
        doc.add(f"Heading {n}", HEADING)
        doc.add("A paragraph of body text that follows its heading. " * (n % 4 + 1), BODY)
    for page in doc.paginate():
        assert page.lines[-1].style is not HEADING


def test_the_pdf_reads_back_as_set_with_chinese_bullets_and_page_numbers():
    doc = Document("Tianjin 天津 report")
    doc.add("Tianjin – Lazio", HEADING)
    doc.add("Tourism cooperation between 天津 and Rome, in 2016.", BULLET)
    for n in range(200):
        doc.add(f"Line {n} of the report.", BODY)
    data = doc.pdf()
    pages = read(data)
    assert len(pages) >= 3
    assert "• Tourism cooperation between 天津 and Rome, in 2016." in pages[0]
    for number, text in enumerate(pages, 1):
        assert f"{number} / {len(pages)}" in text and "Tianjin 天津 report" in text
    assert "Line 199 of the report." in pages[-1]

    from pypdf import PdfReader

    fonts = {str(font["/BaseFont"]) for page in PdfReader(io.BytesIO(data)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts)
    assert any("CJK" in name for name in fonts)
    assert all(name.startswith("/CCOOP") and "+" in name for name in fonts)  # subsets


def test_a_latin_document_does_without_the_cjk_font_and_stays_small():
    doc = Document("Latin")
    doc.add("Only Latin text here.", BODY)
    data = doc.pdf()
    assert len(doc.fonts.fonts) == 1
    assert len(data) < 40_000


def test_web_addresses_are_links():
    from pypdf import PdfReader

    doc = Document("Links")
    doc.add("See https://example.org/mission-2016. for the programme", BODY)
    page = PdfReader(io.BytesIO(doc.pdf())).pages[0]
    links = [a.get_object() for a in page["/Annots"]]
    assert [str(a["/A"]["/URI"]) for a in links] == ["https://example.org/mission-2016"]


def test_every_page_renders():
    import pypdfium2 as pdfium

    doc = Document("Render")
    for n in range(80):
        doc.add(f"Issue {n}: 城市合作 cooperation", HEADING)
        doc.add("Body text. " * 20, BULLET)
    pdf = pdfium.PdfDocument(doc.pdf())
    assert len(pdf) > 1
    for index in range(len(pdf)):
        image = pdf[index].render(scale=0.5).to_pil()
        # Something is drawn: the page is not blank white.
        assert image.convert("L").getextrema()[0] < 128
