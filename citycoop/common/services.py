"""The write path every app's services build on: atomic, audited, optimistically locked.

Domain services (``create_pairing``, ``update_pilot``, ...) call these helpers so that the
rules hold everywhere: a write is one transaction, it leaves an audit entry with the diff of
fields, and an update based on a version the editor did not start from is refused whole.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from citycoop.accounts.models import AuditAction, AuditEntry, User, audit_actor_label
from citycoop.common.models import BOOKKEEPING_FIELDS

M = TypeVar("M", bound=models.Model)

# Sent after the transaction commits: (sender=model class, instance, action, changes).
record_changed = Signal()


class StaleEditError(Exception):
    """The record changed since the editor loaded it; nothing was written."""

    def __init__(self, instance: models.Model, expected: int, current: int) -> None:
        self.instance, self.expected, self.current = instance, expected, current
        super().__init__(
            _(
                "%(record)s was changed by someone else since you opened it (you started from "
                "version %(expected)s, it is now at version %(current)s). Nothing was saved: "
                "reload it to see their change, then make yours again."
            )
            % {"record": instance, "expected": expected, "current": current}
        )


def plain(value: Any) -> Any:
    """A JSON-safe form of a field value, for audit diffs."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def field_values(instance: models.Model) -> dict[str, Any]:
    """The record's own column values, by attribute name (``programme_id`` for a foreign key)."""
    return {
        field.attname: plain(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.attname not in BOOKKEEPING_FIELDS
    }


def many_values(instance: models.Model, names: Iterable[str]) -> dict[str, list[Any]]:
    return {name: sorted(getattr(instance, name).values_list("pk", flat=True)) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record_audit(
    acting_user: User | None, action: str, instance: models.Model, changes: dict[str, Any]
) -> AuditEntry:
    entry = AuditEntry.objects.create(
        actor=acting_user if acting_user is not None and acting_user.pk else None,
        actor_label=audit_actor_label(acting_user),
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes,
    )
    transaction.on_commit(
        lambda: record_changed.send(
            sender=type(instance), instance=instance, action=action, changes=changes
        )
    )
    return entry


def assign(instance: models.Model, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if not hasattr(type(instance), name) and name not in {
            f.attname for f in instance._meta.concrete_fields
        }:
            raise TypeError(f"{type(instance).__name__} has no field {name!r}")
        setattr(instance, name, value)


@transaction.atomic
def create_record(
    model: type[M],
    values: Mapping[str, Any],
    *,
    acting_user: User | None,
    many: Mapping[str, Iterable[Any]] | None = None,
) -> M:
    """Validate and insert one record (with its many-to-many sets), and audit it."""
    instance = model()
    assign(instance, values)
    instance.full_clean()
    instance.save()
    for name, items in (many or {}).items():
        getattr(instance, name).set(items)
    changes = diff({}, {**field_values(instance), **many_values(instance, (many or {}).keys())})
    record_audit(acting_user, AuditAction.CREATE, instance, changes)
    return instance


@transaction.atomic
def update_record(
    instance: M,
    values: Mapping[str, Any],
    *,
    acting_user: User | None,
    expected_version: int | None,
    many: Mapping[str, Iterable[Any]] | None = None,
) -> M:
    """Apply changes to a record, or refuse them if it moved on since ``expected_version``.

    ``expected_version=None`` is for writers that hold no earlier copy (the importer and the
    demo loader compare values themselves). An update that changes nothing writes nothing.
    """
    model = type(instance)
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    current_version = getattr(current, "version", None)
    if expected_version is not None and current_version != expected_version:
        raise StaleEditError(current, expected_version, current_version or 0)
    many = many or {}
    before = {**field_values(current), **many_values(current, many.keys())}
    assign(current, values)
    after_fields = field_values(current)
    after_many = {name: sorted(plain(i) for i in items) for name, items in many.items()}
    changes = diff(before, {**after_fields, **after_many})
    if not changes:
        return current
    current.full_clean()
    if current_version is not None:
        current.version = current_version + 1  # type: ignore[attr-defined]
    current.save()
    for name, items in many.items():
        getattr(current, name).set(items)
    record_audit(acting_user, AuditAction.UPDATE, current, changes)
    return current


@transaction.atomic
def delete_record(instance: models.Model, *, acting_user: User | None) -> None:
    changes = diff(field_values(instance), {})
    record_audit(acting_user, AuditAction.DELETE, instance, changes)
    instance.delete()


def upsert_record(
    model: type[M],
    lookup: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    acting_user: User | None,
    many: Mapping[str, Iterable[Any]] | None = None,
) -> tuple[M, str]:
    """Create the record ``lookup`` names, or bring it to ``values``; say which happened.

    Returns the record and one of ``"created"``, ``"changed"`` or ``"same"``: loaders use it to
    be idempotent (a second run finds everything the same and writes nothing).
    """
    existing = model._default_manager.filter(**lookup).first()
    if existing is None:
        created = create_record(model, {**lookup, **values}, acting_user=acting_user, many=many)
        return created, "created"
    version = getattr(existing, "version", None)
    updated = update_record(existing, values, acting_user=acting_user, expected_version=None,
                            many=many)
    return updated, ("same" if getattr(updated, "version", None) == version
                     and not _changed_unversioned(existing, updated) else "changed")


def _changed_unversioned(before: models.Model, after: models.Model) -> bool:
    # Child rows (pairing members, parties) carry no version: compare their values instead.
    if hasattr(before, "version"):
        return False
    return field_values(before) != field_values(after)


@transaction.atomic
def sync_children(
    queryset: models.QuerySet,
    keep: Iterable[models.Model],
    *,
    acting_user: User | None,
) -> int:
    """Delete (with an audit entry each) the rows of ``queryset`` that are not in ``keep``."""
    keep_ids = {row.pk for row in keep}
    removed = 0
    for row in queryset.exclude(pk__in=keep_ids):
        delete_record(row, acting_user=acting_user)
        removed += 1
    return removed
