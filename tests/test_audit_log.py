"""The audit log: admins and programme managers read every change, filter it, and revert
one change from its entry; a revert is itself audited, and refused when the record has
moved on since."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from citycoop.accounts.models import AuditAction, AuditEntry, Membership
from citycoop.common.models import TrashedRecord
from citycoop.common.revert import RevertRefused, revert_entry
from citycoop.common.services import delete_record
from citycoop.portfolio.models import ActionOrganisation, Pairing, PilotProject
from citycoop.portfolio.services import delete_pairing, update_pairing, update_pilot
from citycoop.registry.merge import merge_organisations
from citycoop.registry.models import Organisation, Programme, Theme
from citycoop.registry.services import create_organisation, create_person, update_organisation

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.workspace_fixtures"]

LOG = "/audit/"
OWN_PAIRING = "lyon-guangzhou"  # coordinated by the coordinator persona


def revert_url(entry: AuditEntry) -> str:
    return reverse("audit:revert", args=[entry.pk])


def last_entry() -> AuditEntry:
    return AuditEntry.objects.order_by("-pk").first()


@pytest.fixture
def edited(demo, coordinator):
    """Lyon – Guangzhou's summary and status, changed by its coordinator."""
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    before = (pairing.summary, pairing.status, pairing.version)
    update_pairing(pairing, {"summary": "Rewritten by the coordinator", "status": "dormant"},
                   acting_user=coordinator, expected_version=pairing.version)
    return before, last_entry()


# -- reading ---------------------------------------------------------------------------------

def test_only_admins_and_programme_managers_read_the_log(
        client, demo, coordinator, member, outsider, manager, admin_user):
    assert client.get(LOG).status_code == 302  # to sign in
    for user in (coordinator, member, outsider):
        client.force_login(user)
        assert client.get(LOG).status_code == 403
    for user in (manager, admin_user):
        client.force_login(user)
        assert client.get(LOG).status_code == 200


def test_each_entry_shows_who_when_which_record_and_the_fields_before_and_after(
        client, edited, manager):
    _before, entry = edited
    client.force_login(manager)
    page = client.get(LOG).content.decode()
    shown = page[page.index(f'id="entry-{entry.pk}"'):]
    shown = shown[:shown.index("</li>")]
    assert "coordinator" in shown and "Lyon – Guangzhou" in shown
    assert f'href="/history/portfolio/pairing/{entry.object_id}/"' in shown
    assert "<ins>Rewritten by the coordinator</ins>" in shown and "<ins>dormant</ins>" in shown
    assert "Summary" in shown and "Revert this change" in shown


def test_the_log_is_newest_first_in_pages_of_bounded_cost(
        client, demo, manager, django_assert_max_num_queries):
    client.force_login(manager)
    newest = last_entry().pk
    with django_assert_max_num_queries(10):
        first = client.get(LOG)
    rows = first.context["rows"]
    assert [row["entry"].pk for row in rows] == list(range(newest, newest - 50, -1))
    with django_assert_max_num_queries(10):
        second = client.get(LOG + first.context["older_url"])
    assert second.context["rows"][0]["entry"].pk == newest - 50
    back = client.get(LOG + second.context["newer_url"])
    assert [row["entry"].pk for row in back.context["rows"]] == [row["entry"].pk for row in rows]


def test_it_filters_by_actor_record_type_action_dates_and_words(
        client, edited, manager, admin_user):
    _before, entry = edited
    organisation = create_organisation({"slug": "quay-authority", "name": "Quay Authority",
                                        "type": "other"}, acting_user=admin_user)
    old = AuditEntry.objects.filter(actor=None).order_by("pk").first()
    AuditEntry.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400))
    client.force_login(manager)

    def shown(**query) -> set[int]:
        page = client.get(LOG, query)
        assert page.status_code == 200
        return {row["entry"].pk for row in page.context["rows"]}

    assert shown(actor="coordinator") == {entry.pk}
    assert shown(actor="root") == {last_entry().pk}
    organisations = ContentType.objects.get_for_model(Organisation).pk
    assert {e for e in shown(kind=organisations)} >= {last_entry().pk}
    assert all(AuditEntry.objects.get(pk=pk).content_type_id == organisations
               for pk in shown(kind=organisations))
    assert shown(action="update") == {entry.pk}
    assert shown(words="quay authority") == {last_entry().pk}
    assert shown(words="guangzhou lyon", action="update") == {entry.pk}
    long_ago = (timezone.localdate() - datetime.timedelta(days=400)).isoformat()
    assert shown(since=long_ago, until=long_ago) == {old.pk}
    assert old.pk not in shown(since=timezone.localdate().isoformat())
    assert organisation.name  # made through the service, so audited


