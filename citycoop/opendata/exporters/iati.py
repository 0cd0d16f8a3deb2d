"""IATI 2.03 activity XML: each pairing an activity, each of its pilots a child activity.

What of the portfolio goes where (:mod:`.iati_codes` holds the codes and writes the XML):

- A pairing is an activity of hierarchy 1 that lists its pilots as children; a pilot, one of
  hierarchy 2 that names its pairing as parent. Pairings of one programme are listed as
  siblings only while the programme has at most ``SIBLING_LIMIT`` pairings in the export:
  every pairing naming every other is quadratic (four million elements for a programme of
  2,000 pairings, a list no reader wants). Every activity also carries its programme's key
  as a tag of the publisher's own vocabulary, so pairings of any programme can be grouped.
- Participating organisations: the programme's funder (funding), the publisher
  (accountable), and the pairing's members or the organisations of the pilot's actions
  (implementing; an action's funder, funding). A member that is a place takes part through
  its government: national for a country, local for a region, city or district.
- Recipient countries: those of the pairing's partner side, the cooperation's beneficiaries
  (every member's when no side is recorded as partner), for the pairing and its pilots.
  Locations: the pairing's member places; the places a pilot's actions name.
- Sectors: the DAC codes and SDG goals of the pilot's themes (a theme without any takes its
  nearest ancestor's), each theme weighing the same; a pairing weighs its pilots alike.
- Agreements are document links when there is a link: their own, else the agreements of
  the pairing's page when ``CITYCOOP_SITE_URL`` is set (uploaded files are not served).
- A pilot's results, indicators, targets and approved values. A programme's own results
  are left out: no activity here stands for a programme.
- Dates: a pairing's own, else its first dated action's and its programme's; a pilot's
  dated actions', else its pairing's; at last the day the record was created, since IATI
  requires a date. A start is actual once the activity has started, an end once it has
  finished (and the day is past); otherwise they are planned.

Identifiers are ``{publisher}-{pairing slug}`` and ``{publisher}-{pairing slug}.{pilot
slug}``: slugs never hold a ".", so no pilot's identifier can equal a pairing's, and IATI
forbids "/" in identifiers. The publisher is ``settings.CITYCOOP_IATI_PUBLISHER`` (its IATI
organisation identifier; default the placeholder XI-CITYCOOP), ``..._PUBLISHER_NAME`` and
``..._PUBLISHER_TYPE`` (an OrganisationType code).

Streaming: pairings are read with ``.iterator()`` in batches of ``BATCH``; what a batch needs
comes in a fixed number of queries (see :class:`Batch`) and its XML is written before the
next batch is read. An export without pairings has no activity, which the schema does not
allow: there is nothing to report.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.db.models import Count, Max, Min, Prefetch
from django.db.models.functions import Coalesce
from django.utils import timezone

from citycoop.opendata.exporters import Progress
from citycoop.opendata.exporters import iati_codes as codes
from citycoop.opendata.exporters.iati_codes import Activity, Document, Participant
from citycoop.portfolio.models import (
    Action,
    ActionOrganisation,
    Agreement,
    Pairing,
    PairingMember,
    PilotProject,
    Side,
)
from citycoop.registry.models import Organisation, Place, Programme, Theme
from citycoop.reports.results_models import ActualValue, Result, ValueStatus

BATCH = 100             # pairings; with them ~1,000 pilots and the figures of ~10,000 actions
SIBLING_LIMIT = 50

ThemeCodes = tuple[tuple[str, ...], tuple[int, ...]]   # (DAC codes, SDG goals)


@dataclass(frozen=True)
class Context:
    """What every activity of one export shares."""

    publisher: Participant
    site_url: str
    today: datetime.date
    themes: dict[int, ThemeCodes]
    siblings: dict[int, list[str]]      # programme id -> its pairings' slugs, small ones only
    places: dict[int, Place] = field(default_factory=dict)  # read so far, by id

    @classmethod
    def build(cls, selection: Any) -> Context:
        sizes = dict(selection.pairings().order_by().values_list("programme_id")
                     .annotate(n=Count("id")))
        siblings: dict[int, list[str]] = defaultdict(list)
        for programme_id, slug in (selection.pairings().values_list("programme_id", "slug")
                                   .iterator()):
            if sizes[programme_id] <= SIBLING_LIMIT:
                siblings[programme_id].append(slug)
        publisher = Participant(
            codes.ACCOUNTABLE, getattr(settings, "CITYCOOP_IATI_PUBLISHER_TYPE", "90"),
            getattr(settings, "CITYCOOP_IATI_PUBLISHER_NAME", "citycoop"),
            getattr(settings, "CITYCOOP_IATI_PUBLISHER", "XI-CITYCOOP"))
        return cls(publisher=publisher,
                   site_url=(getattr(settings, "CITYCOOP_SITE_URL", "") or "").rstrip("/"),
                   today=timezone.localdate(), themes=theme_codes(), siblings=dict(siblings))

    def identifier(self, pairing_slug: str, pilot_slug: str = "") -> str:
        own = f"{pairing_slug}.{pilot_slug}" if pilot_slug else pairing_slug
        return f"{self.publisher.ref}-{own}"


def export(selection: Any, out: IO[bytes], *, record: str = "",
           progress: Progress | None = None) -> None:
    """Write the selection's pairings and pilots as IATI activities (``record`` unused)."""
    context = Context.build(selection)
    total = selection.pairings().count()
    generated = timezone.now().isoformat(timespec="seconds")
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n'
              + f'<iati-activities version="2.03" generated-datetime="{generated}">\n'.encode())
    pairings = selection.pairings().select_related("programme").iterator(chunk_size=BATCH)
    done = 0
    while chunk := list(islice(pairings, BATCH)):
        batch = Batch.load(selection, chunk, context)
        xml = codes.Xml()
        for pairing in chunk:
            codes.write_activity(xml, pairing_activity(pairing, batch, context),
                                 context.publisher)
            for pilot in batch.pilots.get(pairing.pk, ()):
                codes.write_activity(xml, pilot_activity(pilot, pairing, batch, context),
                                     context.publisher)
        out.write(xml.take())
        done += len(chunk)
        if progress:
            progress(done, total)
    out.write(b"</iati-activities>\n")


