"""Files the readers cannot use are refused with one line that says what to do."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from citycoop.imports.readers import UnreadableFile, read_bytes, read_document
from tests.imports_readers.helpers import (
    MIB,
    docx_bytes,
    encrypted_pdf,
    pdf_from_html,
    tiny_png,
    write_zip_bomb,
)

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_bytes(data, name)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(name)
    return message


@pytest.mark.parametrize("data", [b"", b"  \n\r\n\t "])
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert "is empty" in refusal(data, "report.txt")


def test_a_png_image_is_refused_as_an_image() -> None:
    assert refusal(tiny_png(), "report.docx") == "report.docx looks like a PNG image, not a report"


def test_a_jpeg_is_refused_as_an_image() -> None:
    assert "a JPEG image" in refusal(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "a.pdf")


def test_random_binary_bytes_are_refused() -> None:
    noise = random.Random(2016).randbytes(4096)
    assert "looks like binary data" in refusal(noise, "report.txt")


def test_a_zip_that_is_not_a_word_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bundle.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photos/lyon.txt", "not a report")
    assert "ZIP archive" in refusal(path.read_bytes(), "bundle.docx")


def test_a_truncated_pdf_is_refused() -> None:
    whole = pdf_from_html("<h1>Pilot projects</h1>" + "<p>Lyon and Guangzhou.</p>" * 50)
    message = refusal(whole[: len(whole) // 2], "report.pdf")
    assert "is not a readable PDF" in message


def test_a_pdf_with_garbage_inside_is_refused() -> None:
    data = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer\n%%EOF\n"
    assert "is not a readable PDF" in refusal(data, "report.pdf")


def test_a_password_protected_pdf_is_refused() -> None:
    message = refusal(encrypted_pdf("open-sesame"), "report.pdf")
    assert message == "report.pdf is password-protected: save an unprotected copy"


def test_a_pdf_locked_only_against_editing_is_read() -> None:
    document = read_bytes(encrypted_pdf("", "owner-only"), "report.pdf")
    assert "Lyon and Guangzhou signed a MoU." in document.text


def test_a_password_protected_word_file_is_refused() -> None:
    data = OLE_SIGNATURE + b"\x00" * 504 + bytes(range(256)) * 16
    message = refusal(data, "report.docx")
    assert message == "report.docx is password-protected: save an unprotected copy"


def test_an_encrypted_office_package_is_recognised_whatever_its_name() -> None:
    data = OLE_SIGNATURE + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    assert "password-protected" in refusal(data, "upload.bin")


def test_a_truncated_word_file_is_refused() -> None:
    import docx

    word = docx.Document()
    word.add_paragraph("Lyon – Guangzhou")
    data = docx_bytes(word)
    assert "damaged" in refusal(data[: len(data) // 2], "report.docx")


def test_a_word_zip_bomb_is_refused_without_decompressing_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.docx"
    write_zip_bomb(path, megabytes=300)
    assert path.stat().st_size < 2 * MIB

    def no_decompression(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_decompression)
    with pytest.raises(UnreadableFile) as caught:
        read_document(path)
    assert str(caught.value) == ("bomb.docx would expand to 300 MB: it is not a normal Word file "
                                 "(a zip bomb?); save a copy from Word")


def test_a_web_page_with_only_navigation_is_refused() -> None:
    page = b"""<!DOCTYPE html><html><head><script>var a = "tracking";</script></head><body>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
    <div class="cookie-banner">We use cookies.</div>
    <footer><p>Copyright 2016</p></footer><script>init();</script></body></html>"""
    message = refusal(page, "page.html")
    assert "has no readable text" in message


def test_a_pdf_without_a_text_layer_is_refused() -> None:
    scan = pdf_from_html('<div style="width: 10cm; height: 10cm; background: #ccc"></div>')
    assert "has no text layer (a scan?)" in refusal(scan, "scan.pdf")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(75 * MIB)  # sparse: nothing is written
    with pytest.raises(UnreadableFile) as caught:
        read_document(path)
    assert str(caught.value) == "huge.txt is 75 MB; the limit is 60 MB"


def test_bytes_over_a_smaller_limit_are_refused() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_document("notes.txt", data=b"Lyon\n" * 300_000, max_bytes=MIB)
    assert str(caught.value) == "notes.txt is 1.4 MB; the limit is 1 MB"


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_document(tmp_path / "gone.pdf")
    assert str(caught.value) == "gone.pdf cannot be opened: No such file or directory"
