"""The review as a table for the terminal: one line per record, grouped by kind."""

from __future__ import annotations

from .review import CHANGED, NEW, Review

MARKS = {NEW: "+ new", "same": "= same", CHANGED: "~ changed", "skipped": "- skipped"}


def review_table(review: Review, *, show_same: bool = False, width: int = 100) -> str:
    lines = []
    counts = review.counts()
    lines.append("Review: " + ", ".join(f"{counts.get(s, 0)} {s}"
                                        for s in (NEW, CHANGED, "same", "skipped")))
    current = None
    for item in review.ordered():
        if item.status == "same" and not show_same and not item.note:
            continue
        if item.kind != current:
            current = item.kind
            lines.append(f"\n{item.kind.upper()}S")
        label = item.label if len(item.label) <= 60 else item.label[:59] + "…"
        line = f"  {MARKS[item.status]:<10} {label}"
        if item.note:
            line += f"  ({item.note})"
        lines.append(line[:width + 40])
        for name, (old, new) in item.changes.items():
            lines.append(f"      {name}: {short(old)} → {short(new)}")
        for name, value in item.kept.items():
            lines.append(f"      {name}: kept as edited by hand ({short(value)})")
    return "\n".join(lines) + "\n"


def short(value: object, limit: int = 50) -> str:
    text = str(value) if value not in (None, "") else "—"
    return text if len(text) <= limit else text[:limit - 1] + "…"