# -- from records to activities -------------------------------------------------------------

def pairing_activity(pairing: Pairing, batch: Batch, context: Context) -> Activity:
    programme = pairing.programme
    pilots = batch.pilots.get(pairing.pk, [])
    siblings = [slug for slug in context.siblings.get(pairing.programme_id, [])
                if slug != pairing.slug]
    start, end = batch.pairing_span(pairing)
    return Activity(
        identifier=context.identifier(pairing.slug), hierarchy="1", updated=pairing.updated_at,
        title=pairing.label,
        description=pairing.summary or f"City-to-city cooperation {pairing.label}, in the "
                                       f"programme {programme.name}.",
        participants=[*funder(programme), context.publisher,
                      *batch.member_participants(pairing.pk)],
        status=codes.PAIRING_STATUS.get(pairing.status, "2"),
        dates=codes.activity_dates(start, end, pairing.status in codes.STARTED_PAIRING,
                                   pairing.status in codes.FINISHED_PAIRING, context.today),
        countries=batch.recipient_countries(pairing.pk),
        places=[m.place for m in batch.members.get(pairing.pk, []) if m.place is not None],
        dac=summed(batch.weights(p.pk, 0) for p in pilots),
        sdgs=summed(batch.weights(p.pk, 1) for p in pilots),
        tag=(programme.slug, programme.name),
        documents=documents(batch.agreements.get(pairing.pk, []), context.site_url),
        related=[(codes.CHILD, context.identifier(pairing.slug, p.slug)) for p in pilots]
        + [(codes.SIBLING, context.identifier(slug)) for slug in siblings],
        results=[])


