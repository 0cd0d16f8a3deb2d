"""The good-practice library end to end, in Chromium: a coordinator of Guangzhou writes a
practice in English and Chinese and submits it; a reviewer returns it once, then approves and
publishes it with the programme's label; a coordinator of Copenhagen who follows its theme is
told, asks a question in its thread and is answered; a need posted by Stuttgart lists the
practice among its matches with the reasons; the practice reads in Chinese once the interface
is switched to Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, screenshot, sign_in

pytestmark = pytest.mark.e2e

PROGRAMME = "world-cities-2015-2016"
THEME = "waste-management"  # "Waste management", under "Environment", in the demo taxonomy

ENGLISH = {
    "title": "Door-to-door waste sorting in Guangzhou's districts",
    "summary": "Households sort their waste at the door; trained guides check the bins and "
               "recycling companies are paid by the tonne of sorted material.",
    "problem": "The landfills around the city were filling up: 18,000 tonnes of household "
               "waste a day, almost none of it recycled.",
    "what_was_done": "The districts trained 2,000 waste-sorting guides, set up four-bin "
                     "collection points in every residential compound and paid recycling "
                     "companies by the tonne of sorted waste.",
    "results": "The share of household waste recycled rose from 5 % to 35 % and landfill "
               "dropped by 40 %.",
}
CHINESE = {
    "title": "广州各区垃圾分类上门收集",
    "summary": "居民在家门口分类投放垃圾，指导员检查垃圾桶，回收企业按分类垃圾的吨数获得报酬。",
    "what_was_done": "各区培训了两千名垃圾分类指导员，在每个居民小区设置四分类收集点，并按吨向回收企业付费。",
    "results": "生活垃圾回收率从5%提高到35%，填埋量减少了40%。",
}
RETURN_COMMENT = "Give the results a baseline year and say how the 40 % was measured."
BETTER_RESULTS = ("Between 2016 and 2019 the share of household waste recycled rose from 5 % "
                  "to 35 %, and landfill dropped by 40 % (weighbridge records of the two "
                  "landfills).")
QUESTION = ("How did you set the price paid to the recycling companies per tonne? Copenhagen "
            "is preparing the same scheme.")
ANSWER = ("By tender, district by district: 120 yuan a tonne at first, less once sorting was "
          "good. Happy to share the tender documents.")


@pytest.fixture
def people(demo_site):
    """Four real users of the demo: coordinators of pairings with Guangzhou (the practice's
    city), Copenhagen and Stuttgart, and a practice reviewer of the programme."""
    from citycoop.accounts.models import Membership, Role, User
    from citycoop.portfolio.models import Pairing
    from citycoop.registry.models import Programme

    for username, pairing in (("wei", "lyon-guangzhou"), ("freja", "chandigarh-copenhagen"),
                              ("hans", "mumbai-stuttgart")):
        user = User.objects.create_user(username, email=f"{username}@example.org",
                                        password=PASSWORD)
        Membership.objects.create(user=user, role=Role.COORDINATOR,
                                  pairing=Pairing.objects.get(slug=pairing))
    reviewer = User.objects.create_user("rita", email="rita@example.org", password=PASSWORD)
    Membership.objects.create(user=reviewer, role=Role.REVIEWER,
                              programme=Programme.objects.get(slug=PROGRAMME))
    return demo_site


@pytest.fixture
def signed_in(browser, people) -> Iterator[Callable[[str, str], Page]]:
    """A browser window of its own for each person, signed in and on ``path``."""
    contexts = []

    def open_as(username: str, path: str) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        sign_in(page, people, username, path)
        return page

    yield open_as
    for context in contexts:
        context.close()


def saved(page: Page, text: str = "") -> None:
    """Wait for the message the page shows after a successful post."""
    message = page.locator(".messages")
    message.wait_for()
    if text:
        expect(message).to_contain_text(text)


def open_notification(page: Page, text: str) -> None:
    """From the header's count to the inbox, then to what the notification points at."""
    count = page.locator("header .badge-count")
    expect(count).to_be_visible()
    page.click("header a[href='/discussions/notifications/']")
    page.wait_for_url("**/discussions/notifications/")
    page.locator("ul.notifications li.unread a", has_text=text).first.click()
    page.wait_for_load_state()
    assert "/discussions/notifications/" not in page.url


