"""The admin's "delete selected" action on a model that is not trashed deletes each record
through the audited service: each selected record leaves its own delete entry naming the
admin, and a failure part-way deletes none of them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client

from citycoop.accounts.models import AuditAction, AuditEntry
from citycoop.common import admin as common_admin
from citycoop.common.models import TrashedRecord
from citycoop.registry.models import Person, Place
from citycoop.registry.services import create_person, create_place

from .admin_helpers import delete_selected

pytestmark = pytest.mark.django_db



def deletion_entry(record: models.Model) -> AuditEntry:
    """The record's one delete entry in the log."""
    entries = AuditEntry.objects.filter(
        action=AuditAction.DELETE,
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=str(record.pk))
    assert entries.count() == 1
    return entries.get()


def test_people_deleted_with_the_admins_action_each_leave_a_delete_entry(
        staff: Client, admin_user: Any) -> None:
    people = [create_person({"name": name}, acting_user=admin_user)
              for name in ("Ana Lopez", "Wei Zhang")]

    delete_selected(staff, people)

    assert not Person.objects.filter(pk__in=[p.pk for p in people]).exists()
    for person in people:
        entry = deletion_entry(person)
        assert entry.actor == admin_user
        assert entry.object_repr == str(person)
        assert entry.changes["name"] == [person.name, None]
    assert not TrashedRecord.objects.exists()


def test_a_place_and_the_place_within_it_deleted_together_each_leave_their_entry(
        staff: Client, admin_user: Any) -> None:
    # Named so that the changelist (by name) deletes the region first, emptying the town's
    # link to it before the town's turn.
    region = create_place({"slug": "ashford-shire", "name": "Ashford Shire",
                           "kind": "province", "country": "GB"}, acting_user=admin_user)
    town = create_place({"slug": "little-harbour", "name": "Little Harbour", "kind": "city",
                         "country": "GB", "parent": region}, acting_user=admin_user)

    delete_selected(staff, [town, region])

    assert not Place.objects.filter(pk__in=[region.pk, town.pk]).exists()
    region_entry, town_entry = deletion_entry(region), deletion_entry(town)
    assert region_entry.actor == admin_user and town_entry.actor == admin_user
    assert region_entry.pk < town_entry.pk
    # The entry keeps the town as it was before the action, within its region.
    assert town_entry.changes["parent_id"] == [region.pk, None]


def test_a_failure_part_way_through_the_action_deletes_none(
        staff: Client, admin_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    people = [create_person({"name": name}, acting_user=admin_user)
              for name in ("Ana Lopez", "Wei Zhang")]
    real_delete = common_admin.delete_record
    calls: list[Any] = []

    def second_one_fails(instance: models.Model, **kwargs: Any) -> None:
        calls.append(instance)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        real_delete(instance, **kwargs)

    monkeypatch.setattr(common_admin, "delete_record", second_one_fails)

    with pytest.raises(RuntimeError, match="went away"):
        delete_selected(staff, people)

    assert len(calls) == 2
    assert Person.objects.filter(pk__in=[p.pk for p in people]).count() == 2
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()
