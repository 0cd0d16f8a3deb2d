"""Soft delete: a deleted pairing or organisation is kept, with everything its deletion took
along, and can be put back with its original ids for ``CITYCOOP_TRASH_DAYS`` days (30).

Deleting collects the record and every row that would go with it (what Django's deletion
cascades to, many-to-many links included), serializes them to JSON in one
:class:`~citycoop.common.models.TrashedRecord`, then deletes them for real in the same
transaction. Nothing else in the code has to know about deleted rows: lists, counts, search
and the API simply no longer see them. Restoring inserts the rows again as they were,
refusing whole when something now stands in the way (a key taken by a newer record).
"""

from __future__ import annotations

import datetime
import json
import logging
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citycoop.accounts.models import AuditAction, AuditEntry, User, audit_actor_label
from citycoop.common.models import TrashedRecord
from citycoop.common.services import diff, field_values, record_audit

logger = logging.getLogger(__name__)


class TrashRefused(Exception):
    """A deletion or a restore that cannot go ahead; the message says why, nothing changed."""


def trash_days() -> int:
    return int(getattr(settings, "CITYCOOP_TRASH_DAYS", 30))


def restorable_until(trashed: TrashedRecord) -> datetime.datetime:
    return trashed.deleted_at + datetime.timedelta(days=trash_days())


def restorable(trashed: TrashedRecord) -> bool:
    return trashed.restored_at is None and timezone.now() < restorable_until(trashed)


def restorable_records() -> models.QuerySet[TrashedRecord]:
    """What can still be put back, newest first."""
    oldest = timezone.now() - datetime.timedelta(days=trash_days())
    return TrashedRecord.objects.filter(restored_at__isnull=True, deleted_at__gt=oldest)


class KeepingCollector(Collector):
    """Django's deletion collector, made to load every row it reaches: by default it deletes
    some of them with a bare query, which would leave nothing to keep."""

    def can_fast_delete(self, *args: Any, **kwargs: Any) -> bool:
        return False


def describe(records: list[Any], limit: int = 5) -> str:
    names = [f"{type(r)._meta.verbose_name} “{r}”" for r in records[:limit]]
    if len(records) > limit:
        names.append("…")
    return "; ".join(names)


def collect(instance: models.Model) -> KeepingCollector:
    collector = KeepingCollector(using="default", origin=instance)
    try:
        collector.collect([instance])
    except (ProtectedError, RestrictedError) as error:
        blocking = list(getattr(error, "protected_objects", None)
                        or getattr(error, "restricted_objects", None) or [])
        raise TrashRefused(ngettext(
            "“%(record)s” cannot be deleted: %(count)d record still refers to it "
            "(%(names)s). Change or remove it first, or merge the two records.",
            "“%(record)s” cannot be deleted: %(count)d records still refer to it "
            "(%(names)s). Change or remove them first, or merge the two records.",
            len(blocking),
        ) % {"record": instance, "count": len(blocking), "names": describe(blocking)}) from error
    collector.sort()
    return collector


def preview(instance: models.Model) -> list[tuple[str, int]]:
    """What deleting the record would take along, as (kind, count) rows for a confirmation
    page; raises :class:`TrashRefused` when it cannot be deleted."""
    collector = collect(instance)
    return [(str(model._meta.verbose_name_plural), len(rows))
            for model, rows in reversed(list(collector.data.items()))
            if not model._meta.auto_created and model is not type(instance)]