def review(page: Page, base: str, scores: tuple[int, int, int, int], decision: str,
           comment: str = "", *, shot: str = "") -> None:
    """From the reviewers' queue to the practice's review form, scored and sent."""
    page.goto(base + "/practices/review/")
    page.get_by_role("link", name=ENGLISH["title"]).click()
    page.wait_for_url("**/review/")
    for criterion, score in zip(("relevance", "evidence", "transferability", "participation"),
                                scores, strict=True):
        page.check(f"input[name={criterion}][value='{score}']")
    page.check(f"input[name=decision][value={decision}]")
    if comment:
        page.fill("#id_comment", comment)
    if shot:
        screenshot(page, shot)
    page.get_by_role("button", name="Save the review").click()
    saved(page, "Your review was saved")


def test_a_practice_is_written_reviewed_labelled_discussed_matched_and_read_in_chinese(
        signed_in, people):
    from citycoop.discussions.models import Thread
    from citycoop.practices.models import Practice, PracticeStatus

    base = people

    # 1. Wei, a coordinator of Lyon – Guangzhou, writes the practice for Guangzhou in English.
    wei = signed_in("wei", "/practices/")
    wei.get_by_role("link", name="Write a good practice").click()
    wei.wait_for_url("**/practices/new/")
    wei.fill("#id_place", "Guangzhou — guangzhou")
    wei.select_option("#id_original_language", "en")
    wei.get_by_role("checkbox", name="Waste management", exact=True).check()
    wei.fill("#id_sdgs", "11, 12")
    for name, value in ENGLISH.items():
        wei.fill(f"#id_text-{name}", value)
    screenshot(wei, "practice-form")
    wei.get_by_role("button", name="Create").click()
    saved(wei, "Saved.")
    practice = Practice.objects.get()
    assert wei.url.endswith(f"/practices/{practice.slug}/")
    assert practice.place.slug == "guangzhou" and practice.status == PracticeStatus.DRAFT

    # ... then its Chinese text, the English original shown beside the form.
    wei.click(f"a[href='/practices/{practice.slug}/text/zh-hans/']")
    wei.wait_for_url("**/text/zh-hans/")
    expect(wei.locator(".practice-original")).to_contain_text(ENGLISH["what_was_done"])
    for name, value in CHINESE.items():
        wei.fill(f"#id_{name}", value)
    wei.get_by_role("button", name="Create").click()
    saved(wei, "Saved.")
    assert set(practice.texts.values_list("language", flat=True)) == {"en", "zh-hans"}

    wei.get_by_role("button", name="Submit for review").click()
    saved(wei, "Submitted for review")
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.SUBMITTED

    # 3 (first half). Freja, a coordinator of Chandigarh – Copenhagen, follows the theme
    # before the practice is published, so that she hears of its publication.
    freja = signed_in("freja", f"/themes/{THEME}/")
    freja.locator("form.follow-button").get_by_role("button", name="Follow").click()
    saved(freja, "You follow Waste management")
    expect(freja.locator("form.follow-button")).to_contain_text("Following")

    # 2. Rita, a reviewer, returns it with a comment.
    rita = signed_in("rita", "/practices/review/")
    review(rita, base, (3, 2, 3, 3), "return", RETURN_COMMENT, shot="practice-review")
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.RETURNED

    # Wei is told, reads the comment on the practice's page, improves the results and
    # submits again.
    wei.goto(base + "/practices/")
    open_notification(wei, "reviewed your practice")
    assert wei.url.endswith(f"/practices/{practice.slug}/")
    expect(wei.locator("table.practice-reviews")).to_contain_text(RETURN_COMMENT)
    wei.click(f"a[href='/practices/{practice.slug}/text/en/']")
    wei.wait_for_url("**/text/en/")
    wei.fill("#id_results", BETTER_RESULTS)
    wei.get_by_role("button", name="Save changes").click()
    saved(wei, "Saved.")
    wei.get_by_role("button", name="Submit for review").click()
    saved(wei, "Submitted for review")

    # Rita approves it with passing scores and publishes it: it carries the label.
    review(rita, base, (4, 4, 4, 3), "approve")
    rita.get_by_role("button", name="Publish").click()
    saved(rita, "Published, with the programme's label.")
    expect(rita.locator(".practice-head .practice-label")).to_be_visible()
    expect(rita.locator(".practice-text").last).to_contain_text(BETTER_RESULTS)
    screenshot(rita, "practice-labelled")
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.PUBLISHED and practice.labelled_at is not None
    assert list(practice.reviews.values_list("decision", "reviewer__username")
                .order_by("created_at", "id")) == [("return", "rita"), ("approve", "rita")]

    rita.goto(base + "/practices/")
    rita.get_by_label("Labelled only").check()
    rita.locator("form.practice-facets").get_by_role("button", name="Show").click()
    rita.wait_for_url(re.compile(r".*labelled=on.*"))
    expect(rita.locator("ul.practice-list")).to_contain_text(ENGLISH["title"])
    expect(rita.locator("ul.practice-list .practice-label")).to_have_count(1)

    # 3. Freja is told of the publication, opens the practice and asks a question.
    freja.goto(base + "/practices/")
    open_notification(freja, "published")
    assert freja.url.endswith(f"/practices/{practice.slug}/")
    freja.get_by_role("link", name="Start a discussion").click()
    freja.fill("#id_title", "Setting the price per tonne")
    freja.fill("#id_body", QUESTION)
    freja.get_by_role("button", name="Start the discussion").click()
    freja.wait_for_url(re.compile(r".*/discussions/\d+/.*"))
    thread = Thread.objects.get()
    assert thread.practice_id == practice.pk

    # Wei, whose practice it is, is told, and answers in the thread.
    wei.goto(base + "/practices/")
    open_notification(wei, "Setting the price per tonne")
    assert f"/discussions/{thread.pk}/" in wei.url
    expect(wei.locator("ol.posts")).to_contain_text(QUESTION)
    wei.fill("#id_body", ANSWER)
    wei.get_by_role("button", name="Post the reply").click()
    wei.wait_for_url(re.compile(r".*#post-\d+$"))
    expect(wei.locator("ol.posts li.post")).to_have_count(2)

    # Freja is told of the answer and reads it in the thread.
    freja.goto(base + "/practices/")
    open_notification(freja, "replied in")
    expect(freja.locator("ol.posts li.post").nth(1)).to_contain_text(ANSWER)
    expect(freja.locator("ol.posts li.post").nth(1)).to_contain_text("wei")
    screenshot(freja, "practice-thread")

    # 4. Hans, a coordinator of Mumbai – Stuttgart, posts Stuttgart's need: the practice is
    # proposed, with the reasons.
    hans = signed_in("hans", "/practices/needs/")
    hans.get_by_role("link", name="Post a need").click()
    hans.wait_for_url("**/practices/needs/new/**")
    hans.select_option("#id_place", label="Stuttgart")
    hans.fill("#id_title", "Reduce landfill by half in five years")
    hans.fill("#id_description", "Our landfill will be full by 2030. We want every household "
                                 "to sort its waste and the city to build up recycling, so "
                                 "that half as much waste goes to landfill.")
    hans.get_by_role("checkbox", name="Waste management", exact=True).check()
    hans.get_by_role("button", name="Create").click()
    saved(hans, "was created")
    match = hans.locator("li.need-practice", has_text=ENGLISH["title"])
    expect(match).to_be_visible()
    expect(match.locator(".practice-label")).to_be_visible()
    expect(match.locator("li.reason").first).to_be_visible()
    assert match.locator("li.reason").count() >= 2
    screenshot(hans, "practice-need")

    # 5. Switched to Chinese, the practice's page shows its Chinese text.
    freja.goto(base + f"/practices/{practice.slug}/")
    switch = freja.locator("form.language-switch")
    switch.locator("select").select_option("zh-hans")
    switch.get_by_role("button").click()
    freja.wait_for_url(f"**/practices/{practice.slug}/")
    expect(freja.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(freja.locator(".practice-head h1")).to_have_text(CHINESE["title"])
    expect(freja.locator(".practice-text").last).to_contain_text(CHINESE["what_was_done"])
    expect(freja.locator("p.lead")).to_contain_text(CHINESE["summary"])
    screenshot(freja, "practice-zh")
