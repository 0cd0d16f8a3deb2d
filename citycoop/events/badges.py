"""The QR code printed on a registrant's badge: it holds the badge code, which a scanner at
the door types into the check-in form like a keyboard would."""

from __future__ import annotations

import segno


def qr_svg(code: str, *, title: str = "") -> str:
    """An inline SVG QR code of ``code``, sized by CSS (it has a viewBox, no width)."""
    # A full QR code, never a Micro QR: many phone and door scanners cannot read those.
    # The light background and the four-module quiet zone keep it readable on any page.
    qr = segno.make(code, micro=False)
    return qr.svg_inline(scale=1, border=4, omitsize=True, title=title or None,
                         svgclass="qr", lineclass=None, dark="#000", light="#fff")
