"""A visitor opens the map in Chromium: it draws offline, filters, and an arc opens its pairing."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot, wait_until

pytestmark = pytest.mark.e2e

DEMO_PAIRINGS = 10
# Finds a point of the pairing's arc that a click would really hit (not covered by another
# arc or a dot), in viewport pixels.
POINT_ON_ARC = """(slug) => {
  const path = document.querySelector(`path.map-arc[data-pairing="${slug}"]`);
  const length = path.getTotalLength();
  const matrix = path.getScreenCTM();
  for (const share of [0.35, 0.65, 0.25, 0.75, 0.45, 0.55]) {
    const p = path.getPointAtLength(length * share);
    const x = p.x * matrix.a + p.y * matrix.c + matrix.e;
    const y = p.x * matrix.b + p.y * matrix.d + matrix.f;
    if (document.elementFromPoint(x, y) === path) return {x, y};
  }
  return null;
}"""


# Zoomed out to the whole world, the longest horizontal step inside any country outline that
# is not the flat edge at a pole, as a share of the world's width in pixels. A ring that jumps
# across the antimeridian makes a step of almost the whole width.
WIDEST_COUNTRY_STEP = """() => {
  let widest = 0;
  for (const path of document.querySelectorAll("path.map-country")) {
    for (const ring of (path.getAttribute("d") || "").split(/[Mm]/).slice(1)) {
      const numbers = ring.match(/-?[0-9.]+/g) || [];
      const points = [];
      for (let i = 0; i + 1 < numbers.length; i += 2) points.push([+numbers[i], +numbers[i + 1]]);
      const bottom = Math.max(...points.map(p => p[1]));
      const top = Math.min(...points.map(p => p[1]));
      for (let i = 1; i < points.length; i++) {
        const [a, b] = [points[i - 1], points[i]];
        const atPole = (a[1] === b[1]) && (a[1] === bottom || a[1] === top);
        if (!atPole) widest = Math.max(widest, Math.abs(b[0] - a[0]));
      }
    }
  }
  return widest;
}"""
MIN_ZOOM_WORLD_PIXELS = 512  # 256 px at zoom 0, and the map's minZoom is 1


def pairings_drawn(page) -> set[str]:
    return set(page.eval_on_selector_all(
        "path.map-arc", "paths => paths.map(p => p.getAttribute('data-pairing'))"))


def open_map(page, site: str, query: str = "") -> list[str]:
    """Opens the map and waits until it is drawn; returns the list every request is added to."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(site + "/map/" + query)
    assert response is not None and response.ok
    wait_until(page, "document.querySelectorAll('path.map-country').length > 100")
    page.wait_for_selector("#coop-map[data-arcs]", state="attached")
    return requests


def arc_count(page) -> int:
    return page.locator("path.map-arc").count()


def test_the_map_draws_every_pairing_offline_and_an_arc_opens_its_pairing(page, demo_site):
    requests = open_map(page, demo_site)
    assert arc_count(page) >= DEMO_PAIRINGS
    assert len(pairings_drawn(page)) == DEMO_PAIRINGS
    assert page.locator("path.map-place").count() >= 15
    assert page.locator("#map-pairings tbody tr[data-pairing]").count() == DEMO_PAIRINGS
    screenshot(page, "map")
    # Nothing left the machine: every request went to the test server (or was inline data).
    strangers = [url for url in requests
                 if not (url.startswith(demo_site) or url.startswith("data:"))]
    assert strangers == []
    assert any(url.endswith("countries-110m.json") for url in requests)

    page.locator("#coop-map").scroll_into_view_if_needed()
    point = page.evaluate(POINT_ON_ARC, "lyon-guangzhou")
    assert point is not None, "no clickable point on the Lyon – Guangzhou arc"
    page.mouse.move(point["x"], point["y"])
    page.locator(".leaflet-tooltip", has_text="Lyon – Guangzhou").wait_for()
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url("**/pairings/lyon-guangzhou/")
    assert page.locator("h1").inner_text() == "Lyon – Guangzhou"


def test_a_filter_redraws_the_map_and_the_table_in_place(page, demo_site):
    open_map(page, demo_site)
    page.get_by_label("Theme").select_option("ports")
    wait_until(page,
               "new Set([...document.querySelectorAll('path.map-arc')].map(p => p.dataset.pairing))"
               ".size === 3")
    assert pairings_drawn(page) == {
        "west-midlands-guangzhou-tianjin", "andalucia-smart-city-cluster-shantou",
        "tianjin-lazio"}
    wait_until(page,
               "document.querySelectorAll('#map-pairings tbody tr[data-pairing]').length === 3")
    assert "theme=ports" in page.url
    screenshot(page, "map-ports")

    page.get_by_label("Status").select_option("dormant")
    wait_until(page, "document.querySelectorAll('path.map-arc').length === 0")
    assert page.locator("#map-status").inner_text() != ""
    assert "No pairing matches these filters." in page.locator("#map-pairings").inner_text()


def test_no_country_streaks_across_the_antimeridian(page, demo_site):
    open_map(page, demo_site)
    zoom_out = page.locator(".leaflet-control-zoom-out")
    while "leaflet-disabled" not in (zoom_out.get_attribute("class") or ""):
        zoom_out.click()
        page.wait_for_timeout(300)
    # Russia, Fiji and Antarctica cross the 180th meridian; they must still be drawn.
    assert page.locator("path.map-country").count() > 100
    assert page.evaluate(WIDEST_COUNTRY_STEP) < MIN_ZOOM_WORLD_PIXELS / 4
    screenshot(page, "map-world")


def test_the_filter_form_works_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo_site + "/map/")
        page.get_by_label("Theme").select_option("ports")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**/map/?*theme=ports*")
        assert page.locator("#map-pairings tbody tr[data-pairing]").count() == 3
    finally:
        context.close()
