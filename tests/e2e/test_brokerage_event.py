"""A small B2B brokerage event run end to end in Chromium, through its web pages: the organiser
sets it up; three people register (one goes to the waitlist and moves up when another
cancels), build profiles, ask for and accept a meeting; the organiser schedules and
publishes; each participant downloads their agenda as PDF and .ics; check-in marks who came;
a follow-up rating of "agreement reached" records an agreement linked to the meeting."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from citycoop.events.models import Attendance, Event, Participation
from citycoop.matchmaking.models import FollowUp, Meeting, MeetingStatus, Rating, RequestStatus
from tests.e2e.conftest import make_manager, screenshot, sign_in

pytestmark = pytest.mark.e2e

SLUG = "lyon-b2b-brokerage-2026"
TITLE = "Lyon B2B brokerage 2026"
PAIRING = "Lyon – Guangzhou"
PERSONAL = re.compile(r"/events/me/([A-Za-z0-9_-]{43})/$")



@pytest.fixture
def site(demo_site):
    make_manager()
    return demo_site


@pytest.fixture
def visitor(browser):
    """A fresh browser context per participant, so that none shares another's cookies."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def message(page, text: str) -> None:
    """Wait for the page's message saying this: after a form that comes back to the same
    address, the address alone does not tell that the answer has arrived."""
    page.locator(".messages li", has_text=text).wait_for()


def register(page, base: str, name: str, email: str, organisation: str) -> str:
    """Fill the public form; the personal page it leads to holds the token in its address."""
    page.goto(f"{base}/events/{SLUG}/register/")
    page.fill("#id_name", name)
    page.fill("#id_email", email)
    page.fill("#id_organisation", organisation)
    page.check("#id_consent")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url(PERSONAL)
    match = PERSONAL.search(page.url)
    assert match is not None
    return match.group(1)


def build_profile(page, base: str, token: str, *, organisation: str, offers: str,
                  requests: str, side: str) -> None:
    page.goto(f"{base}/b2b/me/{token}/")
    page.click("a.status-card:has-text('Profile')")
    page.wait_for_url(f"**/b2b/me/{token}/profile/")
    page.fill("#id_organisation_name", organisation)
    page.fill("#id_description", f"{organisation}, at the Lyon brokerage.")
    page.fill("#id_offers", offers)
    page.fill("#id_requests", requests)
    page.check(f"input[name=side][value={side}]")
    page.check("input[name=languages][value=en]")
    page.check("#id_published")
    page.click("button:has-text('Save my profile')")
    page.wait_for_url(f"**/b2b/me/{token}/")
    message(page, "Your profile was saved and is published.")
    assert "published" in page.inner_text("a.status-card:has-text('Profile')")