def pilot_activity(pilot: PilotProject, pairing: Pairing, batch: Batch,
                   context: Context) -> Activity:
    own_start, own_end = batch.spans.get(pilot.pk, (None, None))
    pairing_start, pairing_end = batch.pairing_span(pairing)
    finished = pilot.status in codes.FINISHED_PILOT
    # A finished pilot ended with its last action; an open one is planned to run as long as
    # its pairing, or at least until its last (maybe future) action.
    ends = [day for day in (own_end, pairing_end) if day]
    start = own_start or pairing_start
    end = own_end if finished and own_end else max(ends, default=None)
    return Activity(
        identifier=context.identifier(pairing.slug, pilot.slug), hierarchy="2",
        updated=pilot.updated_at, title=pilot.title,
        description=pilot.summary or f"Pilot project of the pairing {pairing.label}.",
        participants=[*funder(pairing.programme), context.publisher,
                      *batch.organisations.get(pilot.pk, [])],
        status=codes.PILOT_STATUS.get(pilot.status, "2"),
        dates=codes.activity_dates(start, end if end and end >= start else None,
                                   pilot.status in codes.STARTED_PILOT, finished, context.today),
        countries=batch.recipient_countries(pairing.pk),
        places=batch.action_places.get(pilot.pk, []),
        dac=batch.weights(pilot.pk, 0), sdgs=batch.weights(pilot.pk, 1),
        tag=(pairing.programme.slug, pairing.programme.name),
        documents=documents(batch.pilot_agreements.get(pilot.pk, []), context.site_url),
        related=[(codes.PARENT, context.identifier(pairing.slug))],
        results=batch.results.get(pilot.pk, []))


def funder(programme: Programme) -> list[Participant]:
    # The funder is free text ("European Union"): its IATI type is not known, so none is given.
    return [Participant(codes.FUNDING, "", programme.funder)] if programme.funder else []


def summed(weights: Iterable[dict[Any, Fraction]]) -> dict[Any, Fraction]:
    """Several pilots' sector weights, each pilot counting as much as any other."""
    total: dict[Any, Fraction] = defaultdict(Fraction)
    for one in weights:
        whole = sum(one.values(), Fraction(0))
        for key, weight in one.items():
            total[key] += weight / whole
    return dict(total)


def documents(agreements: list[Agreement], site_url: str) -> list[Document]:
    found = []
    for agreement in agreements:
        url = agreement.document_url
        if not url and site_url and agreement.pairing is not None:
            url = f"{site_url}{agreement.pairing.get_absolute_url()}#agreements-heading"
        if url:
            found.append(Document(url, agreement.title,
                                  codes.DOCUMENT_CATEGORY.get(agreement.type, "A09"),
                                  signing_day(agreement)))
    return found


def signing_day(agreement: Any) -> datetime.date | None:
    """The day an agreement was signed, when the records know it to the day."""
    return agreement.signed_on_start if agreement.signed_on_precision == "day" else None


def fuzzy_bounds(record: Any, name: str) -> tuple[datetime.date | None, datetime.date | None]:
    """A FuzzyDateField's earliest start and latest end: plain columns the type checker does
    not see, since the field adds them when the model class is built."""
    return getattr(record, f"{name}_start"), getattr(record, f"{name}_end")


# -- reading, one batch of pairings at a time ------------------------------------------------

