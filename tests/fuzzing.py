"""The fuzzing kit shared by the bounded fuzz tests (tests/test_fuzz_*.py) and the long run
(bench/fuzz.py): seeded byte and text mutators, the report corpus, a runner that feeds
hypothesis-drawn inputs to a check, the rows of every table counted in one query, and the
tally each input's outcome goes into.

A check runs one input through a target and returns its outcome: a clean refusal (the
project's own error type, whose message the user is shown), accepted, or a partial write (a
refused import that left rows behind). Any other exception, and an input slower than the time
limit, is a crash: the tally keeps the input and the traceback, so that it can be replayed.
Everything is drawn from a seeded ``random.Random`` (hypothesis from a fixed seed), so a run
is the same run every time.
"""

from __future__ import annotations

import codecs
import io
import random
import signal
import threading
import time
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REFUSED, ACCEPTED, PARTIAL, CRASH = "clean refusals", "accepted", "partial writes", "crashes"
OUTCOMES = (REFUSED, ACCEPTED, CRASH, PARTIAL)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REFERENCE = "reports/world-cities-pilot-projects-2016.txt"


# -- running inputs ------------------------------------------------------------------------

class TooSlow(BaseException):
    """Raised by the alarm; a BaseException, so that no ``except Exception`` in the code under
    test can turn a hang into a refusal."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise TooSlow(f"took over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Finding:
    origin: str      # how the input was made ("flip+truncate of report.docx")
    value: Any       # the input itself, to replay
    error: str       # the traceback, or what was left written


@dataclass
class Tally:
    target: str
    limit: float | None = 20.0
    counts: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    # Told (inputs so far, inputs planned) after each input, when set by report_to.
    progress: Callable[[int, int], None] | None = None
    planned: int = 0

    @property
    def inputs(self) -> int:
        return sum(self.counts.values())

    def report_to(self, progress: Callable[[int, int], None] | None, planned: int) -> None:
        self.progress, self.planned = progress, planned

    def run(self, check: Callable[[Any], str | tuple[str, str]], value: Any,
            origin: str) -> str:
        """Run one input; its outcome is counted, and kept with the input if it is a fault."""
        started = time.perf_counter()
        try:
            with time_limit(self.limit):
                answer = check(value)
        except (Exception, TooSlow):
            outcome, detail = CRASH, traceback.format_exc()
        else:
            outcome, detail = answer if isinstance(answer, tuple) else (answer, "")
        self.seconds += time.perf_counter() - started
        self.counts[outcome] += 1
        if outcome in (CRASH, PARTIAL):
            self.findings.append(Finding(origin, value, detail))
        if self.progress:
            self.progress(self.inputs, self.planned)
        return outcome

    def faults(self) -> str:
        """The first findings, readable in a failed assertion."""
        shown = [f"{f.origin}: {short(f.value)}\n{f.error[-3000:]}" for f in self.findings[:3]]
        return f"{self.target}: {dict(self.counts)}\n" + "\n\n".join(shown)

    def line(self) -> dict[str, Any]:
        return {"target": self.target, "inputs": self.inputs,
                **{outcome: self.counts[outcome] for outcome in OUTCOMES},
                "seconds": round(self.seconds, 1)}


def short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def run_hypothesis(strategy: Any, each: Callable[[Any], None], *, examples: int,
                   seed: int) -> None:
    """Draw up to ``examples`` values from a hypothesis strategy, from a fixed seed, and hand
    each to ``each`` (which records its own outcome: nothing is shrunk or replayed)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as fixed_seed

    if examples < 1:
        return

    @fixed_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
    @given(strategy)
    def draw(value: Any) -> None:
        each(value)

    draw()


def row_counts() -> dict[str, int]:
    """The rows of every table of the database, in one query."""
    from django.db import connection

    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        quote = connection.ops.quote_name
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})"
                                             for t in tables))
        return dict(zip(tables, cursor.fetchone(), strict=True))


def difference(before: dict[str, int], after: dict[str, int]) -> str:
    return ", ".join(f"{table} {before.get(table)} -> {n}" for table, n in after.items()
                     if before.get(table) != n)


# -- the report corpus -----------------------------------------------------------------------

@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes
    format: str    # txt, md, html, docx, pdf


def opening(text: str, chars: int) -> str:
    """The report's first ``chars`` characters or so, cut at a blank line."""
    cut = text.find("\n\n", chars)
    return text if cut < 0 else text[:cut + 1]


def report_corpus(reference: Path, *, short_only: bool = False) -> list[Seed]:
    """The reference page as text, HTML, Word, PDF and Markdown (as the readers' fixtures make
    them), its opening alone in each format, and the small reports under tests/fixtures."""
    from tests.fixtures.make_report_variants import (
        make_docx,
        make_html,
        make_markdown,
        make_pdf,
    )

    whole = reference.read_text(encoding="utf-8")
    texts = {"opening": opening(whole, 2500)}
    if not short_only:
        texts["report"] = whole
    seeds = []
    for label, text in texts.items():
        stem = f"{reference.stem}-{label}"
        seeds += [Seed(f"{stem}.txt", text.encode(), "txt"),
                  Seed(f"{stem}.md", make_markdown(text).encode(), "md"),
                  Seed(f"{stem}.html", make_html(text), "html"),
                  Seed(f"{stem}.docx", make_docx(text), "docx"),
                  Seed(f"{stem}.pdf", make_pdf(text), "pdf")]
    for path in sorted((FIXTURES / "reports").iterdir()):
        seeds.append(Seed(path.name, path.read_bytes(), path.suffix.lstrip(".")))
    return seeds


