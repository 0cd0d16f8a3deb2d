"""Fuzzing the spreadsheet round trip: exported workbooks with cells set to values of any
type, rows deleted or repeated, headers renamed, sheets removed or renamed, parts of the
archive damaged and plain corrupt bytes. Each review ends in the import's clean refusal of
the file (SheetFileError) or in a review; applying a review either writes or refuses
(ImportRefused), and a refused apply leaves every table as it was.

Bounded here (a few hundred inputs from fixed seeds); bench/fuzz.py runs 10,000."""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from citycoop.opendata.exporters import EXPORTERS
from citycoop.opendata.management.commands.import_sheet import review_lines
from citycoop.opendata.selection import Selection
from citycoop.opendata.sheet_import import (
    ImportRefused,
    SheetFileError,
    apply_review,
    review_workbook,
)
from citycoop.opendata.sheet_views import review_context
from tests.fuzzing import (
    ACCEPTED,
    BYTE_MUTATORS,
    CRASH,
    ODD,
    PARTIAL,
    REFUSED,
    Tally,
    difference,
    mutate_zip,
    row_counts,
    run_hypothesis,
    splice,
)

# openpyxl warns about every damaged part it reads around: expected here, thousands of them.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
Sheets = list[tuple[str, list[list[Any]]]]        # each sheet's title and rows, header first
Upload = tuple[bytes, str, bool]                  # the file, who imports it, skip_refused
PAIRINGS = ("lyon-guangzhou", "barcelona-wuhan-chengdu")
TITLES = ["pairings", "pilots", "actions", "agreements", "next_steps", "events",
          "organisations", "places", "people", "columns", "Pilots ", "PAIRINGS", "Sheet1", ""]
WORDS = ["[clear]", " [CLEAR] ", "true", "no", "2016", "June 2016", "spring 2016 – 2017",
         "31/02/2016", "signed", "active", "idea", "mission", "CN", "ZZ", "a; b;; c", ";", "-1",
         "1e309", "0x10", "١٢", "=1+1", "=A1", "lyon-guangzhou", "http://x", "None", "nan"]


class Rollback(Exception):
    """Raised to undo what an applied review wrote, so that every input meets the same
    records."""


def export(pairings: tuple[str, ...] = PAIRINGS) -> bytes:
    out = io.BytesIO()
    EXPORTERS["xlsx"].export(Selection(everything=True, pairing_slugs=pairings), out)
    return out.getvalue()


def sheets_of(data: bytes) -> Sheets:
    """The workbook's values. The "columns" sheet, which explains the columns and is never
    imported, keeps only its first rows: it was most of the time spent saving each input."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = [(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)])
                  for sheet in book.worksheets]
    finally:
        book.close()
    return [(title, rows[:6] if title == "columns" else rows) for title, rows in sheets]


def workbook(sheets: Sheets) -> bytes:
    """The sheets saved as a workbook, as a spreadsheet would save them: characters XLSX
    cannot hold are dropped, a repeated sheet title gets a number."""
    book = Workbook(write_only=True)
    seen: set[str] = set()
    for title, rows in sheets:
        name = (storable(title).replace("/", "")[:31]
                or "Sheet").translate(str.maketrans("", "", "\\?*[]:"))
        while name.casefold() in seen:
            name = f"{name[:28]}{len(seen)}"
        seen.add(name.casefold())
        sheet = book.create_sheet(name or "Sheet")
        for row in rows:
            sheet.append([storable(value) if isinstance(value, str) else value
                          for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def storable(text: str) -> str:
    """Text as XLSX can hold it: no control characters, no lone surrogates."""
    return ILLEGAL_CHARACTERS_RE.sub("", text).encode("utf-8", "replace").decode("utf-8")


# -- mutations ---------------------------------------------------------------------------------

def random_value(rng: random.Random, sheets: Sheets) -> Any:
    """A value of any type a spreadsheet cell can hold, often one from elsewhere in the book."""
    pick = rng.randrange(12)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice([0, 1, -1, 2**31, -(2**63), 10**20, rng.randint(-10**6, 10**6)])
    if pick == 2:
        return rng.choice([0.5, -0.0, 1e300, 1e-300, 2.0, rng.uniform(-1e9, 1e9)])
    if pick == 3:
        return rng.choice([True, False])
    if pick == 4:
        return datetime.datetime(rng.randint(1900, 2100), rng.randint(1, 12), rng.randint(1, 28),
                                 rng.choice([0, 13]), 0)
    if pick == 5:
        return datetime.date(rng.randint(1900, 9999), rng.randint(1, 12), rng.randint(1, 28))
    if pick == 6:
        return "".join(rng.choice(ODD + list("ab ;,-1")) for _ in range(rng.randint(0, 30)))
    if pick == 7:
        return rng.choice(["x", "Lyon – ", "中"]) * rng.choice([100, 5_000, 40_000])
    if pick in (8, 9):
        return rng.choice(WORDS)
    _, rows = rng.choice(sheets)
    row = rng.choice(rows) if rows else [None]
    return rng.choice(row) if row else None  # a value of the right shape, in the wrong place


def a_cell(rng: random.Random, sheets: Sheets) -> tuple[list[Any], int] | None:
    rows = [row for _, sheet in sheets for row in sheet[1:] if row]
    if not rows:
        return None
    row = rng.choice(rows)
    return row, rng.randrange(len(row))


def set_cells(rng: random.Random, sheets: Sheets) -> None:
    for _ in range(rng.randint(1, 6)):
        found = a_cell(rng, sheets)
        if found:
            row, at = found
            row[at] = random_value(rng, sheets)


def new_rows(rng: random.Random, sheets: Sheets) -> None:
    """Rows without an id: new records, from another row's values with some cells changed."""
    _, rows = rng.choice(sheets)
    if len(rows) < 2:
        return
    for _ in range(rng.randint(1, 3)):
        row = list(rng.choice(rows[1:]))
        row[:2] = [None, None] if rng.random() < 0.8 else [random_value(rng, sheets), None]
        for _ in range(rng.randint(0, 3)):
            if row:
                row[rng.randrange(len(row))] = random_value(rng, sheets)
        rows.append(row)


