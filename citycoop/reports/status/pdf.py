"""The status page as PDF, set line by line by citycoop's own typesetter.

It follows the HTML page's look (A4, blue headings with rules, "Issue N:" headings
underlined, bullets hung in the margin, the title and "page n / N" in the footer), and is
fast enough for a portfolio of thousands of pairings: the HTML printer lays out about 25
pages a second, this a few hundred. Chinese, Japanese and Korean text is set in Noto Sans
CJK, loaded only when a character needs it."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _

from citycoop.common.typeset import MM, Document, Style, rgb

from .model import PairingSection, Progress, StatusReport

BLUE, INK, GREY, LINE = rgb("#003399"), rgb("#1d2733"), rgb("#5b6776"), rgb("#dfe4ea")

TITLE = Style(size=19, leading=1.25, colour=BLUE, after=6, rule=(2.25, BLUE))
GROUP = Style(size=14, leading=1.3, colour=BLUE, before=18, after=4, rule=(0.75, LINE),
              keep_with_next=True)
PAIRING = Style(size=12, leading=1.3, colour=BLUE, before=14, after=4, keep_with_next=True)
ISSUE = Style(size=10.5, leading=1.35, colour=INK, indent=4 * MM, before=9, after=2,
              underline=True, keep_with_next=True)
BODY = Style(size=10, colour=INK, before=4, after=4)
INTRO = Style(size=10, colour=rgb("#33404d"), before=4, after=4)
SMALL = Style(size=8.5, colour=GREY, before=4, after=4)
BULLET = Style(size=10, colour=INK, indent=8 * MM, bullet="•", before=2)
CONTINUED = replace(BULLET, bullet="", before=0)
SUB_BULLET = Style(size=10, colour=INK, indent=14 * MM, bullet="◦", before=1)


def add_pairing(doc: Document, pairing: PairingSection) -> None:
    doc.add(pairing.heading, PAIRING)
    if pairing.summary:
        doc.add(pairing.summary, BODY)
    for heading, actions in pairing.blocks:
        if heading:
            doc.add(heading, ISSUE)
        for action in actions:
            lines = [line for line in action.text.splitlines() if line.strip()]
            for number, line in enumerate(lines):
                # A bullet written over several lines keeps them; only the first is marked.
                doc.add(line, BULLET if number == 0 else CONTINUED)
            for item in [*action.sub_items, *action.links]:
                doc.add(item, SUB_BULLET)
    for step in pairing.next_steps:
        doc.add(step.line, BULLET)


def render_pdf(report: StatusReport, progress: Progress | None = None) -> bytes:
    doc = Document(report.title)
    doc.add(report.title, TITLE)
    doc.add(report.intro, BODY)
    doc.add(_("Generated from the %(programme)s records on %(date)s.")
            % {"programme": report.programme, "date": report.generated}, SMALL)
    for group in report.groups:
        doc.add(group.name or _("Pairings"), GROUP)
        doc.add(group.intro, INTRO)
        for pairing in group.pairings:
            add_pairing(doc, pairing)
    if report.closing:
        doc.add(report.closing, SMALL)
    if progress is None:
        return doc.pdf()
    pairings = report.pairing_count
    # The bar counts pairings, as the other formats' do: the share of the setting done.
    return doc.pdf(lambda done, total: progress(pairings * done // max(total, 1), pairings))
