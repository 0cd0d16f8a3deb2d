"""The status page as a self-contained HTML page."""

from __future__ import annotations

from django.template.loader import get_template

from .model import Progress, StatusReport


def render_html(report: StatusReport, progress: Progress | None = None) -> str:
    html = get_template("reports/status/page.html").render({"report": report})
    if progress is not None:
        progress(report.pairing_count, report.pairing_count)
    return html
