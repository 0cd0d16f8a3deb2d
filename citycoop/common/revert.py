"""Reverting one change from its audit entry.

A change of fields is reverted by writing the old values back through ``update_record`` (so
the revert is audited like any edit, as an "undo" entry that names the entry it undoes), and
only if nobody has changed those fields since: a revert never overwrites newer work. A
creation is reverted by deleting the record into the trash, a deletion by restoring it from
the trash, a merge of organisations by undoing the merge.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from citycoop.accounts.models import AuditAction, AuditEntry, User
from citycoop.common.models import TrashedRecord
from citycoop.common.services import field_values, many_values, update_record
from citycoop.common.trash import TrashRefused, restore, soft_delete

# Keys of an entry's changes that are notes about the change rather than fields.
NOTES = frozenset({"undoes", "restored"})


class RevertRefused(Exception):
    """The change cannot be reverted; the message says why, and nothing was written."""


def field_changes(entry: AuditEntry) -> dict[str, list[Any]]:
    """The entry's {field: [old, new]} pairs, without its notes."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    return {name: value for name, value in changes.items()
            if name not in NOTES and isinstance(value, list) and len(value) == 2}


def field_names(model: type[models.Model]) -> tuple[set[str], set[str]]:
    """The names an audit diff uses for this model: column attnames and many-to-many names."""
    return ({f.attname for f in model._meta.concrete_fields},
            {f.name for f in model._meta.many_to_many})


def revert_kind(entry: AuditEntry) -> str | None:
    """How the entry would be reverted ("update", "create", "delete", "merge"), or None when
    it cannot be. Costs no query when the entry's content type was loaded with it; whether
    the record still allows it is checked when reverting."""
    model = entry.content_type.model_class()
    if model is None:
        return None
    if entry.action in {AuditAction.UPDATE, AuditAction.UNDO}:
        fields = field_changes(entry)
        columns, many = field_names(model)
        if fields and set(fields) <= columns | many:
            return "update"
        return None
    kinds: dict[str, str] = {AuditAction.CREATE: "create", AuditAction.DELETE: "delete",
                             AuditAction.MERGE: "merge"}
    return kinds.get(entry.action)


def label_of(model: type[models.Model], name: str) -> str:
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if name in {field.name, getattr(field, "attname", field.name)}:
            return str(field.verbose_name)
    return name


@transaction.atomic
def revert_entry(entry: AuditEntry, *, acting_user: User | None) -> AuditEntry:
    """Revert one change; returns the audit entry of the revert. Atomic: a refusal
    (:class:`RevertRefused`) leaves everything as it was."""
    kind = revert_kind(entry)
    model = entry.content_type.model_class()
    if kind is None or model is None:
        raise RevertRefused(_("This change cannot be reverted from the log."))
    if kind == "update":
        return _revert_update(entry, model, acting_user)
    if kind == "create":
        return _revert_create(entry, model, acting_user)
    if kind == "delete":
        return _revert_delete(entry, acting_user)
    return _revert_merge(entry, acting_user)


def current_record(entry: AuditEntry, model: type[models.Model]) -> models.Model:
    record = model._default_manager.select_for_update().filter(pk=entry.object_id).first()
    if record is None:
        raise RevertRefused(_("“%(record)s” no longer exists, so this change cannot be "
                              "reverted.") % {"record": entry.object_repr})
    return record


def _revert_update(entry: AuditEntry, model: type[models.Model],
                  acting_user: User | None) -> AuditEntry:
    record = current_record(entry, model)
    fields = field_changes(entry)
    columns, many_names = field_names(model)
    many = [name for name in fields if name in many_names]
    now = {**field_values(record), **many_values(record, many)}
    moved = [name for name, (_old, new) in fields.items() if now.get(name) != new]
    if moved:
        raise RevertRefused(_(
            "“%(record)s” has been changed again since (%(fields)s): reverting would "
            "overwrite that newer change, so nothing was reverted. Edit the record instead."
        ) % {"record": record, "fields": ", ".join(label_of(model, n) for n in moved)})
    last_before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        update_record(record, {name: old for name, (old, _new) in fields.items()
                               if name in columns},
                      acting_user=acting_user, expected_version=None,
                      many={name: fields[name][0] or [] for name in many})
    except ValidationError as error:
        raise RevertRefused(_("The old values are no longer valid: %(problem)s")
                            % {"problem": " ".join(error.messages)}) from error
    written = AuditEntry.objects.filter(
        pk__gt=last_before, content_type=entry.content_type, object_id=entry.object_id,
        action=AuditAction.UPDATE).order_by("-pk").first()
    if written is None:  # pragma: no cover - the fields differed, so update_record wrote
        raise RevertRefused(_("Nothing to revert: the record already has these values."))
    # update_record audits the write as an ordinary change: mark it as this entry's undo, in
    # the same transaction, so that the log says what it reverts (as an undone merge does).
    written.action = AuditAction.UNDO
    written.changes = {**written.changes, "undoes": entry.pk}
    written.save(update_fields=["action", "changes"])
    return written


def _revert_create(entry: AuditEntry, model: type[models.Model],
                  acting_user: User | None) -> AuditEntry:
    record = current_record(entry, model)
    try:
        trashed = soft_delete(record, acting_user=acting_user, undoes=entry)
    except TrashRefused as error:
        raise RevertRefused(str(error)) from error
    assert trashed.entry is not None
    return trashed.entry


def _revert_delete(entry: AuditEntry, acting_user: User | None) -> AuditEntry:
    trashed = TrashedRecord.objects.filter(entry=entry).first()
    if trashed is None:
        raise RevertRefused(_("“%(record)s” was deleted without being kept: only pairings and "
                              "organisations (and records removed by reverting their "
                              "creation) can be restored.") % {"record": entry.object_repr})
    try:
        restore(trashed, acting_user=acting_user)
    except TrashRefused as error:
        raise RevertRefused(str(error)) from error
    return AuditEntry.objects.filter(action=AuditAction.UNDO,
                                     changes__undoes=entry.pk).latest("pk")


def _revert_merge(entry: AuditEntry, acting_user: User | None) -> AuditEntry:
    from citycoop.registry.merge import MergeRefused, undo_merge

    try:
        undo_merge(entry, acting_user=acting_user)
    except MergeRefused as error:
        raise RevertRefused(str(error)) from error
    return AuditEntry.objects.filter(action=AuditAction.UNDO,
                                     changes__undoes=entry.pk).latest("pk")
