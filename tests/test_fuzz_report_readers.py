"""Fuzzing the report import: mutated and generated files through the readers and the
extractor end in a draft or in the readers' clean refusal (UnreadableFile, the error the
upload form shows), never in another exception; and a whole import on a real database
(upload, review, apply) that is refused leaves every table as it was.

Bounded here (a few hundred inputs from fixed seeds); bench/fuzz.py runs 10,000."""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from citycoop.imports import staging
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
    """Upload, stage, review and apply, as the import pages do; whatever is written is undone
    after the counts are compared."""
    data, name = report
    digest = staging.stage(data, name or "report")
    try:
        with transaction.atomic():
            before = row_counts()
            try:
                # The upload form reads the file first; the review page reads the staged copy.
                read_bytes(data, name, max_bytes=settings.CITYCOOP_UPLOAD_MAX_BYTES)
                staged = staging.staged(digest)
                assert staged is not None, "the upload was not staged"
                document = read_bytes(*staged)
                review = review_report(document, extract(document), staged[0],
                                       programme=(programme or "").strip() or None)
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
    finally:
        staging.discard(digest)


def report_inputs(corpus: list[Seed], count: int, seed: int) -> Iterator[tuple[Report, str]]:
    rng = random.Random(seed)
    for _ in range(count):
        yield mutate_report(rng, corpus)


def fuzz_reports(tally: Tally, corpus: list[Seed], *, mutated: int, generated: int,
                 seed: int, progress: Any = None) -> Tally:
    """``mutated`` inputs made from the corpus, then ``generated`` drawn by hypothesis."""
    tally.report_to(progress, mutated + generated)
    for report, origin in report_inputs(corpus, mutated, seed):
        tally.run(read_and_extract, report, origin)

    def each(report: Report) -> None:
        tally.run(read_and_extract, report, "hypothesis")

    run_hypothesis(report_strategy(), each, examples=generated, seed=seed)
    return tally


def fuzz_whole_imports(tally: Tally, corpus: list[Seed], *, count: int, seed: int,
                       progress: Any = None) -> Tally:
    tally.report_to(progress, count)
    rng = random.Random(seed + 1)
    for report, origin in report_inputs(corpus, count, seed):
        programme = rng.choice(PROGRAMMES)
        tally.run(partial(import_whole, programme=programme), report,
                  f"{origin}, programme {programme!r}")
    return tally


@pytest.fixture(scope="module")
def corpus() -> list[Seed]:
    # The openings only: the whole page's PDF takes a third of a second to read.
    return report_corpus(require_shared(REFERENCE), short_only=True)


def test_mutated_and_generated_reports_end_in_a_draft_or_a_clean_refusal(corpus):
    tally = fuzz_reports(Tally("report readers", limit=10), corpus, mutated=400, generated=150,
                         seed=9)
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


# Its heading names 49 places: the pairing's label is longer than the registry allows, which
# only the write of the pairing finds, after the programme and the source.
TOO_LONG = ("# Pilot Projects\n\n## 7. Lyon – "
            + " / ".join(["Guangzhou", "Tianjin", "Wuhan", "Chengdu"] * 12)
            + "\n\n### Issue 1: Smart city\n\n- Mission in 2016\n")


@pytest.mark.django_db
def test_a_report_refused_while_applying_leaves_every_table_as_it_was(demo):
    report = TOO_LONG
    before = row_counts()
    assert import_whole((report.encode(), "long.md"), "Fuzz programme") == REFUSED
    assert row_counts() == before
    document = read_bytes(report.encode(), "long.md")
    review = review_report(document, extract(document), report.encode(),
                           programme="Fuzz programme")
    with pytest.raises(ValidationError, match="Nothing was written: the pairing"):
        apply_review(review)
    assert row_counts() == before


@pytest.mark.django_db
def test_the_review_page_says_why_a_report_could_not_be_applied(client, admin_user):
    client.force_login(admin_user)
    uploaded = client.post(reverse("imports:upload"), {
        "file": SimpleUploadedFile("long.md", TOO_LONG.encode()), "new_programme": "Fuzz"})
    review = client.get(uploaded["Location"]).context["review"]
    everything = [key for key, item in review.items.items() if item.writes]
    before = row_counts()
    applied = client.post(uploaded["Location"], {"programme": "Fuzz", "accept": everything},
                          follow=True)
    assert applied.redirect_chain[-1][0] == reverse("imports:upload")
    assert "Nothing was written: the pairing “Lyon – Guangzhou" in applied.content.decode()
    assert row_counts() == before
