"""A progress bar for the command line's long runs, on standard error."""

from __future__ import annotations

import time

from django.core.management.base import OutputWrapper

BAR_WIDTH = 30


def plain(text: str) -> str:
    """No colour: Django paints standard error red on a terminal, which is for errors, not
    for a progress bar or a "written to" notice."""
    return text


def notice(stream: OutputWrapper, text: str) -> None:
    """A message about the run (what was written where) on standard error, so that standard
    output keeps only the data, in the terminal's own colour."""
    stream.write(text, style_func=plain)


class Bar:
    """A one-line bar on stderr, "reading [####....] 120/2000": redrawn in place on a
    terminal, one line every few seconds in a log. Short runs draw nothing."""

    def __init__(self, stream: OutputWrapper, label: str) -> None:
        self.stream, self.label = stream, label
        self.interactive = stream.isatty()
        self.started = self.last = time.perf_counter()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.started < 1:
            return
        if done < total and self.drawn and now - self.last < (0.1 if self.interactive else 5):
            return
        self.drawn = True
        self.last = now
        filled = BAR_WIDTH * done // max(total, 1)
        line = f"{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
        end = "\n" if not self.interactive or done == total else ""
        self.stream.write(("\r" if self.interactive else "") + line, style_func=plain,
                          ending=end)
        self.stream.flush()