# -- byte mutators ---------------------------------------------------------------------------

MAGIC = [b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x89PNG\r\n\x1a\n",
         b"{\\rtf1", b"<!DOCTYPE html><html><body>", b"<p>", b"\xef\xbb\xbf", b"\xff\xfe",
         b"\xfe\xff", b"\x00\x00\xfe\xff", b"MZ", b"BM\x00", b"\x1f\x8b", b"%%EOF", b"stream\n",
         b"endobj", b"<w:p>", b"]]>", b"<!--", b"\x00", b"\r", b"\x1b", b"\xc3", b"\xed\xa0\x80"]


def flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def overwrite(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    chunk = rng.choice(MAGIC) if rng.random() < 0.5 else rng.randbytes(rng.randint(1, 16))
    return data[:at] + chunk + data[at + len(chunk):]


def insert(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    chunk = rng.choice(MAGIC) if rng.random() < 0.5 else rng.randbytes(rng.randint(1, 64))
    return data[:at] + chunk + data[at:]


def delete(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data) + 1)
    return data[:start] + data[start + rng.randint(1, max(1, len(data) // 8)):]


def duplicate(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data) + 1)
    chunk = data[start:start + rng.randint(1, 512)]
    return data[:start] + chunk * rng.randint(2, 20) + data[start:]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def prefix(rng: random.Random, data: bytes) -> bytes:
    return rng.choice(MAGIC) + data


BYTE_MUTATORS: list[Callable[[random.Random, bytes], bytes]] = [
    flip, overwrite, insert, delete, duplicate, truncate, prefix]


def splice(rng: random.Random, data: bytes, other: bytes) -> bytes:
    """The head of one input on the tail of another."""
    return data[:rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1):]


# -- text mutators (structure-aware) ---------------------------------------------------------

ODD = ["\u200b", "\u200d", "\u200e", "\u202e", "\u2028", "\u2029", "\u0085", "\ufeff", "\ufffd",
       "\u0301", "\u0308" * 40, "\U0001f600", "\U0001f1ea\U0001f1fa", "\u00a0", "\u3000", "²",
       "١٢٣", "１２３", "Ⅻ", "ﬁ", "ß", "İ", "\u0130\u0307", "ǅ", "\ud800", "\x00", "\x0b", "\x0c",
       "\x1c", "\x7f", "\x9f", "–", "—", "•", "\uf0b7", "\t", "\r", "\r\n", "  ", "中国", "天津",
       "ﷺ", "\U000e0001", "Ꙭ", "𝟙𝟚"]
LINES = ["1. Lyon – Guangzhou", "99999999999999999999. A – B / C, D", "Issue 1: Smart city",
         "Issue 000000000000000000000007: x", "  • Mission to Tianjin in June 2016",
         "  • MoU signed on 31 February 2016", "    ◦ Evotion (robotics – www.evotion.fr)",
         "Next Step: Visit of Shantou delegation to Málaga in June/July 2016",
         "EU-China: 24 pilot projects, 14 MoUs", "Currently there are 10^400 pilot projects",
         "For further details, please contact a@b.c", "- [x](javascript:alert(1))",
         "# " + "Heading " * 40, "| a | b |", "```", "<h1>1. Wuhan – Barcelona</h1>",
         "<li>Mission in 2016-13-45</li>", "<table><tr><td>1</td></tr></table>",
         "Issue 2: – –", "1.  –  ", "Issue 3:", "between 1 January 0001 and 31 December 9999",
         "since Q5 2016, 2016/17, 16-18 June 2016, June 2016 – May 2015", "<" * 50, "* " * 200,
         # A heading naming 49 places: a pairing label longer than the registry allows.
         "## 7. Lyon – " + " / ".join(["Guangzhou", "Tianjin", "Wuhan", "Chengdu"] * 12)]
CODECS = ["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252",
          "latin-1", "gb18030"]


def shuffle_lines(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    start = rng.randrange(len(lines))
    part = lines[start:start + rng.randint(2, 60)]
    rng.shuffle(part)
    return "\n".join(lines[:start] + part + lines[start + len(part):])


def odd_unicode(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 20)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(ODD) + text[at:]
    return text


def nul_bytes(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + "\x00" * rng.choice([1, 2, 7, 300]) + text[at:]


def huge_line(rng: random.Random, text: str) -> str:
    unit = rng.choice(["a", "Tianjin ", "1", "– ", "(", "• ", "2016 ", "Lyon-", "é", "中",
                       "www.", "a@", "<b>", "**", "MoU "])
    at = rng.randrange(len(text) + 1)
    return text[:at] + unit * (rng.choice([2_000, 20_000, 200_000]) // len(unit)) + text[at:]


def report_lines(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 12)):
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(LINES))
    return "\n".join(lines)


def drop_or_repeat_lines(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    start = rng.randrange(len(lines))
    part = lines[start:start + rng.randint(1, 40)]
    middle = part * rng.randint(2, 6) if rng.random() < 0.5 else []
    return "\n".join(lines[:start] + middle + lines[start + len(part):])


TEXT_MUTATORS: list[Callable[[random.Random, str], str]] = [
    shuffle_lines, odd_unicode, nul_bytes, huge_line, report_lines, drop_or_repeat_lines]


def encode(rng: random.Random, text: str) -> bytes:
    codec = rng.choice(CODECS)
    errors = "surrogatepass" if codec.startswith("utf") and rng.random() < 0.3 else "replace"
    try:
        return codecs.encode(text, codec, errors)
    except UnicodeError:
        return text.encode("utf-8", "replace")


# -- report inputs ---------------------------------------------------------------------------

NAMES = ["report.txt", "report.md", "report.html", "report.docx", "report.pdf", "report.doc",
         "report", "", "报告.txt", "a" * 300 + ".md", "../../etc/passwd", "report.PDF", "x.htm"]


def mutate_zip(rng: random.Random, data: bytes) -> bytes:
    """A Word file with one part changed, dropped, renamed or swollen, zipped again."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    except Exception:
        return flip(rng, data)
    if not parts:
        return data
    at = rng.randrange(len(parts))
    name, content = parts[at]
    choice = rng.random()
    if choice < 0.5:
        text = content.decode("utf-8", errors="replace")
        changed = rng.choice(TEXT_MUTATORS)(rng, text) if text else text
        parts[at] = (name, changed.encode("utf-8", "surrogatepass"))
    elif choice < 0.7:
        parts[at] = (name, rng.choice(BYTE_MUTATORS)(rng, content))
    elif choice < 0.8:
        del parts[at]
    elif choice < 0.9:
        parts[at] = (rng.choice([p for p, _ in parts] + ["word/x.xml", ""]) or "_", content)
    else:
        parts[at] = (name, b"<a>" * rng.choice([10, 100_000]) + content)
    out = io.BytesIO()
    method = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
    with zipfile.ZipFile(out, "w", method) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a part renamed onto another: a duplicate, wanted
        for part, content in parts:
            archive.writestr(part, content)
    return out.getvalue()


def mutate_report(rng: random.Random, corpus: list[Seed]) -> tuple[tuple[bytes, str], str]:
    """One mutated report, its file name, and how it was made: one to four mutations of a
    seed, text-level ones on the text formats, part-level ones on Word files."""
    seed = rng.choice(corpus)
    data, steps = seed.data, []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        kind = rng.random()
        if seed.format in ("txt", "md", "html") and kind < 0.55:
            mutator = rng.choice(TEXT_MUTATORS)
            text = data.decode("utf-8", errors="replace")
            data = mutator(rng, text).encode("utf-8", "surrogatepass") if text else data
            steps.append(mutator.__name__)
        elif seed.format == "docx" and kind < 0.5:
            data = mutate_zip(rng, data)
            steps.append("zip part")
        elif kind < 0.92:
            byte_mutator = rng.choice(BYTE_MUTATORS)
            data = byte_mutator(rng, data) if data else data
            steps.append(byte_mutator.__name__)
        else:
            data = splice(rng, data, rng.choice(corpus).data)
            steps.append("splice")
    if seed.format in ("txt", "md", "html") and rng.random() < 0.15:
        data = encode(rng, data.decode("utf-8", errors="replace"))
        steps.append("re-encode")
    name = seed.name if rng.random() < 0.7 else rng.choice(NAMES)
    return (data, name), f"{'+'.join(steps)} of {seed.name}"


def report_strategy() -> Any:
    """Hypothesis's reports: lines in the report's layout, odd unicode and plain noise,
    encoded one way or another, sometimes behind a format's magic number."""
    from hypothesis import strategies as st

    line = st.one_of(st.sampled_from(LINES), st.text(max_size=200),
                     st.lists(st.sampled_from([*ODD, "a", " ", "-", "1", "(", ")"]),
                              max_size=80).map("".join),
                     st.builds(lambda n, a, b: f"{n}. {a} – {b}", st.integers(-5, 10**30),
                               st.text(max_size=30), st.text(max_size=30)))
    text = st.lists(line, max_size=60).map("\n".join)
    encoded = st.tuples(text, st.sampled_from(CODECS)).map(
        lambda pair: codecs.encode(pair[0], pair[1], "replace"))
    body = st.one_of(encoded, st.binary(max_size=2048),
                     st.tuples(st.sampled_from(MAGIC), st.binary(max_size=512)).map(b"".join))
    return st.tuples(body, st.sampled_from(NAMES))