def cleared_references(collector: KeepingCollector) -> list[dict[str, Any]]:
    """The references the deletion will empty (``on_delete=SET_NULL``), with their values
    now, so that a restore can set them back."""
    cleared = []
    for (field, _value), groups in collector.field_updates.items():
        rows: list[list[Any]] = []
        # The stubs say one instance per entry; Django stores querysets or lists of them.
        items: list[Any] = list(groups)
        for group in items:
            if isinstance(group, models.QuerySet):
                rows.extend([pk, value] for pk, value in group.values_list("pk", field.attname))
            else:
                rows.extend([row.pk, getattr(row, field.attname)] for row in group)
        if rows:
            cleared.append({"model": field.model._meta.label_lower, "field": field.attname,
                            "rows": rows})
    return cleared


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder rounds times to milliseconds (as JavaScript reads them); a restore
    must put back exactly what was there."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def serialize(collector: KeepingCollector) -> tuple[str, dict[str, int]]:
    """The collected rows as JSON, in the order they can be inserted again (parents first)."""
    rows: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for model, instances in reversed(list(collector.data.items())):
        ordered = sorted(instances, key=lambda row: row.pk)
        # Only the table's own columns: many-to-many links are rows of their link tables,
        # which the collector gathered too (both directions, e.g. an event's pairings).
        own = [f.name for f in model._meta.local_fields if not f.primary_key]
        rows.extend(serializers.serialize("python", ordered, fields=own))
        counts[model._meta.label_lower] = len(ordered)
    return json.dumps(rows, cls=ExactEncoder), counts


@transaction.atomic
def soft_delete(instance: models.Model, *, acting_user: User | None,
                undoes: AuditEntry | None = None) -> TrashedRecord:
    """Delete the record and what goes with it, keeping them all to be restored."""
    collector = collect(instance)
    cleared = cleared_references(collector)
    payload, counts = serialize(collector)
    trashed = TrashedRecord.objects.create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk), object_repr=str(instance)[:300], payload=payload,
        cleared=cleared, counts=counts,
        deleted_by=acting_user if acting_user is not None and acting_user.pk else None,
        deleted_by_label=audit_actor_label(acting_user),
    )
    changes: dict[str, Any] = diff(field_values(instance), {})
    if undoes is not None:
        changes["undoes"] = undoes.pk
    trashed.entry = record_audit(acting_user, AuditAction.DELETE, instance, changes)
    trashed.save(update_fields=["entry"])
    collector.delete()
    return trashed


# -- restore ---------------------------------------------------------------------------------

def name_of(obj: models.Model) -> str:
    """A row's name, or its id when its name needs a record that is not there (yet)."""
    try:
        return str(obj)
    except ObjectDoesNotExist:
        return f"#{obj.pk}"


def model_of(label: str) -> type[models.Model]:
    return apps.get_model(label)


def refuse(trashed: TrashedRecord, reason: str) -> TrashRefused:
    return TrashRefused(_("“%(record)s” cannot be restored: %(reason)s")
                        % {"record": trashed.object_repr, "reason": reason})


def _check_restorable(trashed: TrashedRecord) -> None:
    if trashed.restored_at is not None:
        raise refuse(trashed, _("it was restored already."))
    if not restorable(trashed):
        raise refuse(trashed, _("it was deleted more than %(days)d days ago, and deleted "
                                "records are kept for %(days)d days only.")
                     % {"days": trash_days()})


def _check_free(trashed: TrashedRecord, objects: list[models.Model]) -> None:
    """Refuse when a newer record took an id or a unique value of one being restored."""
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj)
    for model, rows in by_model.items():
        taken = set(model._default_manager.filter(pk__in=[r.pk for r in rows])
                    .values_list("pk", flat=True))
        if taken:
            clash = next(r for r in rows if r.pk in taken)
            raise refuse(trashed, _("%(kind)s “%(name)s” exists again under the same id.")
                         % {"kind": model._meta.verbose_name, "name": name_of(clash)})
        if model._meta.auto_created:
            continue  # a link row's only rule (one link per pair) cannot clash: checked above
        for row in rows:
            try:
                row.validate_unique()
                row.validate_constraints()
            except ValidationError as error:
                raise refuse(trashed, _("%(kind)s “%(name)s”: %(problem)s Rename or delete "
                                        "the record that took its place, then restore again.")
                             % {"kind": model._meta.verbose_name, "name": name_of(row),
                                "problem": " ".join(error.messages)}) from error


