"""What a spreadsheet import would do, row by row: the review that
:mod:`citycoop.opendata.sheet_import` makes and applies, the pages and the command show.

Each row of a record sheet is added, updated (with the changed columns, before and after),
unchanged or refused (with the reason); a sheet that cannot be matched with the records is
refused whole. The review also carries what applying writes, so that it is computed once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

ADDED, UPDATED, UNCHANGED, REFUSED = "added", "updated", "unchanged", "refused"
STATUSES = (ADDED, UPDATED, UNCHANGED, REFUSED)


@dataclass(frozen=True)
class Change:
    column: str
    before: str
    after: str


@dataclass
class RowReview:
    sheet: str
    number: int                     # the row's number in the spreadsheet
    status: str
    record_id: int | None = None
    label: str = ""
    reason: str = ""                # why it is refused
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What applying writes: the version the row was exported from, and the values.
    version: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    many: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def where(self) -> str:
        if self.record_id is None:
            return _("%(sheet)s row %(row)s") % {"sheet": self.sheet, "row": self.number}
        return _("%(sheet)s row %(row)s (id %(id)s)") % {
            "sheet": self.sheet, "row": self.number, "id": self.record_id}

    def refuse(self, reason: str) -> RowReview:
        self.status, self.reason = REFUSED, reason
        self.values, self.many = {}, {}
        return self


@dataclass
class SheetReview:
    name: str
    rows: list[RowReview] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refused: str = ""               # the whole sheet, when it cannot be read

    def counts(self) -> dict[str, int]:
        found = Counter(row.status for row in self.rows)
        return {status: found[status] for status in STATUSES}


@dataclass
class Review:
    name: str
    sheets: list[SheetReview] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[RowReview]:
        for sheet in self.sheets:
            yield from sheet.rows

    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for sheet in self.sheets:
            total.update(sheet.counts())
        return {status: total[status] for status in STATUSES}

    def to_write(self) -> list[RowReview]:
        return [row for row in self.rows() if row.status in (ADDED, UPDATED)]

    def refusals(self) -> list[str]:
        """Every refused sheet and row, as a reader finds it in the file."""
        sheets = [sheet.name for sheet in self.sheets if sheet.refused]
        return sheets + [row.where for row in self.rows() if row.status == REFUSED]


def refusal_message(review: Review) -> str:
    places = review.refusals()
    shown = ", ".join(places[:10]) + (" …" if len(places) > 10 else "")
    return _("%(n)s refused in the file, so nothing was written: %(where)s. Correct them and "
             "import again, or apply only the valid rows.") % {"n": len(places), "where": shown}