# -- reverting -------------------------------------------------------------------------------

def test_reverting_a_change_puts_the_old_values_back_and_is_itself_audited(
        client, edited, manager):
    (summary, status, version), entry = edited
    client.force_login(manager)
    page = client.get(revert_url(entry), {"next": f"{LOG}?actor=coordinator"})
    assert page.status_code == 200 and "Revert this change" in page.content.decode()
    answer = client.post(revert_url(entry), {"next": f"{LOG}?actor=coordinator"})
    assert answer.status_code == 302 and answer.url == f"{LOG}?actor=coordinator"
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    assert (pairing.summary, pairing.status) == (summary, status)
    assert pairing.version == version + 2  # the change, then its revert
    undo = last_entry()
    assert undo.action == AuditAction.UNDO and undo.actor == manager
    assert undo.changes["undoes"] == entry.pk
    assert undo.changes["status"] == ["dormant", status]
    page = client.get(LOG).content.decode()
    original = page[page.index(f'id="entry-{entry.pk}"'):]
    original = original[:original.index("</li>")]
    assert f"reverted by entry {undo.pk}" in original and "Revert this change" not in original


def test_a_change_made_again_since_is_not_reverted_and_nothing_changes(
        client, edited, manager, coordinator):
    _before, entry = edited
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    update_pairing(pairing, {"summary": "Newer work"}, acting_user=coordinator,
                   expected_version=pairing.version)
    count = AuditEntry.objects.count()
    client.force_login(manager)
    answer = client.post(revert_url(entry), follow=True)
    assert "changed again since" in answer.content.decode()
    pairing.refresh_from_db()
    assert (pairing.summary, pairing.status) == ("Newer work", "dormant")
    assert AuditEntry.objects.count() == count


def test_reverting_the_revert_makes_the_change_again(edited, manager):
    _before, entry = edited
    undo = revert_entry(entry, acting_user=manager)
    revert_entry(undo, acting_user=manager)
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    assert (pairing.summary, pairing.status) == ("Rewritten by the coordinator", "dormant")
    with pytest.raises(RevertRefused, match="changed again since"):
        revert_entry(undo, acting_user=manager)


def test_reverting_a_change_of_themes_puts_the_old_themes_back(demo, manager):
    pilot = Pairing.objects.get(slug=OWN_PAIRING).pilots.filter(themes__isnull=False).first()
    themes = set(pilot.themes.values_list("pk", flat=True))
    other = Theme.objects.exclude(pk__in=themes).first()
    update_pilot(pilot, {}, themes=[other], acting_user=manager, expected_version=None)
    revert_entry(last_entry(), acting_user=manager)
    assert set(PilotProject.objects.get(pk=pilot.pk).themes.values_list("pk", flat=True)) \
        == themes


def test_reverting_a_creation_deletes_into_the_trash_and_reverting_that_restores(
        demo, manager):
    organisation = create_organisation({"slug": "ferry-office", "name": "Ferry Office",
                                        "type": "other"}, acting_user=manager)
    created = last_entry()
    deleted = revert_entry(created, acting_user=manager)
    assert not Organisation.objects.filter(slug="ferry-office").exists()
    assert deleted.action == AuditAction.DELETE and deleted.changes["undoes"] == created.pk
    assert TrashedRecord.objects.filter(entry=deleted).exists()
    revert_entry(deleted, acting_user=manager)
    assert Organisation.objects.get(slug="ferry-office").pk == organisation.pk


