"""Merging duplicate organisations, and undoing a merge.

A merge moves every reference from the dropped organisation to the kept one (action roles,
pairing members, agreement parties, participations, people, units, organised events,
provenance), adds the dropped names to the kept one's other names, and deletes the dropped
record. The audit entry keeps everything needed to put it all back: undoing a merge
recreates the dropped organisation with its id and moves the references back.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from rapidfuzz import fuzz

from citycoop.accounts.models import AuditAction, AuditEntry, User
from citycoop.common.services import field_values, record_audit
from citycoop.events.models import Event, Participation
from citycoop.imports.models import Provenance
from citycoop.lib.text import fold
from citycoop.portfolio.models import ActionOrganisation, AgreementParty, PairingMember

from .models import Organisation, Person

# (model, the field pointing at the organisation, fields that make a row unique with it)
REFERENCES: list[tuple[Any, str, tuple[str, ...]]] = [
    (ActionOrganisation, "organisation", ("action",)),
    (PairingMember, "organisation", ("pairing",)),
    (AgreementParty, "organisation", ()),
    (Participation, "organisation", ("event", "person")),
    (Person, "organisation", ()),
    (Organisation, "parent", ()),
]


class MergeRefused(ValueError):
    pass


def label(model: Any) -> str:
    return model._meta.label


@transaction.atomic
def merge_organisations(keep: Organisation, drop: Organisation, *,
                        acting_user: User | None) -> AuditEntry:
    if keep.pk == drop.pk:
        raise MergeRefused("An organisation cannot be merged into itself.")
    record: dict[str, Any] = {"dropped": {"id": drop.pk, **field_values(drop)},
                              "moved": [], "removed": [], "aliases_before": keep.aliases}
    for model, fk, unique_with in REFERENCES:
        for row in model.objects.filter(**{fk: drop}):
            clash = unique_with and model.objects.filter(
                **{fk: keep}, **{f: getattr(row, f) for f in unique_with}).exists()
            if clash:
                # The kept organisation already has this role here: one row is enough.
                record["removed"].append({"model": label(model),
                                          "values": {"id": row.pk, **field_values(row)}})
                row.delete()
            else:
                setattr(row, fk, keep)
                row.save(update_fields=[fk])
                record["moved"].append({"model": label(model), "id": row.pk, "field": fk})
    for event in Event.objects.filter(organisers=drop):
        event.organisers.remove(drop)
        event.organisers.add(keep)
        record["moved"].append({"model": "events.Event.organisers", "id": event.pk})
    org_type = ContentType.objects.get_for_model(Organisation)
    for row in Provenance.objects.filter(content_type=org_type, object_id=drop.pk):
        row.object_id = keep.pk
        if Provenance.objects.filter(document=row.document, content_type=org_type,
                                     object_id=keep.pk, field=row.field).exists():
            record["removed"].append({"model": "imports.Provenance",
                                      "values": {"id": row.pk, **field_values(row),
                                                 "object_id": drop.pk}})
            Provenance.objects.filter(pk=row.pk).delete()
        else:
            row.save(update_fields=["object_id"])
            record["moved"].append({"model": "imports.Provenance", "id": row.pk,
                                    "field": "object_id"})
    names = [drop.name, drop.acronym, *(drop.aliases or [])]
    keep.aliases = [*(keep.aliases or []),
                    *[n for n in dict.fromkeys(names) if n and fold(n) != fold(keep.name)
                      and n not in (keep.aliases or [])]]
    keep.version += 1
    keep.save(update_fields=["aliases", "version", "updated_at"])
    Organisation.objects.filter(pk=drop.pk).delete()
    return record_audit(acting_user, AuditAction.MERGE, keep, {"merge": record})


@transaction.atomic
def undo_merge(entry: AuditEntry, *, acting_user: User | None) -> Organisation:
    if entry.action != AuditAction.MERGE:
        raise MergeRefused("This change is not a merge.")
    if AuditEntry.objects.filter(action=AuditAction.UNDO,
                                 changes__undoes=entry.pk).exists():
        raise MergeRefused("This merge has been undone already.")
    record = entry.changes["merge"]
    keep = Organisation.objects.get(pk=int(entry.object_id))
    dropped = dict(record["dropped"])
    drop = Organisation(**{key: value for key, value in dropped.items()})
    drop.save(force_insert=True)
    for moved in record["moved"]:
        if moved["model"] == "events.Event.organisers":
            event = Event.objects.get(pk=moved["id"])
            event.organisers.remove(keep)
            event.organisers.add(drop)
            continue
        model = model_for(moved["model"])
        model.objects.filter(pk=moved["id"]).update(
            **{moved["field"]: drop.pk if moved["field"] == "object_id" else drop})
    for removed in record["removed"]:
        model = model_for(removed["model"])
        # field_values() keys are attribute names ("action_id"), which the model accepts.
        model(**removed["values"]).save(force_insert=True)
    keep.aliases = record["aliases_before"]
    keep.version += 1
    keep.save(update_fields=["aliases", "version", "updated_at"])
    record_audit(acting_user, AuditAction.UNDO, keep, {"undoes": entry.pk,
                                                       "restored": drop.name})
    return drop


def model_for(label_text: str) -> Any:
    from django.apps import apps

    return apps.get_model(label_text)


def duplicate_candidates(limit: int = 50) -> list[tuple[Organisation, Organisation, float, str]]:
    """Pairs of organisations that look like one body written two ways, best first: an
    acronym or other name of one is the name of the other, or the names are nearly equal."""
    organisations = list(Organisation.objects.only("id", "slug", "name", "acronym", "aliases",
                                                   "country", "type"))
    by_name: dict[str, Organisation] = {}
    for org in organisations:
        by_name.setdefault(fold(org.name), org)
    found: dict[tuple[int, int], tuple[Organisation, Organisation, float, str]] = {}
    for org in organisations:
        for other_name in [org.acronym, *(org.aliases or [])]:
            other = by_name.get(fold(other_name or ""))
            if other is not None and other.pk != org.pk:
                key = (min(org.pk, other.pk), max(org.pk, other.pk))
                found[key] = (org, other, 100.0, f"'{other_name}' names both")
    # Near-equal names: compare within the same first letter to keep this quick.
    groups: dict[str, list[Organisation]] = {}
    for org in organisations:
        groups.setdefault(fold(org.name)[:1], []).append(org)
    for members in groups.values():
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                score = fuzz.token_sort_ratio(fold(first.name), fold(second.name))
                key = (min(first.pk, second.pk), max(first.pk, second.pk))
                if score >= 88 and key not in found:
                    found[key] = (first, second, score, "similar names")
    return sorted(found.values(), key=lambda row: -row[2])[:limit]
