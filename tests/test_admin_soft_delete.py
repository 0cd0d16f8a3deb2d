"""Deleting a pairing or an organisation in the Django admin (its delete page or the "delete
selected" action) puts it in the trash, as the workspace does: restorable for 30 days from
/audit/trash/. Other models keep the admin's audited delete."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client

from citycoop.accounts.models import AuditAction, AuditEntry
from citycoop.common.models import TrashedRecord
from citycoop.common.trash import restorable, restorable_records, restore
from citycoop.portfolio.models import Pairing, PilotProject
from citycoop.registry.models import Organisation, Person
from citycoop.registry.services import create_organisation, create_person

from .admin_helpers import admin_url, delete_selected

pytestmark = pytest.mark.django_db


def delete_on_its_page(client: Client, record: models.Model) -> None:
    url = admin_url(type(record), "delete", record.pk)
    assert client.get(url).status_code == 200  # the confirmation page
    answer = client.post(url, {"post": "yes"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert answer.url == admin_url(type(record), "changelist")



def trashed(record: models.Model, user: Any) -> TrashedRecord:
    """The record's entry in the trash, restorable, made by the admin's deletion."""
    kept = TrashedRecord.objects.get(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=str(record.pk))
    assert restorable(kept) and kept in restorable_records()
    assert kept.deleted_by == user
    assert kept.entry is not None and kept.entry.action == AuditAction.DELETE
    assert kept.entry.actor == user
    return kept


def test_a_pairing_deleted_on_its_admin_page_goes_to_the_trash_and_comes_back_whole(
        staff: Client, admin_user: Any, demo: Any) -> None:
    pairing = Pairing.objects.get(slug="lyon-guangzhou")
    pilots = sorted(pairing.pilots.values_list("pk", "slug"))
    assert pilots

    delete_on_its_page(staff, pairing)

    assert not Pairing.objects.filter(pk=pairing.pk).exists()
    assert not PilotProject.objects.filter(pk__in=[pk for pk, _slug in pilots]).exists()
    kept = trashed(pairing, admin_user)
    back = restore(kept, acting_user=admin_user)
    assert back.pk == pairing.pk and back.slug == pairing.slug
    assert sorted(PilotProject.objects.filter(pairing=back).values_list("pk", "slug")) == pilots


def test_pairings_deleted_with_the_admins_action_go_to_the_trash_and_come_back(
        staff: Client, admin_user: Any, demo: Any) -> None:
    pairings = list(Pairing.objects.filter(slug__in=["lyon-guangzhou",
                                                     "barcelona-wuhan-chengdu"]))
    assert len(pairings) == 2

    delete_selected(staff, pairings)

    assert not Pairing.objects.filter(pk__in=[p.pk for p in pairings]).exists()
    for pairing in pairings:
        restore(trashed(pairing, admin_user), acting_user=admin_user)
    assert Pairing.objects.filter(pk__in=[p.pk for p in pairings]).count() == 2


def test_an_organisation_deleted_on_its_admin_page_goes_to_the_trash_and_comes_back(
        staff: Client, admin_user: Any, demo: Any) -> None:
    organisation = create_organisation({"slug": "harbour-board", "name": "Harbour Board",
                                        "type": "other"}, acting_user=admin_user)
    person = create_person({"name": "Ana Lopez", "organisation": organisation},
                           acting_user=admin_user)

    delete_on_its_page(staff, organisation)

    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    person.refresh_from_db()
    assert person.organisation is None
    restore(trashed(organisation, admin_user), acting_user=admin_user)
    assert Organisation.objects.get(pk=organisation.pk).slug == "harbour-board"
    person.refresh_from_db()
    assert person.organisation_id == organisation.pk


@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest first", "newest first"])
def test_organisations_deleted_with_the_admins_action_go_to_the_trash_and_come_back(
        staff: Client, admin_user: Any, demo: Any, newest_first: bool) -> None:
    board = create_organisation({"slug": "harbour-board", "name": "Harbour Board",
                                 "type": "other"}, acting_user=admin_user)
    unit = create_organisation({"slug": "harbour-lab", "name": "Harbour Lab", "type": "other",
                                "parent": board}, acting_user=admin_user)

    delete_selected(staff, [board, unit])

    assert not Organisation.objects.filter(pk__in=[board.pk, unit.pk]).exists()
    kept = sorted([trashed(board, admin_user), trashed(unit, admin_user)],
                  key=lambda record: record.pk, reverse=newest_first)
    for record in kept:
        restore(record, acting_user=admin_user)
    # Whichever comes back first, the unit hangs from its board again.
    assert Organisation.objects.get(pk=unit.pk).parent_id == board.pk


def test_an_organisation_that_records_still_name_is_refused_and_not_deleted(
        staff: Client, demo: Any) -> None:
    organisation = Organisation.objects.filter(action_roles__isnull=False).first()
    assert organisation is not None
    url = admin_url(Organisation, "delete", organisation.pk)
    answer = staff.post(url, {"post": "yes"})
    assert answer.status_code == 200 and "Cannot delete" in answer.content.decode()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert not TrashedRecord.objects.exists()


def test_other_models_keep_the_admins_audited_delete(
        staff: Client, admin_user: Any, demo: Any) -> None:
    person = create_person({"name": "Ana Lopez"}, acting_user=admin_user)

    delete_on_its_page(staff, person)

    assert not Person.objects.filter(pk=person.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_id=str(person.pk),
                                     content_type__model="person", actor=admin_user).exists()
    assert not TrashedRecord.objects.exists()


def test_the_trash_itself_cannot_be_emptied_by_hand_in_the_admin(
        staff: Client, admin_user: Any, demo: Any) -> None:
    pairing = Pairing.objects.get(slug="lyon-guangzhou")
    delete_on_its_page(staff, pairing)
    kept = trashed(pairing, admin_user)
    assert staff.get(admin_url(TrashedRecord, "changelist")).status_code == 200
    assert staff.get(admin_url(TrashedRecord, "delete", kept.pk)).status_code == 403
    assert staff.post(admin_url(TrashedRecord, "delete", kept.pk),
                      {"post": "yes"}).status_code == 403
    changelist = staff.get(admin_url(TrashedRecord, "changelist")).content.decode()
    assert "delete_selected" not in changelist
    assert TrashedRecord.objects.filter(pk=kept.pk).exists()
