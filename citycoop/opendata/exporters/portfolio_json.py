"""JSON: the whole portfolio, nested as people read it.

::

    {"format": "citycoop-portfolio", "format_version": 1, "generated_at": ..., "public": ...,
     "programmes": [{programme, "pairings": [{pairing, "members": [...], "events": [keys],
                     "pilots": [{pilot, "actions": [...], "next_steps": [...]}],
                     "agreements": [{agreement, "next_steps": [...]}],
                     "next_steps": [...]}]}],
     "agreements": [agreements of no pairing], "events": [{event, "next_steps": [...]}],
     "organisations": [...], "places": [...], "people": [...], "practices": [...],
     "needs": [...]}

Each record carries the fields of its CSV columns (see :mod:`.columns`), with lists as
arrays and dates as YYYY-MM-DD. The file is written piece by piece: pairings are read a
chunk at a time with everything under them, and each record is serialised on its own, so
memory holds one chunk, never the whole portfolio.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet

from citycoop.opendata.exporters import Progress
from citycoop.opendata.exporters.columns import (
    CHUNK_SIZE,
    COLUMNS,
    QUERIES,
    View,
    as_dict,
    listed,
    rows_of,
    visible_events,
)
from citycoop.opendata.selection import Selection
from citycoop.portfolio.models import NextStep, Pairing
from citycoop.registry.models import Programme

FORMAT_VERSION = 1
# A pairing brings its pilots, their actions and the rest along: a hundred at a time keeps a
# chunk to some ten thousand rows even in the largest portfolios.
PAIRINGS_PER_CHUNK = 100
PROGRAMME_FIELDS = ("id", "version", "slug", "name", "short_name", "description", "funder",
                    "website", "starts_text", "starts_start", "starts_end", "starts_precision",
                    "ends_text", "ends_start", "ends_end", "ends_precision")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=plain)


def plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def steps() -> QuerySet[NextStep]:
    # Nested under what they hang from, which is already visible and already carries its
    # pairing: only the owner is left to fetch.
    return NextStep.objects.select_related("owner").order_by("due_start", "id")


def pairing_tree(selection: Selection) -> QuerySet[Pairing]:
    pilots = QUERIES["pilots"](selection).order_by("position", "id").prefetch_related(
        rows_of("actions", QUERIES["actions"](selection).order_by("position", "id")),
        rows_of("next_steps", steps()))
    agreements = QUERIES["agreements"](selection).order_by("title", "id").prefetch_related(
        rows_of("next_steps", steps()))
    # Grouped by programme, so that each programme opens and closes once.
    return QUERIES["pairings"](selection).order_by(
        "programme__starts_start", "programme__name", "programme_id", "group", "number",
        "label", "id").prefetch_related(
        rows_of("pilots", pilots), rows_of("agreements", agreements),
        rows_of("next_steps", steps()),
        rows_of("events", visible_events(selection).only("slug").order_by("when_start", "slug")))


def member(item: Any) -> dict[str, Any]:
    return {"side": item.side, "role": item.role, "label": str(item),
            "place": item.place.slug if item.place else None,
            "organisation": item.organisation.slug if item.organisation else None}


def step_list(record: Any, view: View) -> list[dict[str, Any]]:
    return [as_dict(step, COLUMNS["next_steps"], view) for step in listed(record, "next_steps")]


def pairing_object(pairing: Pairing, view: View) -> dict[str, Any]:
    return {
        **as_dict(pairing, COLUMNS["pairings"], view),
        "members": [member(item) for item in listed(pairing, "members")],
        "events": [event.slug for event in listed(pairing, "events")],
        "pilots": [{**as_dict(pilot, COLUMNS["pilots"], view),
                    "actions": [as_dict(action, COLUMNS["actions"], view)
                                for action in listed(pilot, "actions")],
                    "next_steps": step_list(pilot, view)}
                   for pilot in listed(pairing, "pilots")],
        "agreements": [{**as_dict(agreement, COLUMNS["agreements"], view),
                        "next_steps": step_list(agreement, view)}
                       for agreement in listed(pairing, "agreements")],
        "next_steps": step_list(pairing, view),
    }


def opening(fields: dict[str, Any], key: str) -> str:
    """``{...fields, "key": [`` — an object whose last member, an array, is streamed after."""
    return dumps(fields)[:-1] + (", " if fields else "") + f"{dumps(key)}: ["


class Writer:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def array(self, key: str, items: Iterable[dict[str, Any]]) -> None:
        """``, "key": [item, item]`` with each item serialised on its own."""
        self.write(f",\n{dumps(key)}: [")
        for number, item in enumerate(items):
            self.write(("," if number else "") + "\n" + dumps(item))
        self.write("]")


def export(selection: Selection, out: IO[bytes], *, record: str = "",
           progress: Progress | None = None) -> None:
    view = View.of(selection)
    writer = Writer(out)
    writer.write(opening({
        "format": "citycoop-portfolio", "format_version": FORMAT_VERSION,
        "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "public": selection.public_only}, "programmes"))
    pairings = pairing_tree(selection)
    total = pairings.count() if progress is not None else 0
    current: int | None = None
    done, first = 0, True
    for pairing in pairings.iterator(chunk_size=PAIRINGS_PER_CHUNK):
        if pairing.programme_id != current:
            writer.write(("]}," if current is not None else "") + "\n"
                         + opening(programme_fields(pairing.programme), "pairings"))
            current, first = pairing.programme_id, True
        writer.write(("" if first else ",") + "\n" + dumps(pairing_object(pairing, view)))
        first = False
        done += 1
        if progress is not None and done % 50 == 0:
            progress(done, total)
    if current is not None:
        writer.write("]}")
    elif selection.programme is not None:  # a chosen programme with nothing to show yet
        writer.write("\n" + opening(programme_fields(selection.programme), "pairings") + "]}")
    writer.write("]")
    write_registries(writer, selection, view)
    writer.write("}\n")
    if progress is not None:
        progress(done, total)


def programme_fields(programme: Programme) -> dict[str, Any]:
    return {name: getattr(programme, name) for name in PROGRAMME_FIELDS}


def write_registries(writer: Writer, selection: Selection, view: View) -> None:
    """What the pairings refer to by key, and the agreements that belong to no pairing."""
    unpaired = QUERIES["agreements"](selection).filter(pairing__isnull=True).prefetch_related(
        rows_of("next_steps", steps()))
    writer.array("agreements", ({**as_dict(a, COLUMNS["agreements"], view),
                                 "next_steps": step_list(a, view)}
                                for a in unpaired.iterator(chunk_size=CHUNK_SIZE)))
    events = QUERIES["events"](selection).prefetch_related(rows_of("next_steps", steps()))
    writer.array("events", ({**as_dict(e, COLUMNS["events"], view),
                             "next_steps": step_list(e, view)}
                            for e in events.iterator(chunk_size=CHUNK_SIZE)))
    for name in ("organisations", "places", "people", "practices", "needs"):
        found = QUERIES[name](selection).iterator(chunk_size=CHUNK_SIZE)
        writer.array(name, (as_dict(item, COLUMNS[name], view) for item in found))
