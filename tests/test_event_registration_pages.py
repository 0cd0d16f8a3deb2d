"""The registration pages: the public registers without an account and keeps a personal page
with a QR badge; organisers follow the participants, check them in at the door, log the
media coverage and read the closing report; everyone else is refused."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from citycoop.accounts.models import AuditEntry
from citycoop.common.services import create_record
from citycoop.events.badges import qr_svg
from citycoop.events.models import Attendance, Event, FeedbackAnswer, MediaItem, Participation
from citycoop.events.registration import (
    Registrant,
    check_in,
    register,
    set_registration_open,
    submit_feedback,
)

from . import workspace_fixtures

pytestmark = pytest.mark.django_db
coordinator = workspace_fixtures.coordinator


@pytest.fixture
def event(demo, manager) -> Event:
    return create_record(Event, {"slug": "smart-city-week", "title": "Smart City Week",
                                 "kind": "conference", "when": "24-26 September 2016",
                                 "capacity": 2, "registration_open": True},
                         acting_user=manager)


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def url(name: str, *args: str) -> str:
    return reverse(f"registration:{name}", args=list(args))


def form_data(n: int, **changes: str) -> dict[str, str]:
    return {"name": f"Person {n}", "email": f"person{n}@example.org",
            "organisation": "Keele University", "role": "delegate", "consent": "on",
            **changes}


def registered(event: Event, n: int, organisation: str = "") -> Participation:
    return register(event, Registrant(name=f"Person {n}", email=f"person{n}@example.org",
                                      organisation=organisation))


def attend(event: Event, participation: Participation, user) -> Participation:
    return check_in(event, participation.badge_code or "", acting_user=user)


# Registration and the personal page

def test_registering_leads_to_the_personal_page_with_the_qr_badge(client, event, mailoutbox):
    response = client.post(url("register", event.slug), form_data(1), follow=True)
    participation = Participation.objects.get(event=event, person__email="person1@example.org")
    assert response.redirect_chain == [(url("personal", participation.token), 302)]
    page = text_of(response)
    assert "You are registered for “Smart City Week”" in page
    assert participation.badge_code in page
    assert participation.organisation is not None
    assert participation.organisation.name == "Keele University"
    html = response.content.decode()
    assert qr_svg(participation.badge_code, title="QR code of the badge code "
                  f"{participation.badge_code}") in html
    assert '<svg viewBox="0 0 29 29" class="qr">' in html
    assert "http://testserver" + url("personal", participation.token) in page
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["person1@example.org"]
    assert "http://testserver" + url("personal", participation.token) in mailoutbox[0].body


def test_a_full_event_puts_the_registrant_on_the_waitlist_and_says_where(client, event):
    registered(event, 1)
    registered(event, 2)
    page = text_of(client.get(url("register", event.slug)))
    assert "The event is full" in page and "Join the waitlist" in page
    page = text_of(client.post(url("register", event.slug), form_data(3), follow=True))
    assert "you are number 1 on the waitlist" in page
    assert "Badge code" not in page  # a waitlisted registrant has no badge yet


def test_a_closed_registration_shows_no_form_and_refuses_a_post(client, event, manager):
    set_registration_open(event, False, expected_version=event.version, acting_user=manager)
    response = client.get(url("register", event.slug))
    assert "Registration for this event is closed." in text_of(response)
    assert 'name="email"' not in response.content.decode()
    response = client.post(url("register", event.slug), form_data(1))
    assert response.status_code == 409
    assert not event.participations.exists()


def test_a_duplicate_registration_is_refused_clearly(client, event, mailoutbox):
    registered(event, 1)
    response = client.post(url("register", event.slug), form_data(1, email="PERSON1@example.org"))
    assert response.status_code == 409
    assert "PERSON1@example.org is already registered for this event." in text_of(response)
    assert event.participations.count() == 1 and not mailoutbox


@pytest.mark.parametrize("changes, message", [
    ({"email": "not-an-email"}, "Enter a valid email address"),
    ({"consent": ""}, "We can only register you if you agree"),
    ({"name": ""}, "Your name is required."),
])
def test_bad_input_is_refused_with_its_reason(client, event, changes, message):
    data = {key: value for key, value in form_data(1, **changes).items() if value}
    response = client.post(url("register", event.slug), data)
    assert response.status_code == 200
    assert message in text_of(response)
    assert not event.participations.exists()


def test_a_private_event_s_registration_is_hidden_from_the_public(client, event, manager):
    Event.objects.filter(pk=event.pk).update(is_public=False)
    assert client.get(url("register", event.slug)).status_code == 404
    assert client.get(url("report", event.slug)).status_code == 404
    client.force_login(manager)
    assert client.get(url("register", event.slug)).status_code == 200


def test_a_wrong_personal_link_is_a_404(client, event):
    registered(event, 1)
    assert client.get("/events/me/" + "x" * 43 + "/").status_code == 404
    assert client.get("/events/me/short/").status_code == 404
    assert client.get("/events/me/" + "x" * 43 + "/feedback/").status_code == 404


def test_cancelling_asks_first_then_promotes_the_waitlist_and_emails_them(client, event,
                                                                          mailoutbox):
    one = registered(event, 1)
    registered(event, 2)
    waiting = registered(event, 3)
    response = client.get(url("cancel", one.token))
    assert "Yes, cancel my registration" in text_of(response)
    assert Participation.objects.get(pk=one.pk).attendance == Attendance.REGISTERED
    page = text_of(client.post(url("cancel", one.token), follow=True))
    assert "You cancelled this registration." in page
    assert Participation.objects.get(pk=waiting.pk).attendance == Attendance.REGISTERED
    assert [m.to for m in mailoutbox] == [["person3@example.org"]]
    assert "http://testserver" + url("personal", waiting.token) in mailoutbox[0].body
    # The cancelled registrant can come back while registration is open.
    assert url("register", event.slug) in client.get(url("personal", one.token)).content.decode()


# Who may use the organisers' pages

ORGANISER_PAGES = ["participants", "participants-csv", "check-in", "media", "report-edit"]
ORGANISER_ACTIONS = ["capacity", "registration-status", "send-survey", "no-shows"]


def organiser_request(client, event: Event, name: str):
    if name in ORGANISER_ACTIONS:
        return client.post(url(name, event.slug), {"capacity": "10", "confirm": "on",
                                                   "version": event.version, "open": "0"})
    return client.get(url(name, event.slug))


def test_the_organiser_pages_send_the_anonymous_visitor_to_sign_in(client, event):
    for name in ORGANISER_PAGES + ORGANISER_ACTIONS:
        response = organiser_request(client, event, name)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


@pytest.mark.parametrize("persona", ["outsider", "coordinator"])
def test_the_organiser_pages_refuse_outsiders_and_pairing_coordinators(
        client, event, request, persona):
    registered(event, 1)
    client.force_login(request.getfixturevalue(persona))
    before = AuditEntry.objects.count()
    for name in ORGANISER_PAGES + ORGANISER_ACTIONS:
        assert organiser_request(client, event, name).status_code == 403, name
    assert AuditEntry.objects.count() == before
    assert Event.objects.get(pk=event.pk).capacity == 2


def test_the_organiser_pages_open_for_a_programme_manager(client, event, manager):
    client.force_login(manager)
    for name in ORGANISER_PAGES:
        assert client.get(url(name, event.slug)).status_code == 200, name


# The participants page

def test_the_participants_page_counts_each_state_at_a_bounded_cost(
        client, event, manager, django_assert_max_num_queries):
    one, two, three, four = (registered(event, n) for n in (1, 2, 3, 4))
    attend(event, one, manager)
    client.force_login(manager)
    client.post(url("cancel", four.token))
    with django_assert_max_num_queries(15):
        response = client.get(url("participants", event.slug))
    html = response.content.decode()
    for state, n in [("registered", 1), ("waitlisted", 1), ("attended", 1), ("no_show", 0),
                     ("cancelled", 1)]:
        assert re.search(rf'data-count="{state}"[^>]*><span class="value">{n}<', html), state
    assert "2 of 2 places taken." in text_of(response)
    for p in (one, two, three, four):
        assert p.badge_code in html
    waiting = text_of(client.get(url("participants", event.slug) + "?status=waitlisted"))
    assert "Person 3" in waiting and "Person 2" not in waiting


def test_raising_the_capacity_on_the_page_promotes_and_emails(client, event, manager,
                                                               mailoutbox):
    *_, waiting = (registered(event, n) for n in (1, 2, 3))
    client.force_login(manager)
    page = text_of(client.post(url("capacity", event.slug), {"capacity": "3"}, follow=True))
    assert "1 person moved up from the waitlist" in page
    assert Participation.objects.get(pk=waiting.pk).attendance == Attendance.REGISTERED
    assert [m.to for m in mailoutbox] == [["person3@example.org"]]
    response = client.post(url("capacity", event.slug), {"capacity": "-1"})
    assert response.status_code == 400
    assert Event.objects.get(pk=event.pk).capacity == 3


def test_organisers_close_and_reopen_registration_from_the_page_they_loaded(client, event,
                                                                             manager):
    client.force_login(manager)
    loaded = event.version
    client.post(url("registration-status", event.slug), {"version": loaded, "open": "0"})
    assert not Event.objects.get(pk=event.pk).registration_open
    # A second click from the same, now stale, page is refused.
    response = client.post(url("registration-status", event.slug),
                           {"version": loaded, "open": "1"})
    assert response.status_code == 409
    assert "changed by someone else" in text_of(response)
    assert not Event.objects.get(pk=event.pk).registration_open
    version = Event.objects.get(pk=event.pk).version
    client.post(url("registration-status", event.slug), {"version": version, "open": "1"})
    assert Event.objects.get(pk=event.pk).registration_open


def test_the_csv_lists_every_participant_and_defuses_formulas(client, event, manager):
    registered(event, 1, organisation="Keele University")
    register(event, Registrant(name="=HYPERLINK(\"http://x\")", email="evil@example.org"))
    client.force_login(manager)
    response = client.get(url("participants-csv", event.slug))
    assert response["Content-Type"].startswith("text/csv")
    assert "smart-city-week-participants.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["name", "email", "organisation", "role", "attendance"]
    assert rows[1][:5] == ["Person 1", "person1@example.org", "Keele University", "delegate",
                           "registered"]
    assert rows[2][0] == "'=HYPERLINK(\"http://x\")"
    assert len(rows) == 3


# Check-in at the door

def test_the_door_checks_in_a_typed_code_and_flags_a_second_scan(client, event, manager):
    one = registered(event, 1)
    client.force_login(manager)
    page = client.get(url("check-in", event.slug)).content.decode()
    assert "autofocus" in page and "0 of 1 checked in" in text_of(client.get(
        url("check-in", event.slug)))
    response = client.post(url("check-in", event.slug), {"code": one.badge_code.lower()})
    page = text_of(response)
    assert response.status_code == 200
    assert "Person 1" in page and "Checked in. Welcome!" in page and "1 of 1 checked in" in page
    assert Participation.objects.get(pk=one.pk).attendance == Attendance.ATTENDED
    again = text_of(client.post(url("check-in", event.slug), {"code": one.badge_code}))
    assert "Already checked in at" in again


def test_the_door_refuses_the_waitlist_and_unknown_codes_clearly(client, event, manager):
    *_, waiting = (registered(event, n) for n in (1, 2, 3))
    client.force_login(manager)
    response = client.post(url("check-in", event.slug), {"code": waiting.badge_code})
    assert response.status_code == 409
    assert "Person 3 is on the waitlist, not registered." in text_of(response)
    response = client.post(url("check-in", event.slug), {"code": "NOPE1234"})
    assert "No registration at this event has the code NOPE1234." in text_of(response)
    assert client.post(url("check-in", event.slug), {"code": ""}).status_code == 400


def test_after_the_event_the_rest_are_marked_as_no_shows_once_confirmed(client, event,
                                                                        manager):
    one, two = registered(event, 1), registered(event, 2)
    attend(event, one, manager)
    client.force_login(manager)
    assert client.post(url("no-shows", event.slug), {}).status_code == 400
    assert Participation.objects.get(pk=two.pk).attendance == Attendance.REGISTERED
    page = text_of(client.post(url("no-shows", event.slug), {"confirm": "on"}, follow=True))
    assert "1 registrant was marked as a no-show." in page
    assert Participation.objects.get(pk=two.pk).attendance == Attendance.NO_SHOW


# Media coverage and dissemination

def test_organisers_log_media_and_outputs_and_the_report_publishes_them(client, event,
                                                                        manager):
    client.force_login(manager)
    response = client.post(url("media", event.slug), {
        "add": "media", "media-outlet": "China Daily", "media-title": "Smart cities meet",
        "media-type": "press", "media-language": "en", "media-published_on": "2016-09-27",
        "media-link": "https://example.org/article", "media-reach": "120000"})
    assert response.status_code == 302
    client.post(url("media", event.slug), {"add": "media", "media-outlet": "Tianjin TV",
                                           "media-type": "tv", "media-reach": "30000"})
    client.post(url("media", event.slug), {"add": "output", "output-kind": "report",
                                           "output-title": "Week report",
                                           "output-audience": "400"})
    item = MediaItem.objects.get(title="Smart cities meet")
    assert item.event == event
    assert AuditEntry.objects.filter(object_id=str(item.pk), actor=manager).exists()
    bad = client.post(url("media", event.slug), {"add": "media", "media-type": "press"})
    assert bad.status_code == 400 and "Outlet is required." in text_of(bad)
    client.logout()
    report = text_of(client.get(url("report", event.slug)))
    assert "China Daily" in report and "Tianjin TV" in report and "Week report" in report
    assert "Total reach 150,000" in report
    assert "Total audience 400" in report


# The quality survey

def test_an_attendee_answers_the_survey_once(client, event, manager):
    one = attend(event, registered(event, 1), manager)
    assert "Answer the survey" in text_of(client.get(url("personal", one.token)))
    response = client.get(url("feedback", one.token))
    assert response.status_code == 200 and 'type="radio"' in response.content.decode()
    answers = {"overall": "5", "relevance": "4", "organisation": "4", "networking": "3",
               "comment": "Good contacts"}
    page = text_of(client.post(url("feedback", one.token), answers, follow=True))
    assert "Thank you: your answers were saved." in page
    assert FeedbackAnswer.objects.get(participation=one).networking == 3
    again = client.get(url("feedback", one.token))
    assert "You have already answered; thank you." in text_of(again)
    client.post(url("feedback", one.token), {**answers, "overall": "1"})
    assert FeedbackAnswer.objects.get(participation=one).overall == 5


def test_the_survey_refuses_those_who_did_not_attend(client, event):
    one = registered(event, 1)
    response = client.post(url("feedback", one.token), {"overall": "5", "relevance": "5",
                                                        "organisation": "5",
                                                        "networking": "5"})
    assert response.status_code == 403
    assert "Only people who attended can rate the event." in text_of(response)
    assert not FeedbackAnswer.objects.exists()


def test_organisers_email_the_survey_link_to_each_attendee_who_has_not_answered(
        client, event, manager, mailoutbox):
    one, two, _waiting = (registered(event, n) for n in (1, 2, 3))
    one, two = attend(event, one, manager), attend(event, two, manager)
    submit_feedback(two, {"overall": 4, "relevance": 4, "organisation": 4, "networking": 4})
    client.force_login(manager)
    page = text_of(client.post(url("send-survey", event.slug), follow=True))
    assert "The survey link was sent to 1 attendee." in page
    assert [m.to for m in mailoutbox] == [["person1@example.org"]]
    assert "http://testserver" + url("feedback", one.token) in mailoutbox[0].body


# The closing report

def test_the_closing_report_counts_attendees_organisations_and_quality(
        client, event, manager, django_assert_max_num_queries):
    before = text_of(client.get(url("report", event.slug)))
    assert "No answers yet." in before
    # Nobody registered: attendance was not recorded, which is not "0 attendees".
    assert "attendance not recorded here" in before and "0 attendees" not in before
    Event.objects.filter(pk=event.pk).update(capacity=None)
    people = [registered(event, 1, "Keele University"), registered(event, 2, "Keele University"),
              registered(event, 3, "Medilink"), registered(event, 4, "Medilink")]
    for participation in people[:3]:
        attend(event, participation, manager)
    for participation, score in zip(people[:3], (5, 4, 4), strict=True):
        submit_feedback(Participation.objects.get(pk=participation.pk),
                        {"overall": score, "relevance": score, "organisation": score,
                         "networking": score})
    with django_assert_max_num_queries(12):
        page = text_of(client.get(url("report", event.slug)))
    assert re.search(r"\b3 attendees\b", page)
    assert re.search(r"\b2 organisations attending\b", page)
    assert "Keele University" in page and "Medilink" in page
    assert "4.3 / 5 from 3 answers" in page
    assert "Edit the minutes" not in page


def test_organisers_write_the_minutes_outcomes_and_links_of_the_report(client, event,
                                                                      manager):
    client.force_login(manager)
    response = client.post(url("report-edit", event.slug), {
        "version": event.version, "minutes": "We met the Tianjin DRC.",
        "outcomes": "Two MoUs in preparation.", "report_links": "not a link"})
    assert response.status_code == 200 and "is not a web address" in text_of(response)
    response = client.post(url("report-edit", event.slug), {
        "version": event.version, "minutes": "We met the Tianjin DRC.",
        "outcomes": "Two MoUs in preparation.",
        "report_links": "https://example.org/report.pdf\n\nhttps://example.org/photos"},
        follow=True)
    page = text_of(response)
    assert response.redirect_chain[-1][0] == url("report", event.slug)
    assert "We met the Tianjin DRC." in page and "Two MoUs in preparation." in page
    assert Event.objects.get(pk=event.pk).report_links == [
        "https://example.org/report.pdf", "https://example.org/photos"]
    assert "Edit the minutes" in page
