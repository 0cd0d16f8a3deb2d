"""The documented columns of each record type: one definition for the CSV and XLSX files, the
records of the JSON export, the GeoJSON properties and the column tables of docs/opendata.md.

Every row starts with the record's ``id`` (the database key) and ``version`` (its optimistic
lock): a spreadsheet edited offline is read back by id, and the version tells whether someone
changed the record meanwhile. A related record is given by its key (slug) and, for a single
one, by its id as well (``pairing`` and ``pairing_id``). Pilot keys are unique within their
pairing only, so a list of pilots names each one "pairing-key/pilot-key".

Getters return plain values (text, numbers, booleans, dates, lists of text); each format
writes them its own way (see :func:`flat`). :func:`records` is the query behind each table:
the rows of the selection with the related rows the getters read, fetched per chunk.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from citycoop.events.models import Event, EventKind
from citycoop.opendata.selection import Selection
from citycoop.portfolio import models as portfolio
from citycoop.registry import models as registry

Cell = str | int | float | bool | datetime.date | list[str] | None

# Rows are read this many at a time; the related rows of each chunk come in one query per
# relation, so the number of queries grows with the chunks, never with the rows.
CHUNK_SIZE = 2000
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class View:
    """What a getter needs besides the record: whether the export is the public one (an
    internal owner's name then stays out) and the site's address, for the links."""

    public_only: bool
    site_url: str

    @classmethod
    def of(cls, selection: Selection) -> View:
        return cls(selection.public_only, settings.CITYCOOP_SITE_URL)

    def link(self, path: str) -> str:
        return self.site_url + path


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    getter: Callable[[Any, View], Cell]


def choices(values: Iterable[str]) -> str:
    return "one of " + ", ".join(f"`{value}`" for value in values)


def attribute(name: str, description: str) -> Column:
    return Column(name, description, lambda record, view: getattr(record, name))


def identity() -> list[Column]:
    return [attribute("id", "the record's id in the database: how a re-import finds it"),
            attribute("version", "the record's version, one more at every change: a re-import "
                                 "refuses a row edited from an older version")]


def fuzzy(name: str, what: str) -> list[Column]:
    """A FuzzyDateField: the date as the report wrote it, and the period it covers."""
    return [
        attribute(f"{name}_text", f"{what}, as written (\"Sept 2016\", \"12-14 May 2016\")"),
        attribute(f"{name}_start", f"first day of the period {what} covers (YYYY-MM-DD; "
                                   "empty when unknown)"),
        attribute(f"{name}_end", "last day of that period (YYYY-MM-DD; empty when unknown)"),
        attribute(f"{name}_precision", f"how precise {what} is: "
                                       + choices(["day", "month", "months", "quarter", "year",
                                                  "unknown"])),
    ]


def related(name: str, description: str) -> list[Column]:
    """A single related record: its key, then its id."""
    def get_key(record: Any, view: View) -> Cell:
        target = getattr(record, name)
        return target.slug if target is not None else None

    return [Column(name, f"{description}: its key", get_key),
            Column(f"{name}_id", f"{description}: its id",
                   lambda record, view: getattr(record, f"{name}_id"))]


def listed(record: Any, relation: str) -> list[Any]:
    """The related rows :func:`rows_of` prefetched into a plain list."""
    return getattr(record, f"{relation}_list")  # type: ignore[no-any-return]


def rows_of(relation: str, queryset: QuerySet[Any] | None = None) -> Prefetch:
    """Prefetch a relation into a plain list, ``record.<relation>_list``: reading a prefetched
    manager (``.all()``) clones a queryset per record, which costs more than the row."""
    return Prefetch(relation, queryset=queryset, to_attr=f"{relation}_list")


def keys(name: str, description: str) -> Column:
    """A list of related records, by key."""
    return Column(name, description, lambda record, view: [
        target.slug for target in listed(record, name)])


def pilot_key(pilot: portfolio.PilotProject) -> str:
    return f"{pilot.pairing.slug}/{pilot.slug}"


def texts(values: Any) -> list[str]:
    return [str(value) for value in values or []]


def page(name: str, *args: str) -> str:
    return reverse(f"web:{name}", args=args)


def side_labels(side: str) -> Callable[[Any, View], Cell]:
    return lambda pairing, view: [str(m) for m in listed(pairing, "members") if m.side == side]


def side_keys(side: str, kind: str) -> Callable[[Any, View], Cell]:
    return lambda pairing, view: [getattr(m, kind).slug for m in listed(pairing, "members")
                                  if m.side == side and getattr(m, kind) is not None]


def party_labels(side: str) -> Callable[[Any, View], Cell]:
    return lambda agreement, view: [str(p) for p in listed(agreement, "parties")
                                    if p.side == side]


def owner_shown(step: Any, view: View) -> Any:
    """The owner, unless the export is public and the owner's details are not."""
    owner = step.owner
    if owner is None or (view.public_only and owner.visibility != registry.Visibility.PUBLIC):
        return None
    return owner


def document_address(agreement: Any, view: View) -> Cell:
    return view.link(agreement.document.url) if agreement.document else ""


SUBJECT_KEY = {"pairing": lambda s: s.pairing.slug, "pilot": lambda s: pilot_key(s.pilot),
               "agreement": lambda s: s.agreement.slug, "event": lambda s: s.event.slug}


def subject_type(step: Any) -> str:
    return next(name for name in SUBJECT_KEY if getattr(step, f"{name}_id") is not None)


COLUMNS: dict[str, list[Column]] = {
    "pairings": [
        *identity(),
        attribute("slug", "the pairing's key, as in its web address"),
        *related("programme", "the programme the pairing belongs to"),
        keys("also_in", "keys of the earlier or later programmes the same cooperation lived "
                        "through"),
        attribute("label", "the pairing as the programme writes it (\"Lyon – Guangzhou\")"),
        attribute("group", "country group, e.g. EU-China"),
        attribute("number", "the pairing's number within its group"),
        attribute("status", choices(portfolio.PairingStatus.values)),
        *fuzzy("starts", "the start"),
        *fuzzy("ends", "the end"),
        attribute("summary", "summary"),
        attribute("is_public", "true when the pairing is public; false: internal"),
        Column("eu_side", "the EU-side members (places and organisations) as written",
               side_labels(portfolio.Side.EU)),
        Column("eu_places", "keys of the EU-side member places",
               side_keys(portfolio.Side.EU, "place")),
        Column("eu_organisations", "keys of the EU-side member organisations",
               side_keys(portfolio.Side.EU, "organisation")),
        Column("partner_side", "the partner-side members as written",
               side_labels(portfolio.Side.PARTNER)),
        Column("partner_places", "keys of the partner-side member places",
               side_keys(portfolio.Side.PARTNER, "place")),
        Column("partner_organisations", "keys of the partner-side member organisations",
               side_keys(portfolio.Side.PARTNER, "organisation")),
        attribute("pilot_count", "number of its pilot projects in this export"),
        Column("url", "the pairing's page", lambda p, view: view.link(page("pairing", p.slug))),
    ],
    "pilots": [
        *identity(),
        *related("pairing", "the pairing the pilot project belongs to"),
        attribute("slug", "the pilot project's key, unique within its pairing"),
        attribute("number", "the issue number (\"Issue 2\") within its pairing"),
        attribute("title", "title"),
        attribute("status", choices(portfolio.PilotStatus.values)),
        keys("themes", "keys of its themes"),
        attribute("summary", "summary"),
        attribute("position", "its place in the pairing's list"),
        attribute("is_public", "true when the pilot project is public; false: internal"),
        attribute("action_count", "number of its actions"),
        Column("url", "the pilot project's page",
               lambda p, view: view.link(page("pilot", p.pairing.slug, p.slug))),
    ],
    "actions": [
        *identity(),
        Column("pairing", "the pairing of the action's pilot project: its key",
               lambda a, view: a.pilot.pairing.slug),
        Column("pairing_id", "the pairing of the action's pilot project: its id",
               lambda a, view: a.pilot.pairing_id),
        Column("pilot", "the pilot project the action belongs to: its key, unique within "
                        "the pairing", lambda a, view: a.pilot.slug),
        attribute("pilot_id", "the pilot project the action belongs to: its id"),
        attribute("position", "its place in the pilot project's list"),
        attribute("topic", "a lead-in label such as \"Sewage treatment\""),
        attribute("text", "what was done or is planned, as written"),
        Column("sub_items", "the items the action lists (e.g. start-ups), as written",
               lambda a, view: texts(a.sub_items)),
        attribute("kind", choices(portfolio.ActionKind.values)),
        attribute("status", choices(portfolio.ActionStatus.values)),
        *fuzzy("when", "the action's date"),
        Column("links", "web links the action cites", lambda a, view: texts(a.links)),
        keys("places", "keys of the places it names"),
        Column("organisations", "keys of the organisations taking part",
               lambda a, view: [r.organisation.slug for r in listed(a, "roles")]),
        Column("organisation_roles", "their roles, in the same order: "
                                     + choices(portfolio.ActionRole.values),
               lambda a, view: [r.role for r in listed(a, "roles")]),
    ],
    "agreements": [
        *identity(),
        attribute("slug", "the agreement's key"),
        attribute("title", "title"),
        attribute("type", choices(portfolio.AgreementType.values)),
        attribute("status", choices(portfolio.AgreementStatus.values)),
        *related("pairing", "the pairing it belongs to (empty for none)"),
        Column("pilots", "the pilot projects it serves, each as pairing-key/pilot-key",
               lambda a, view: [pilot_key(p) for p in listed(a, "pilots")]),
        *fuzzy("signed_on", "the signing date"),
        *related("signed_at_event", "the event it was signed at"),
        attribute("counts_toward_kpi", "true when it counts toward the programme's MoU figure"),
        Column("eu_parties", "the EU-side parties as written", party_labels(portfolio.Side.EU)),
        Column("partner_parties", "the partner-side parties as written",
               party_labels(portfolio.Side.PARTNER)),
        attribute("text", "the agreement as the report writes it"),
        Column("document", "address of the uploaded document, if any", document_address),
        attribute("document_url", "a link to the document elsewhere, if any"),
        attribute("is_public", "true when the agreement is public; false: internal"),
    ],
    "next_steps": [
        *identity(),
        Column("subject_type", "what the step hangs from: "
                               + choices(["pairing", "pilot", "agreement", "event"]),
               lambda s, view: subject_type(s)),
        Column("subject", "that record's key (a pilot as pairing-key/pilot-key)",
               lambda s, view: SUBJECT_KEY[subject_type(s)](s)),
        Column("subject_id", "that record's id",
               lambda s, view: getattr(s, f"{subject_type(s)}_id")),
        Column("pairing", "the pairing the step belongs to, through its subject (empty for an "
                          "event's step): its key",
               lambda s, view: s.owning_pairing.slug if s.owning_pairing else None),
        attribute("text", "what is to be done"),
        Column("owner_id", "the owner's id among the people (empty in public exports when the "
                           "owner's details are not public)",
               lambda s, view: getattr(owner_shown(s, view), "pk", None)),
        Column("owner", "the owner's name (same rule)",
               lambda s, view: getattr(owner_shown(s, view), "name", None)),
        attribute("owner_text", "the owner as written (\"World Cities team\")"),
        *fuzzy("due", "the due date"),
        attribute("status", choices(portfolio.NextStepStatus.values)),
    ],
    "events": [
        *identity(),
        attribute("slug", "the event's key, as in its web address"),
        attribute("title", "title"),
        attribute("kind", choices(EventKind.values)),
        *fuzzy("when", "the event's dates"),
        *related("place", "where it took place"),
        keys("organisers", "keys of the organising organisations"),
        keys("pairings", "keys of the pairings it served (those in this export)"),
        Column("pilots", "the pilot projects it served, each as pairing-key/pilot-key",
               lambda e, view: [pilot_key(p) for p in listed(e, "pilots")]),
        attribute("capacity", "places for registrants; empty: no limit"),
        attribute("description", "description"),
        attribute("link", "the event's own web page"),
        attribute("registration_open", "true while registration through the site is open"),
        attribute("is_public", "true when the event is public; false: internal"),
        Column("url", "the event's page", lambda e, view: view.link(page("event", e.slug))),
    ],
    "organisations": [
        *identity(),
        attribute("slug", "the organisation's key, as in its web address"),
        attribute("name", "name"),
        attribute("acronym", "acronym"),
        Column("aliases", "other names reports use", lambda o, view: texts(o.aliases)),
        attribute("type", choices(registry.OrganisationType.values)),
        attribute("country", "two-letter ISO 3166 country code"),
        *related("place", "the place it is based in"),
        attribute("website", "website"),
        *related("parent", "the organisation it is part of"),
        attribute("description", "description"),
        Column("url", "the organisation's page",
               lambda o, view: view.link(page("organisation", o.slug))),
    ],
    "places": [
        *identity(),
        attribute("slug", "the place's key, as in its web address"),
        attribute("name", "name"),
        attribute("kind", choices(registry.PlaceKind.values)),
        attribute("country", "two-letter ISO 3166 country code"),
        *related("parent", "the place it lies within"),
        attribute("latitude", "latitude in decimal degrees (WGS 84)"),
        attribute("longitude", "longitude in decimal degrees (WGS 84)"),
        attribute("population", "population"),
        attribute("geonames_id", "its GeoNames id"),
        Column("other_names", "names in other scripts, each as language: name (\"zh: 天津\")",
               lambda p, view: [f"{lang}: {name}" for lang, name in
                                (p.other_names or {}).items()]),
        Column("aliases", "other spellings", lambda p, view: texts(p.aliases)),
        Column("url", "the place's page", lambda p, view: view.link(page("place", p.slug))),
    ],
    "people": [
        *identity(),
        attribute("name", "name"),
        attribute("title", "title (\"Dr\")"),
        attribute("position", "position"),
        *related("organisation", "the organisation they work for"),
        attribute("email", "email address"),
        attribute("phone", "phone number"),
        attribute("visibility",
                  "who may see their details: " + choices(registry.Visibility.values)),
    ],
}


def count_of(rows: QuerySet[Any], link: str) -> Coalesce:
    """The number of ``rows`` pointing at the outer record through ``link``, as a subquery
    (a join with GROUP BY would multiply with the other joins)."""
    counted = (rows.filter(**{link: OuterRef("pk")}).order_by().values(link)
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted), 0)