def download_agenda(page, base: str, token: str) -> tuple[bytes, bytes]:
    page.goto(f"{base}/b2b/me/{token}/")
    downloads = page.locator("#agenda p.downloads")
    downloads.wait_for()
    pdf_link = downloads.locator("a:has-text('PDF')")
    pdf = page.request.get(base + pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    with page.expect_download() as download:
        downloads.locator("a:has-text('.ics')").click()
    ics = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.endswith(".ics")
    return pdf.body(), ics


def badge_code(page, base: str, token: str) -> str:
    page.goto(f"{base}/events/me/{token}/")
    return page.inner_text(".badge-code").strip()


def test_a_b2b_brokerage_event_from_set_up_to_agreement(page, visitor, site):
    base = site

    # 1. The manager creates the event, opens registration for two places, sets the sessions.
    sign_in(page, base, "manager", "/workspace/events/new/")
    page.fill("#id_title", TITLE)
    page.fill("#id_slug", SLUG)
    page.select_option("#id_kind", "b2b_session")
    page.fill("#id_when", "24 September 2026")
    page.fill("#id_place", "Lyon")
    page.fill("#id_pairings", PAIRING)
    page.check("#id_is_public")
    page.click("#record-form button[type=submit]")
    page.wait_for_url(f"**/events/{SLUG}/")
    event = Event.objects.get(slug=SLUG)
    assert event.kind == "b2b_session" and event.is_public
    assert [p.label for p in event.pairings.all()] == [PAIRING]

    page.goto(f"{base}/events/{SLUG}/participants/")
    page.fill("#id_capacity", "2")
    page.click("button:has-text('Save the capacity')")
    message(page, "The capacity was saved")
    page.click("button:has-text('Open registration')")
    message(page, "Registration is now open.")
    status = page.inner_text("#registration-heading + p.status-line")
    assert "Registration is open." in status and "0 of 2 places taken." in status

    page.goto(f"{base}/b2b/{SLUG}/setup/")
    page.fill("#id_days", "2026-09-24")
    page.fill("#id_starts", "09:00")
    page.fill("#id_ends", "11:00")
    page.fill("#id_slot_minutes", "30")
    page.fill("#id_tables", "3")
    page.check("#id_requests_open")
    page.click("button:has-text('Save the sessions')")
    page.wait_for_url(f"**/b2b/{SLUG}/")
    message(page, "The sessions were saved.")
    assert "meetings of 30 minutes at 3 tables" in page.inner_text("main")
    assert "Requests are open." in page.inner_text("main")

    # 2. Three people register, each in a browser of their own; the third waits.
    ana, ben, chen = visitor(), visitor(), visitor()
    ana_token = register(ana, base, "Ana Almeida", "ana@example.org", "Almeida Mobility")
    message(ana, "You are registered")
    ben_token = register(ben, base, "Ben Brooks", "ben@example.org", "Brooks Logistics")
    message(ben, "You are registered")
    chen_token = register(chen, base, "Chen Wei", "chen@example.org", "Wei Electric Buses")
    message(chen, "number 1 on the waitlist")
    assert "You are number 1 on the waitlist" in chen.inner_text("p.status-line")
    assert chen.locator(".badge").count() == 0
    screenshot(chen, "brokerage-waitlisted")

    ben.click("a:has-text('Cancel my registration')")
    ben.wait_for_url(f"**/events/me/{ben_token}/cancel/")
    ben.click("button:has-text('Yes, cancel my registration')")
    ben.wait_for_url(f"**/events/me/{ben_token}/")
    message(ben, "is cancelled")
    assert "You cancelled this registration." in ben.inner_text("p.status-line")

    chen.reload()
    assert "You are registered." in chen.inner_text("p.status-line.status-registered")
    chen.locator(".badge .badge-code").wait_for()
    screenshot(chen, "brokerage-promoted")
    attendance = dict(Participation.objects.filter(event=event)
                      .values_list("person__name", "attendance"))
    assert attendance == {"Ana Almeida": Attendance.REGISTERED,
                          "Ben Brooks": Attendance.CANCELLED,
                          "Chen Wei": Attendance.REGISTERED}

    # 3. Ana and Chen publish matching profiles; Ana asks Chen to meet; Chen accepts.
    for who, token in ((ana, ana_token), (chen, chen_token)):
        who.click("a:has-text('Your B2B meetings')")
        who.wait_for_url(f"**/b2b/me/{token}/")
    build_profile(ana, base, ana_token, organisation="Almeida Mobility", side="seller",
                  offers="Electric bus fleet planning and charging data platform",
                  requests="Bus operators piloting electric buses in Chinese cities")
    build_profile(chen, base, chen_token, organisation="Wei Electric Buses", side="buyer",
                  offers="Electric buses and a pilot line in Guangzhou",
                  requests="Charging data platform and fleet planning for electric buses")
    screenshot(chen, "brokerage-profile-published")

    ana.click("nav.b2b-tabs a:has-text('Find participants')")
    ana.wait_for_url(f"**/b2b/me/{ana_token}/browse/")
    card = ana.locator("li.b2b-card", has=ana.locator("h3", has_text="Wei Electric Buses"))
    card.locator("summary:has-text('Ask to meet')").click()
    card.locator("textarea[name=message]").fill(
        "We plan charging for bus fleets: shall we talk about your Guangzhou pilot line?")
    card.locator("button:has-text('Send the request')").click()
    message(ana, "Your request was sent to Chen Wei.")
    assert ana.url.endswith(f"/b2b/me/{ana_token}/browse/")
    assert "Your request: waiting for an answer" in card.inner_text()

    chen.goto(f"{base}/b2b/me/{chen_token}/")
    received = chen.locator("#received tbody tr", has_text="Almeida Mobility")
    assert "Guangzhou pilot line" in received.inner_text()
    received.locator("button:has-text('Accept')").click()
    message(chen, "You accepted to meet Ana Almeida.")
    assert chen.url.endswith(f"/b2b/me/{chen_token}/")
    assert "accepted" in chen.inner_text("#received tbody tr")
    screenshot(chen, "brokerage-request-accepted")

    # 4. The manager schedules the accepted meeting and publishes it.
    page.goto(f"{base}/b2b/{SLUG}/")
    page.click("button:has-text('Schedule the accepted meetings')")
    message(page, "1 of 1 accepted meetings were scheduled")
    assert page.locator("table.b2b-grid td.meeting.draft").count() == 1
    page.click("button.publish")
    message(page, "1 meeting was published on the participants' agendas")
    grid = page.locator("table.b2b-grid")
    assert grid.locator("td.meeting").count() == 1
    published = grid.locator("td.meeting.published.status-scheduled")
    assert published.count() == 1
    assert "Almeida Mobility" in published.inner_text()
    assert "Wei Electric Buses" in published.inner_text()
    assert "1 published, 0 not yet published" in page.inner_text(".schedule-actions")
    screenshot(page, "brokerage-schedule-published")
    meeting = Meeting.objects.get(request__event=event)
    assert meeting.published and meeting.request.status == RequestStatus.ACCEPTED
    assert meeting.request.requester.token == ana_token
    assert meeting.request.recipient.token == chen_token

    # 5. Each of them downloads their agenda as PDF and as a calendar file.
    for who, token, other in ((ana, ana_token, "Chen Wei"), (chen, chen_token, "Ana Almeida")):
        pdf, ics = download_agenda(who, base, token)
        assert pdf.startswith(b"%PDF")
        assert ics.startswith(b"BEGIN:VCALENDAR\r\n")
        assert ics.count(b"BEGIN:VEVENT") == 1 and b"END:VEVENT" in ics
        assert ics.endswith(b"END:VCALENDAR\r\n")
        assert ics.count(b"\n") == ics.count(b"\r\n")  # every line ends in CRLF
        unfolded = ics.decode("utf-8").replace("\r\n ", "")
        # Lyon's clock: the calendar carries the event's zone, as the agenda page shows it.
        lyon = meeting.starts_at.astimezone(ZoneInfo("Europe/Paris"))
        assert f"DTSTART;TZID=Europe/Paris:{lyon:%Y%m%dT%H%M%S}" in unfolded
        assert "BEGIN:VTIMEZONE" in unfolded
        assert other in unfolded

    # 6. At the door the manager checks both in by the codes on their badges.
    codes = {"Ana Almeida": badge_code(ana, base, ana_token),
             "Chen Wei": badge_code(chen, base, chen_token)}
    page.goto(f"{base}/events/{SLUG}/check-in/")
    for name, code in codes.items():
        page.fill("#id_code", code)
        page.click("form.door-form button[type=submit]")
        result = page.locator("#door-result .door-result.ok", has_text=name)
        result.wait_for()
        assert "Checked in. Welcome!" in result.inner_text()
    assert "2 of 2 checked in" in page.inner_text("#door-count")
    screenshot(page, "brokerage-check-in")
    page.goto(f"{base}/events/{SLUG}/participants/")
    assert page.inner_text("[data-count=attended] .value") == "2"
    assert page.inner_text("[data-count=registered] .value") == "0"
    assert page.inner_text("[data-count=cancelled] .value") == "1"

    # 7. The meeting was held; follow-ups go out; Ana reports an agreement and records it.
    page.goto(f"{base}/b2b/{SLUG}/")
    page.locator("table.b2b-grid td.meeting button[value=held]").click()
    page.locator("table.b2b-grid td.meeting.status-held").wait_for()
    assert "1 meeting was held." in page.inner_text("section[aria-labelledby=follow-heading]")
    page.click("button:has-text('Create the follow-ups at 3 and 6 months')")
    page.wait_for_url(f"**/b2b/{SLUG}/funnel/")
    message(page, "4 follow-ups were created")
    ana_rows = page.locator("table.data tbody tr", has=page.locator("td:nth-child(2)",
                                                                     has_text="Ana Almeida"))
    assert ana_rows.count() == 2
    assert "after 3 months" in ana_rows.first.inner_text()
    follow_up_link = ana_rows.first.locator("a:has-text('form')").get_attribute("href")

    ana.goto(base + follow_up_link)
    assert "you met Chen Wei" in ana.inner_text("p.lead")
    ana.get_by_label("cooperation agreement reached").check()
    ana.fill("#id_comment", "We signed a memorandum on a charging pilot in Guangzhou.")
    ana.click("button:has-text('Send my answer')")
    message(ana, "Thank you: your answer was saved.")
    offer = ana.locator("section.agreement-offer")
    assert offer.locator("#id_title").input_value() == (
        "Cooperation agreement of Ana Almeida and Chen Wei")
    assert offer.locator("#id_pairing").count() == 0  # the event serves one pairing
    offer.locator("#id_title").fill("Guangzhou electric bus charging pilot MoU")
    offer.locator("#id_kind").select_option("mou")
    offer.locator("button:has-text('Record the agreement')").click()
    message(ana, "The agreement was recorded.")
    assert "Guangzhou electric bus charging pilot MoU" in ana.inner_text(
        "section.agreement-done")
    screenshot(ana, "brokerage-agreement-recorded")

    follow_up = FollowUp.objects.select_related("agreement__pairing", "meeting", "rater").get(
        token=follow_up_link.rstrip("/").rsplit("/", 1)[-1])
    assert follow_up.rater.token == ana_token
    assert follow_up.rating == Rating.AGREEMENT
    assert follow_up.meeting == meeting
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    agreement = follow_up.agreement
    assert agreement is not None
    assert agreement.title == "Guangzhou electric bus charging pilot MoU"
    assert agreement.type == "mou" and agreement.status == "under_preparation"
    assert agreement.pairing is not None and agreement.pairing.slug == "lyon-guangzhou"
    assert not agreement.is_public
    assert list(agreement.follow_ups.all()) == [follow_up]

    page.goto(f"{base}/b2b/{SLUG}/funnel/")
    assert "Guangzhou electric bus charging pilot MoU" in page.inner_text("table.data >> nth=1")
    screenshot(page, "brokerage-funnel")
