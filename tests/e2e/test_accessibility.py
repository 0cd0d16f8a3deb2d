"""axe-core (vendored from npm) finds no serious or critical accessibility problem on the
main pages."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PAGES = ["/", "/pairings/", "/pairings/lyon-guangzhou/",
         "/pairings/andalucia-smart-city-cluster-shantou/pilots/port-cooperation/",
         "/map/", "/organisations/fira-de-barcelona/", "/places/tianjin/", "/login/",
         "/practices/", "/practices/needs/"]


@pytest.fixture
def audited_page(browser):
    """A page whose policy lets the test add axe: the site's Content-Security-Policy allows
    its own scripts only, and axe is the test's, not the site's."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  bypass_csp=True)
    yield context.new_page()
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in {"serious", "critical"}]


@pytest.mark.parametrize("path", PAGES)
def test_a_main_page_has_no_serious_accessibility_problem(audited_page, demo_site, path):
    response = audited_page.goto(demo_site + path)
    assert response is not None and response.ok, path
    assert serious_violations(audited_page) == []
