"""The spreadsheet round trip: read an edited XLSX export back, review it, apply it.

:func:`review_workbook` reads every sheet named like a record type and compares each row
with the record its ``id`` names, cell by cell, in the form the exporter wrote the record's
value, so that an untouched row is "unchanged" whatever the spreadsheet did to its types. A
blank cell leaves the field alone; :data:`~.sheet_kinds.CLEAR_MARKER` empties it. A row
without an id is a new record. Each row ends up added, updated, unchanged or refused (with
the reason: unreadable cell, failed validation, no right to change it, or a record changed
since the export, which the row's ``version`` tells). Nothing is written while reviewing.

:func:`apply_review` writes the added and updated rows in one transaction, through the
services (audited, version-checked once more): any failure there rolls everything back. By
default a review with refused rows is not applied at all.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from citycoop.common.services import StaleEditError, assign
from citycoop.events.models import Event
from citycoop.opendata.exporters.columns import (
    CHUNK_SIZE,
    COLUMNS,
    LIST_SEPARATOR,
    Column,
    View,
    records,
)
from citycoop.opendata.exporters.xlsx import CELL_LIMIT
from citycoop.opendata.selection import Selection
from citycoop.portfolio.models import NextStep
from citycoop.registry.models import Organisation, Place

from .sheet_fields import SHEETS, RecordSheet, Row, clearable, may_add, may_change
from .sheet_kinds import CellError, as_text, is_blank, is_clear, whole_number
from .sheet_review import (
    ADDED,
    UNCHANGED,
    UPDATED,
    Change,
    Review,
    RowReview,
    SheetReview,
    refusal_message,
)

ABOUT_SHEET = "columns"           # the export's last sheet, which explains the columns
# Exported for reading, edited in the web app only (their text comes in several languages and
# goes through review): their sheets come back without a word.
READ_ONLY_SHEETS = frozenset({"practices", "needs"})
XLSX_SIGNATURE = b"PK\x03\x04"    # an XLSX file is a zip archive
PROGRESS_EVERY = 200

Progress = Callable[[int, int], None]


class SheetFileError(Exception):
    """The file is not a workbook this import can read; the message says what to do."""


class ImportRefused(Exception):
    """Nothing was written; the message says why and which rows."""


class EveryRecord(Selection):
    """The operator's view with nothing left out. The export's own selection leaves out the
    places, organisations and events no pairing names; a re-import finds any record by id."""

    def events(self) -> Any:
        return Event.objects.all()

    def places(self) -> Any:
        return Place.objects.all()

    def organisations(self) -> Any:
        return Organisation.objects.all()

    def next_steps(self) -> Any:
        return NextStep.objects.all()


# -- reading the file ----------------------------------------------------------------------

def open_workbook(data: bytes) -> Any:
    if not data.startswith(XLSX_SIGNATURE):
        raise SheetFileError(_(
            "This file is not an XLSX workbook. Save the spreadsheet as Excel (.xlsx) and "
            "import that: .xls, .ods and .csv files are not read."))
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # A damaged or foreign zip fails in many ways inside openpyxl (BadZipFile, KeyError
        # for a missing part, XML parse errors): each means the same to the user.
        raise damaged(error) from error


def damaged(error: Exception) -> SheetFileError:
    return SheetFileError(_(
        "The workbook cannot be read: it is damaged or is not an XLSX file (%(error)s). "
        "Open it in the spreadsheet and save it again as .xlsx.") % {"error": error})


def sheet_rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as values; a damaged sheet is reported as a damaged file."""
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # openpyxl reads the sheet's XML lazily, row by row
            raise damaged(error) from error
        yield row


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def normal(value: Any) -> Any:
    """A value in the form the exporter writes it and openpyxl reads it back: lists joined,
    text cleaned as XLSX cleans it, empty text as no value, whole days as dates."""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_LIMIT].replace("\r\n", "\n")
        return value or None
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value


