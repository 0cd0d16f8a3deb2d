"""Extraction of long plain-text reports in parts, with the draft written as it is made.

A 50 MB report read whole costs several times its size in memory (its text, its blocks, the
draft). Read in parts of about a megabyte that end before a numbered heading (where a pairing
may start), with each part's pairings written out before the next part is read, the memory
used stays that of one part. The output is the same JSON as the whole-file extraction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from .context import PlaceLookup, vocabulary_of
from .extract import Carry, Extractor, extract
from .readers.base import BlockKind, Document
from .readers.sniff import SAMPLE, refuse, text_encoding
from .readers.text import parse_text

PART_CHARS = 1_000_000
# A numbered heading after a blank line: "1.   West-Midlands – Guangzhou / Tianjin".
PART_BOUNDARY = re.compile(r"^\s{0,3}\d{1,3}\s*[.)]\s+\S")


def text_parts(path: Path, *, part_chars: int = PART_CHARS) -> Iterator[tuple[int, str]]:
    """The report's text in parts, each with the character offset where it starts."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE)
    encoding = text_encoding(sample)
    if encoding is None:
        raise refuse(path.name, "looks like binary data, not a report")
    offset, size, blank_before = 0, 0, False
    lines: list[str] = []
    # Universal newlines turn "\r\n" into "\n", as the whole-file reader does.
    with path.open(encoding=encoding, errors="replace") as handle:
        for line in handle:
            if size >= part_chars and blank_before and PART_BOUNDARY.match(line):
                text = "".join(lines)
                yield offset, text
                offset, lines, size = offset + len(text), [], 0
            lines.append(line)
            size += len(line)
            blank_before = not line.strip()
    if lines:
        yield offset, "".join(lines)


def prepare(path: Path, places: PlaceLookup, part_chars: int) -> Carry:
    """A first, light pass: the report's vocabulary and whether it names pairings in its
    headings, which the extraction of every part needs to know from the start."""
    vocabulary: set[str] = set()
    headings = []
    for _, text in text_parts(path, part_chars=part_chars):
        vocabulary |= vocabulary_of(text)
        headings += [b for b in parse_text(text) if b.kind == BlockKind.HEADING]
    carry = Carry(vocabulary=frozenset(vocabulary))
    probe = Extractor(Document("", []), places, carry=carry)
    carry.prose_only = not probe.names_pairings(headings)
    return carry


def shifted(value: Any, offset: int) -> Any:
    """A draft's JSON with every span moved by ``offset`` characters."""
    if isinstance(value, dict):
        return {key: (move(item, offset) if key == "spans" else shifted(item, offset))
                for key, item in value.items()}
    if isinstance(value, list):
        return [shifted(item, offset) for item in value]
    return value


def move(spans: Any, offset: int) -> Any:
    if isinstance(spans, dict):
        return {key: move(item, offset) for key, item in spans.items()}
    if isinstance(spans, list) and spans and isinstance(spans[0], int):
        return [spans[0] + offset, spans[1] + offset]
    if isinstance(spans, list):
        return [move(item, offset) for item in spans]
    return spans


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def write_draft(path: Path, out: Writer, *, spans: bool = True,
                part_chars: int = PART_CHARS) -> int:
    """Extract a plain-text report part by part and write its draft as JSON; return the
    number of pairings written."""
    places = PlaceLookup()
    carry = prepare(path, places, part_chars)
    agreements: list[dict[str, Any]] = []
    figure_spans: dict[str, list[int]] = {}
    contacts: list[dict[str, Any]] = []
    written = 0
    out.write('{\n  "source": ' + json.dumps(path.name, ensure_ascii=False) + ',\n  "pairings": [')
    for offset, text in text_parts(path, part_chars=part_chars):
        blocks = parse_text(text)
        if not blocks:
            continue
        known = (len(carry.draft.agreements), set(carry.draft.totals), len(carry.draft.contacts))
        draft = extract(Document(text, blocks, path.name, "txt"), places=places, carry=carry)
        for pairing in draft.pairings:
            out.write(("," if written else "") + "\n    ")
            out.write(json.dumps(shifted(pairing.to_json(spans=spans), offset),
                                 ensure_ascii=False))
            written += 1
        # What this part added to the carried agreements, figures and contacts, moved to the
        # whole report's offsets.
        for agreement in carry.draft.agreements[known[0]:]:
            agreements.append(shifted(agreement.to_json(spans=spans), offset))
        for key in set(carry.draft.totals) - known[1]:
            figure_spans[key] = [i + offset for i in carry.draft.total_spans[key]]
        for contact in carry.draft.contacts[known[2]:]:
            contact["span"] = tuple(i + offset for i in contact["span"])
        carry.draft.pairings.clear()
    for contact in carry.draft.contacts:
        contacts.append({"name": contact["name"], "email": contact["email"],
                         **({"spans": {"text": list(contact["span"])}} if spans else {})})
    tail: dict[str, Any] = {"agreements": agreements, "totals": dict(carry.draft.totals),
                            "contacts": contacts}
    if spans:
        tail["spans"] = {"totals": {key: figure_spans[key] for key in carry.draft.totals}}
    out.write("\n  ]")
    for key, value in tail.items():
        out.write(f',\n  "{key}": ' + json.dumps(value, ensure_ascii=False))
    out.write("\n}\n")
    return written
