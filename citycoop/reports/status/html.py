"""The status page as a self-contained HTML page (also what the PDF is printed from)."""

from __future__ import annotations

from django.template.loader import get_template

from .model import Progress, StatusReport


def render_html(report: StatusReport, progress: Progress | None = None, *,
                parts: bool = False) -> str:
    """The page; ``parts`` for a part printed apart, whose page numbers would restart."""
    html = get_template("reports/status/page.html").render({"report": report, "parts": parts})
    if progress is not None:
        progress(report.pairing_count, report.pairing_count)
    return html
