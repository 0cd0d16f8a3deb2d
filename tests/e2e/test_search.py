"""A visitor searches the demo in Chromium: one box, highlighted matches, a facet to narrow."""

from __future__ import annotations

import re

import pytest

from citycoop.search.index import reindex_all
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_a_visitor_searches_then_narrows_the_results_by_a_facet(page, demo_site):
    reindex_all()
    page.goto(demo_site + "/search/")
    box = page.get_by_role("searchbox", name="Search the portfolio")
    box.fill("Tianjin")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=Tianjin$"))

    assert page.locator("ol.hits mark").first.inner_text() == "Tianjin"
    everything = int(page.locator("#results-heading").inner_text().split()[0])
    kinds = set(page.locator("li.hit").evaluate_all("items => items.map(i => i.dataset.kind)"))
    assert {"pairing", "pilot", "action"} <= kinds

    actions = page.locator('[data-facet="kind"] a[data-value="action"]')
    expected = int(actions.locator(".count").inner_text())
    actions.click()
    page.wait_for_url(re.compile(r"kind=action"))
    assert int(page.locator("#results-heading").inner_text().split()[0]) == expected < everything
    assert set(page.locator("li.hit").evaluate_all(
        "items => items.map(i => i.dataset.kind)")) == {"action"}
    assert "chosen" in (page.locator('[data-facet="kind"] a[data-value="action"]')
                        .get_attribute("class") or "")
    assert page.get_by_role("searchbox", name="Search the portfolio").input_value() == "Tianjin"
    screenshot(page, "search")

    page.locator("ol.hits li.hit a").first.click()
    page.wait_for_url(re.compile(r"/pairings/[^/]+/pilots/[^/]+/#action-\d+$"))


def test_a_visitor_finds_malaga_typing_without_the_accent(page, demo_site):
    reindex_all()
    page.goto(demo_site + "/search/?q=malag")
    titles = page.locator("ol.hits .hit-title").all_inner_texts()
    assert any("Málaga" in title for title in titles)
    assert page.locator("ol.hits mark", has_text="Málaga").count() >= 1
