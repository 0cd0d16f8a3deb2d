"""The open-data dump: everything public, in one ZIP, with a README of every field.

What goes in is the public Selection (no user), so an internal pairing, pilot, agreement or
event, and the details of anyone who has not made them public, never leave: the same rule
as the public pages. The ZIP holds a CSV file per record type, the whole portfolio as JSON,
the places and pairings as GeoJSON, a README listing every file and column, and the licence.

The public URL serves a copy kept in the data folder and made again only after the records
change (the newest audit entry names the version of the data), so a busy download page does
not rebuild the archive for every visitor.
"""

from __future__ import annotations

import datetime
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils import timezone

from citycoop.common.freshness import data_version

from .exporters import EXPORTERS, RECORD_TYPES
from .exporters.columns import COLUMNS
from .selection import Selection

Progress = Callable[[int, int], None]
DEFAULT_LICENCE = (
    "Creative Commons Attribution 4.0 International (CC BY 4.0), "
    "https://creativecommons.org/licenses/by/4.0/: you may share and adapt these data for "
    "any purpose, giving credit to the programme as their source.")


def licence() -> str:
    return settings.CITYCOOP_OPENDATA_LICENCE or DEFAULT_LICENCE


def readme(made: datetime.datetime) -> str:
    lines = [
        "# Open data of the city-to-city cooperation portfolio", "",
        f"Made {made:%Y-%m-%d %H:%M %Z} from the public records.", "",
        f"Licence: {licence()}", "",
        "Only public records are here: pairings, pilot projects and their actions, "
        "agreements and events marked public, and people who made their details public. "
        "Nothing internal and no private contact details are in any file.", "",
        "## Files", "",
        "- `portfolio.json`: the whole portfolio, nested (programme, pairings, pilots, "
        "actions, next steps, agreements, events, organisations, places, people).",
        "- `places-and-pairings.geojson`: places as points, pairings as lines between the "
        "European and the partner side.",
    ]
    lines += [f"- `csv/{record}.csv`: the {record.replace('_', ' ')}, one row each, UTF-8."
              for record in RECORD_TYPES]
    lines += ["", "## The columns of the CSV files", ""]
    for record in RECORD_TYPES:
        lines += [f"### {record}", "", "| column | meaning |", "|---|---|"]
        lines += [f"| `{column.name}` | {column.description} |" for column in COLUMNS[record]]
        lines.append("")
    return "\n".join(lines)


def write_dump(out: IO[bytes], *, progress: Progress | None = None) -> None:
    """The ZIP, written to ``out``; each part is made in memory one at a time."""
    public = Selection()
    made = timezone.localtime()
    parts = [(f"csv/{record}.csv", "csv", record) for record in RECORD_TYPES]
    parts += [("portfolio.json", "json", ""), ("places-and-pairings.geojson", "geojson", "")]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", readme(made))
        archive.writestr("LICENCE.txt", licence() + "\n")
        for done, (name, fmt, record) in enumerate(parts, 1):
            with archive.open(name, "w", force_zip64=True) as member:
                EXPORTERS[fmt].export(public, member, record=record)
            if progress is not None:
                progress(done, len(parts))


def write_dump_file(path: Path, *, progress: Progress | None = None) -> None:
    """The ZIP at ``path``, written beside it and renamed: never a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            write_dump(out, progress=progress)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def current_dump() -> Path:
    """The dump of the records as they are now, made if the kept one is older."""
    folder = Path(settings.DATA_DIR) / "opendata"
    version = "-".join(str(part).replace(" ", "_").replace(":", "") for part in data_version())
    path = folder / f"opendata-{version or 'empty'}.zip"
    if not path.exists():
        write_dump_file(path)
        for old in folder.glob("opendata-*.zip"):
            if old != path:
                old.unlink(missing_ok=True)
    return path


def dump_bytes() -> bytes:
    """The dump in memory (tests, small portfolios)."""
    out = io.BytesIO()
    write_dump(out)
    return out.getvalue()