def drop_or_repeat_rows(rng: random.Random, sheets: Sheets) -> None:
    _, rows = rng.choice(sheets)
    if len(rows) > 1:
        at = rng.randrange(len(rows))
        if rng.random() < 0.5:
            del rows[at]
        else:
            rows.insert(rng.randrange(len(rows) + 1), list(rows[at]))


def rename_header(rng: random.Random, sheets: Sheets) -> None:
    _, rows = rng.choice(sheets)
    if rows and rows[0]:
        header = rows[0]
        header[rng.randrange(len(header))] = rng.choice(
            [*header, "", None, "ID", " id ", "version", "Title", random_value(rng, sheets)])


def shuffle_columns(rng: random.Random, sheets: Sheets) -> None:
    _, rows = rng.choice(sheets)
    if rows and rows[0]:
        order = list(range(len(rows[0])))
        rng.shuffle(order)
        rows[:] = [[row[i] if i < len(row) else None for i in order] for row in rows]


def drop_or_rename_sheet(rng: random.Random, sheets: Sheets) -> None:
    at = rng.randrange(len(sheets))
    choice = rng.random()
    if choice < 0.4:
        del sheets[at]
    elif choice < 0.8:
        sheets[at] = (rng.choice(TITLES), sheets[at][1])
    else:
        sheets.insert(at, (sheets[at][0], [list(row) for row in sheets[at][1]]))


BOOK_MUTATORS = [set_cells, set_cells, set_cells, new_rows, drop_or_repeat_rows, rename_header,
                 shuffle_columns, drop_or_rename_sheet]


def mutate_workbook(rng: random.Random, base: bytes, sheets: Sheets) -> tuple[bytes, str]:
    """A workbook edited as a person (or a broken program) might, or its bytes damaged."""
    kind = rng.random()
    if kind < 0.75:
        copy = [(title, [list(row) for row in rows]) for title, rows in sheets]
        steps = [rng.choice(BOOK_MUTATORS) for _ in range(rng.choice([1, 1, 2, 3, 5]))]
        for step in steps:
            if copy:
                step(rng, copy)
        return workbook(copy), "+".join(step.__name__ for step in steps)
    if kind < 0.9:
        return mutate_zip(rng, base), "zip part"
    mutator = rng.choice(BYTE_MUTATORS)
    if rng.random() < 0.2:
        return splice(rng, base, workbook(sheets)), "splice"
    return mutator(rng, base), mutator.__name__


