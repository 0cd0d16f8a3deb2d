"""B2B matchmaking's pages: the participant's, reached by their personal link (a wrong link
finds nothing), the organiser's (refused to the anonymous and to outsiders), scheduling and
publishing from the overview, the agenda as iCalendar and PDF, and the follow-up form that
records an agreement."""

from __future__ import annotations

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from citycoop.common.services import create_record, update_record
from citycoop.matchmaking import outcomes, scheduling, services
from citycoop.matchmaking.models import (
    FollowUp,
    MatchmakingSetup,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Profile,
    Rating,
    RequestStatus,
    Side,
)
from citycoop.portfolio.models import Agreement
from citycoop.registry.models import Place

from .test_b2b_services import accepted, join, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return make_event()


@pytest.fixture
def pair(event):
    ana = join(event, "Ana Ruiz", side=Side.SELLER, offers="District heating networks",
               requests="biotech partners", languages=["en", "es"])
    ben = join(event, "Ben Li", side=Side.BUYER, offers="biotech labs",
               requests="district heating", languages=["en", "zh"])
    return ana, ben


def scheduled(event, ana, ben) -> Meeting:
    accepted(ana, ben)
    scheduling.schedule_event(event, None, time_limit=2)
    scheduling.publish_schedule(event, acting_user=None)
    return Meeting.objects.get(request__event=event)


# -- the participant's pages -------------------------------------------------------------------


PARTICIPANT_PAGES = ["b2b:me", "b2b:profile", "b2b:browse", "b2b:agenda", "b2b:agenda-pdf",
                     "b2b:agenda-ics"]


@pytest.mark.parametrize("name", PARTICIPANT_PAGES)
def test_a_wrong_personal_link_finds_nothing(client, event, name):
    assert client.get(reverse(name, args=["not-a-real-token"])).status_code == 404


def test_a_wrong_follow_up_link_finds_nothing(client, event):
    assert client.get(reverse("b2b:follow-up", args=["nope"])).status_code == 404


