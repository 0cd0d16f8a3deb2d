"""The formats the status page is made in: a registry, one renderer per format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import Progress, StatusReport


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    binary: bool
    render: Callable[[StatusReport, Progress | None], str | bytes]


def _markdown(report: StatusReport, progress: Progress | None) -> str:
    from .markdown import render_markdown
    return render_markdown(report, progress)


def _html(report: StatusReport, progress: Progress | None) -> str:
    from .html import render_html
    return render_html(report, progress)


def _docx(report: StatusReport, progress: Progress | None) -> bytes:
    from .docx import render_docx
    return render_docx(report, progress)


def _pdf(report: StatusReport, progress: Progress | None) -> bytes:
    from .pdf import render_pdf
    return render_pdf(report, progress)


FORMATS: dict[str, Format] = {
    "html": Format("html", "text/html; charset=utf-8", False, _html),
    "md": Format("md", "text/markdown; charset=utf-8", False, _markdown),
    "docx": Format("docx", "application/vnd.openxmlformats-officedocument."
                   "wordprocessingml.document", True, _docx),
    "pdf": Format("pdf", "application/pdf", True, _pdf),
}


def render(report: StatusReport, fmt: str, progress: Progress | None = None) -> bytes:
    """The report in one format, as bytes (text formats in UTF-8)."""
    out = FORMATS[fmt].render(report, progress)
    return out.encode() if isinstance(out, str) else out
