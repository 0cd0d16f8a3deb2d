"""A visitor browses the demo in Chromium: the home page, then a pairing."""

from __future__ import annotations

import pytest

from citycoop.portfolio.models import PilotProject
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_a_visitor_sees_counted_and_reported_figures_apart_and_opens_a_pairing(page, demo_site):
    response = page.goto(demo_site + "/")
    assert response is not None and response.ok
    assert page.locator("h1").inner_text() == "World Cities 2015-2016"
    counted_pilots = page.locator('[data-figure="pilots"] .value').inner_text()
    assert counted_pilots == str(PilotProject.objects.count())
    reported = page.locator("#reported-figures")
    assert reported.locator('[data-snapshot="pilot_projects_eu_china"] td.num').inner_text() == "24"
    assert "more than 20" in reported.locator('[data-snapshot="mous_signed_cetregio"]').inner_text()
    assert page.locator("table.pairings tbody tr:not(.group-row)").count() == 10
    screenshot(page, "home")

    page.get_by_role("link", name="Lyon – Guangzhou").first.click()
    page.wait_for_url("**/pairings/lyon-guangzhou/")
    assert page.locator("h1").inner_text() == "Lyon – Guangzhou"
    assert page.locator("article.pilot").count() >= 2
    assert "Evotion" in page.locator("ul.sub-items").first.inner_text()
    assert page.locator("#agreements tbody tr").count() == 2
    screenshot(page, "pairing-lyon")


def test_a_visitor_follows_an_organisation_from_a_pairing(page, demo_site):
    page.goto(demo_site + "/pairings/barcelona-wuhan-chengdu/")
    page.locator("a.org", has_text="Fira de Barcelona").first.click()
    assert "Fira de Barcelona" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="Barcelona – Wuhan / Chengdu").count() >= 1
    screenshot(page, "organisation-fira")
