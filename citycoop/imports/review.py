"""Compare a report draft with the registry: what is new, what is the same, what changed.

The review is a list of items, one per record the import would create or touch, each with
the source spans it rests on. Nothing is written here; :mod:`citycoop.imports.load` applies
the items a person accepts.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from rapidfuzz import fuzz, process

from citycoop.lib.geo import get_gazetteer
from citycoop.lib.text import fold, slugify
from citycoop.portfolio.models import Action, Agreement, AgreementStatus, Pairing
from citycoop.registry.models import Organisation, Person, Place, Programme
from citycoop.reports.models import KpiSnapshot

from .context import EU_COUNTRIES
from .draft import ActionDraft, AgreementDraft, AreaDraft, PairingDraft, ReportDraft, clean
from .matching import Match, NameIndex, find_place, organisation_index, place_index
from .models import Provenance, SourceDocument
from .readers.base import Document
from .recognise.lexicon import WORLD_REGIONS

NEW, SAME, CHANGED, SKIPPED = "new", "same", "changed", "skipped"
# The extractor's agreement statuses that the model names otherwise: an agreement a report
# says is planned or intended is, for the registry, an idea.
AGREEMENT_STATUS = {"planned": AgreementStatus.IDEA}
ORDER = ["programme", "source", "place", "organisation", "person", "pairing", "pilot",
         "action", "agreement", "figure"]


class ImportRefused(Exception):
    """The import cannot go ahead as asked; the message says what to do."""


@dataclass
class Item:
    key: str
    kind: str
    label: str
    status: str
    values: dict[str, Any] = field(default_factory=dict)
    many: dict[str, list[str]] = field(default_factory=dict)  # field -> keys of other items
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)  # fields edited by hand, left alone
    record: Model | None = None
    note: str = ""
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # field -> span
    needs: list[str] = field(default_factory=list)  # items that must be applied first

    @property
    def writes(self) -> bool:
        return self.status in {NEW, CHANGED}


@dataclass
class Review:
    document: Document
    draft: ReportDraft
    data: bytes
    items: dict[str, Item] = field(default_factory=dict)

    def add(self, item: Item) -> Item:
        existing = self.items.get(item.key)
        if existing is not None:
            for name, span in item.spans.items():
                existing.spans.setdefault(name, span)
            return existing
        self.items[item.key] = item
        return item

    def ordered(self) -> list[Item]:
        return sorted(self.items.values(), key=lambda i: ORDER.index(i.kind))

    def counts(self) -> Counter[str]:
        return Counter(item.status for item in self.items.values())

    def excerpt(self, item: Item) -> str:
        if not item.spans:
            return ""
        start, end = next(iter(item.spans.values()))
        return self.document.text[start:end]


def imported_values(record: Model) -> dict[str, Any]:
    """What earlier imports wrote into this record, by field."""
    if record.pk is None:
        return {}
    rows = Provenance.objects.filter(content_type=ContentType.objects.get_for_model(record),
                                     object_id=record.pk, value__isnull=False)
    return {row.field: row.value for row in rows}


def compare(item: Item, record: Model, proposed: dict[str, Any]) -> None:
    """Same, changed or kept, field by field.

    A field changes only when the report says something new and the record still holds what
    an earlier import wrote (or nothing); a field someone edited by hand is kept and listed.
    """
    earlier = imported_values(record)
    item.record = record
    for name, new in proposed.items():
        current = getattr(record, name)
        if comparable(current) == comparable(new):
            continue
        # A fuzzy date is cited as "when" and compared as its text, "when_text".
        imported = earlier.get(name, earlier.get(name.removesuffix("_text")))
        if current in ("", None, [], {}) or (imported is not None and comparable(imported) ==
                                             comparable(current)):
            item.changes[name] = (current, new)
        else:
            item.kept[name] = current
    item.status = CHANGED if item.changes else SAME


def comparable(value: Any) -> Any:
    if hasattr(value, "text") and hasattr(value, "precision"):
        return value.text
    if isinstance(value, str):
        return clean(value)
    return value


class Reviewer:
    def __init__(self, document: Document, draft: ReportDraft, data: bytes,
                 programme: str | None) -> None:
        self.review = Review(document, draft, data)
        self.programme_name = programme
        self.places = place_index()
        self.organisations = organisation_index()
        self.document_record: SourceDocument | None = None
        self.place_keys: dict[str, str | None] = {}
        self.organisation_keys: dict[str, str] = {}
        self.pairing_keys: dict[int, str] = {}
        self.canonical, self.variants = organisation_variants(draft)
        # Slugs handed to new records of this review, by model: two new agreements of the
        # same title must not both get the first free slug.
        self.slugs: dict[type[Model], set[str]] = {}

    def unique_slug(self, model: type[Model], text: str) -> str:
        return unique_slug(model, text, self.slugs.setdefault(model, set()))

    def run(self) -> Review:
        self.programme()
        self.source()
        for pairing in self.review.draft.pairings:
            self.pairing(pairing)
        for agreement in self.review.draft.agreements:
            self.agreement(agreement)
        self.figures()
        self.contacts()
        return self.review

    # -- programme and document -----------------------------------------------------------

    def programme(self) -> None:
        name = self.programme_name
        if name:
            record = Programme.objects.filter(slug=slugify(name)).first() or \
                Programme.objects.filter(name__iexact=name).first()
        else:
            programmes = list(Programme.objects.all()[:2])
            if len(programmes) != 1:
                raise ImportRefused("name the programme the report belongs to with "
                                    "--programme NAME (it is created if it does not exist)")
            record = programmes[0]
        label = record.name if record else str(name)
        item = Item("programme", "programme", label, SAME if record else NEW, record=record)
        if record is None:
            item.values = {"slug": slugify(label)[:80], "name": label}
        self.review.add(item)

    def source(self) -> None:
        document = self.review.document
        digest = hashlib.sha256(self.review.data).hexdigest()
        slug = slugify(re.sub(r"\.[A-Za-z0-9]+$", "", document.source or "report"))[:100]
        record = SourceDocument.objects.filter(sha256=digest).first() or \
            SourceDocument.objects.filter(slug=slug).first()
        self.document_record = record
        title = document.title or (document.source or "report")
        item = Item("source", "source", title, NEW, record=record,
                    values={"slug": slug, "title": title[:300], "format": document.format,
                            "sha256": digest})
        if record is not None:
            item.status = SAME if record.sha256 == digest else CHANGED
            if item.status == CHANGED:
                item.changes = {"sha256": (record.sha256, digest)}
            item.note = "" if item.status == SAME else "a different version of this report"
        self.review.add(item)

    # -- registry ------------------------------------------------------------------------------

    def place(self, name: str, span: tuple[int, int], country_hint: str | None) -> str | None:
        folded = fold(name)
        if folded in WORLD_REGIONS:
            return None
        if folded in self.place_keys:
            key = self.place_keys[folded]
            if key:
                spans = self.review.items[key].spans
                spans.setdefault(f"mention {len(spans)}", span)
            return key
        match = find_place(name, self.places)
        if match is not None:
            key = f"place:{match.record.pk}"
            self.review.add(Item(key, "place", match.record.name, SAME, record=match.record,
                                 note=match.note(), spans={"name": span}))
        else:
            key = self.new_place(name, span, country_hint)
        self.place_keys[folded] = key
        return key

    def new_place(self, name: str, span: tuple[int, int], country_hint: str | None) -> str | None:
        gazetteer = get_gazetteer()
        resolved = gazetteer.resolve(name)
        values: dict[str, Any]
        country = gazetteer.country(name) if len(name) == 2 and name.isupper() else None
        if country is not None:
            values = {"name": country.name, "kind": "country", "country": country.country}
        elif resolved is not None:
            entry = resolved.entry
            values = {"name": entry.name, "kind": entry.kind, "country": entry.country}
        elif country_hint:
            kind = "new_area" if re.search(r"\b(new|city|town|zone|district)\b", name, re.I) \
                else "city"
            values = {"name": clean(name), "kind": kind, "country": country_hint}
        else:
            return None
        key = f"place:new:{slugify(values['name'])}"
        note = "" if resolved is None or resolved.exact else \
            f"gazetteer reads '{name}' as {resolved.entry.name} ({resolved.score:.0f})"
        if resolved is None and country is None:
            note = f"not in the gazetteer; country taken from the pairing ({country_hint})"
        values["slug"] = self.unique_slug(Place, values["name"])
        if fold(values["name"]) != fold(name):
            values["aliases"] = [clean(name)]
        self.review.add(Item(key, "place", values["name"], NEW, values=values, note=note,
                             spans={"name": span}))
        return key

    def organisation(self, name: str, span: tuple[int, int], country: str | None) -> str:
        name = self.canonical.get(fold(name), name)
        folded = fold(name)
        if folded in self.organisation_keys:
            return self.organisation_keys[folded]
        match = self.organisations.find(name)
        if match is not None:
            key = self.known_organisation(match, name, span)
        else:
            key = self.new_organisation(name, span, country)
        self.organisation_keys[folded] = key
        return key

    def organisations_named(self, name: str, span: tuple[int, int]) -> list[str]:
        """ "Sichuan and Shantou Universities" names two universities the registry may hold."""
        parts = shared_head_parts(clean(name))
        if parts and all(self.organisations.find(part, fuzzy=False) for part in parts):
            return [self.organisation(part, span, None) for part in parts]
        return [self.organisation(name, span, None)]

    def known_organisation(self, match: Match, name: str, span: tuple[int, int]) -> str:
        key = f"organisation:{match.record.pk}"
        item = self.review.add(Item(key, "organisation", match.record.name, SAME,
                                    record=match.record, note=match.note(),
                                    spans={"name": span}))
        written = clean(name)
        if match.how == "fuzzy" and written not in (match.record.aliases or []):
            aliases = [*(match.record.aliases or []), written]
            item.changes["aliases"] = (match.record.aliases, aliases)
            item.status = CHANGED
        return key

    def new_organisation(self, name: str, span: tuple[int, int], country: str | None) -> str:
        from .matching import guess_organisation_type

        written = clean(name)
        variants = self.variants.get(fold(written), [])
        acronym = next((v for v in [written, *variants] if v.isupper() and " " not in v), "")
        values: dict[str, Any] = {"name": written, "acronym": acronym if acronym != written else "",
                  "aliases": [v for v in variants if v != acronym],
                  "type": guess_organisation_type(written),
                  "country": country or "", "slug": self.unique_slug(Organisation, written)}
        key = f"organisation:new:{values['slug']}"
        self.review.add(Item(key, "organisation", written, NEW, values=values,
                             spans={"name": span}))
        return key

    # -- portfolio -------------------------------------------------------------------------

    def pairing(self, draft: PairingDraft) -> None:
        if not draft.sides:
            skipped = len(draft.actions)
            if skipped:
                self.review.add(Item(f"skipped:{draft.start}", "action",
                                     f"{skipped} actions outside any pairing", SKIPPED,
                                     note="the report names no pairing for them"))
            return
        span = (draft.start or 0, draft.end or 0)
        member_keys = []
        for name, country in draft.sides:
            key = self.place(name, span, country) if self.is_place_side(name) else \
                self.organisation(name, span, country)
            if key:
                member_keys.append((key, country))
        record = self.existing_pairing(draft, [k for k, _ in member_keys])
        # A press release's pairing has sides but no heading to take its label from.
        label = draft.label or " – ".join(name for name, _ in draft.sides)
        key = f"pairing:{record.pk}" if record else f"pairing:new:{slugify(label)}"
        item = Item(key, "pairing", label, SAME if record else NEW, record=record,
                    spans={"label": span}, needs=["programme"] + [k for k, _ in member_keys])
        if record is None:
            item.values = {"slug": self.unique_slug(Pairing, label or "pairing"),
                           "label": label, "group": draft.group or "",
                           "number": draft.number}
            item.many["members"] = [f"{k}|{'eu' if c in EU_COUNTRIES else 'partner'}"
                                    for k, c in member_keys]
        self.review.add(item)
        self.pairing_keys[id(draft)] = key
        existing_actions = known_actions(record) if record else {}
        for area in draft.areas:
            self.area(draft, key, record, area, existing_actions)

    def is_place_side(self, name: str) -> bool:
        return find_place(name, self.places) is not None or get_gazetteer().resolve(name) \
            is not None

    def existing_pairing(self, draft: PairingDraft, member_keys: list[str]) -> Pairing | None:
        ids = {int(k.split(":")[1]) for k in member_keys if ":new:" not in k}
        if draft.label:
            by_label = Pairing.objects.filter(label__iexact=clean(draft.label)).first()
            if by_label:
                return by_label
        if len(ids) == len(member_keys) and ids:
            for pairing in Pairing.objects.prefetch_related("members"):
                held = {m.place_id or m.organisation_id for m in pairing.members.all()}
                if ids <= held:
                    return pairing
        return None

    def area(self, draft: PairingDraft, pairing_key: str, pairing: Pairing | None,
             area: AreaDraft, existing_actions: dict[str, Action]) -> None:
        partner = next((c for _, c in draft.sides if c not in EU_COUNTRIES), None)
        if area.title:
            pilot_key = self.pilot(pairing_key, pairing, area.title, area.issue, area)
            for position, action in enumerate(area.actions, start=1):
                self.action(pilot_key, action, position, partner, existing_actions)
            return
        # Bullets without a heading: each is a pilot of its own, titled by its topic, unless
        # the registry already holds the action (then it stays in the pilot it is in).
        for action in area.actions:
            known = find_action(clean(action.text), existing_actions)
            if known is not None:
                pilot_key = f"pilot:{known.pilot_id}"
                self.review.add(Item(pilot_key, "pilot", known.pilot.title, SAME,
                                     record=known.pilot, needs=[pairing_key]))
            else:
                title = action.topic or short_title(action.text)
                pilot_key = self.pilot(pairing_key, pairing, title, None, area)
            self.action(pilot_key, action, 1, partner, existing_actions)

    def pilot(self, pairing_key: str, pairing: Pairing | None, title: str, issue: int | None,
              area: AreaDraft) -> str:
        title = clean(title)
        record = None
        if pairing is not None:
            pilots = list(pairing.pilots.all())
            record = next((p for p in pilots if issue and p.number == issue), None) or \
                next((p for p in pilots if fold(p.title) == fold(title)), None)
        key = f"pilot:{record.pk}" if record else f"pilot:new:{pairing_key}:{slugify(title)}"
        start = area.actions[0].start if area.actions else 0
        item = Item(key, "pilot", title, SAME if record else NEW, record=record,
                    needs=[pairing_key], spans={"title": (start, start)})
        if record is None:
            item.values = {"title": title[:250], "number": issue, "slug": slugify(title)[:100]}
            item.many["pairing"] = [pairing_key]
        self.review.add(item)
        return key

    def action(self, pilot_key: str, draft: ActionDraft, position: int, country: str | None,
               existing: dict[str, Action]) -> None:
        text = clean(draft.text)
        places = [k for p in draft.places if (k := self.place(p.text, (p.start, p.end), country))]
        organisations = [key for o in draft.organisations
                         for key in self.organisations_named(o.text, (o.start, o.end))]
        proposed = {"text": text, "kind": draft.kind, "topic": clean(draft.topic or ""),
                    "when": draft.dates[0].text if draft.dates else "",
                    "links": [u.text for u in draft.urls] + [e.text for e in draft.emails]}
        record = find_action(text, existing)
        key = f"action:{record.pk}" if record else f"action:new:{draft.start}"
        item = Item(key, "action", short_title(text, 90), NEW, record=record,
                    needs=[pilot_key, *places, *organisations], spans={"text": (draft.start,
                                                                                 draft.end)})
        if draft.dates:
            item.spans["when"] = (draft.dates[0].start, draft.dates[0].end)
        item.many = {"pilot": [pilot_key], "places": places, "organisations": organisations}
        if record is None:
            item.values = proposed
        else:
            when = proposed.pop("when") or getattr(record, "when_text", "")
            compare(item, record, {**proposed, "when_text": when})
        self.review.add(item)

    def agreement(self, draft: AgreementDraft) -> None:
        if (draft.count or 0) > 1 or "more than" in draft.text.casefold():
            return  # a figure ("14 MoUs have been signed"), kept as a snapshot instead
        pairing_key = next((self.pairing_keys[id(p)] for p in self.review.draft.pairings
                            if p.label == draft.pairing and id(p) in self.pairing_keys), None)
        text = clean(draft.text)
        record = self.existing_agreement(text, draft.parties)
        title = ("MoU " + " – ".join(draft.parties)) if len(draft.parties) >= 2 else \
            short_title(text, 120)
        key = f"agreement:{record.pk}" if record else f"agreement:new:{draft.start}"
        item = Item(key, "agreement", title, SAME if record else NEW, record=record,
                    spans={"text": (draft.start, draft.end)},
                    needs=[pairing_key] if pairing_key else [])
        status = AGREEMENT_STATUS.get(draft.status, draft.status)
        if record is None:
            item.values = {"title": title[:250], "status": status, "text": text,
                           "slug": self.unique_slug(Agreement, title)}
            item.many["pairing"] = [pairing_key] if pairing_key else []
        else:
            compare(item, record, {"status": status})
        self.review.add(item)

    def existing_agreement(self, text: str, parties: list[str]) -> Agreement | None:
        words = set(fold(text).split())
        for agreement in Agreement.objects.all():
            theirs = set(fold(agreement.text or agreement.title).split())
            if words and theirs and len(words & theirs) / len(words | theirs) >= 0.5:
                return agreement
        return None

    def figures(self) -> None:
        programme: Any = self.review.items["programme"].record
        for name, value in self.review.draft.totals.items():
            span = self.review.draft.total_spans.get(name, (0, 0))
            record = None
            if programme is not None and self.document_record is not None:
                record = KpiSnapshot.objects.filter(programme=programme, name=name[:80],
                                                    source=self.document_record).first()
            key = f"figure:{name}"
            item = Item(key, "figure", f"{name.replace('_', ' ')}: {value}",
                        SAME if record else NEW, record=record, spans={"value": span},
                        needs=["programme", "source"])
            if record is None:
                more_than = name.endswith("_more_than")
                item.values = {"name": name[:80], "label": name.replace("_", " ").capitalize(),
                               "value": value, "more_than": more_than,
                               "group": group_label(name),
                               "source_text": clean(self.sentence_around(span))}
            else:
                compare(item, record, {"value": value})
            self.review.add(item)

    def sentence_around(self, span: tuple[int, int]) -> str:
        text = self.review.document.text
        start = max(text.rfind(". ", 0, span[0]) + 2, text.rfind("\n", 0, span[0]) + 1, 0)
        ends = [e for e in (text.find(". ", span[1]), text.find("\n", span[1])) if e != -1]
        return text[start:(min(ends) + 1 if ends else len(text))]

    def contacts(self) -> None:
        for contact in self.review.draft.contacts:
            record = Person.objects.filter(email__iexact=contact["email"]).first()
            title, name = split_title(contact["name"] or contact["email"].split("@")[0])
            item = Item(f"person:{contact['email'].casefold()}", "person", name,
                        SAME if record else NEW, record=record,
                        spans={"email": tuple(contact["span"])})
            if record is None:
                item.values = {"name": name, "title": title, "email": contact["email"],
                               "visibility": "internal"}
            self.review.add(item)


def known_actions(pairing: Pairing) -> dict[str, Action]:
    """The pairing's actions by their text now and by the text an import first gave them, so
    an action someone reworded is still found."""
    actions = list(Action.objects.filter(pilot__pairing=pairing).select_related("pilot"))
    by_text = {fold(clean(a.text)): a for a in actions}
    by_id = {a.pk: a for a in actions}
    imported = Provenance.objects.filter(
        content_type=ContentType.objects.get_for_model(Action), object_id__in=list(by_id),
        field="text", value__isnull=False).values_list("object_id", "value")
    for action_id, value in imported:
        by_text.setdefault(fold(clean(str(value))), by_id[action_id])
    return by_text


def find_action(text: str, known: dict[str, Action]) -> Action | None:
    """The same action: the same words, or nearly (a report's next version may fix a date)."""
    key = fold(text)
    if key in known:
        return known[key]
    if not known:
        return None
    best = process.extractOne(key, list(known), scorer=fuzz.ratio, score_cutoff=90)
    return known[best[0]] if best else None


def organisation_variants(draft: ReportDraft) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Names of one body written two ways in a report ("Catalonian Regional Agency ACCIO" and
    "ACCIO"): each folded name maps to the longest form, which lists the others."""
    names = {clean(o.text) for p in draft.pairings for a in p.actions for o in a.organisations}
    canonical: dict[str, str] = {}
    variants: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        acronyms = [w for w in name.split() if len(w) >= 2 and w.isupper()]
        for short in names:
            if short != name and (short in acronyms) and fold(short) not in canonical:
                canonical[fold(short)] = canonical.get(fold(name), name)
                variants.setdefault(fold(canonical[fold(short)]), []).append(short)
    return canonical, variants


SHARED_HEAD = re.compile(r"^(?P<a>[\w’'-]+) and (?P<b>[\w’'-]+) (?P<head>Universities|"
                         r"Authorities|Municipalities|Councils)$")
SHARED_OF = re.compile(r"^(?P<head>Chambers of Commerce|Universities|Ports|Embassies) of "
                       r"(?P<a>[\w’' -]+?) and (?P<b>[\w’' -]+)$")
SINGULAR = {"universities": "University", "authorities": "Authority",
            "municipalities": "Municipality", "councils": "Council",
            "chambers of commerce": "Chamber of Commerce", "ports": "Port",
            "embassies": "Embassy"}


def shared_head_parts(name: str) -> list[str]:
    match = SHARED_HEAD.match(name)
    if match:
        head = SINGULAR[match["head"].casefold()]
        return [f"{match['a']} {head}", f"{match['b']} {head}"]
    match = SHARED_OF.match(name)
    if match:
        head = SINGULAR[match["head"].casefold()]
        return [f"{head} of {match['a']}", f"{head} of {match['b']}"]
    return []


def short_title(text: str, limit: int = 80) -> str:
    text = clean(text)
    first = re.split(r"(?<=[.:;])\s", text, maxsplit=1)[0].rstrip(".:;")
    return first if len(first) <= limit else first[:limit - 1].rstrip() + "…"


def split_title(name: str) -> tuple[str, str]:
    match = re.match(r"^(Mr|Mrs|Ms|Dr|Prof|Professor)\.?\s+(.+)$", name)
    return (match.group(1), match.group(2)) if match else ("", name)


def group_label(name: str) -> str:
    match = re.search(r"eu_([a-z]+)", name)
    return f"EU-{match.group(1).capitalize()}" if match else ""


def unique_slug(model: type[Model], text: str, taken: set[str] | None = None) -> str:
    """A slug no record of ``model`` has, nor any in ``taken`` (which it joins)."""
    taken = set() if taken is None else taken
    # Room for a "-N" suffix within the field (places allow 80 characters, others 100).
    room = (getattr(model._meta.get_field("slug"), "max_length", None) or 100) - 10
    base = slugify(text)[:room] or "item"
    slug, n = base, 2
    while slug in taken or model._default_manager.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def review_report(document: Document, draft: ReportDraft, data: bytes, *,
                  programme: str | None = None) -> Review:
    return Reviewer(document, draft, data, programme).run()


__all__ = ["CHANGED", "NEW", "SAME", "SKIPPED", "ImportRefused", "Item", "NameIndex", "Review",
           "review_report"]
