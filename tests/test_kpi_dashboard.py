"""The KPI dashboard: computed figures beside reported ones, filters, and the snapshot button."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citycoop.common.services import create_record
from citycoop.events.models import Event
from citycoop.portfolio.models import Pairing
from citycoop.reports.models import KpiSnapshot

pytestmark = pytest.mark.django_db

URL = "/kpis/world-cities-2015-2016/"


def values(response) -> dict[str, object]:
    return {row.value.slug: row.value.value for row in response.context["rows"]}


def test_it_is_mounted_where_the_lead_said():
    assert reverse("reports:dashboard", args=["x"]) == "/kpis/x/"
    assert reverse("reports:snapshot", args=["x"]) == "/kpis/x/snapshot/"


def test_the_public_sees_computed_and_reported_figures_labelled_apart(client, demo):
    response = client.get(URL)
    assert response.status_code == 200
    assert values(response)["pilots_by_status"] == 36
    page = response.content.decode()
    assert "counted from the records" in page
    # The status page's own figures: "24 pilot projects" with China, "14 MoUs signed".
    assert "reported by World Cities: Pilot Projects (status page, 2016), as of 2016" in page
    pilots = next(r for r in response.context["rows"] if r.value.slug == "pilots_by_status")
    assert sorted(s.display_value for s in pilots.reported) == ["12", "24"]
    # The public sees no snapshot button.
    assert "Take a snapshot" not in page


def test_the_filters_narrow_to_a_group_a_pairing_and_a_period(client, demo):
    # EU-India: 13 pilots (8 active, 3 ideas, 2 planned); only India's reported figures.
    response = client.get(URL, {"group": "EU-India"})
    assert values(response)["pilots_by_status"] == 13
    pilots = next(r for r in response.context["rows"] if r.value.slug == "pilots_by_status")
    assert [s.display_value for s in pilots.reported] == ["12"]
    response = client.get(URL, {"pairing": "chandigarh-copenhagen"})
    assert values(response)["agreements_by_status"] == 1
    # 2015: two events began in June 2015.
    response = client.get(URL, {"start": "2015-01-01", "end": "2015-12-31"})
    assert values(response)["events_by_kind"] == 2


def test_bad_filters_say_why_and_show_the_whole_programme(client, demo):
    response = client.get(URL, {"start": "2016-12-31", "end": "2016-01-01"})
    assert "The period ends before it starts." in response.content.decode()
    assert values(response)["events_by_kind"] == 17
    response = client.get(URL, {"pairing": "no-such-pairing"})
    assert "No pairing of this programme has that key." in response.content.decode()


def test_an_unknown_programme_is_not_found(client, db):
    assert client.get("/kpis/nowhere/").status_code == 404


def private_event() -> Event:
    pairing = Pairing.objects.get(slug="chandigarh-copenhagen")
    return create_record(Event, {"slug": "closed-door", "title": "Closed door", "kind":
                                 "working_meeting", "is_public": False},
                         acting_user=None, many={"pairings": [pairing]})


def test_managers_count_internal_records_and_the_public_does_not(client, demo, manager,
                                                                  outsider):
    private_event()
    assert values(client.get(URL))["events_by_kind"] == 17
    client.force_login(outsider)
    assert values(client.get(URL))["events_by_kind"] == 17
    client.force_login(manager)
    assert values(client.get(URL))["events_by_kind"] == 18


def test_the_public_answer_is_cached_until_the_records_change(client, demo,
                                                              django_assert_max_num_queries):
    client.get(URL)
    with django_assert_max_num_queries(6):
        client.get(URL)
    pairing = Pairing.objects.get(slug="chandigarh-copenhagen")
    create_record(Event, {"slug": "open-day", "title": "Open day", "kind": "workshop"},
                  acting_user=None, many={"pairings": [pairing]})
    assert values(client.get(URL))["events_by_kind"] == 18


def test_a_manager_takes_a_snapshot_with_the_button(client, demo, manager):
    client.force_login(manager)
    assert "Take a snapshot" in client.get(URL).content.decode()
    response = client.post(URL + "snapshot/", follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert KpiSnapshot.objects.filter(computed=True, name="pilots_by_status", group="").exists()
    assert "Snapshot as of" in response.content.decode()


def test_only_managers_may_take_a_snapshot(client, demo, outsider):
    answer = client.post(URL + "snapshot/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    client.force_login(outsider)
    assert client.post(URL + "snapshot/").status_code == 403
    assert client.get(URL + "snapshot/").status_code == 405
    assert not KpiSnapshot.objects.filter(computed=True).exists()


def test_snapshots_draw_the_trend(client, demo, manager):
    from django.core.management import call_command

    for day in ("2016-01-31", "2016-02-29"):
        call_command("snapshot", "--as-of", day, stdout=None)
    response = client.get(URL)
    pilots = next(r for r in response.context["rows"] if r.value.slug == "pilots_by_status")
    assert pilots.trend == [("2016-01-31", 36.0), ("2016-02-29", 36.0)]
    assert 'id="trend-pilots_by_status"' in response.content.decode()
    assert "chart.umd.min.js" in response.content.decode()
