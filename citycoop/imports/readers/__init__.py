"""Readers: one module per format, each turning a file's bytes into a :class:`Document`.

The format is decided by the content (see :mod:`.sniff`), never by the extension alone, and
every file a reader refuses raises :class:`UnreadableFile` with a one-line reason.
Adding a format is one module and one line in :data:`READERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from citycoop.imports.readers import docx, html, markdown, pdf, text
from citycoop.imports.readers.base import BlockKind, Document, TextBlock, UnreadableFile
from citycoop.imports.readers.sniff import megabytes, refuse, sniff

__all__ = ["MAX_BYTES", "READERS", "BlockKind", "Document", "TextBlock", "UnreadableFile",
           "read_bytes", "read_document"]

Reader = Callable[[bytes, str | None], Document]

READERS: dict[str, Reader] = {
    "txt": text.read_txt,
    "md": markdown.read_markdown,
    "html": html.read_html,
    "docx": docx.read_docx,
    "pdf": pdf.read_pdf,
}

MAX_BYTES = 60 * 1024 * 1024


def read_document(path: Path | str, *, data: bytes | None = None,
                  max_bytes: int = MAX_BYTES) -> Document:
    """Read the report at ``path`` (or ``data``, named by ``path``) into a Document."""
    path = Path(path)
    if data is None:
        # Passed straight on, so that no frame here keeps the bytes (see read_bytes).
        return read_bytes(_read_file(path, max_bytes), path.name, max_bytes=max_bytes)
    return read_bytes(data, path.name, max_bytes=max_bytes)


def read_bytes(data: bytes, name: str | None = None, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read a report's bytes; ``name`` (a file name or address) is only for messages."""
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    reader = READERS[sniff(data, name)]
    # Hand the bytes over without keeping a reference in this frame, so that a reader can drop
    # them once decoded: a 50 MB text file would otherwise sit in memory as bytes and as text.
    held = [data]
    del data
    return reader(held.pop(), name)


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(path.name, size, max_bytes)
        return path.read_bytes()
    except OSError as exc:
        raise refuse(path.name, f"cannot be opened: {exc.strerror or exc}") from None


def _too_large(name: str | None, size: int, limit: int) -> UnreadableFile:
    return refuse(name, f"is {megabytes(size)}; the limit is {megabytes(limit)}")
