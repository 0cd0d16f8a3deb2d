"""Keeps the search index current: a full rebuild, and the re-indexing after each write.

``reindex_all()`` rebuilds every entry from the records. ``on_record_changed`` (connected to
``record_changed`` in the app's ``ready()``) re-indexes what one audited write touched, after
it commits. Bulk writers can wrap their work in ``deferred()`` to re-index once at the end.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import translation

from citycoop.accounts.models import AuditAction
from citycoop.events.models import Event
from citycoop.portfolio.models import (
    Action,
    ActionOrganisation,
    Agreement,
    AgreementParty,
    Pairing,
    PairingMember,
    PilotProject,
)
from citycoop.practices.models import Need, Practice, PracticeText
from citycoop.registry.models import Organisation, Place, Programme, Theme

from .backends import get_backend
from .entries import BATCH, KIND_OF, MODELS, Facts, batched, builders
from .models import Kind, SearchEntry

logger = logging.getLogger(__name__)


def content_type_ids() -> dict[str, int]:
    # get_for_models caches, so this costs no query after the first call.
    types = ContentType.objects.get_for_models(*MODELS.values())
    return {kind: types[model].pk for kind, model in MODELS.items()}


def in_index_language() -> translation.override:
    # Labels such as "university" are indexed in the site's language whatever the language
    # of the request whose write triggered the update, so that one search finds them all.
    return translation.override(settings.LANGUAGE_CODE)


def reindex_all() -> int:
    """Rebuild the whole index from the records; returns the number of entries."""
    backend = get_backend()
    types = content_type_ids()
    facts = Facts()
    count = 0
    with in_index_language(), transaction.atomic(), backend.connection.cursor() as cursor:
        backend.clear(cursor)
        SearchEntry.objects.all().delete()
        for kind, build in builders().items():
            for batch in batched(build(None, facts), BATCH):
                SearchEntry.objects.bulk_create(
                    [SearchEntry(content_type_id=types[kind], **row) for row in batch])
                count += len(batch)
        backend.rebuilt(cursor)
    return count


def refresh(targets: dict[str, set[int]]) -> None:
    """Re-index these records ({kind: ids}); a record that is gone loses its entry."""
    backend = get_backend()
    types = content_type_ids()
    facts = Facts()
    with in_index_language(), transaction.atomic(), backend.connection.cursor() as cursor:
        for kind, ids in targets.items():
            for chunk in batched(sorted(i for i in ids if i is not None), BATCH):
                rows = list(builders()[kind](chunk, facts))
                old = SearchEntry.objects.filter(content_type_id=types[kind], object_id__in=chunk)
                backend.entries_removing(cursor, old)
                old.delete()
                new = SearchEntry.objects.bulk_create(
                    [SearchEntry(content_type_id=types[kind], **row) for row in rows])
                backend.entries_added(cursor, [e.pk for e in new])


def kind_of(record: models.Model) -> str:
    try:
        return KIND_OF[type(record)]
    except KeyError:
        raise TypeError(f"{type(record).__name__} records are not searchable") from None


def entry_for(record: models.Model) -> dict:
    """The entry values of one searchable record, as the index would store them."""
    with in_index_language():
        found = list(builders()[kind_of(record)]([record.pk], Facts()))
    if not found:
        raise LookupError(f"{record!r} is not in the database")
    return found[0]


def update_entry(record: models.Model) -> None:
    """Re-index one record (its own entry only: ``on_record_changed`` also does dependents)."""
    refresh({kind_of(record): {record.pk}})


def remove_entry(record: models.Model) -> None:
    """Drop the entry of one record, whether or not the record still exists."""
    backend = get_backend()
    entries = SearchEntry.objects.filter(content_type_id=content_type_ids()[kind_of(record)],
                                         object_id=record.pk)
    with transaction.atomic(), backend.connection.cursor() as cursor:
        backend.entries_removing(cursor, entries)
        entries.delete()


def sweep() -> None:
    """Drop the entries of deleted records (a delete cascades with no signal per row), and
    re-index entries that named a pairing that is gone (agreements live on without it)."""
    backend = get_backend()
    types = content_type_ids()
    with transaction.atomic(), backend.connection.cursor() as cursor:
        for kind, model in MODELS.items():
            orphans = SearchEntry.objects.filter(content_type_id=types[kind]).exclude(
                object_id__in=model._default_manager.values("pk"))
            backend.entries_removing(cursor, orphans)
            orphans.delete()
    kinds = {ct: kind for kind, ct in types.items()}
    targets: dict[str, set[int]] = defaultdict(set)
    for content_type_id, object_id in SearchEntry.objects.filter(
            pairing_pk__isnull=False).exclude(pairing_pk__in=Pairing.objects.values("pk")
                                              ).values_list("content_type_id", "object_id"):
        targets[kinds[content_type_id]].add(object_id)
    if targets:
        refresh(targets)


# -- what one write touches -----------------------------------------------------------------

class Targets(defaultdict[str, set[int]]):
    """Records to re-index, by kind."""

    def __init__(self) -> None:
        super().__init__(set)

    def add(self, kind: str, *ids: int | None) -> None:
        self[kind].update(i for i in ids if i is not None)

    def add_query(self, kind: str, queryset: models.QuerySet) -> None:
        self.add(kind, *queryset.values_list("pk", flat=True))

    def add_pairings(self, pairing_ids: Iterable[int], *, borrowers: bool = True) -> None:
        """Pairings with their pilots and actions (which take the pairing's countries and
        visibility) and, with ``borrowers``, the agreements and events that name them."""
        pairing_ids = [p for p in pairing_ids if p is not None]
        if not pairing_ids:
            return
        self.add(Kind.PAIRING, *pairing_ids)
        self.add_query(Kind.PILOT, PilotProject.objects.filter(pairing_id__in=pairing_ids))
        self.add_query(Kind.ACTION, Action.objects.filter(pilot__pairing_id__in=pairing_ids))
        if borrowers:
            self.add_query(Kind.AGREEMENT, Agreement.objects.filter(pairing_id__in=pairing_ids))
            self.add_query(Kind.EVENT, Event.objects.filter(
                Q(pairings__in=pairing_ids) | Q(pilots__pairing_id__in=pairing_ids)))

    def add_pilots(self, pilot_ids: Iterable[int]) -> None:
        """Pilots with their actions, and the pairings and agreements that sum up their themes."""
        pilot_ids = list(pilot_ids)
        self.add(Kind.PILOT, *pilot_ids)
        self.add_query(Kind.ACTION, Action.objects.filter(pilot_id__in=pilot_ids))
        self.add_query(Kind.AGREEMENT, Agreement.objects.filter(pilots__in=pilot_ids))
        self.add_query(Kind.PAIRING, Pairing.objects.filter(pilots__in=pilot_ids))

    def merge(self, other: Targets) -> None:
        for kind, ids in other.items():
            self[kind] |= ids


def affected(instance: models.Model, action: str, changes: dict | None = None) -> Targets:
    """The records whose entries one write changed.

    A record created by a write is indexed alone (with the parent entry that sums it up): the
    records that borrow its name are created after it and are indexed by their own signal.
    An update also reaches those borrowers. A deleted record's id is gone (Django clears it),
    so deletes are left to ``sweep()``; child rows still name their parent.
    """
    targets = Targets()
    changes = changes or {}
    created, deleted = action == AuditAction.CREATE, action == AuditAction.DELETE
    pk = None if deleted else instance.pk
    match instance:
        case Pairing():
            if pk is not None and not created:
                targets.add_pairings([pk])
            targets.add(Kind.PAIRING, pk)
        case PairingMember():  # the pairing's names; its pilots' and actions' countries
            targets.add_pairings([instance.pairing_id], borrowers=False)
        case PilotProject():
            targets.add(Kind.PAIRING, instance.pairing_id)
            if pk is not None and not created:
                targets.add_pilots([pk])
            targets.add(Kind.PILOT, pk)
        case Action() | Agreement() | Event():
            targets.add(KIND_OF[type(instance)], pk)
        case ActionOrganisation():
            targets.add(Kind.ACTION, instance.action_id)
        case AgreementParty():
            targets.add(Kind.AGREEMENT, instance.agreement_id)
        case Organisation():
            targets.add(Kind.ORGANISATION, pk)
            if pk is not None and not created:
                targets.add_query(Kind.ORGANISATION, Organisation.objects.filter(parent_id=pk))
                targets.add_query(Kind.ACTION, Action.objects.filter(roles__organisation_id=pk))
                targets.add_query(Kind.AGREEMENT,
                                  Agreement.objects.filter(parties__organisation_id=pk))
                targets.add_query(Kind.EVENT, Event.objects.filter(organisers=pk))
                targets.add_pairings(PairingMember.objects.filter(organisation_id=pk)
                                     .values_list("pairing_id", flat=True), borrowers=False)
        case Place():
            targets.add(Kind.PLACE, pk)
            if pk is not None and not created:
                targets.add_query(Kind.PLACE, Place.objects.filter(parent_id=pk))
                targets.add_query(Kind.ORGANISATION, Organisation.objects.filter(place_id=pk))
                targets.add_query(Kind.ACTION, Action.objects.filter(places=pk))
                targets.add_query(Kind.AGREEMENT, Agreement.objects.filter(parties__place_id=pk))
                targets.add_query(Kind.EVENT, Event.objects.filter(place_id=pk))
                targets.add_pairings(PairingMember.objects.filter(place_id=pk)
                                     .values_list("pairing_id", flat=True), borrowers=False)
        case Theme():
            if pk is not None and not created:
                targets.add_pilots(PilotProject.objects.filter(themes=pk)
                                   .values_list("pk", flat=True))
                targets.add_query(Kind.PRACTICE, Practice.objects.filter(themes=pk))
                targets.add_query(Kind.NEED, Need.objects.filter(themes=pk))
        case Practice() | Need():
            targets.add(KIND_OF[type(instance)], pk)
        case PracticeText():
            targets.add(Kind.PRACTICE, instance.practice_id)
        case Programme():
            # Entries carry the programme's slug only (names are looked up when shown).
            if pk is not None and not created and "slug" in changes:
                targets.add_pairings(Pairing.objects.filter(programme_id=pk)
                                     .values_list("pk", flat=True))
    return targets


# -- the receiver ---------------------------------------------------------------------------

class Pending(threading.local):
    """Work collected inside ``deferred()``, per thread."""

    def __init__(self) -> None:
        self.depth = 0
        self.targets = Targets()
        self.sweep = False
        self.rebuild = False


pending = Pending()


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the re-indexing that writes inside this block ask for, and do it once at the
    end: a loader that writes a pairing, its members, pilots and actions one by one would
    otherwise re-index the pairing's entries once per member."""
    pending.depth += 1
    try:
        yield
    finally:
        pending.depth -= 1
        if pending.depth == 0:
            targets, do_sweep, rebuild = pending.targets, pending.sweep, pending.rebuild
            pending.targets, pending.sweep, pending.rebuild = Targets(), False, False
            update_index(targets, do_sweep, rebuild)


