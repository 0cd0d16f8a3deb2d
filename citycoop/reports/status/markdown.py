"""The status page as Markdown: headings, numbered pairings, "Issue N:" pilots, bullets."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .model import ActionLine, PairingSection, Progress, StatusReport


def escape(text: str) -> str:
    """Keep a line that starts like a list or a heading from turning into one."""
    text = " ".join(text.split())
    if text[:1] in "#>*+-" or (text.split(".", 1)[0].isdigit() and "." in text[:4]):
        return "\\" + text
    return text


def bullet(action: ActionLine, indent: str = "") -> list[str]:
    lines = text_lines(action.text)
    out = [f"{indent}- {lines[0]}"] + [f"{indent}  {line}" for line in lines[1:]]
    out += [f"{indent}  - {escape(item)}" for item in action.sub_items]
    out += [f"{indent}  - <{link}>" if "://" in link else f"{indent}  - {link}"
            for link in action.links]
    return out


def text_lines(text: str) -> list[str]:
    """A bullet written over several lines keeps them, as hard breaks."""
    lines = [escape(line) for line in text.splitlines() if line.strip()] or [""]
    return [line + "\\" for line in lines[:-1]] + lines[-1:]


def pairing_lines(pairing: PairingSection) -> list[str]:
    out = [f"### {pairing.heading}", ""]
    if pairing.summary:
        out += [escape(pairing.summary), ""]
    for heading, actions in pairing.blocks:
        if heading:
            out += [f"#### {heading}", ""]
        for action in actions:
            out += bullet(action)
        out.append("")
    if pairing.next_steps:
        out += [f"- {escape(step.line)}" for step in pairing.next_steps] + [""]
    return out


def render_markdown(report: StatusReport, progress: Progress | None = None) -> str:
    out = [f"# {report.title}", "", escape(report.intro), "",
           _("Generated from the %(programme)s records on %(date)s.")
           % {"programme": report.programme, "date": report.generated}, ""]
    done, total = 0, report.pairing_count
    for group in report.groups:
        out += [f"## {group.name}" if group.name else f"## {_('Pairings')}", "",
                escape(group.intro), ""]
        for pairing in group.pairings:
            out += pairing_lines(pairing)
            done += 1
            if progress is not None:
                progress(done, total)
    if report.closing:
        out += [escape(report.closing), ""]
    return "\n".join(out)
