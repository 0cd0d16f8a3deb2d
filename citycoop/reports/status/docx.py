"""The status page as a Word file: headings, numbered pairings, "Issue N:" headings, bullets.

Paragraphs are added before the body's section properties directly: python-docx's
``add_paragraph`` looks for that element from the start of the body on each call, which is
quadratic in a long report (hours for 200,000 bullets)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from .model import PairingSection, Progress, StatusReport

STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Normal",
          "List Bullet", "List Bullet 2")


class Writer:
    def __init__(self, doc: Any) -> None:
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        self.doc, self.element, self.paragraph = doc, OxmlElement, Paragraph
        self.body = doc.element.body
        self.end = self.body.sectPr
        self.ids = {name: doc.styles[name].style_id for name in STYLES}

    def add(self, text: str, style: str = "Normal") -> None:
        p = self.element("w:p")
        if self.end is not None:
            self.end.addprevious(p)
        else:
            self.body.append(p)
        if style != "Normal":
            p.get_or_add_pPr().style = self.ids[style]
        self.paragraph(p, self.doc._body).add_run(text)

    def pairing(self, pairing: PairingSection) -> None:
        self.add(pairing.heading, "Heading 3")
        if pairing.summary:
            self.add(pairing.summary)
        for heading, actions in pairing.blocks:
            if heading:
                self.add(heading, "Heading 4")
            for action in actions:
                self.add(" ".join(action.text.split()), "List Bullet")
                for item in [*action.sub_items, *action.links]:
                    self.add(item, "List Bullet 2")
        for step in pairing.next_steps:
            self.add(step.line, "List Bullet")


def render_docx(report: StatusReport, progress: Progress | None = None) -> bytes:
    import docx  # lazily: only when a Word file is asked for

    doc = docx.Document()
    doc.core_properties.title = report.title
    out = Writer(doc)
    out.add(report.title, "Heading 1")
    out.add(report.intro)
    out.add(_("Generated from the %(programme)s records on %(date)s.")
            % {"programme": report.programme, "date": report.generated})
    done, total = 0, report.pairing_count
    for group in report.groups:
        out.add(group.name or _("Pairings"), "Heading 2")
        out.add(group.intro)
        for pairing in group.pairings:
            out.pairing(pairing)
            done += 1
            if progress is not None:
                progress(done, total)
    if report.closing:
        out.add(report.closing)
    data = io.BytesIO()
    doc.save(data)
    return data.getvalue()