def update_index(targets: Targets, do_sweep: bool, rebuild: bool) -> None:
    if rebuild:
        reindex_all()
        return
    if do_sweep:
        sweep()
    if any(targets.values()):
        refresh(targets)


def on_record_changed(sender: type[models.Model], instance: models.Model, action: str,
                      changes: dict | None = None, **kwargs: Any) -> None:
    """Keep the index current after an audited write (``record_changed``, sent on commit)."""
    try:
        # generate_portfolio() bulk-inserts a whole portfolio and audits it as one write on
        # its programme: only a rebuild catches up with that.
        rebuild = isinstance(instance, Programme) and "generated" in (changes or {})
        # A delete cascades to rows that send no signal of their own.
        do_sweep = action == AuditAction.DELETE and type(instance) in KIND_OF
        targets = Targets() if rebuild else affected(instance, action, changes)
        if pending.depth:
            pending.targets.merge(targets)
            pending.sweep |= do_sweep
            pending.rebuild |= rebuild
            return
        update_index(targets, do_sweep, rebuild)
    except Exception:
        # The write itself is committed: failing the request now would tell the user it was
        # not. The index is derived data, and reindex_all() repairs it.
        logger.exception("The search index missed a change to %s %r; run reindex_all().",
                         type(instance).__name__, instance)
