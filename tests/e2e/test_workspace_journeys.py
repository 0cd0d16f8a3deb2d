"""Staff journeys in Chromium: a coordinator edits their pairing and is refused another; a
manager merges two duplicate organisations and undoes it."""

from __future__ import annotations

import pytest

from citycoop.portfolio.models import Action, NextStep
from citycoop.registry.models import Organisation
from tests.e2e.conftest import make_manager, screenshot, sign_in

pytestmark = pytest.mark.e2e



@pytest.fixture
def people(demo_site):
    from citycoop.accounts.models import Membership, Role, User
    from citycoop.portfolio.models import Pairing

    coordinator = User.objects.create_user("coordinator", password="a-long-test-password")
    Membership.objects.create(user=coordinator, role=Role.COORDINATOR,
                              pairing=Pairing.objects.get(slug="lyon-guangzhou"))
    make_manager()
    return demo_site


def test_a_coordinator_edits_their_pairing_is_refused_another_and_adds_a_next_step(
        page, people):
    base = people
    sign_in(page, base, "coordinator", "/pairings/lyon-guangzhou/")
    action = Action.objects.filter(pilot__pairing__slug="lyon-guangzhou").order_by("pk").first()
    page.click(f"#action-{action.pk} button:has-text('Edit')")
    form = page.locator(f"form#action-{action.pk}")
    form.wait_for()
    form.locator("select[name$='-status']").select_option("done")
    form.locator("input[name$='-when']").fill("March 2016")
    screenshot(page, "workspace-edit-action")
    form.locator("button[type=submit]").click()
    page.locator(f"div#action-{action.pk}").wait_for()
    assert "March 2016" in page.inner_text(f"#action-{action.pk}")
    action.refresh_from_db()
    assert action.status == "done"

    other = Action.objects.filter(pilot__pairing__slug="tianjin-lazio").first()
    response = page.goto(f"{base}/actions/{other.pk}/edit/")
    assert response is not None and response.status == 403
    page.goto(f"{base}/pairings/tianjin-lazio/")
    assert page.locator("button:has-text('Edit')").count() == 0

    page.goto(f"{base}/pairings/lyon-guangzhou/")
    add = page.locator("form.add-next-step").first
    add.locator("input[name=text]").fill("Invite the GDD delegation to Lyon")
    add.locator("input[name=due]").fill("Q3 2026")
    add.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert NextStep.objects.filter(text="Invite the GDD delegation to Lyon").exists()
    page.goto(f"{base}/next-steps/")
    assert "Invite the GDD delegation to Lyon" in page.inner_text("#next-steps-board")
    screenshot(page, "workspace-next-steps")


def test_a_manager_merges_two_duplicate_organisations_and_undoes_it(page, people):
    base = people
    Organisation.objects.create(slug="fira-barcelona-dup", name="Fira Barcelona",
                                type="company", country="ES")
    sign_in(page, base, "manager", "/organisations/duplicates/")
    row = page.locator("#duplicates tr", has_text="Fira Barcelona").first
    screenshot(page, "workspace-duplicates")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".messages")
    assert "Merged" in page.inner_text(".messages")
    assert not Organisation.objects.filter(slug="fira-barcelona-dup").exists() or \
        not Organisation.objects.filter(slug="fira-de-barcelona").exists()
    page.locator("#merges button:has-text('Undo')").first.click()
    page.wait_for_selector(".messages")
    assert "Undone" in page.inner_text(".messages")
    assert Organisation.objects.filter(slug="fira-barcelona-dup").exists()
    assert Organisation.objects.filter(slug="fira-de-barcelona").exists()
    screenshot(page, "workspace-merge-undone")
