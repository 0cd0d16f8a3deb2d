"""The status page as PDF: the HTML page printed by WeasyPrint, with the CJK font set-up
the B2B agendas use, so that Chinese place names render.

A long report is cut into parts of a few dozen pairings, printed side by side in worker
processes and joined: WeasyPrint lays out about ten pages a second on one core. The parts
are numbered apart, so the joined file's pages carry no "n / N" footer."""

from __future__ import annotations

import io
import os
from concurrent.futures import ProcessPoolExecutor

from django.db import connections

from citycoop.matchmaking.agenda import html_to_pdf

from .html import render_html
from .model import Progress, StatusReport

PART_SIZE = 40  # pairings per part: small enough to show progress, big enough to amortise


def render_pdf(report: StatusReport, progress: Progress | None = None, *,
               jobs: int = 0) -> bytes:
    """The PDF; ``jobs`` processes print the parts of a long report (0: one per core)."""
    workers = jobs or os.cpu_count() or 1
    if report.pairing_count <= PART_SIZE or workers == 1:
        return html_to_pdf(render_html(report, progress))
    parts = report.parts(PART_SIZE)
    pages = [render_html(part, parts=True) for part in parts]
    sizes = [part.pairing_count for part in parts]
    connections.close_all()  # the workers only print; a forked connection must not be shared
    done, printed = 0, []
    import weasyprint  # noqa: F401 - loaded once here, shared by the forked workers

    with ProcessPoolExecutor(max_workers=workers) as pool:
        for size, pdf in zip(sizes, pool.map(html_to_pdf, pages), strict=True):
            printed.append(pdf)
            done += size
            if progress is not None:
                progress(done, report.pairing_count)
    return join(printed)


def join(pdfs: list[bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
