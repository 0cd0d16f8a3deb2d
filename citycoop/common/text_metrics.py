"""How wide a line of text is drawn, guessed without font metrics: for pictures drawn on the
server (SVG), which must leave room for their labels before any font is chosen."""

from __future__ import annotations

import unicodedata


def text_width(text: str, size: float) -> float:
    """About how wide the text is drawn at ``size``: wide (CJK) characters take a full em,
    others a little over half. It errs on the wide side, so that labels are not clipped."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62 for c in text) * size


def clip(text: str, width: float, size: float) -> str:
    """The text, cut with an ellipsis to fit ``width`` at ``size``."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for char in text:
        if text_width(out + char + "…", size) > width:
            break
        out += char
    return out.rstrip() + "…"
