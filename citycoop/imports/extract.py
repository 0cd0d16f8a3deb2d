"""Text blocks to a report draft: pairings, pilot areas, actions and their facts, agreements,
headline figures and contacts, each with the span it came from. Pure Python, no Django.

The walk over the blocks follows how programme reports are laid out: a numbered heading that
names the two sides opens a pairing ("1. West-Midlands – Guangzhou / Tianjin"); an "Issue N"
heading opens a pilot area; every bullet, and every prose paragraph inside a pairing, is an
action; sub-bullets that only list members ("Evotion (robotics – www.evotion.fr),") stay with
their parent. A paragraph with headline figures is a section summary: it closes the pairing
before it and sets the group (EU-China, EU-India) of the pairings after it.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from citycoop.lib.fuzzydate import find_dates

from .context import EU_COUNTRIES, PlaceLookup, country_name
from .draft import (
    ActionDraft,
    AgreementDraft,
    AreaDraft,
    DateFound,
    Found,
    PairingDraft,
    ReportDraft,
    clean,
)
from .readers.base import BlockKind, Document, TextBlock
from .recognise import agreements as agreement_rules
from .recognise.contacts import find_contacts
from .recognise.kinds import kind_of, topic_of
from .recognise.links import find_emails, find_urls
from .recognise.names import ORGANISATION, PLACE, find_names, places_within
from .recognise.tokens import tokenise
from .recognise.totals import find_figures, group_in

AREA_HEADING = re.compile(
    r"^\s*(?:issue|pilot(?:\s+project)?|area|topic|theme|project|field|action\s+area|"
    r"work\s*package)\s*(\d+)\s*[:.–—-]\s*(.+?)\s*$", re.I | re.S)
NUMBERED = re.compile(r"^\s*(\d+)\s*[.)]\s+")
MAINLY_WITH = re.compile(r"^(.*?)\s*\((?:co-?operation\s+)?(?:mainly\s+|mostly\s+)?with\s+"
                         r"(.+?)\)\s*\.?\s*$", re.I | re.S)
SIDE_DIVIDER = re.compile(r"\s+[–—-]\s+")
FIGURE_HINT = re.compile(r"\d|\bno\s|european|\beu[-–]", re.I)
AGREEMENT_HINT = re.compile(r"mou|memorand|agreement|letter|partnership|twinning|sister", re.I)
CONTACT_NOTE = re.compile(r"^\s*(for (further|more|detailed) (details|information)\b|"
                          r"(please )?contact\b|more information\b)", re.I)
MEMBER_ITEM = re.compile(r"^([A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|and|&|de|of|y))*)"
                         r"\s*(\([^)]*\))?\s*[,.;]?\s*$", re.S)


@dataclass
class Carry:
    """What one part of a long report hands to the next when it is read in parts
    (see :mod:`citycoop.imports.stream`): the section's group, the agreements already found,
    the figures and contacts."""

    group: str | None = None
    # Known before the first part is read: the whole report's vocabulary, and whether any
    # of its headings names a pairing (see stream.prepare).
    vocabulary: frozenset[str] | None = None
    prose_only: bool | None = None
    agreements_by_word: dict[str, list[agreement_rules.AgreementMention]] = field(
        default_factory=dict)
    draft: ReportDraft = field(default_factory=lambda: ReportDraft(source=None))


class Extractor:
    def __init__(self, document: Document, places: PlaceLookup | None = None, *,
                 carry: Carry | None = None) -> None:
        self.document = document
        self.places = places or PlaceLookup()
        carry = carry or Carry()
        self.context = self.places.context(document.text, carry.vocabulary)
        self.draft = ReportDraft(source=document.source, agreements=carry.draft.agreements,
                                 totals=carry.draft.totals,
                                 total_spans=carry.draft.total_spans,
                                 contacts=carry.draft.contacts)
        self.pairing: PairingDraft | None = None
        self.area: AreaDraft | None = None
        self.group: str | None = carry.group
        self.pairing_level: int | None = None
        self.last_bullet: tuple[TextBlock, ActionDraft] | None = None
        self.agreements_by_word = carry.agreements_by_word
        self.carry = carry
        self.last_end = 0
        # A press release or mission report names no pairing in a heading: then its prose
        # paragraphs are its actions, in a pairing without label or sides.
        self.prose_only = carry.prose_only if carry.prose_only is not None else \
            not self.names_pairings(document.blocks)

    # -- the walk --------------------------------------------------------------------------

    def run(self) -> ReportDraft:
        for block in self.document.blocks:
            self.last_end = block.end
            if block.kind == BlockKind.HEADING:
                self.heading(block)
            elif block.kind == BlockKind.BULLET:
                self.bullet(block)
            else:
                self.paragraph(block)
        self.finish()
        return self.draft

    def heading(self, block: TextBlock) -> None:
        self.last_bullet = None
        area = AREA_HEADING.match(block.text)
        if area and self.pairing is not None:
            self.area = AreaDraft(clean(area.group(2)), int(area.group(1)))
            self.pairing.areas.append(self.area)
            return
        sides = self.pairing_sides(block.text)
        if sides:
            self.open_pairing(block, sides)
        elif self.pairing is not None and self.pairing_level is not None and \
                block.level > self.pairing_level:
            self.area = AreaDraft(clean(block.text))
            self.pairing.areas.append(self.area)
        elif self.pairing_level is None or block.level <= self.pairing_level:
            self.close_pairing()

    def bullet(self, block: TextBlock) -> None:
        parent = self.last_bullet
        if parent is not None and block.level > parent[0].level and \
                self.is_member_item(block, parent[1]):
            self.add_sub_item(parent[1], block)
            return
        action = self.add_action(block)
        if parent is None or block.level <= parent[0].level:
            self.last_bullet = (block, action)

    def paragraph(self, block: TextBlock) -> None:
        self.last_bullet = None
        if find_figures(block.text, self.group) or group_in(block.text, strict=True):
            self.close_pairing()  # a section summary: "Currently there are 12 Pilot projects"
            self.group = group_in(block.text, strict=True) or self.group
        elif CONTACT_NOTE.match(block.text):
            return  # "For detailed information, please contact ...": not an action
        elif self.pairing is not None or self.prose_only:
            self.add_action(block)

    # -- pairings and areas ------------------------------------------------------------------

    def names_pairings(self, blocks: list[TextBlock]) -> bool:
        return any(block.kind == BlockKind.HEADING and self.pairing_sides(block.text)
                   for block in blocks)

    def pairing_sides(self, text: str) -> list[tuple[str, str]] | None:
        """The sides a heading names, or None when it is not a pairing heading."""
        label = NUMBERED.sub("", clean(text)).rstrip(".")
        if AREA_HEADING.match(label):
            return None
        mainly = MAINLY_WITH.match(label)
        if mainly:
            names = split_sides(mainly.group(1)) + self.partner_sides(mainly.group(2))
        else:
            groups = SIDE_DIVIDER.split(label)
            if len(groups) != 2:
                return None
            names = split_sides(groups[0]) + split_sides(groups[1])
        sides = [(name, self.country_of_side(name)) for name in names]
        if len(sides) < 2 or any(country is None for _, country in sides):
            return None
        return [(name, country) for name, country in sides if country]

    def partner_sides(self, text: str) -> list[str]:
        names = split_sides(text)
        places = [name for name in names if self.places.is_place(name, False)]
        return places or names

    def country_of_side(self, name: str) -> str | None:
        if self.places.is_place(name, True):
            return self.places.country_of(name)
        # An organisation as a side ("Andalucía Smart City Cluster"): the place in its name.
        inner = places_within(name, tokenise(name), self.context)
        return self.places.country_of(inner[0].text) if inner else None

    def prose_sides(self) -> list[tuple[str, str]]:
        lead = next((b for b in self.document.blocks if b.kind == BlockKind.HEADING), None) or \
            next((b for b in self.document.blocks if b.kind == BlockKind.PARAGRAPH), None)
        if lead is None:
            return []
        sides: list[tuple[str, str]] = []
        for mention in find_names(lead.text, self.context):
            if mention.kind == PLACE:
                country = self.places.country_of(mention.text)
                if country and all(clean(mention.text) != name for name, _ in sides):
                    sides.append((clean(mention.text), country))
        eu = [side for side in sides if side[1] in EU_COUNTRIES]
        partner = [side for side in sides if side[1] not in EU_COUNTRIES]
        return eu + partner if eu and partner else []

    def open_pairing(self, block: TextBlock, sides: list[tuple[str, str]]) -> None:
        self.close_pairing()
        number = NUMBERED.match(block.marker + " ") if block.marker else NUMBERED.match(block.text)
        partner = next((country for _, country in sides if country not in EU_COUNTRIES), None)
        group = f"EU-{country_name(partner)}" if partner else None
        self.pairing = PairingDraft(label=NUMBERED.sub("", clean(block.text)), sides=sides,
                                    group=group, number=int(number.group(1)) if number else None,
                                    start=block.start, end=block.end)
        self.pairing_level = block.level
        self.area = None

    def close_pairing(self) -> None:
        if self.pairing is not None:
            self.pairing.extent_end = self.last_end
            self.draft.pairings.append(self.pairing)
        self.pairing = None
        self.area = None

    def finish(self) -> None:
        self.close_pairing()
        self.find_statements()
        self.carry.group = self.group

    # -- actions -------------------------------------------------------------------------------

    def current_area(self) -> AreaDraft:
        if self.pairing is None:
            # Content outside any pairing goes to a pairing without a label; a press release
            # whose title names an EU place and a partner place gets those as its sides.
            self.pairing = PairingDraft(label=None, sides=self.prose_sides() if
                                        self.prose_only else [])
            self.pairing_level = None
        if self.area is None:
            self.area = AreaDraft(title=None)
            self.pairing.areas.append(self.area)
        return self.area

    def add_action(self, block: TextBlock) -> ActionDraft:
        area = self.current_area()
        action = ActionDraft(text=block.text, kind="cooperation", start=block.start,
                             end=block.end)
        self.collect_facts(action, block.text, block.start)
        action.topic = topic_of(block.text, has_place=bool(action.places),
                                has_date=bool(action.dates))
        action.kind = kind_of(clean(block.text), action.topic and clean(action.topic))
        area.actions.append(action)
        return action

    def collect_facts(self, action: ActionDraft, text: str, offset: int) -> None:
        for mention in find_names(text, self.context):
            found = Found(mention.text, offset + mention.start, offset + mention.end)
            if mention.kind == ORGANISATION:
                action.add(action.organisations, found)
            elif mention.kind == PLACE:
                action.add(action.places, found)
        for url in find_urls(text):
            action.add(action.urls, Found(url.text, offset + url.start, offset + url.end))
        for email in find_emails(text) if "@" in text else ():
            action.add(action.emails, Found(email.text, offset + email.start, offset + email.end))
        for start, end, date in find_dates(text):
            action.add(action.dates, DateFound(text[start:end], offset + start, offset + end,
                                               date.iso, date.iso_end))

    def is_member_item(self, block: TextBlock, parent: ActionDraft) -> bool:
        """A sub-bullet that only names a member, under a parent that introduces a list."""
        if not MEMBER_ITEM.match(clean(block.text)):
            return False
        return clean(parent.text).endswith((":", ",")) or bool(parent.sub_items)

    def add_sub_item(self, parent: ActionDraft, block: TextBlock) -> None:
        """A listed member: its name is an organisation, its links and dates are the parent's."""
        parent.sub_items.append(Found(block.text, block.start, block.end))
        match = MEMBER_ITEM.match(block.text)
        if match:
            name = match.group(1)
            parent.add(parent.organisations, Found(name, block.start, block.start + len(name)))
            rest = block.text[len(name):]
            self.collect_facts(parent, rest, block.start + len(name))

    # -- statements anywhere: agreements, figures, contacts ---------------------------------------

    def find_statements(self) -> None:
        group = None
        pairing_at = self.pairing_spans()
        for block in self.document.blocks:
            if block.kind == BlockKind.HEADING:
                continue
            text = block.text
            # Quick looks first: most blocks hold no figure, agreement or address.
            if block.kind == BlockKind.PARAGRAPH and group_in(text, strict=True):
                # A new section: its agreements are not mentions of the last section's.
                self.agreements_by_word.clear()
            if FIGURE_HINT.search(text):
                group = group_in(text) or group
                for figure in find_figures(text, group):
                    if figure.key not in self.draft.totals:
                        self.draft.totals[figure.key] = figure.value
                        self.draft.total_spans[figure.key] = (block.start + figure.start,
                                                              block.start + figure.end)
            if AGREEMENT_HINT.search(text):
                for mention in agreement_rules.find_agreements(text):
                    self.add_agreement(mention, block, pairing_at(block.start))
            if "@" in text:
                for contact in find_contacts(text):
                    self.add_contact(contact, block.start)

    def pairing_spans(self) -> Callable[[int], str | None]:
        """The label of the pairing a position of the document falls in, if any (a section
        summary between two pairings belongs to neither)."""
        spans = sorted((p.start, p.extent_end, p.label) for p in self.draft.pairings
                       if p.start is not None)
        offsets = [start for start, _, _ in spans]

        def label_at(position: int) -> str | None:
            index = bisect_right(offsets, position) - 1
            if index < 0 or position > spans[index][1]:
                return None
            return spans[index][2]
        return label_at

    def add_agreement(self, mention: agreement_rules.AgreementMention, block: TextBlock,
                      pairing: str | None) -> None:
        # Only agreements sharing a party word can be the same one: look those up by word.
        words = agreement_rules.party_words(mention)
        candidates = {id(a): a for word in words for a in self.agreements_by_word.get(word, [])}
        for existing in candidates.values():
            if agreement_rules.same_agreement(existing, mention):
                return
        for word in words:
            self.agreements_by_word.setdefault(word, []).append(mention)
        self.draft.agreements.append(AgreementDraft(
            text=mention.text, status=mention.status, count=mention.count,
            start=block.start + mention.start, end=block.start + mention.end,
            parties=mention.parties, pairing=pairing))

    def add_contact(self, contact, offset: int) -> None:  # type: ignore[no-untyped-def]
        for existing in self.draft.contacts:
            if existing["email"].casefold() == contact.email.casefold():
                if existing["name"] is None and contact.name:
                    existing["name"] = contact.name
                return
        self.draft.contacts.append({"name": contact.name, "email": contact.email,
                                    "span": (offset + contact.start, offset + contact.end)})


def split_sides(text: str) -> list[str]:
    return [part.strip(" .") for part in re.split(r"\s*/\s*|\s*,\s*", text) if part.strip(" .")]


def extract(document: Document, *, places: PlaceLookup | None = None,
            carry: Carry | None = None) -> ReportDraft:
    # Extraction allocates many short-lived, acyclic objects (tokens, mentions): the cyclic
    # garbage collector finds nothing to free in them, so it is paused while it runs.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return Extractor(document, places, carry=carry).run()
    finally:
        if enabled:
            gc.enable()


def extract_file(path: str | Path) -> ReportDraft:
    from .readers import read_document

    return extract(read_document(Path(path)))