def _check_references(trashed: TrashedRecord, objects: list[models.Model]) -> list[models.Model]:
    """Rows whose references all still lead somewhere; a reference to something deleted
    since is emptied where the model allows it, a link row to it is dropped, and anything
    else is refused."""
    present = {(type(obj)._meta.concrete_model, obj.pk) for obj in objects}
    wanted: dict[Any, set[Any]] = defaultdict(set)
    for obj in objects:
        for field, target in references(obj):
            value = getattr(obj, field.attname)
            if value is not None and (target, value) not in present:
                wanted[target].add(value)
    missing = {
        (model, pk) for model, pks in wanted.items()
        for pk in pks - set(model._default_manager.filter(pk__in=pks)
                            .values_list("pk", flat=True))
    }
    kept = []
    for obj in objects:
        lost = [(field, target) for field, target in references(obj)
                if (target, getattr(obj, field.attname)) in missing]
        if lost and obj._meta.auto_created:
            continue
        for field, target in lost:
            if not field.null:
                raise refuse(trashed, _("%(kind)s “%(name)s” refers to a deleted %(target)s "
                                        "(id %(id)s): restore that first.")
                             % {"kind": obj._meta.verbose_name, "name": name_of(obj),
                                "target": target._meta.verbose_name,
                                "id": getattr(obj, field.attname)})
            setattr(obj, field.attname, None)
        kept.append(obj)
    return kept


def references(obj: models.Model) -> list[tuple[Any, Any]]:
    """The row's foreign keys, each with the (concrete) model it points at."""
    return [(field, field.related_model._meta.concrete_model)
            for field in obj._meta.concrete_fields
            if field.is_relation and isinstance(field.related_model, type)]


def put_back_cleared(trashed: TrashedRecord) -> list[tuple[str, list[Any]]]:
    """Set back the references the deletion emptied, where nobody has set them since."""
    done = []
    for item in trashed.cleared:
        model = model_of(item["model"])
        by_value: dict[Any, list[Any]] = defaultdict(list)
        for pk, value in item["rows"]:
            by_value[value].append(pk)
        for value, pks in by_value.items():
            model._default_manager.filter(pk__in=pks, **{item["field"]: None}).update(
                **{item["field"]: value})
        done.append((item["model"], [pk for pk, _value in item["rows"]]))
    return done


@transaction.atomic
def restore(trashed: TrashedRecord, *, acting_user: User | None) -> models.Model:
    """Put a deleted record back with everything deleted with it, under their old ids."""
    trashed = TrashedRecord.objects.select_for_update().get(pk=trashed.pk)
    _check_restorable(trashed)
    found = list(serializers.deserialize("json", trashed.payload))
    objects = [item.object for item in found]
    _check_free(trashed, objects)
    kept = _check_references(trashed, objects)
    for obj in kept:
        # Raw, as loaddata does: the rows go back exactly as they were, timestamps included.
        models.Model.save_base(obj, raw=True, force_insert=True)
    cleared = put_back_cleared(trashed)
    model = trashed.content_type.model_class()
    assert model is not None
    root = model._default_manager.get(pk=trashed.object_id)
    record_audit(acting_user, AuditAction.UNDO, root, {
        "undoes": trashed.entry_id, "restored": trashed.object_repr,
    })
    trashed.restored_at = timezone.now()
    trashed.restored_by = acting_user if acting_user is not None and acting_user.pk else None
    trashed.save(update_fields=["restored_at", "restored_by"])
    restored = [(obj._meta.label_lower, [obj.pk]) for obj in kept]
    transaction.on_commit(lambda: reindex(restored + cleared))
    return root


def reindex(rows: list[tuple[str, list[Any]]]) -> None:
    """Put the restored records back into search (the index is derived data: a failure here
    is logged, and ``citycoop reindex`` repairs it)."""
    from citycoop.search.entries import KIND_OF
    from citycoop.search.index import Targets, refresh

    targets = Targets()
    for label, pks in rows:
        kind = KIND_OF.get(model_of(label))
        if kind is not None:
            targets.add(kind, *pks)
    try:
        refresh(targets)
    except Exception:
        logger.exception("The search index missed a restore; run `citycoop reindex`.")


def purge(*, older_than_days: int | None = None) -> int:
    """Forget deleted records older than the keeping period; returns how many."""
    days = trash_days() if older_than_days is None else older_than_days
    oldest = timezone.now() - datetime.timedelta(days=days)
    count, _details = TrashedRecord.objects.filter(deleted_at__lte=oldest).delete()
    return count
