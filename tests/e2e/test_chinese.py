"""A visitor reads the demo in Simplified Chinese, in Chromium."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def csrf_token(page, site: str) -> str:
    """The CSRF cookie, which the admin's sign-in form sets for any visitor."""
    page.goto(site + "/admin/login/")
    return next(c["value"] for c in page.context.cookies(site) if c["name"] == "csrftoken")


def assert_home_is_chinese(page) -> None:
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("#counted").inner_text() == "根据记录统计"
    assert page.locator("#pairings-heading").inner_text() == "结对合作"
    assert page.locator('[data-figure="pilots"] .label').inner_text() == "试点项目"
    # Data stays as recorded: the programme's name is not translated.
    assert page.locator("h1").inner_text() == "World Cities 2015-2016"


def test_a_visitor_switches_the_home_page_to_chinese(page, demo_site):
    page.goto(demo_site + "/")
    assert page.locator("#counted").inner_text() == "Counted from the records"  # en-GB browser

    # The request the language switch makes: a form post to Django's set_language view.
    response = page.request.post(
        demo_site + "/i18n/setlang/",
        form={"language": "zh-hans", "next": "/",
              "csrfmiddlewaretoken": csrf_token(page, demo_site)},
    )
    assert response.ok
    page.goto(demo_site + "/")
    assert_home_is_chinese(page)
    screenshot(page, "home-zh")


def test_the_header_switch_turns_the_page_chinese_and_back(page, demo_site):
    page.goto(demo_site + "/pairings/")
    switch = page.locator("form.language-switch")
    if not switch.count():
        pytest.skip("web/base.html does not include web/_language_switch.html yet")
    switch.get_by_label("Language").select_option(label="简体中文")
    switch.get_by_role("button").click()
    page.wait_for_url("**/pairings/")  # the switch returns to the page it was used on
    assert page.locator("h1").inner_text() == "结对合作"
    screenshot(page, "pairings-zh")

    page.locator("form.language-switch").get_by_label("语言").select_option(label="English")
    page.locator("form.language-switch").get_by_role("button").click()
    page.wait_for_url("**/pairings/")
    assert page.locator("h1").inner_text() == "Pairings"
