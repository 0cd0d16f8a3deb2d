"""The format comes from what a file contains; its extension only breaks a tie for Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from citycoop.imports.readers import READERS, read_bytes, read_document
from citycoop.imports.readers.sniff import sniff
from tests.imports_readers.helpers import docx_bytes, pdf_from_html


def test_the_registry_has_one_reader_per_format() -> None:
    assert sorted(READERS) == ["docx", "html", "md", "pdf", "txt"]


def test_a_pdf_named_txt_is_read_as_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "minutes.txt"
    path.write_bytes(pdf_from_html("<h2>1. Lyon – Guangzhou</h2><ul><li>Mission in June</li></ul>"))
    document = read_document(path)
    assert document.format == "pdf"
    assert document.source == "minutes.txt"
    assert [b.text for b in document.blocks] == ["Lyon – Guangzhou", "Mission in June"]


def test_a_word_file_named_pdf_is_read_as_word() -> None:
    import docx

    word = docx.Document()
    word.add_paragraph("Tianjin – Lazio")
    assert read_bytes(docx_bytes(word), "report.pdf").format == "docx"


def test_a_web_page_named_txt_is_read_as_html() -> None:
    page = b"<!DOCTYPE html><html><body><p>Lyon</p></body></html>"
    assert read_bytes(page, "saved.txt").format == "html"


def test_a_fragment_of_tags_is_html() -> None:
    assert sniff(b"<div><p>Lyon and Guangzhou</p></div>", None) == "html"


def test_prose_that_mentions_a_tag_stays_text() -> None:
    assert sniff(b"We replaced every <p> in the template.\n", "notes.txt") == "txt"


@pytest.mark.parametrize("name, expected", [
    ("notes.md", "md"), ("notes.markdown", "md"), ("notes.txt", "txt"), (None, "txt")])
def test_markdown_needs_its_signals_and_its_extension(name: str | None, expected: str) -> None:
    assert sniff(b"# Pilot projects\n\n- Lyon\n- Wuhan\n", name) == expected


def test_a_md_file_without_markdown_is_plain_text() -> None:
    assert sniff(b"Pilot projects\n\nLyon and Wuhan met in June.\n", "notes.md") == "txt"
