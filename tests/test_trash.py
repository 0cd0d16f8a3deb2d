"""Deleting a pairing or an organisation is a soft delete: it leaves every page, list and
search, and can be restored, with everything deleted along with it and under the same ids,
for 30 days; after that the purge command forgets it."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from citycoop.accounts.models import AuditAction, AuditEntry, Membership
from citycoop.common.models import TrashedRecord
from citycoop.common.trash import TrashRefused, restore
from citycoop.portfolio.models import Action, Agreement, Pairing, PairingMember, PilotProject
from citycoop.portfolio.services import create_pairing, delete_pairing
from citycoop.registry.models import Organisation, Programme, Theme
from citycoop.registry.services import create_organisation, create_person, delete_organisation
from citycoop.search.backends import get_backend
from citycoop.search.index import reindex_all
from citycoop.search.models import SearchEntry

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

OWN_PAIRING = "lyon-guangzhou"  # coordinated by the coordinator persona


def delete_url(slug: str) -> str:
    return reverse("portfolio:pairing-delete", args=[slug])


def found(query: str) -> set[tuple[str, int]]:
    hits = get_backend().search(query, facets={}, visible_to=AnonymousUser(), limit=100,
                                offset=0).hits
    return {(hit.kind, hit.object_id) for hit in hits}


def what_hangs_from(pairing: Pairing) -> dict[str, object]:
    pilots = list(pairing.pilots.order_by("pk").values_list("pk", "slug", "version"))
    return {
        "pilots": pilots,
        "actions": sorted(Action.objects.filter(pilot__pairing=pairing)
                          .values_list("pk", "text", "updated_at")),
        "members": sorted(PairingMember.objects.filter(pairing=pairing).values_list("pk",
                                                                                    "place")),
        "themes": sorted(PilotProject.themes.through.objects.filter(
            pilotproject__pairing=pairing).values_list("pk", "theme_id")),
        "agreements": sorted(Agreement.objects.filter(pairing=pairing).values_list("pk",
                                                                                   flat=True)),
        "events": sorted(pairing.events.values_list("pk", flat=True)),
    }


@pytest.fixture
def indexed(demo):
    reindex_all()
    return demo


def test_a_deleted_pairing_leaves_pages_and_search_and_comes_back_whole_with_its_ids(
        indexed, client, manager, coordinator, django_capture_on_commit_callbacks):
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    before = what_hangs_from(pairing)
    assert before["pilots"] and before["actions"] and before["agreements"]
    entries_before = set(SearchEntry.objects.values_list("content_type", "object_id", "title",
                                                         "body", "context"))
    assert ("pairing", pairing.pk) in found("Lyon Guangzhou")
    client.force_login(manager)
    page = client.get(delete_url(OWN_PAIRING)).content.decode()
    assert "Pilot projects: 3" in page and "30 days" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(delete_url(OWN_PAIRING))
    assert answer.status_code == 302 and answer.url == reverse("web:pairings")
    assert not Pairing.objects.filter(slug=OWN_PAIRING).exists()
    assert not Action.objects.filter(pk__in=[a[0] for a in before["actions"]]).exists()
    assert not Membership.objects.filter(user=coordinator).exists()  # went with it
    assert Agreement.objects.filter(pk__in=before["agreements"], pairing=None).count() == len(
        before["agreements"])
    assert client.get(f"/pairings/{OWN_PAIRING}/").status_code == 404
    assert OWN_PAIRING not in client.get(reverse("web:pairings")).content.decode()
    assert not {hit for hit in found("Lyon Guangzhou") if hit[0] in {"pairing", "pilot"}}
    entry = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=str(pairing.pk),
                                   content_type__model="pairing")
    trashed = TrashedRecord.objects.get(entry=entry)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("audit:restore", args=[trashed.pk]))
    assert answer.status_code == 302 and answer.url == f"/pairings/{OWN_PAIRING}/"
    restored = Pairing.objects.get(slug=OWN_PAIRING)
    assert restored.pk == pairing.pk and restored.version == pairing.version
    assert what_hangs_from(restored) == before
    assert Membership.objects.filter(user=coordinator, pairing=restored).exists()
    assert client.get(f"/pairings/{OWN_PAIRING}/").status_code == 200
    assert ("pairing", pairing.pk) in found("Lyon Guangzhou")
    assert set(SearchEntry.objects.values_list("content_type", "object_id", "title", "body",
                                               "context")) == entries_before
    undo = AuditEntry.objects.get(action=AuditAction.UNDO, changes__undoes=entry.pk)
    assert undo.actor == manager and undo.object_id == str(pairing.pk)
    trashed.refresh_from_db()
    assert trashed.restored_at is not None and trashed.restored_by == manager


def test_only_the_programmes_managers_and_admins_delete_a_pairing(
        client, demo, coordinator, member, other_coordinator, outsider, admin_user):
    # The pairing is public: those who may see it are refused (403), not told it is not there.
    for user, status in [(coordinator, 403), (member, 403), (other_coordinator, 403),
                         (outsider, 403)]:
        client.force_login(user)
        assert client.get(delete_url(OWN_PAIRING)).status_code == status, user
        assert client.post(delete_url(OWN_PAIRING)).status_code == status, user
    client.logout()
    assert client.post(delete_url(OWN_PAIRING)).status_code == 302
    assert Pairing.objects.filter(slug=OWN_PAIRING).exists()
    assert not TrashedRecord.objects.exists()
    client.force_login(admin_user)
    assert client.post(delete_url(OWN_PAIRING)).status_code == 302
    assert not Pairing.objects.filter(slug=OWN_PAIRING).exists()


def test_an_organisation_that_records_still_name_is_not_deleted_and_the_page_says_why(
        client, demo, manager):
    organisation = Organisation.objects.filter(action_roles__isnull=False).first()
    url = reverse("registry:organisation-delete", args=[organisation.slug])
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "cannot be deleted" in page and "merge" in page
    answer = client.post(url)
    assert answer.status_code == 409
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert not TrashedRecord.objects.exists()


def test_an_organisation_is_deleted_and_restored_with_its_people_pointing_at_it_again(
        client, demo, manager, coordinator):
    organisation = create_organisation({"slug": "harbour-board", "name": "Harbour Board",
                                        "type": "other", "country": "FR"}, acting_user=manager)
    unit = create_organisation({"slug": "harbour-lab", "name": "Harbour Lab", "type": "other",
                                "parent": organisation}, acting_user=manager)
    person = create_person({"name": "Ana Lopez", "organisation": organisation},
                           acting_user=manager)
    url = reverse("registry:organisation-delete", args=["harbour-board"])
    client.force_login(coordinator)
    assert client.post(url).status_code == 403
    client.force_login(manager)
    assert client.post(url).status_code == 302
    person.refresh_from_db()
    unit.refresh_from_db()
    assert person.organisation is None and unit.parent is None
    trashed = TrashedRecord.objects.get()
    page = client.get(reverse("audit:trash")).content.decode()
    assert "Harbour Board" in page
    assert client.post(reverse("audit:restore", args=[trashed.pk])).status_code == 302
    person.refresh_from_db()
    unit.refresh_from_db()
    assert person.organisation_id == organisation.pk and unit.parent_id == organisation.pk
    assert "Nothing deleted can be restored" in client.get(reverse("audit:trash")).content.decode()


def test_a_restore_after_the_keeping_period_is_refused_and_changes_nothing(
        client, demo, manager):
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    trashed = delete_pairing(pairing, acting_user=manager)
    TrashedRecord.objects.filter(pk=trashed.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=31))
    trashed.refresh_from_db()
    with pytest.raises(TrashRefused, match="more than 30 days ago"):
        restore(trashed, acting_user=manager)
    client.force_login(manager)
    assert "Lyon" not in client.get(reverse("audit:trash")).content.decode()
    answer = client.post(reverse("audit:restore", args=[trashed.pk]), follow=True)
    assert "more than 30 days ago" in answer.content.decode()
    assert not Pairing.objects.filter(slug=OWN_PAIRING).exists()


def test_a_restore_is_refused_when_a_newer_pairing_took_its_key(demo, manager):
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    trashed = delete_pairing(pairing, acting_user=manager)
    create_pairing({"slug": OWN_PAIRING, "label": "Lyon – Guangzhou (again)",
                    "programme": Programme.objects.get(slug="world-cities-2015-2016"),
                    "number": 99},
                   acting_user=manager)
    entries = AuditEntry.objects.count()
    with pytest.raises(TrashRefused, match="already exists"):
        restore(trashed, acting_user=manager)
    assert Pairing.objects.get(slug=OWN_PAIRING).label == "Lyon – Guangzhou (again)"
    assert not PilotProject.objects.filter(pairing_id=pairing.pk).exists()
    assert AuditEntry.objects.count() == entries
    trashed.refresh_from_db()
    assert trashed.restored_at is None


def test_restoring_twice_is_refused(demo, manager):
    trashed = delete_pairing(Pairing.objects.get(slug=OWN_PAIRING), acting_user=manager)
    restore(trashed, acting_user=manager)
    with pytest.raises(TrashRefused, match="restored already"):
        restore(trashed, acting_user=manager)


def test_a_link_to_a_theme_deleted_since_is_dropped_and_the_rest_restored(demo, manager):
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    pilot = pairing.pilots.filter(themes__isnull=False).first()
    themes = set(pilot.themes.values_list("pk", flat=True))
    gone = min(themes)
    trashed = delete_pairing(pairing, acting_user=manager)
    Theme.objects.filter(pk=gone).delete()
    restore(trashed, acting_user=manager)
    assert set(PilotProject.objects.get(pk=pilot.pk).themes.values_list("pk", flat=True)) \
        == themes - {gone}


def test_a_restore_waits_for_an_organisation_deleted_since_then_succeeds(demo, manager):
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    # An organisation that only this pairing's actions name: once the pairing is deleted,
    # nothing protects it any more, and it can be deleted too.
    organisation = next(
        org for org in Organisation.objects.filter(action_roles__action__pilot__pairing=pairing)
        if not org.action_roles.exclude(action__pilot__pairing=pairing).exists()
        and not org.pairing_memberships.exists() and not org.agreement_parties.exists())
    pairing_trash = delete_pairing(pairing, acting_user=manager)
    organisation_trash = delete_organisation(organisation, acting_user=manager)
    with pytest.raises(TrashRefused, match="deleted organisation"):
        restore(pairing_trash, acting_user=manager)
    assert not Pairing.objects.filter(slug=OWN_PAIRING).exists()
    restore(organisation_trash, acting_user=manager)
    restore(pairing_trash, acting_user=manager)
    assert Pairing.objects.filter(slug=OWN_PAIRING).exists()
    assert Organisation.objects.get(slug=organisation.slug).action_roles.filter(
        action__pilot__pairing__slug=OWN_PAIRING).exists()


def test_the_deleted_records_page_is_for_managers_and_admins(
        client, demo, manager, coordinator, outsider, admin_user, django_assert_max_num_queries):
    for slug in ("lyon-guangzhou", "barcelona-wuhan-chengdu"):
        delete_pairing(Pairing.objects.get(slug=slug), acting_user=manager)
    url = reverse("audit:trash")
    assert client.get(url).status_code == 302
    for user in (coordinator, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403
        trashed = TrashedRecord.objects.first()
        assert client.post(reverse("audit:restore", args=[trashed.pk])).status_code == 403
    assert TrashedRecord.objects.filter(restored_at=None).count() == 2
    for user in (manager, admin_user):
        client.force_login(user)
        with django_assert_max_num_queries(8):
            page = client.get(url).content.decode()
        assert "Lyon – Guangzhou" in page and "Barcelona" in page and "Actions: " in page


def test_a_manager_of_another_programme_cannot_restore_this_programmes_pairing(
        client, demo, manager, admin_user):
    other = Programme.objects.create(slug="other-programme", name="Other programme")
    Membership.objects.filter(user=manager).update(programme=other)
    trashed = delete_pairing(Pairing.objects.get(slug=OWN_PAIRING), acting_user=admin_user)
    client.force_login(manager)
    assert client.post(reverse("audit:restore", args=[trashed.pk])).status_code == 403
    assert not Pairing.objects.filter(slug=OWN_PAIRING).exists()


def test_the_purge_command_forgets_only_what_is_older_than_the_keeping_period(demo, manager):
    old = delete_pairing(Pairing.objects.get(slug=OWN_PAIRING), acting_user=manager)
    recent = delete_pairing(Pairing.objects.get(slug="barcelona-wuhan-chengdu"),
                            acting_user=manager)
    TrashedRecord.objects.filter(pk=old.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=30, minutes=1))
    call_command("purge_trash")
    assert list(TrashedRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    call_command("purge_trash", "--days", "0")
    assert not TrashedRecord.objects.exists()