def theme_codes() -> dict[int, ThemeCodes]:
    """Each theme's valid DAC codes and SDG goals: its own, or its nearest ancestor's when
    it has none. The taxonomy is a few dozen rows: read once per export."""
    parents: dict[int, int | None] = {}
    dac: dict[int, tuple[str, ...]] = {}
    sdgs: dict[int, tuple[int, ...]] = {}
    for pk, parent, dac_codes, goals in Theme.objects.values_list(
            "id", "parent_id", "dac_codes", "sdgs"):
        parents[pk] = parent
        dac[pk] = tuple(str(c) for c in dac_codes or () if str(c) in codes.DAC_SECTORS)
        sdgs[pk] = tuple(g for g in goals or () if isinstance(g, int) and g in codes.SDG_GOALS)

    def inherited(pk: int | None, own: dict[int, tuple[Any, ...]]) -> tuple[Any, ...]:
        seen: set[int] = set()
        while pk is not None and pk in parents and pk not in seen:  # a cycle ends the walk
            seen.add(pk)
            if own[pk]:
                return own[pk]
            pk = parents[pk]
        return ()

    return {pk: (inherited(pk, dac), inherited(pk, sdgs)) for pk in parents}


def grouped(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    return groups


@dataclass
class Batch:
    """What a batch of pairings and their pilots needs, read in the same dozen queries
    whatever the batch's size: members, pilots, their themes, their actions' date spans,
    places and organisations, agreements (of the pairings, of the pilots), and the pilots'
    results with indicators, targets and approved values. Places are kept for the whole
    export (the registry is small and the same cities come back batch after batch)."""

    themes: dict[int, ThemeCodes]
    members: dict[int, list[PairingMember]]
    pilots: dict[int, list[PilotProject]]
    pilot_themes: dict[int, list[int]]
    spans: dict[int, tuple[datetime.date | None, datetime.date | None]]
    action_places: dict[int, list[Place]]
    organisations: dict[int, list[Participant]]
    agreements: dict[int, list[Agreement]]
    pilot_agreements: dict[int, list[Agreement]]
    results: dict[int, list[Result]]

    @classmethod
    def load(cls, selection: Any, pairings: list[Pairing], context: Context) -> Batch:
        pairing_ids = [pairing.pk for pairing in pairings]
        pilots = list(selection.pilots().filter(pairing_id__in=pairing_ids)
                      .order_by("pairing_id", "position", "id"))
        pilot_ids = [pilot.pk for pilot in pilots]
        actions = selection.actions().filter(pilot_id__in=pilot_ids)
        spans = actions.order_by().values("pilot_id").annotate(
            first=Min("when_start"), last=Max(Coalesce("when_end", "when_start")))
        # The actions' links by their pilots' ids (the pilots are the selection's already),
        # not by a subquery of actions: on PostgreSQL, fresh tables without statistics can
        # make the planner scan the links once per action.
        place_pairs = list(Action.places.through.objects.filter(action__pilot_id__in=pilot_ids)
                           .values_list("action__pilot_id", "place_id").distinct())
        missing = {place_id for _, place_id in place_pairs} - context.places.keys()
        context.places.update((place.pk, place)
                              for place in Place.objects.filter(pk__in=missing))
        # The links by pilot first, then the agreements the selection shows among them:
        # filtering the links by both at once makes SQLite try every pair.
        links = list(Agreement.pilots.through.objects.filter(pilotproject_id__in=pilot_ids)
                     .values_list("pilotproject_id", "agreement_id"))
        served = selection.agreements().filter(pk__in={a for _, a in links}).select_related(
            "pairing").in_bulk()
        results = Result.objects.filter(pilot_id__in=pilot_ids).prefetch_related(
            "indicators__targets",
            Prefetch("indicators__values", to_attr="approved_values",
                     queryset=ActualValue.objects.filter(status=ValueStatus.APPROVED)))
        return cls(
            themes=context.themes,
            members=grouped((m.pairing_id, m) for m in PairingMember.objects.filter(
                pairing_id__in=pairing_ids).select_related("place", "organisation")),
            pilots=grouped((pilot.pairing_id, pilot) for pilot in pilots),
            pilot_themes=grouped(PilotProject.themes.through.objects.filter(
                pilotproject_id__in=pilot_ids).values_list("pilotproject_id", "theme_id")),
            spans={row["pilot_id"]: (row["first"], row["last"]) for row in spans},
            action_places=grouped(sorted(
                ((pilot_id, context.places[place_id]) for pilot_id, place_id in place_pairs),
                key=lambda pair: (pair[0], pair[1].name))),
            organisations=action_participants(pilot_ids),
            agreements=grouped((a.pairing_id, a) for a in selection.agreements().filter(
                pairing_id__in=pairing_ids).select_related("pairing")),
            pilot_agreements=grouped(sorted(
                ((pilot_id, served[a]) for pilot_id, a in links if a in served),
                key=lambda pair: (pair[0], pair[1].title))),
            results=grouped((result.pilot_id, result) for result in results))

    def pairing_span(self, pairing: Pairing) -> tuple[datetime.date, datetime.date | None]:
        """The pairing's own dates. Else it started with its first dated action, or with its
        programme, and is planned to end with its programme (its last action tells when
        work was last recorded, not when the pairing ends). A start at least: the day the
        pairing was recorded when nothing else is known."""
        spans = [self.spans[p.pk] for p in self.pilots.get(pairing.pk, []) if p.pk in self.spans]
        own_start, _ = fuzzy_bounds(pairing, "starts")
        _, own_end = fuzzy_bounds(pairing, "ends")
        programme_start, _ = fuzzy_bounds(pairing.programme, "starts")
        _, programme_end = fuzzy_bounds(pairing.programme, "ends")
        start = (own_start or min((s for s, _ in spans if s), default=None) or programme_start
                 or pairing.created_at.date())
        end = own_end or programme_end or max((e for _, e in spans if e), default=None)
        return start, end if end and end >= start else None

    def member_participants(self, pairing_id: int) -> list[Participant]:
        participants = []
        for member in self.members.get(pairing_id, []):
            who = member.member
            if isinstance(who, Organisation):
                kind, name = codes.ORGANISATION_TYPE.get(who.type, "90"), who.name
            else:
                kind = (codes.NATIONAL_GOVERNMENT if who.kind == "country"
                        else codes.LOCAL_GOVERNMENT)
                name = member.label or who.name
            participants.append(Participant(codes.IMPLEMENTING, kind, name))
        return participants

    def recipient_countries(self, pairing_id: int) -> list[str]:
        members = self.members.get(pairing_id, [])
        partners = [m for m in members if m.side == Side.PARTNER] or members
        return sorted({m.member.country for m in partners} & codes.COUNTRIES)

    def weights(self, pilot_id: int, which: int) -> dict[Any, Fraction]:
        """The pilot's DAC codes (``which`` 0) or SDG goals (1): each of its themes weighs 1,
        shared among the theme's codes."""
        weights: dict[Any, Fraction] = defaultdict(Fraction)
        for theme_id in self.pilot_themes.get(pilot_id, []):
            found = self.themes.get(theme_id, ((), ()))[which]
            for code in found:
                weights[code] += Fraction(1, len(found))
        return dict(weights)


def action_participants(pilot_ids: list[int]) -> dict[int, list[Participant]]:
    """The organisations of the pilots' actions, once per IATI role, by pilot."""
    rows = (ActionOrganisation.objects.filter(action__pilot_id__in=pilot_ids)
            .values_list("action__pilot_id", "role", "organisation__type", "organisation__name")
            .order_by("action__pilot_id", "organisation__name").distinct())
    participants: dict[int, list[Participant]] = defaultdict(list)
    seen: set[tuple[int, str, str]] = set()
    for pilot_id, role, kind, name in rows:
        iati_role = codes.ACTION_ROLE.get(role, codes.IMPLEMENTING)
        if (pilot_id, iati_role, name) not in seen:
            seen.add((pilot_id, iati_role, name))
            participants[pilot_id].append(
                Participant(iati_role, codes.ORGANISATION_TYPE.get(kind, "90"), name))
    return participants
