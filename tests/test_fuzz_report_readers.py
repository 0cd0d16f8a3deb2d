"""Fuzzing the report import: mutated and generated files through the readers and the
extractor end in a draft or in the readers' clean refusal (UnreadableFile, the error the
upload form shows), never in another exception; and a whole import on a real database
(upload, review, apply) that is refused leaves every table as it was.

Bounded here (a few hundred inputs from fixed seeds); bench/fuzz.py runs 10,000."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from citycoop.imports.extract import extract
from citycoop.imports.load import apply_review
from citycoop.imports.readers import read_bytes
from citycoop.imports.readers.base import UnreadableFile
from citycoop.imports.review import ImportRefused, review_report
from tests.conftest import require_shared
from tests.fuzzing import (
    ACCEPTED,
    CRASH,
    PARTIAL,
    REFERENCE,
    REFUSED,
    Seed,
    Tally,
    difference,
    mutate_report,
    report_corpus,
    report_strategy,
    row_counts,
    run_hypothesis,
)

Report = tuple[bytes, str]   # the file's bytes and its name
PROGRAMMES = [None, "world-cities-2015-2016", "World Cities 2015-2016", "Fuzz programme",
              "IURC Asia", "Programme 中欧 ✓", "  spaced  programme  "]


class Rollback(Exception):
    """Raised to undo what an accepted import wrote, so that every input meets the same
    database."""


def refusal(error: Exception) -> str | tuple[str, str]:
    """A clean refusal says what to do, on one line."""
    message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    if not message.strip() or "\n" in message.strip():
        return CRASH, f"refused without a one-line message: {message!r}"
    return REFUSED


def read_and_extract(report: Report) -> str | tuple[str, str]:
    """What the upload form and the review page do with a file before any database work."""
    data, name = report
    try:
        document = read_bytes(data, name, max_bytes=settings.CITYCOOP_UPLOAD_MAX_BYTES)
    except UnreadableFile as error:
        return refusal(error)
    document.check()  # every block is exactly the document's text at its offsets
    draft = extract(document).to_json(spans=True)  # what `citycoop extract` prints
    outside = [span for span in spans_in(draft)
               if not 0 <= span[0] <= span[1] <= len(document.text)]
    if outside:
        return CRASH, f"spans outside the text of {len(document.text)}: {outside[:5]}"
    return ACCEPTED


def spans_in(value: Any) -> Iterator[list[int]]:
    """Every [start, end] under a "spans" key of the draft's JSON."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "spans":
                yield from pairs_in(item)
            else:
                yield from spans_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from spans_in(item)


def pairs_in(value: Any) -> Iterator[list[int]]:
    if isinstance(value, list | tuple) and len(value) == 2 and all(
            isinstance(n, int) for n in value):
        yield list(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from pairs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from pairs_in(item)


def import_whole(report: Report, programme: str | None) -> str | tuple[str, str]:
    """Upload, review and apply, as the import pages do; whatever is written is undone after
    the counts are compared."""
    data, name = report
    try:
        with transaction.atomic():
            before = row_counts()
            try:
                document = read_bytes(data, name, max_bytes=settings.CITYCOOP_UPLOAD_MAX_BYTES)
                review = review_report(document, extract(document), data,
                                       programme=programme)
                apply_review(review)
            # What the upload form, the review page and `citycoop import` show as a message.
            except (UnreadableFile, ImportRefused, ValidationError) as error:
                left = difference(before, row_counts())
                outcome = (PARTIAL, f"refused ({error}) but wrote: {left}") if left else \
                    refusal(error)
            else:
                outcome = ACCEPTED
            raise Rollback
    except Rollback:
        return outcome


def report_inputs(corpus: list[Seed], count: int, seed: int) -> Iterator[tuple[Report, str]]:
    rng = random.Random(seed)
    for _ in range(count):
        yield mutate_report(rng, corpus)


def fuzz_reports(tally: Tally, corpus: list[Seed], *, mutated: int, generated: int,
                 seed: int, progress: Any = None) -> Tally:
    """``mutated`` inputs made from the corpus, then ``generated`` drawn by hypothesis."""
    total = mutated + generated
    for report, origin in report_inputs(corpus, mutated, seed):
        tally.run(read_and_extract, report, origin)
        if progress:
            progress(tally.inputs, total)

    def each(report: Report) -> None:
        tally.run(read_and_extract, report, "hypothesis")
        if progress:
            progress(tally.inputs, total)

    run_hypothesis(report_strategy(), each, examples=generated, seed=seed)
    return tally


def fuzz_whole_imports(tally: Tally, corpus: list[Seed], *, count: int, seed: int,
                       progress: Any = None) -> Tally:
    rng = random.Random(seed + 1)
    for report, origin in report_inputs(corpus, count, seed):
        programme = rng.choice(PROGRAMMES)
        tally.run(lambda r, p=programme: import_whole(r, p), report,
                  f"{origin}, programme {programme!r}")
        if progress:
            progress(tally.inputs, count)
    return tally


@pytest.fixture(scope="module")
def corpus() -> list[Seed]:
    # The openings only: the whole page's PDF takes a third of a second to read.
    return report_corpus(require_shared(REFERENCE), short_only=True)


def test_mutated_and_generated_reports_end_in_a_draft_or_a_clean_refusal(corpus):
    tally = fuzz_reports(Tally("report readers"), corpus, mutated=400, generated=150, seed=9)
    assert not tally.findings, tally.faults()
    assert tally.counts[REFUSED] > 50 and tally.counts[ACCEPTED] > 200, tally.counts


def test_the_whole_reference_report_survives_mutation_too():
    whole = [s for s in report_corpus(require_shared(REFERENCE)) if "-report." in s.name]
    tally = fuzz_reports(Tally("whole report"), [s for s in whole if s.format != "pdf"],
                         mutated=60, generated=0, seed=10)
    assert not tally.findings, tally.faults()


@pytest.mark.django_db
def test_a_refused_import_writes_nothing_and_an_accepted_one_applies(corpus, demo):
    small = [seed for seed in corpus if seed.format != "pdf"]
    tally = fuzz_whole_imports(Tally("whole import", limit=60), small, count=30, seed=11)
    assert not tally.findings, tally.faults()
    assert tally.counts[REFUSED] and tally.counts[ACCEPTED], tally.counts
