"""The staff workspace: roles decide who edits what; edits are audited, conflicts shown,
merges undoable; pilot and theme pages for everyone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citycoop.accounts.models import AuditAction, AuditEntry, Membership, Role, User
from citycoop.portfolio.models import Action, ActionOrganisation, NextStep, Pairing
from citycoop.portfolio.services import update_action
from citycoop.registry.merge import merge_organisations, undo_merge
from citycoop.registry.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(demo):
    user = User.objects.create_user("coordinator", password="a-long-test-password")
    Membership.objects.create(user=user, role=Role.COORDINATOR,
                              pairing=Pairing.objects.get(slug="lyon-guangzhou"))
    return user


@pytest.fixture
def member(demo):
    user = User.objects.create_user("member", password="a-long-test-password")
    Membership.objects.create(user=user, role=Role.MEMBER,
                              pairing=Pairing.objects.get(slug="lyon-guangzhou"))
    return user


def action_in(slug: str) -> Action:
    return Action.objects.filter(pilot__pairing__slug=slug).order_by("pk").first()


def edit_data(action: Action, **changes) -> dict:
    prefix = f"action-{action.pk}"
    data = {"text": action.text, "kind": action.kind, "status": action.status,
            "when": action.when_text, "version": action.version, **changes}
    return {f"{prefix}-{key}": value for key, value in data.items()}


def test_a_coordinator_edits_an_action_of_their_pairing(client, coordinator):
    action = action_in("lyon-guangzhou")
    client.force_login(coordinator)
    response = client.post(reverse("portfolio:action-edit", args=[action.pk]),
                           edit_data(action, when="March 2016", status="done"))
    assert response.status_code == 200
    action.refresh_from_db()
    assert (action.status, action.when_text, action.when.iso) == ("done", "March 2016", "2016-03")
    entry = AuditEntry.objects.filter(object_id=str(action.pk), actor=coordinator).get()
    assert entry.changes["status"] == ["ongoing", "done"]


@pytest.mark.parametrize("who, expected", [("coordinator", 403), ("member", 403),
                                           ("outsider", 403), (None, 302)])
def test_the_wrong_role_is_refused_an_action_edit_on_another_pairing(
        client, request, who, expected, coordinator, member, outsider):
    action = action_in("barcelona-wuhan-chengdu")
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("portfolio:action-edit", args=[action.pk]),
                           edit_data(action, text="Changed by the wrong person"))
    assert response.status_code == expected
    action.refresh_from_db()
    assert action.text != "Changed by the wrong person"


def test_a_member_reads_but_cannot_edit_their_own_pairing(client, member):
    action = action_in("lyon-guangzhou")
    client.force_login(member)
    assert client.get(reverse("web:pairing", args=["lyon-guangzhou"])).status_code == 200
    assert client.get(reverse("portfolio:action-edit", args=[action.pk])).status_code == 403


def test_a_manager_edits_any_pairing_of_their_programme(client, manager):
    action = action_in("barcelona-wuhan-chengdu")
    client.force_login(manager)
    client.post(reverse("portfolio:action-edit", args=[action.pk]), edit_data(action, kind="event"))
    action.refresh_from_db()
    assert action.kind == "event"


def test_a_stale_edit_is_shown_as_a_conflict_and_the_other_change_is_kept(
        client, coordinator, admin_user):
    action = action_in("lyon-guangzhou")
    stale = edit_data(action, text="My version of the text")
    update_action(action, {"text": "A colleague's version"}, acting_user=admin_user,
                  expected_version=action.version)
    client.force_login(coordinator)
    response = client.post(reverse("portfolio:action-edit", args=[action.pk]), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved" in html and "A colleague&#x27;s version" in html
    assert "My version of the text" in html  # the editor's words are not lost
    action.refresh_from_db()
    assert action.text == "A colleague's version"


def test_an_invalid_date_gets_a_helpful_error(client, coordinator):
    action = action_in("lyon-guangzhou")
    client.force_login(coordinator)
    response = client.post(reverse("portfolio:action-edit", args=[action.pk]),
                           edit_data(action, when="31/02/2016"))
    assert "31/02/2016" in response.content.decode()
    action.refresh_from_db()
    assert action.when_text != "31/02/2016"


def test_a_coordinator_adds_a_next_step_and_it_is_on_the_board(client, coordinator):
    pairing = Pairing.objects.get(slug="lyon-guangzhou")
    pilot = pairing.pilots.first()
    client.force_login(coordinator)
    response = client.post(reverse("portfolio:next-step-add", args=[pairing.slug, pilot.slug]),
                           {"text": "Invite GDD to Lyon", "due": "June/July 2026",
                            "owner_text": "Lyon team"})
    assert response.status_code == 302
    step = NextStep.objects.get(text="Invite GDD to Lyon")
    assert (step.due.iso, step.due.iso_end) == ("2026-06", "2026-07")
    board = client.get(reverse("portfolio:next-steps")).content.decode()
    assert "Invite GDD to Lyon" in board and "June/July 2026" in board


def test_the_board_highlights_overdue_steps_and_shows_fuzzy_dates_as_written(client, admin_user, demo):
    client.force_login(admin_user)
    html = client.get(reverse("portfolio:next-steps")).content.decode()
    assert "June/July 2016" in html
    assert 'class="overdue"' in html
    assert "within the next few weeks" in html  # vague: never overdue, shown as written


def test_a_coordinator_cannot_add_a_next_step_to_another_pairing(client, coordinator):
    pairing = Pairing.objects.get(slug="tianjin-lazio")
    client.force_login(coordinator)
    response = client.post(
        reverse("portfolio:next-step-add", args=[pairing.slug, pairing.pilots.first().slug]),
        {"text": "Sneaky step"})
    assert response.status_code == 403
    assert not NextStep.objects.filter(text="Sneaky step").exists()


def test_the_history_of_a_record_shows_who_changed_what(client, coordinator, outsider):
    action = action_in("lyon-guangzhou")
    client.force_login(coordinator)
    client.post(reverse("portfolio:action-edit", args=[action.pk]), edit_data(action, kind="event"))
    url = reverse("accounts:history", args=["portfolio", "action", action.pk])
    html = client.get(url).content.decode()
    assert "coordinator" in html and "<ins>event</ins>" in html
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_merging_two_organisations_moves_references_and_can_be_undone(admin_user, demo):
    keep = Organisation.objects.get(slug="evotion")
    drop = Organisation.objects.create(slug="evotion-sas", name="EVOTION SAS",
                                       type="company", country="FR")
    action = Action.objects.get(text__startswith="The robots company EVOTION")
    ActionOrganisation.objects.create(action=action, organisation=drop)
    roles_before = ActionOrganisation.objects.filter(organisation=keep).count()
    entry = merge_organisations(keep, drop, acting_user=admin_user)
    assert not Organisation.objects.filter(slug="evotion-sas").exists()
    keep.refresh_from_db()
    assert "EVOTION SAS" in keep.aliases
    assert entry.action == AuditAction.MERGE
    undo_merge(entry, acting_user=admin_user)
    restored = Organisation.objects.get(slug="evotion-sas")
    assert restored.pk == drop.pk
    assert ActionOrganisation.objects.filter(organisation=restored).count() == 1
    assert ActionOrganisation.objects.filter(organisation=keep).count() == roles_before
    keep.refresh_from_db()
    assert "EVOTION SAS" not in keep.aliases
    with pytest.raises(Exception, match="undone already"):
        undo_merge(entry, acting_user=admin_user)


def test_only_managers_see_duplicates_and_merge(client, coordinator, manager):
    client.force_login(coordinator)
    assert client.get(reverse("registry:duplicates")).status_code == 403
    client.force_login(manager)
    response = client.get(reverse("registry:duplicates"))
    assert response.status_code == 200


def test_pilot_and_theme_pages_are_public_and_list_what_hangs_from_them(client, demo):
    pairing = Pairing.objects.get(slug="andalucia-smart-city-cluster-shantou")
    pilot = pairing.pilots.get(number=2)
    html = client.get(reverse("web:pilot", args=[pairing.slug, pilot.slug])).content.decode()
    assert "Visit of Shantou representatives" in html and "Timeline" in html
    theme = pilot.themes.first()
    html = client.get(reverse("web:theme", args=[theme.slug])).content.decode()
    assert pilot.title in html