def test_reverting_the_deletion_of_a_pairing_restores_it(client, demo, manager):
    pairing = Pairing.objects.get(slug=OWN_PAIRING)
    pk = pairing.pk
    trashed = delete_pairing(pairing, acting_user=manager)
    client.force_login(manager)
    assert client.post(revert_url(trashed.entry)).status_code == 302
    assert Pairing.objects.get(slug=OWN_PAIRING).pk == pk


def test_reverting_a_merge_undoes_it(demo, admin_user):
    keep = Organisation.objects.get(slug="evotion")
    drop = create_organisation({"slug": "evotion-sas", "name": "EVOTION SAS",
                                "type": "company", "country": "FR"}, acting_user=admin_user)
    ActionOrganisation.objects.create(action=keep.action_roles.first().action, role="partner",
                                      organisation=drop)
    entry = merge_organisations(keep, drop, acting_user=admin_user)
    revert_entry(entry, acting_user=admin_user)
    assert Organisation.objects.filter(slug="evotion-sas").exists()


def test_a_change_to_a_record_deleted_since_cannot_be_reverted(demo, manager):
    person = create_person({"name": "Temporary contact"}, acting_user=manager)
    organisation = Organisation.objects.get(slug="evotion")
    update_organisation(organisation, {"description": "Robots"}, acting_user=manager,
                        expected_version=None)
    created = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(person.pk),
                                     content_type__model="person")
    delete_record(person, acting_user=manager)
    with pytest.raises(RevertRefused, match="no longer exists"):
        revert_entry(created, acting_user=manager)
    hard_deleted = last_entry()  # a person is not kept in the trash
    with pytest.raises(RevertRefused, match="without being kept"):
        revert_entry(hard_deleted, acting_user=manager)


def test_who_may_not_revert_is_refused_and_nothing_changes(
        client, edited, coordinator, outsider, manager, admin_user):
    _before, entry = edited
    count = AuditEntry.objects.count()
    assert client.post(revert_url(entry)).status_code == 302  # to sign in
    for user in (coordinator, outsider):
        client.force_login(user)
        assert client.get(revert_url(entry)).status_code == 403
        assert client.post(revert_url(entry)).status_code == 403
    # A manager of another programme reads the log but does not revert this pairing's changes.
    other = Programme.objects.create(slug="other-programme", name="Other programme")
    Membership.objects.filter(user=manager).update(programme=other)
    client.force_login(manager)
    assert client.get(LOG).status_code == 200
    assert client.post(revert_url(entry)).status_code == 403
    assert AuditEntry.objects.count() == count
    client.force_login(admin_user)
    assert client.get(reverse("audit:revert", args=[10**9])).status_code == 404


def test_an_entry_that_cannot_be_reverted_offers_no_button_and_is_refused(
        client, demo, manager, admin_user):
    keep = Organisation.objects.get(slug="evotion")
    drop = create_organisation({"slug": "evotion-bis", "name": "Evotion bis", "type": "company"},
                               acting_user=admin_user)
    merge = merge_organisations(keep, drop, acting_user=admin_user)
    revert_entry(merge, acting_user=admin_user)
    undo = last_entry()  # undoing a merge is not itself undone from the log
    client.force_login(manager)
    page = client.get(revert_url(undo)).content.decode()
    assert "cannot be reverted" in page
    answer = client.post(revert_url(undo), follow=True)
    assert "cannot be reverted" in answer.content.decode()


def test_the_page_to_go_back_to_must_be_one_of_this_sites(client, edited, manager):
    _before, entry = edited
    client.force_login(manager)
    page = client.get(revert_url(entry), {"next": "https://evil.example/"}).content.decode()
    assert "Revert this change" in page
    assert 'href="https://evil.example/"' not in page
    assert 'value="https://evil.example/"' not in page
    answer = client.post(revert_url(entry), {"next": "https://evil.example/"})
    assert answer.url == LOG
