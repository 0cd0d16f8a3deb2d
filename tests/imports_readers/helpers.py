"""Small files for the readers' tests, made in memory: nothing is fetched or stored."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


def pdf_from_html(markup: str) -> bytes:
    """A PDF printed by WeasyPrint from a small HTML page."""
    import weasyprint

    return weasyprint.HTML(string=markup).write_pdf()


def docx_bytes(document: Any) -> bytes:
    """A python-docx Document saved to bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def tiny_png() -> bytes:
    """A valid 1x1 grey PNG: signature, IHDR, IDAT, IEND."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")  # filter byte 0, one grey pixel
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels)
            + _png_chunk(b"IEND", b""))


def encrypted_pdf(user_password: str, owner_password: str | None = None) -> bytes:
    from pypdf import PdfReader, PdfWriter

    plain = pdf_from_html("<h1>Confidential</h1><p>Lyon and Guangzhou signed a MoU.</p>")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password, owner_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write_zip_bomb(path: Path, megabytes: int = 300) -> None:
    """A .docx-looking zip whose document.xml inflates to ``megabytes`` of zeros.

    Written in 1 MB chunks, so making it never holds more than a megabyte.
    """
    chunk = b"\x00" * MIB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
