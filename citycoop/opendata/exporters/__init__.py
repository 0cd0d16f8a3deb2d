"""The export formats: a registry, one module per format.

Each module has ``export(selection, out, *, record="", progress=None)``: it writes the
records the :class:`~citycoop.opendata.selection.Selection` covers to the binary stream
``out``, streaming (rows are read with ``.iterator()`` and written as they come, so memory
does not grow with the portfolio). ``record`` names the record type for the formats that
hold one type per file (CSV, XLSX: see ``RECORD_TYPES``); ``progress(done, total)`` is
called now and then for the command line's progress bar.

Adding a format is one module and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Exporter:
    name: str
    label: str
    extension: str
    content_type: str
    module: str                 # under citycoop.opendata.exporters
    per_record: bool = False    # one record type per file: needs ``record``

    def export(self, selection: Any, out: IO[bytes], *, record: str = "",
               progress: Progress | None = None) -> None:
        module = importlib.import_module(f"citycoop.opendata.exporters.{self.module}")
        module.export(selection, out, record=record, progress=progress)


# The record types of the per-record formats, in the order a user would read them.
RECORD_TYPES = ("pairings", "pilots", "actions", "agreements", "next_steps", "events",
                "organisations", "places", "people", "practices", "needs")

EXPORTERS: dict[str, Exporter] = {e.name: e for e in (
    Exporter("csv", "CSV", "csv", "text/csv; charset=utf-8", "csv", per_record=True),
    Exporter("xlsx", "Excel (XLSX)", "xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    Exporter("json", "JSON (the whole portfolio, nested)", "json", "application/json",
             "portfolio_json"),
    Exporter("geojson", "GeoJSON (places and pairings)", "geojson", "application/geo+json",
             "geojson"),
    Exporter("iati", "IATI 2.03 activity XML", "xml", "application/xml", "iati"),
    Exporter("ics", "iCalendar (events and due next steps)", "ics",
             "text/calendar; charset=utf-8", "ics"),
)}


def _join_practice_columns() -> None:
    # Practices and needs are described in a module of their own, which builds on the
    # helpers of columns.py; both tables are complete once this package is imported.
    from . import columns, practice_columns

    columns.COLUMNS.update(practice_columns.COLUMNS)
    columns.QUERIES.update(practice_columns.QUERIES)


_join_practice_columns()
