"""CSV: one record type per file, the documented columns (see :mod:`.columns`) as the header.

UTF-8 without a byte-order mark, comma-separated, quoted where needed (RFC 4180); lists in
one cell separated by "; ", booleans as true/false, dates as YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import io
from typing import IO

from citycoop.opendata.exporters import RECORD_TYPES, Progress
from citycoop.opendata.exporters.columns import CHUNK_SIZE, COLUMNS, View, flat, records, row
from citycoop.opendata.selection import Selection

# How often, in rows, the progress callback hears from us: often enough for the bar, rarely
# enough not to cost anything.
PROGRESS_EVERY = 500


def export(selection: Selection, out: IO[bytes], *, record: str = "",
           progress: Progress | None = None) -> None:
    if record not in RECORD_TYPES:
        raise ValueError(f"CSV holds one record type: name one of {', '.join(RECORD_TYPES)}")
    columns = COLUMNS[record]
    view = View.of(selection)
    found = records(selection, record)
    total = found.count() if progress is not None else 0
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")  # type: ignore[arg-type]
    try:
        writer = csv.writer(text)
        writer.writerow([column.name for column in columns])
        done = 0
        for item in found.iterator(chunk_size=CHUNK_SIZE):
            writer.writerow([flat(value) for value in row(item, columns, view)])
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
        if progress is not None:
            progress(done, total)
    finally:
        # Hand ``out`` back open: closing the wrapper would close the caller's stream.
        text.flush()
        text.detach()