def validation_message(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(" ".join(messages) if name == NON_FIELD_ERRORS else
                     f"{name}: {' '.join(messages)}"
                     for name, messages in error.message_dict.items())


# -- the review --------------------------------------------------------------------------

@dataclass
class Reviewer:
    user: Any                           # None: the command line's operator
    progress: Progress | None = None
    view: View = field(default_factory=lambda: View.of(EveryRecord(everything=True)))
    positions: dict[Any, int] = field(default_factory=dict)  # see RecordSheet.next_position
    done: int = 0
    total: int = 0

    def review(self, data: bytes, name: str) -> Review:
        book = open_workbook(data)
        result = Review(name)
        try:
            known = [(sheet, SHEETS.get(sheet.title.strip().casefold()))
                     for sheet in book.worksheets]
            self.total = sum(self.row_estimate(sheet, spec) for sheet, spec in known if spec)
            for sheet, spec in known:
                if spec is not None:
                    result.sheets.append(self.review_sheet(spec, sheet))
                elif sheet.title != ABOUT_SHEET and sheet.title not in READ_ONLY_SHEETS:
                    result.notes.append(_("The sheet “%(sheet)s” is not a record type: it "
                                          "was not read.") % {"sheet": sheet.title})
        finally:
            book.close()
        if self.progress is not None:
            self.progress(self.done, self.done)  # the estimate is only an estimate: finish
        return result

    @staticmethod
    def row_estimate(sheet: Any, spec: RecordSheet) -> int:
        # A sheet openpyxl wrote in write-only mode carries no size: count the records.
        if sheet.max_row:
            return max(0, int(sheet.max_row) - 1)
        return spec.model._default_manager.count()

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % PROGRESS_EVERY == 0:
            self.progress(self.done, max(self.done, self.total))

    def review_sheet(self, spec: RecordSheet, sheet: Any) -> SheetReview:
        result = SheetReview(spec.name)
        rows = sheet_rows(sheet)
        header = [as_text(cell) if not is_blank(cell) else "" for cell in next(rows, ())]
        if "id" not in header:
            result.refused = _(
                "The sheet “%(sheet)s” has no id column, so its rows cannot be matched with "
                "the records: the whole sheet is refused. Export again and keep the id and "
                "version columns.") % {"sheet": sheet.title}
            return result
        columns = {column.name: column for column in COLUMNS[spec.name]}
        index: dict[str, int] = {}
        for position, name in enumerate(header):
            if name in columns:
                index.setdefault(name, position)
        unknown = [name for name in header if name and name not in columns]
        if unknown:
            result.notes.append(_("Columns not imported (not columns of %(sheet)s): "
                                  "%(columns)s") % {"sheet": spec.name,
                                                    "columns": ", ".join(unknown)})
        seen: dict[int, int] = {}
        for chunk in chunks(enumerate(rows, start=2), CHUNK_SIZE):
            filled = [(number, {name: row[at] if at < len(row) else None
                                for name, at in index.items()})
                      for number, row in chunk if not all(is_blank(cell) for cell in row)]
            found = self.named_records(spec, filled)
            for number, row in filled:
                result.rows.append(self.review_row(spec, columns, number, row, found, seen))
                self.tick()
        return result

    @staticmethod
    def named_records(spec: RecordSheet, rows: Sequence[tuple[int, Row]]) -> dict[int, Model]:
        """The records a chunk of rows names, read with what the export's columns read."""
        ids = set()
        for _number, row in rows:
            try:
                ids.add(whole_number(row["id"]))
            except CellError:
                continue  # blank, or refused in review_row
        if not ids:
            return {}
        return {record.pk: record
                for record in records(EveryRecord(everything=True), spec.name)
                .filter(pk__in=ids)}

    def review_row(self, spec: RecordSheet, columns: dict[str, Column], number: int, row: Row,
                   found: dict[int, Model], seen: dict[int, int]) -> RowReview:
        result = RowReview(spec.name, number, UNCHANGED)
        if is_blank(row.get("id")):
            return self.review_new(spec, row, result)
        try:
            result.record_id = whole_number(row["id"])
        except CellError as error:
            return result.refuse(_("id: %(error)s") % {"error": error})
        if result.record_id in seen:
            return result.refuse(_("the id %(id)s is already on row %(row)s of this sheet")
                                 % {"id": result.record_id, "row": seen[result.record_id]})
        seen[result.record_id] = number
        record = found.get(result.record_id)
        if record is None:
            return result.refuse(_("no %(type)s with id %(id)s") % {
                "type": spec.label, "id": result.record_id})
        return self.review_existing(spec, columns, row, record, result)

    def review_existing(self, spec: RecordSheet, columns: dict[str, Column], row: Row,
                        record: Model, result: RowReview) -> RowReview:
        errors: list[str] = []
        for name, cell in row.items():
            if name in ("id", "version") or is_blank(cell):
                continue  # a blank cell leaves the field as it is
            exported = normal(columns[name].getter(record, self.view))
            writable = spec.by_column.get(name)
            if writable is None:
                if normal(cell) != exported:
                    result.notes.append(ignored(name))
                continue
            kind = writable.kind
            if is_clear(cell):
                if not clearable(spec.model, writable):
                    errors.append(_("%(column)s is required: it cannot be cleared")
                                  % {"column": name})
                    continue
                new = kind.empty()
            elif normal(cell) == exported:
                continue
            else:
                try:
                    new = kind.parse(cell)
                except CellError as error:
                    errors.append(f"{name}: {error}")
                    continue
            old = kind.current(record, writable.attribute)
            if kind.same(new, old):
                continue
            result.changes.append(Change(name, kind.shown(old), kind.shown(new)))
            (result.many if kind.many else result.values)[writable.attribute] = new
        if not errors and not result.changes:
            return result
        # The right comes first: a record the user may not change is not even named.
        if not may_change(spec.name, self.user, record):
            return result.refuse(_("you may not change this %(type)s") % {"type": spec.label})
        result.label = str(record)
        if errors:
            return result.refuse("; ".join(errors))
        return self.check_update(spec, row, record, result)

    def check_update(self, spec: RecordSheet, row: Row, record: Model,
                     result: RowReview) -> RowReview:
        current = getattr(record, "version", None)
        try:
            result.version = whole_number(row.get("version"))
        except CellError:
            return result.refuse(_("version: the row needs the version the export wrote; "
                                   "export again and redo the change"))
        if result.version != current:
            return result.refuse(_(
                "changed by someone else since this sheet was exported (the row is at version "
                "%(row)s, the record at version %(current)s): the row could undo their change. "
                "Export again and redo your edit.") % {"row": result.version,
                                                       "current": current})
        fresh = spec.model._default_manager.get(pk=record.pk)
        try:
            assign(fresh, result.values)
            fresh.full_clean()
        except ValidationError as error:
            return result.refuse(validation_message(error))
        result.status = UPDATED
        return result

    def review_new(self, spec: RecordSheet, row: Row, result: RowReview) -> RowReview:
        errors: list[str] = []
        for name, cell in row.items():
            writable = spec.by_column.get(name)
            if is_blank(cell) or is_clear(cell) or name in ("id", "version"):
                continue
            if writable is None:
                if name not in spec.parent_columns:
                    result.notes.append(ignored(name))
                continue
            try:
                value = writable.kind.parse(cell)
            except CellError as error:
                errors.append(f"{name}: {error}")
                continue
            (result.many if writable.kind.many else result.values)[writable.attribute] = value
            result.changes.append(Change(name, "", writable.kind.shown(value)))
        try:
            result.values.update(spec.parents(row))
        except CellError as error:
            errors.append(str(error))
        if errors:
            return result.refuse("; ".join(errors))
        instance = spec.model()
        assign(instance, result.values)
        if spec.ordered_within and "position" not in result.values:
            result.values["position"] = spec.next_position(instance, self.positions)
            assign(instance, {"position": result.values["position"]})
        if not may_add(spec.name, self.user, instance):
            return result.refuse(_("you may not add a %(type)s here") % {"type": spec.label})
        try:
            instance.full_clean()
        except ValidationError as error:
            return result.refuse(validation_message(error))
        result.status, result.label = ADDED, str(instance)
        return result


def ignored(column: str) -> str:
    return _("%(column)s is not imported (a derived column, or one read on new rows only): "
             "what this row holds there is ignored") % {"column": column}


def review_workbook(data: bytes, *, name: str = "", user: Any = None,
                    progress: Progress | None = None) -> Review:
    """Compare a workbook with the records, as ``user`` may change them (None: the operator,
    who may change everything). Raises :class:`SheetFileError` for a file it cannot read."""
    return Reviewer(user, progress).review(data, name)


# -- applying ------------------------------------------------------------------------------

def apply_review(review: Review, *, acting_user: Any, skip_refused: bool = False) -> int:
    """Write the added and updated rows, all or nothing; return how many records.

    Refused rows stop the whole import unless ``skip_refused``. Each update is
    version-checked again inside the transaction, so a record changed after the review
    fails the import rather than being overwritten.
    """
    if review.refusals() and not skip_refused:
        raise ImportRefused(refusal_message(review))
    rows = review.to_write()
    with transaction.atomic():
        for row in rows:
            spec = SHEETS[row.sheet]
            try:
                if row.status == ADDED:
                    spec.create(row.values, row.many, acting_user)
                    continue
                record = spec.model._default_manager.get(pk=row.record_id)
                spec.update(record, row.values, row.many, acting_user, row.version or 0)
            except StaleEditError as error:
                raise failed(row, _("changed by someone else meanwhile (now at version "
                                    "%(version)s)") % {"version": error.current}) from error
            except ValidationError as error:
                raise failed(row, validation_message(error)) from error
            except (IntegrityError, ObjectDoesNotExist) as error:
                raise failed(row, str(error)) from error
    return len(rows)


def failed(row: RowReview, reason: str) -> ImportRefused:
    return ImportRefused(_("Nothing was written: %(where)s could not be applied: %(reason)s")
                         % {"where": row.where, "reason": reason})