MEMBERS = portfolio.PairingMember.objects.select_related(
    "place", "organisation__place").order_by("position", "id")
ROLES = portfolio.ActionOrganisation.objects.select_related("organisation").only(
    "action", "role", "organisation__slug").order_by("id")
PARTIES = portfolio.AgreementParty.objects.select_related("place", "organisation").order_by("id")
STEP_SUBJECTS = ("pairing", "pilot__pairing", "agreement__pairing", "event", "owner")


def by_key(model: type[Any]) -> QuerySet[Any]:
    """Related records of which a list column needs the key alone."""
    return model._default_manager.only("slug").order_by("slug")  # type: ignore[no-any-return]


def visible_pilots(selection: Selection) -> QuerySet[portfolio.PilotProject]:
    return selection.pilots().select_related("pairing").order_by("position", "id")


def visible_events(selection: Selection) -> QuerySet[Event]:
    # By id rather than through selection.events() itself: as a prefetch, its own join on the
    # event-pairing table would clash with the one the prefetch adds.
    return Event.objects.filter(pk__in=selection.events().values("pk"))


QUERIES: dict[str, Callable[[Selection], QuerySet[Any]]] = {
    "pairings": lambda s: s.pairings().select_related("programme").prefetch_related(
        rows_of("also_in", by_key(registry.Programme)), rows_of("members", MEMBERS)).annotate(
        pilot_count=count_of(s.pilots(), "pairing")),
    "pilots": lambda s: s.pilots().select_related("pairing").prefetch_related(
        rows_of("themes", by_key(registry.Theme))).annotate(
        action_count=count_of(portfolio.Action.objects.all(), "pilot")),
    "actions": lambda s: s.actions().select_related("pilot__pairing").prefetch_related(
        rows_of("places", by_key(registry.Place)), rows_of("roles", ROLES)),
    "agreements": lambda s: s.agreements().select_related(
        "pairing", "signed_at_event").prefetch_related(
        rows_of("pilots", visible_pilots(s)), rows_of("parties", PARTIES)),
    "next_steps": lambda s: s.next_steps().select_related(*STEP_SUBJECTS),
    "events": lambda s: s.events().select_related("place").prefetch_related(
        rows_of("organisers", by_key(registry.Organisation)),
        rows_of("pairings", s.pairings().only("slug").order_by("slug")),
        rows_of("pilots", visible_pilots(s))),
    "organisations": lambda s: s.organisations().select_related("place", "parent"),
    "places": lambda s: s.places().select_related("parent"),
    "people": lambda s: s.people().select_related("organisation"),
}


def records(selection: Selection, record: str) -> QuerySet[Any]:
    """The selection's records of one type, with what their columns read."""
    return QUERIES[record](selection)


def row(record: Any, columns: list[Column], view: View) -> list[Cell]:
    return [column.getter(record, view) for column in columns]


def as_dict(record: Any, columns: list[Column], view: View) -> dict[str, Cell]:
    return {column.name: column.getter(record, view) for column in columns}


def flat(value: Cell) -> str | int | float | datetime.date | None:
    """A value for one spreadsheet cell: lists joined, booleans as true/false."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
