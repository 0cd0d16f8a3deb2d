"""Text files are decoded as UTF-8, UTF-16 with a BOM, or the Windows encoding of old files."""

from __future__ import annotations

import codecs

import pytest

from citycoop.imports.readers import BlockKind, UnreadableFile, read_bytes

REPORT = ("Pilot Projects\n\n"
          "5. Andalucía Smart City Cluster – Shantou\n\n"
          "  • Visit of Shantou representatives to Málaga in June 2015\n\n"
          "For details, please contact Mr Pablo Gándara.\n")


def bullets_and_paragraphs(text: str) -> list[str]:
    document = read_bytes(text.encode("utf-8"), "r.txt")
    return [b.text for b in document.blocks]


def test_windows_1252_names_keep_their_accents() -> None:
    document = read_bytes(REPORT.encode("cp1252"), "old.txt")
    document.check()
    assert "Málaga" in document.text
    assert "Mr Pablo Gándara" in document.text
    # Byte 0x96 is the en dash in Windows-1252.
    assert document.blocks[1].text == "Andalucía Smart City Cluster \u2013 Shantou"


def test_latin_1_bytes_that_windows_1252_leaves_undefined_still_decode() -> None:
    document = read_bytes("Málaga\x81 pilot\n".encode("latin-1"), "odd.txt")
    assert document.text == "Málaga\x81 pilot\n"


def test_utf_16_with_a_bom_is_read() -> None:
    for codec in ("utf-16", "utf-16-be"):
        data = REPORT.encode(codec)
        if codec == "utf-16-be":
            data = codecs.BOM_UTF16_BE + data
        document = read_bytes(data, "export.txt")
        assert document.text == REPORT
        assert [b.kind for b in document.blocks] == [
            BlockKind.HEADING, BlockKind.HEADING, BlockKind.BULLET, BlockKind.PARAGRAPH]


def test_utf_16_without_a_bom_is_recognised_by_its_zero_bytes() -> None:
    assert read_bytes(REPORT.encode("utf-16-le"), "export.txt").text == REPORT
    assert read_bytes(REPORT.encode("utf-16-be"), "export.txt").text == REPORT


def test_a_utf_8_bom_is_not_part_of_the_text() -> None:
    document = read_bytes(codecs.BOM_UTF8 + REPORT.encode("utf-8"), "bom.txt")
    assert document.text == REPORT
    assert document.title == "Pilot Projects"


def test_windows_line_ends_become_newlines() -> None:
    document = read_bytes(REPORT.replace("\n", "\r\n").encode("utf-8"), "crlf.txt")
    document.check()
    assert document.text == REPORT


def test_text_with_many_control_characters_is_refused() -> None:
    data = b"Lyon\x01\x02\x03\x04 Guangzhou\x05\x06\x07\x08\x0e\x0f\x10"
    with pytest.raises(UnreadableFile, match="looks like binary data"):
        read_bytes(data, "strange.txt")


def test_no_break_spaces_survive_in_text_files() -> None:
    document = read_bytes("Issue 2:\u00a0Industrial cooperation\n".encode(), "nbsp.txt")
    assert document.blocks[0].text == "Issue 2:\u00a0Industrial cooperation"