def test_the_dashboard_shows_the_profile_suggestions_requests_and_agenda(client, event, pair):
    ana, _ben = pair
    services.send_request(join(event, "Dee"), ana, "Let us talk about heat")
    page = client.get(reverse("b2b:me", args=[ana.token]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ana Ruiz" in text and "published" in text
    assert "they look for what you offer: district heating" in text
    assert "Let us talk about heat" in text and 'value="accept"' in text
    assert "No meeting has been published for you yet" in text


def test_a_participant_answers_and_withdraws_through_their_link(client, event, pair):
    ana, ben = pair
    request = services.send_request(ben, ana)
    # Someone else's link cannot answer it.
    response = client.post(reverse("b2b:answer", args=[ben.token, request.pk]),
                           {"answer": "accept"})
    assert response.status_code == 302
    assert MeetingRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING
    client.post(reverse("b2b:answer", args=[ana.token, request.pk]), {"answer": "accept"})
    assert MeetingRequest.objects.get(pk=request.pk).status == RequestStatus.ACCEPTED
    client.post(reverse("b2b:withdraw", args=[ben.token, request.pk]))
    assert MeetingRequest.objects.get(pk=request.pk).status == RequestStatus.WITHDRAWN
    outsider = join(make_event("elsewhere"), "Out Sider")
    assert client.post(reverse("b2b:withdraw", args=[outsider.token, request.pk])
                       ).status_code == 404


def test_the_profile_form_saves_themes_languages_side_and_the_slots_when_away(client, event):
    cai = join(event, "Cai", published=False)
    page = client.get(reverse("b2b:profile", args=[cai.token]))
    assert page.status_code == 200 and b'value="d1-09:00"' in page.content
    slots = [s.id for s in services.slots(MatchmakingSetup.objects.get(event=event))]
    profile = Profile.objects.get(participation=cai)
    response = client.post(reverse("b2b:profile", args=[cai.token]), {
        "organisation_name": "Cai Robotics", "offers": "robots", "requests": "ports",
        "languages": ["zh", "en"], "side": Side.SELLER, "available": slots[2:],
        "published": "on", "version": profile.version})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.organisation_name == "Cai Robotics" and profile.published
    assert profile.unavailable == sorted(slots[:2]) and profile.side == Side.SELLER
    assert sorted(profile.languages) == ["en", "zh"]


def test_browse_filters_and_sends_a_request_with_a_message(client, event, pair):
    ana, ben = pair
    join(event, "Dee", side=Side.SELLER, offers="container cranes", languages=["de"])
    url = reverse("b2b:browse", args=[ana.token])
    page = client.get(url)
    assert b"Ben Li Ltd" in page.content and b"Dee Ltd" in page.content
    assert b"Ana Ruiz Ltd" not in page.content  # not oneself
    assert b"Dee Ltd" not in client.get(url, {"q": "biotech"}).content
    assert b"Ben Li Ltd" not in client.get(url, {"side": "seller"}).content
    assert b"Ben Li Ltd" not in client.get(url, {"language": "de"}).content
    assert b"Ben Li Ltd" in client.get(url, {"language": "zh"}).content
    response = client.post(reverse("b2b:send", args=[ana.token]),
                           {"recipient": ben.pk, "message": "Heat?", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert MeetingRequest.objects.get(requester=ana, recipient=ben).message == "Heat?"
    page = client.get(url)
    assert "Your request: waiting for an answer" in page.content.decode()


def test_browse_costs_the_same_queries_for_many_profiles(client, event, pair,
                                                        django_assert_max_num_queries):
    ana, _ben = pair
    for i in range(25):
        join(event, f"Extra {i}", offers="cranes")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("b2b:browse", args=[ana.token])).status_code == 200


def test_the_agenda_as_icalendar_follows_rfc_5545(client, event, pair):
    ana, ben = pair
    meeting = scheduled(event, ana, ben)
    response = client.get(reverse("b2b:agenda-ics", args=[ana.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = raw.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]  # unfolded
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    props = dict(line.split(":", 1) for line in lines)
    assert props["VERSION"] == "2.0" and props["PRODID"]
    assert lines.count("BEGIN:VEVENT") == 1 == lines.count("END:VEVENT")
    assert props["UID"] == f"b2b-meeting-{meeting.pk}@testserver"

    def moment(name: str) -> datetime.datetime:
        """DTSTART/DTEND, written in the event's zone (TZID) as the agenda writes them."""
        event = lines[lines.index("BEGIN:VEVENT"):lines.index("END:VEVENT")]
        key, value = next(line.split(":", 1) for line in event
                          if line.split(":")[0].split(";")[0] == name)
        zone = ZoneInfo(key.split("TZID=", 1)[1]) if "TZID=" in key else datetime.UTC
        return datetime.datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S").replace(
            tzinfo=zone)

    assert moment("DTSTART") == meeting.starts_at
    assert moment("DTEND") == meeting.ends_at
    datetime.datetime.strptime(props["DTSTAMP"], "%Y%m%dT%H%M%SZ")
    assert props["SUMMARY"] == "B2B meeting with Ben Li (Ben Li Ltd)"
    assert props["LOCATION"] == f"Table {meeting.table}"


def test_a_long_summary_is_folded_and_escaped(client, event):
    from citycoop.matchmaking.ics import CalendarEvent, calendar

    now = datetime.datetime(2016, 9, 26, 9, tzinfo=datetime.UTC)
    text = calendar([CalendarEvent("x@y", now, now, "会议, 天津; " * 20)], name="n", now=now)
    lines = text.encode("utf-8").split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert all(line.startswith(b" ") for line in lines if line and b":" not in line)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:会议\\, 天津\\; 会议" in unfolded


def test_the_agenda_pdf_and_page_show_the_meeting(client, event, pair):
    ana, ben = pair
    meeting = scheduled(event, ana, ben)
    response = client.get(reverse("b2b:agenda-pdf", args=[ana.token]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = client.get(reverse("b2b:agenda", args=[ana.token])).content.decode()
    assert "Ben Li" in page and f"<b>{meeting.table}</b>" in page
    assert "http" not in page.split("</head>")[0]  # nothing loaded from elsewhere


def test_pages_and_agendas_show_times_local_to_the_event(client, event, pair, manager):
    tianjin = create_record(Place, {"slug": "tianjin-b2b", "name": "Tianjin", "kind": "city",
                                    "country": "CN"}, acting_user=None)
    update_record(event, {"place": tianjin}, acting_user=None, expected_version=None)
    ana, ben = pair
    meeting = scheduled(event, ana, ben)
    local = meeting.starts_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    utc = meeting.starts_at.astimezone(datetime.UTC).strftime("%H:%M")
    assert local != utc
    for url in (reverse("b2b:me", args=[ana.token]), reverse("b2b:agenda", args=[ana.token])):
        text = client.get(url).content.decode()
        assert f"{local}–" in text and f"{utc}–" not in text
    client.force_login(manager)
    overview = client.get(reverse("b2b:overview", args=[event.slug])).content.decode()
    assert f'<th scope="row">{local}<small>' in overview


# -- the follow-up -----------------------------------------------------------------------------


def test_a_follow_up_reporting_an_agreement_records_it(client, event, pair):
    ana, ben = pair
    meeting = scheduled(event, ana, ben)
    scheduling.mark_meeting(meeting, MeetingStatus.HELD, acting_user=None)
    follow_up = outcomes.create_follow_ups(event, months=(3,))[0]
    url = reverse("b2b:follow-up", args=[follow_up.token])
    page = client.get(url)
    assert page.status_code == 200 and b"Record the agreement" not in page.content
    client.post(url, {"rating": Rating.AGREEMENT, "comment": "Signed"})
    page = client.get(url)
    assert b"Record the agreement" in page.content
    response = client.post(reverse("b2b:follow-up-agreement", args=[follow_up.token]),
                           {"title": "MoU on heat", "kind": "mou"})
    assert response.status_code == 302
    agreement = Agreement.objects.get(title="MoU on heat")
    assert FollowUp.objects.get(pk=follow_up.pk).agreement == agreement
    assert "Agreement recorded" in client.get(url).content.decode()


# -- the organiser's pages ---------------------------------------------------------------------


ORGANISER_PAGES = ["b2b:overview", "b2b:setup", "b2b:funnel"]
ORGANISER_ACTIONS = ["b2b:schedule", "b2b:publish", "b2b:follow-ups"]


@pytest.mark.parametrize("name", ORGANISER_PAGES + ORGANISER_ACTIONS)
def test_the_organiser_pages_send_the_anonymous_to_sign_in(client, event, name):
    method = client.post if name in ORGANISER_ACTIONS else client.get
    response = method(reverse(name, args=[event.slug]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", ORGANISER_PAGES + ORGANISER_ACTIONS)
def test_the_organiser_pages_refuse_an_outsider(client, event, outsider, name):
    client.force_login(outsider)
    method = client.post if name in ORGANISER_ACTIONS else client.get
    assert method(reverse(name, args=[event.slug])).status_code == 403
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("name", ORGANISER_PAGES)
def test_the_organiser_pages_open_for_a_manager(client, event, manager, name):
    client.force_login(manager)
    assert client.get(reverse(name, args=[event.slug])).status_code == 200


def test_a_manager_sets_the_sessions(client, event, manager):
    client.force_login(manager)
    setup = MatchmakingSetup.objects.get(event=event)
    response = client.post(reverse("b2b:setup", args=[event.slug]), {
        "days": "2016-10-03", "starts": "14:00", "ends": "16:00", "slot_minutes": "20",
        "breaks": "15:00-15:20", "tables": "12", "requests_open": "on",
        "version": setup.version})
    assert response.status_code == 302
    setup.refresh_from_db()
    assert setup.days == ["2016-10-03"] and setup.tables == 12
    assert setup.breaks == [["15:00", "15:20"]] and not setup.same_side_meetings
    assert len(services.slots(setup)) == 5
    bad = client.post(reverse("b2b:setup", args=[event.slug]), {
        "days": "3 October", "starts": "16:00", "ends": "14:00", "slot_minutes": "20",
        "tables": "12", "version": setup.version})
    assert bad.status_code == 200 and "is not a date like" in bad.content.decode()


def test_the_schedule_button_shows_the_figures_and_the_grid_then_publishes(client, event, pair,
                                                                          manager):
    ana, ben = pair
    accepted(ana, ben)
    client.force_login(manager)
    response = client.post(reverse("b2b:schedule", args=[event.slug]))
    assert response.status_code == 302
    page = client.get(reverse("b2b:overview", args=[event.slug])).content.decode()
    assert "1 of 1 accepted meetings scheduled" in page
    assert "100.0% of the most any schedule could place (1)" in page
    assert "Ana Ruiz Ltd" in page and 'class="meeting draft' in page
    client.post(reverse("b2b:publish", args=[event.slug]))
    meeting = Meeting.objects.get()
    assert meeting.published
    page = client.get(reverse("b2b:overview", args=[event.slug])).content.decode()
    assert 'class="meeting published' in page
    client.post(reverse("b2b:meeting-status", args=[event.slug, meeting.pk]),
                {"status": "held"})
    assert Meeting.objects.get().status == MeetingStatus.HELD
    client.post(reverse("b2b:follow-ups", args=[event.slug]))
    assert FollowUp.objects.count() == 4
    funnel = client.get(reverse("b2b:funnel", args=[event.slug])).content.decode()
    assert "Meetings requested" in funnel and "Follow-ups answered" in funnel


def test_the_overview_costs_the_same_queries_for_many_participants(
        client, event, manager, django_assert_max_num_queries):
    people = [join(event, f"P{i}") for i in range(30)]
    for a, b in itertools.pairwise(people):
        accepted(a, b)
    scheduling.schedule_event(event, None, time_limit=2)
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("b2b:overview", args=[event.slug])).status_code == 200


def test_the_overview_lists_unscheduled_meetings_with_their_reason(client, event, manager):
    people = [join(event, f"P{i}", unavailable=[]) for i in range(3)]
    away = [s.id for s in services.slots(MatchmakingSetup.objects.get(event=event))]
    services.save_profile(people[2], {"unavailable": away})  # never there
    accepted(people[0], people[2])
    accepted(people[0], people[1])
    client.force_login(manager)
    client.post(reverse("b2b:schedule", args=[event.slug]))
    page = client.get(reverse("b2b:overview", args=[event.slug])).content.decode()
    assert "1 meeting could not be placed" in page
    assert "no free slot when both are present" in page
