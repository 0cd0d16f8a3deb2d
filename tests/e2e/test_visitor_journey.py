"""An anonymous visitor's journey in Chromium: home, map, pairing, pilot, then a search."""

from __future__ import annotations

import pytest

from citycoop.search.index import reindex_all
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_a_visitor_goes_from_home_to_the_map_a_pairing_a_pilot_and_searches(page, demo_site):
    reindex_all()
    page.goto(demo_site + "/")
    page.get_by_role("link", name="Map", exact=True).click()
    page.wait_for_url("**/map/")
    page.wait_for_selector("path.arc, .leaflet-overlay-pane path")
    page.locator("table a", has_text="Andalucía Smart City Cluster – Shantou").first.click()
    page.wait_for_url("**/pairings/andalucia-smart-city-cluster-shantou/")
    page.locator("article.pilot h3 a", has_text="Port Cooperation").click()
    page.wait_for_url("**/pilots/port-cooperation/")
    assert "Timeline" in page.inner_text("#content")
    assert "June/July 2016" in page.inner_text("#content") or "June 2015" in page.inner_text(
        "#content")
    screenshot(page, "visitor-pilot")
    page.fill("#site-search", "Málaga")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search/?q=M*")
    assert page.locator("ol.hits mark").count() >= 1
    screenshot(page, "visitor-search")
