"""Word files: styles and numbering make the structure; tables stay where they are."""

from __future__ import annotations

import docx
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from citycoop.imports.readers import BlockKind, Document, read_bytes
from tests.imports_readers.helpers import docx_bytes


def read(word: WordDocument) -> Document:
    document = read_bytes(docx_bytes(word), "report.docx")
    document.check()
    assert document.format == "docx"
    return document


def numbered(paragraph: Paragraph, num_id: int, level: int) -> None:
    """Give a paragraph direct numbering, the way Word writes its own lists."""
    properties = paragraph._p.get_or_add_pPr()
    numbering = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", level), ("w:numId", num_id)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(value))
        numbering.append(element)
    properties.append(numbering)


def test_heading_styles_give_levels_and_title() -> None:
    word = docx.Document()
    word.add_heading("Pilot Projects", level=0)  # the "Title" style
    word.add_heading("2. Barcelona – Wuhan / Chengdu", level=2)
    word.add_heading("Issue 1: Smart City Cooperation", level=3)
    document = read(word)
    assert [(b.level, b.marker, b.text) for b in document.blocks] == [
        (1, "", "Pilot Projects"), (2, "2.", "Barcelona – Wuhan / Chengdu"),
        (3, "", "Issue 1: Smart City Cooperation")]
    assert document.title == "Pilot Projects"


def test_list_styles_and_numbering_levels_make_bullets() -> None:
    word = docx.Document()
    word.add_paragraph("Mission to China in June 2015", style="List Bullet")
    word.add_paragraph("Evotion", style="List Bullet 2")
    direct = word.add_paragraph("Navya")
    numbered(direct, num_id=1, level=1)
    word.add_paragraph("First step", style="List Number")
    word.add_paragraph("Second step", style="List Number")
    document = read(word)
    assert [(b.kind, b.level, b.text) for b in document.blocks] == [
        (BlockKind.BULLET, 0, "Mission to China in June 2015"),
        (BlockKind.BULLET, 1, "Evotion"),
        (BlockKind.BULLET, 1, "Navya"),
        (BlockKind.BULLET, 0, "First step"),
        (BlockKind.BULLET, 0, "Second step"),
    ]
    assert [b.marker for b in document.blocks][-2:] == ["1.", "2."]
    assert document.blocks[0].marker == "•"


def test_tables_are_read_in_place_and_empty_paragraphs_skipped() -> None:
    word = docx.Document()
    word.add_paragraph("Agreements signed:")
    word.add_paragraph("")
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Lyon – Guangzhou"
    table.cell(0, 1).text = "MoU"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "Tourism cooperation"
    word.add_paragraph("More to follow.")
    document = read(word)
    assert [(b.kind.value, b.row, b.column, b.text) for b in document.blocks] == [
        ("paragraph", None, None, "Agreements signed:"),
        ("cell", 0, 0, "Lyon – Guangzhou"),
        ("cell", 0, 1, "MoU"),
        ("cell", 1, 0, "Tourism cooperation"),
        ("paragraph", None, None, "More to follow."),
    ]
    assert document.blocks[1].table == 0


def test_line_breaks_inside_a_paragraph_stay_line_breaks() -> None:
    word = docx.Document()
    paragraph = word.add_paragraph("Visit of Shantou representatives", style="List Bullet")
    paragraph.runs[0].add_break()
    paragraph.add_run("Promising exchange of ideas")
    assert read(word).blocks[0].text == "Visit of Shantou representatives\nPromising exchange of ideas"


def test_page_headers_and_footers_are_not_read() -> None:
    word = docx.Document()
    word.sections[0].header.paragraphs[0].text = "Confidential draft"
    word.add_paragraph("Lyon – Guangzhou")
    assert "Confidential" not in read(word).text


def test_tracked_insertions_count_and_deletions_do_not() -> None:
    word = docx.Document()
    paragraph = word.add_paragraph("MoU signed with ")
    inserted, deleted = OxmlElement("w:ins"), OxmlElement("w:del")
    for wrapper, tag, text in ((inserted, "w:t", "Guangzhou"), (deleted, "w:delText", "Wuhan")):
        for attribute, value in (("w:id", "1"), ("w:author", "GIZ"), ("w:date", "2016-06-01T00:00:00Z")):
            wrapper.set(qn(attribute), value)
        run, content = OxmlElement("w:r"), OxmlElement(tag)
        content.text = text
        run.append(content)
        wrapper.append(run)
        paragraph._p.append(wrapper)
    assert read(word).blocks[0].text == "MoU signed with Guangzhou"
