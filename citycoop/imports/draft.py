"""The report draft: what the extractor found, in the JSON shape of docs/report-draft.md,
with the character span of every fact in the source document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


def clean(text: str) -> str:
    """No-break spaces as spaces, runs of whitespace as one space: the draft's text form."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@dataclass
class Found:
    text: str
    start: int
    end: int


@dataclass
class DateFound(Found):
    iso: str | None = None
    iso_end: str | None = None


@dataclass
class ActionDraft:
    text: str
    kind: str
    start: int
    end: int
    topic: str | None = None
    organisations: list[Found] = field(default_factory=list)
    places: list[Found] = field(default_factory=list)
    dates: list[DateFound] = field(default_factory=list)
    urls: list[Found] = field(default_factory=list)
    emails: list[Found] = field(default_factory=list)
    sub_items: list[Found] = field(default_factory=list)
    seen: set[tuple[int, str]] = field(default_factory=set, repr=False)

    def add(self, bucket: list[Any], item: Found) -> None:
        """Once per action: the same name twice in a bullet is one fact (the first span)."""
        key = (id(bucket), clean(item.text).casefold())
        if key not in self.seen:
            self.seen.add(key)
            bucket.append(item)

    def to_json(self, *, spans: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": clean(self.text),
            "kind": self.kind,
            "organisations": [clean(o.text) for o in self.organisations],
            "places": [clean(p.text) for p in self.places],
            "dates": [{"text": clean(d.text), "iso": d.iso, "iso_end": d.iso_end}
                      for d in self.dates],
            "urls": [u.text for u in self.urls],
            "emails": [e.text for e in self.emails],
        }
        if self.topic:
            data["topic"] = clean(self.topic)
        if self.sub_items:
            data["sub_items"] = [clean(s.text) for s in self.sub_items]
        if spans:
            data["spans"] = {
                "text": [self.start, self.end],
                **{name: [[f.start, f.end] for f in getattr(self, name)]
                   for name in ("organisations", "places", "dates", "urls", "emails")},
            }
        return data


@dataclass
class AreaDraft:
    title: str | None
    issue: int | None = None
    actions: list[ActionDraft] = field(default_factory=list)

    def to_json(self, *, spans: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title}
        if self.issue is not None:
            data["issue"] = self.issue
        data["actions"] = [action.to_json(spans=spans) for action in self.actions]
        return data


@dataclass
class PairingDraft:
    label: str | None
    sides: list[tuple[str, str]] = field(default_factory=list)
    group: str | None = None
    number: int | None = None
    start: int | None = None
    end: int | None = None
    areas: list[AreaDraft] = field(default_factory=list)
    extent_end: int = 0  # where the pairing's content ends in the document

    def to_json(self, *, spans: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label}
        if self.group:
            data["group"] = self.group
        if self.number is not None:
            data["number"] = self.number
        data["sides"] = [[name, country] for name, country in self.sides]
        data["areas"] = [area.to_json(spans=spans) for area in self.areas]
        if spans and self.start is not None:
            data["spans"] = {"label": [self.start, self.end]}
        return data

    @property
    def actions(self) -> list[ActionDraft]:
        return [action for area in self.areas for action in area.actions]


@dataclass
class AgreementDraft:
    text: str
    status: str
    count: int | None
    start: int
    end: int
    parties: list[str] = field(default_factory=list)
    pairing: str | None = None

    def to_json(self, *, spans: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"text": clean(self.text), "parties": self.parties,
                                "status": self.status, "count": self.count}
        if self.pairing:
            data["pairing"] = self.pairing
        if spans:
            data["spans"] = {"text": [self.start, self.end]}
        return data


@dataclass
class ReportDraft:
    source: str | None
    pairings: list[PairingDraft] = field(default_factory=list)
    agreements: list[AgreementDraft] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    total_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    contacts: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, *, spans: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "pairings": [p.to_json(spans=spans) for p in self.pairings],
            "agreements": [a.to_json(spans=spans) for a in self.agreements],
            "totals": dict(self.totals),
            "contacts": [
                {"name": c["name"], "email": c["email"],
                 **({"spans": {"text": list(c["span"])}} if spans else {})}
                for c in self.contacts
            ],
        }
        if spans:
            # Totals are plain numbers by key, so their spans sit beside them.
            data["spans"] = {"totals": {key: list(span) for key, span in self.total_spans.items()}}
        return data
