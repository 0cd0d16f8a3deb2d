"""Decide a file's format from its bytes, and decode text files.

The extension is only a hint: people rename files, save web pages as ".doc" and mail PDFs
called "report.txt". :func:`sniff` looks at the content and either names a format from the
READERS registry or raises :class:`UnreadableFile` with a reason a person can act on.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import PurePath

from citycoop.imports.readers.base import UnreadableFile

MIB = 1024 * 1024
SAMPLE = 64 * 1024  # enough bytes to judge a file by; judging all 60 MB would be slow

# Magic numbers of files people upload by mistake, with the words the refusal uses.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\xca\xfe\xba\xbe", "a program"),
    (b"ID3", "an audio file"),
    (b"OggS", "an audio or video file"),
    (b"\x1a\x45\xdf\xa3", "a video file"),
    (b"SQLite format 3\x00", "a database file"),
]
# Two-letter magic numbers also begin ordinary words, so they count only with binary bytes.
_AMBIGUOUS = {b"BM", b"MZ", b"ID3"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_WORD_DOCUMENT = "WordDocument".encode("utf-16-le")

# Bytes below 0x20 that plain text does not contain (tab, newlines, form feed and escape do).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"

_NOT_SPACE = re.compile(rb"[^\s]")
_HTML_DOCUMENT = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)
_HTML_TAG = re.compile(r"<(?:p|div|h[1-6]|ul|ol|li|table|section|article|main|span|br)[\s/>]",
                       re.I)
_MARKDOWN = re.compile(
    r"^#{1,6}[ \t]+\S"  # ATX heading
    r"|\*\*\S[^*\n]*\*\*"  # strong emphasis
    r"|\[[^\]\n]+\]\([^)\s]+\)"  # link
    r"|^[ \t]*[-*+][ \t]+\S"  # list item
    r"|^```"  # fenced code
    r"|^\|.*\|[ \t]*$",  # table row
    re.M,
)
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}


def refuse(name: str | None, reason: str) -> UnreadableFile:
    """The exception for a refused file: '<name> <reason>', one line."""
    label = PurePath(name).name if name else "The file"
    return UnreadableFile(f"{label} {reason}")


def megabytes(size: int) -> str:
    """'75 MB', or '60.5 MB' when rounding would hide the difference from a limit."""
    value = size / MIB
    return f"{value:.0f} MB" if value == round(value) or value >= 100 else f"{value:.1f} MB"


def sniff(data: bytes, name: str | None) -> str:
    """The format of ``data`` ('txt', 'md', 'html', 'docx' or 'pdf'), decided by content."""
    if _NOT_SPACE.search(data) is None:  # search, not strip(): no copy of a large file
        raise refuse(name, "is empty: export the report again")
    if data.find(b"%PDF-", 0, 1024) >= 0:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, name)
    if data.startswith(_OLE):
        raise _refuse_ole(data, name)
    for signature, what in _SIGNATURES:
        if data.startswith(signature) and (signature not in _AMBIGUOUS
                                           or b"\x00" in data[:64]):
            raise refuse(name, f"looks like {what}, not a report")
    if data.startswith(b"{\\rtf"):
        raise refuse(name, "is an RTF file: save it as .docx or PDF")
    encoding = text_encoding(data[:SAMPLE])
    if encoding is None:
        raise refuse(name, "looks like binary data, not a report")
    head = data[:SAMPLE].decode(encoding, errors="replace")[:8192]
    return _sniff_text(head, name)


def _sniff_text(head: str, name: str | None) -> str:
    suffix = PurePath(name).suffix.lower() if name else ""
    if _HTML_DOCUMENT.search(head):
        return "html"
    if suffix in _MARKDOWN_SUFFIXES and _MARKDOWN.search(head):
        return "md"
    starts_with_tag = head.lstrip("\ufeff \t\r\n").startswith("<")
    if (starts_with_tag or suffix in {".html", ".htm"}) and _HTML_TAG.search(head):
        return "html"
    return "txt"


def _sniff_zip(data: bytes, name: str | None) -> str:
    # Reading the central directory is cheap and safe; members are not decompressed here.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            small = "mimetype" in names and archive.getinfo("mimetype").file_size < 200
            mimetype = archive.read("mimetype") if small else b""
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refuse(name, f"is a damaged Word or ZIP file ({exc}): save or export it again"
                     ) from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        raise refuse(name, "is an Excel workbook, not a report")
    if "ppt/presentation.xml" in names:
        raise refuse(name, "is a PowerPoint presentation: save it as PDF")
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise refuse(name, "is an OpenDocument file: save it as .docx or PDF")
    raise refuse(name, "looks like a ZIP archive, not a report: unpack it first")


def _refuse_ole(data: bytes, name: str | None) -> UnreadableFile:
    """An OLE compound file: an encrypted Office document, or an old .doc/.xls."""
    suffix = PurePath(name).suffix.lower() if name else ""
    if _ENCRYPTED_PACKAGE in data or suffix in {".docx", ".docm", ".dotx"}:
        return refuse(name, "is password-protected: save an unprotected copy")
    if _WORD_DOCUMENT in data:
        return refuse(name, "is an old Word .doc file: save it as .docx or PDF")
    return refuse(name, "is an old Office file (or a password-protected one): "
                        "save an unprotected .docx or PDF copy")


def text_encoding(sample: bytes) -> str | None:
    """The codec that decodes this sample of a text file, or None if it looks binary."""
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # NULs are normal in UTF-16, so judge the decoded characters instead.
        text = sample.decode("utf-16", errors="replace")
        return None if _many_controls(text.encode("utf-8", errors="replace")) else "utf-16"
    if b"\x00" in sample:
        # UTF-16 without a BOM: every other byte of Latin text is NUL.
        half = len(sample) // 2
        if half and sample[1::2].count(0) > 0.9 * half and not sample[0::2].count(0):
            return "utf-16-le"
        if half and sample[0::2].count(0) > 0.9 * half and not sample[1::2].count(0):
            return "utf-16-be"
        return None
    if _many_controls(sample):
        return None
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A sample may end inside a multi-byte character: an incremental decode allows that.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _many_controls(sample: bytes) -> bool:
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return b"\x00" in sample or controls > max(2, len(sample) // 100)


def decode_text(data: bytes, name: str | None) -> str:
    """The whole file as text, newlines normalised to '\\n'.

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are decoded strictly; a file that is
    not UTF-8 is taken as Windows-1252, the usual encoding of older European office files,
    with Latin-1 for the five bytes Windows-1252 leaves undefined.
    """
    encoding = text_encoding(data[:SAMPLE])
    if encoding is None:
        raise refuse(name, "looks like binary data, not a report")
    wide = encoding.startswith(("utf-16", "utf-32"))
    if not wide and b"\r" in data:
        # Normalising the bytes costs one byte per character, the text up to four.
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text = _decode_legacy(data, encoding)
    del data
    if wide and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode_legacy(data: bytes, tried: str) -> str:
    if tried.startswith("utf-16") or tried.startswith("utf-32"):
        return data.decode(tried, errors="replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")
