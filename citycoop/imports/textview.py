"""A report draft as text a person reads in a terminal (`citycoop extract --format text`)."""

from __future__ import annotations

from .draft import ReportDraft, clean


def draft_as_text(draft: ReportDraft) -> str:
    lines: list[str] = [f"Report: {draft.source or '(no name)'}", ""]
    for pairing in draft.pairings:
        sides = ", ".join(f"{name} ({country})" for name, country in pairing.sides)
        title = pairing.label or "(content outside any pairing)"
        lines.append(f"Pairing: {title}" + (f"  [{pairing.group}]" if pairing.group else ""))
        if sides:
            lines.append(f"  sides: {sides}")
        for area in pairing.areas:
            heading = area.title or "(no heading)"
            lines.append(f"  Area{f' {area.issue}' if area.issue else ''}: {heading}")
            for action in area.actions:
                lines.append(f"    - [{action.kind}] {clean(action.text)}")
                facts = [
                    ("organisations", [o.text for o in action.organisations]),
                    ("places", [p.text for p in action.places]),
                    ("dates", [f"{d.text} = {d.iso or '?'}"
                               + (f"..{d.iso_end}" if d.iso_end else "") for d in action.dates]),
                    ("links", [u.text for u in action.urls] + [e.text for e in action.emails]),
                ]
                for label, values in facts:
                    if values:
                        lines.append(f"        {label}: {'; '.join(clean(v) for v in values)}")
        lines.append("")
    if draft.agreements:
        lines.append("Agreements:")
        for agreement in draft.agreements:
            count = f" ×{agreement.count}" if agreement.count else ""
            parties = f" — {', '.join(agreement.parties)}" if agreement.parties else ""
            lines.append(f"  - [{agreement.status}{count}] {clean(agreement.text)}{parties}")
        lines.append("")
    if draft.totals:
        lines.append("Figures:")
        lines += [f"  {key}: {value}" for key, value in draft.totals.items()]
        lines.append("")
    if draft.contacts:
        lines.append("Contacts:")
        lines += [f"  {c['name'] or '(no name)'} <{c['email']}>" for c in draft.contacts]
    return "\n".join(lines).rstrip() + "\n"
