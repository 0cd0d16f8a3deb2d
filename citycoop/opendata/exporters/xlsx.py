"""Excel (XLSX): one sheet per record type with the documented columns (see :mod:`.columns`),
and a last sheet, "columns", that says what each column means.

The workbook is written in openpyxl's write-only mode: rows go to disk as they come, so a
portfolio of any size fits in memory. With ``record``, the workbook holds that type only.
"""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from citycoop.opendata.exporters import RECORD_TYPES, Progress
from citycoop.opendata.exporters.columns import (
    CHUNK_SIZE,
    COLUMNS,
    LIST_SEPARATOR,
    View,
    records,
    row,
)
from citycoop.opendata.exporters.columns import Cell as Value
from citycoop.opendata.selection import Selection

PROGRESS_EVERY = 500
BOLD = Font(bold=True)
# Excel refuses longer text in a cell.
CELL_LIMIT = 32_767


def cell(sheet: WriteOnlyWorksheet, value: Value) -> Any:
    """A cell for one value: lists joined, text cleaned of the control characters XLSX
    cannot hold, and text that starts with "=" kept as text rather than run as a formula."""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Excel has no time zones: the moment in the site's zone, as the pages show it.
        return timezone.make_naive(value)
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_LIMIT]
    if not value.startswith("="):
        return value
    text = WriteOnlyCell(sheet, value)
    text.data_type = "s"
    return text


def header(sheet: WriteOnlyWorksheet, names: list[str]) -> list[Cell]:
    cells = []
    for name in names:
        bold = WriteOnlyCell(sheet, name)
        bold.font = BOLD
        cells.append(bold)
    return cells


def add_sheet(workbook: Workbook, title: str, names: list[str]) -> WriteOnlyWorksheet:
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title)  # type: ignore[assignment]
    # Widths and the frozen header must be set before the first row is written.
    for number, name in enumerate(names, start=1):
        # The stubs leave column_dimensions out of the write-only sheet; it has them.
        dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
        dimensions[get_column_letter(number)].width = max(12, len(name) + 2)
    sheet.freeze_panes = "A2"
    sheet.append(header(sheet, names))
    return sheet


def export(selection: Selection, out: IO[bytes], *, record: str = "",
           progress: Progress | None = None) -> None:
    if record and record not in RECORD_TYPES:
        raise ValueError(f"unknown record type {record!r}: one of {', '.join(RECORD_TYPES)}")
    chosen = (record,) if record else RECORD_TYPES
    view = View.of(selection)
    total = sum(records(selection, name).count() for name in chosen) if progress else 0
    workbook = Workbook(write_only=True)
    done = 0
    for name in chosen:
        columns = COLUMNS[name]
        sheet = add_sheet(workbook, name, [column.name for column in columns])
        for item in records(selection, name).iterator(chunk_size=CHUNK_SIZE):
            sheet.append([cell(sheet, value) for value in row(item, columns, view)])
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
    about = add_sheet(workbook, "columns", ["record type", "column", "meaning"])
    for name in chosen:
        for column in COLUMNS[name]:
            about.append([name, column.name, column.description.replace("`", "")])
    workbook.properties.title = "citycoop export"
    workbook.save(out)  # type: ignore[arg-type]
    if progress is not None:
        progress(done, total)