def edits_strategy(sheets: Sheets) -> Any:
    """Hypothesis's edits: cells of the export set to drawn values of any cell type."""
    from hypothesis import strategies as st

    value = st.one_of(
        st.none(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(), st.text(max_size=50), st.sampled_from(WORDS),
        st.dates(min_value=datetime.date(1900, 3, 1)),
        st.datetimes(min_value=datetime.datetime(1900, 3, 1)))
    edit = st.tuples(st.integers(0, len(sheets) - 1), st.integers(0, 40), st.integers(0, 40),
                     value)
    return st.lists(edit, min_size=1, max_size=8)


def edited(sheets: Sheets, edits: list[tuple[int, int, int, Any]]) -> bytes:
    copy = [(title, [list(row) for row in rows]) for title, rows in sheets]
    for sheet, row, column, value in edits:
        rows = copy[sheet][1]
        if rows:
            cells = rows[row % len(rows)]
            if cells:
                cells[column % len(cells)] = value
    return workbook(copy)


# -- the check ---------------------------------------------------------------------------------

def import_sheet(upload: Upload, users: dict[str, Any]) -> str | tuple[str, str]:
    """Review the file as the upload page does, then apply it as the confirmation does;
    whatever is written is undone after the counts are compared."""
    data, who, skip_refused = upload
    user = users[who]
    try:
        with transaction.atomic():
            before = row_counts()
            try:
                review = review_workbook(data, name="edited.xlsx", user=user)
            except SheetFileError as error:
                outcome = refusal(error, before)
            else:
                review_context("0" * 32, review)  # what the review page shows,
                review_lines(review)               # and what `citycoop import-sheet` prints
                try:
                    apply_review(review, acting_user=user, skip_refused=skip_refused)
                except ImportRefused as error:
                    outcome = refusal(error, before)
                else:
                    outcome = ACCEPTED
            raise Rollback
    except Rollback:
        return outcome


def refusal(error: Exception, before: dict[str, int]) -> str | tuple[str, str]:
    left = difference(before, row_counts())
    if left:
        return PARTIAL, f"refused ({error}) but wrote: {left}"
    return REFUSED if str(error).strip() else (CRASH, "refused without a message")


def sheet_inputs(base: bytes, users: list[str], count: int,
                 seed: int) -> Iterator[tuple[Upload, str]]:
    rng = random.Random(seed)
    sheets = sheets_of(base)
    for _ in range(count):
        data, origin = mutate_workbook(rng, base, sheets)
        who, skip = rng.choice(users), rng.random() < 0.3
        yield (data, who, skip), f"{origin} as {who}{', skipping refused' if skip else ''}"


def fuzz_sheets(tally: Tally, base: bytes, users: dict[str, Any], *, mutated: int,
                generated: int, seed: int, progress: Any = None) -> Tally:
    tally.report_to(progress, mutated + generated)

    def check(upload: Upload) -> str | tuple[str, str]:
        return import_sheet(upload, users)

    for upload, origin in sheet_inputs(base, sorted(users), mutated, seed):
        tally.run(check, upload, origin)
    sheets = sheets_of(base)

    def each(edits: list[tuple[int, int, int, Any]]) -> None:
        tally.run(check, (edited(sheets, edits), "operator", False), f"hypothesis {edits!r}")

    run_hypothesis(edits_strategy(sheets), each, examples=generated, seed=seed)
    return tally


def personas() -> dict[str, Any]:
    """The operator of the command line, and a coordinator of one of the two pairings."""
    from tests.workspace_fixtures import pairing_persona

    return {"operator": None, "coordinator": pairing_persona("fuzz-coordinator", "coordinator",
                                                              PAIRINGS[0])}


@pytest.mark.django_db
def test_edited_and_damaged_workbooks_are_refused_cleanly_or_reviewed_and_applied(demo):
    tally = fuzz_sheets(Tally("spreadsheet import", limit=30), export(), personas(),
                        mutated=220, generated=60, seed=2)
    assert not tally.findings, tally.faults()
    assert tally.counts[REFUSED] > 50 and tally.counts[ACCEPTED] > 50, tally.counts


@pytest.mark.django_db
def test_a_review_with_refused_rows_writes_nothing_even_with_valid_rows_beside(demo):
    sheets = sheets_of(export())
    pilots = dict(sheets)["pilots"]
    title = pilots[0].index("title")
    pilots[1][title] = "A retitled pilot"            # a valid change
    pilots[2][0] = "not an id"                       # a refused row
    before = row_counts()
    review = review_workbook(workbook(sheets))
    assert review.counts()["updated"] == 1 and review.counts()["refused"] == 1
    with pytest.raises(ImportRefused):
        apply_review(review, acting_user=None)
    assert row_counts() == before
