"""The management KPIs, checked against counts made by hand from the demo portfolio.

Every expected number below was counted by reading citycoop/portfolio/demo/world_cities_2016.yaml
(the demo fixture), not by running the code under test.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citycoop.common.services import create_record
from citycoop.events import registration
from citycoop.events.models import DisseminationOutput, Event, MediaItem
from citycoop.portfolio.models import NextStep, Pairing
from citycoop.registry.models import Programme
from citycoop.reports.kpis import KPIS, KpiValue, compute_all
from citycoop.reports.scope import Scope

pytestmark = pytest.mark.django_db


def world_cities() -> Programme:
    return Programme.objects.get(slug="world-cities-2015-2016")


def kpis(scope: Scope) -> dict[str, KpiValue]:
    return {value.slug: value for value in compute_all(scope)}


def parts(value: KpiValue) -> dict[str, int | float]:
    """The non-zero lines of a breakdown."""
    return {part.key: part.value for part in value.parts if part.value}


def test_every_kpi_has_a_slug_a_label_and_a_definition():
    for slug, definition in KPIS.items():
        assert definition.slug == slug
        assert str(definition.label) and len(str(definition.definition)) > 20


def test_pilots_agreements_events_and_next_steps_of_the_whole_programme(demo):
    found = kpis(Scope(world_cities()))
    # 36 pilots: EU-China 23 (all active), EU-India 13 (8 active, 3 ideas, 2 planned).
    assert found["pilots_by_status"].value == 36
    assert parts(found["pilots_by_status"]) == {"active": 31, "idea": 3, "planned": 2}
    # 4 agreements, all MoUs: 3 signed with Chinese partners, 1 under preparation in India.
    assert parts(found["agreements_by_status"]) == {"signed": 3, "under_preparation": 1}
    assert parts(found["agreements_by_type"]) == {"mou": 4}
    assert found["mous_signed"].value == 3
    # 17 events: 7 missions, 3 working meetings, 3 fairs or weeks, 2 conferences, 2 visits.
    assert found["events_by_kind"].value == 17
    assert parts(found["events_by_kind"]) == {"mission": 7, "working_meeting": 3,
                                              "fair_or_week": 3, "conference": 2,
                                              "study_visit": 2}
    # 5 next steps, all open: 4 on pilots, 1 on the Chandigarh MoU. Overdue: the three
    # dated ones of 2016 (Sept 2016, June/July 2016, July 2016); "February" has no year and
    # "within the next few weeks" no date, so neither can be overdue.
    assert parts(found["next_steps_by_status"]) == {"open": 5}
    assert found["next_steps_overdue"].value == 3


def test_each_country_group_counts_its_own_records(demo):
    china = kpis(Scope(world_cities(), group="EU-China"))
    india = kpis(Scope(world_cities(), group="EU-India"))
    # 10 pairings: 6 EU-China, 4 EU-India.
    assert Pairing.objects.filter(group="EU-China").count() == 6
    assert parts(china["pilots_by_status"]) == {"active": 23}
    assert parts(india["pilots_by_status"]) == {"active": 8, "idea": 3, "planned": 2}
    assert parts(china["agreements_by_status"]) == {"signed": 3}
    assert parts(india["agreements_by_status"]) == {"under_preparation": 1}
    assert india["mous_signed"].value == 0
    # EU-China: 6 missions, 3 fairs or weeks, 2 conferences, 2 study visits.
    assert parts(china["events_by_kind"]) == {"mission": 6, "fair_or_week": 3,
                                              "conference": 2, "study_visit": 2}
    # EU-India: 3 working meetings (experts' visit, Commissioner's trip, Mumbai talks) and
    # the Andalucía delegates' mission to Pune.
    assert parts(india["events_by_kind"]) == {"working_meeting": 3, "mission": 1}
    assert parts(china["next_steps_by_status"]) == {"open": 3}
    assert parts(india["next_steps_by_status"]) == {"open": 2}


def test_one_pairing_counts_only_its_pilots(demo):
    # Chandigarh – Copenhagen: the page's pilots on sewage, waste and pedestrian areas.
    pairing = Pairing.objects.get(slug="chandigarh-copenhagen")
    found = kpis(Scope(world_cities(), pairing=pairing))
    assert found["pilots_by_status"].value == pairing.pilots.count()
    assert parts(found["agreements_by_status"]) == {"under_preparation": 1}


def test_a_period_counts_dated_records_only(demo):
    year_2016 = kpis(Scope(world_cities(), start=datetime.date(2016, 1, 1),
                           end=datetime.date(2016, 12, 31)))
    # Events starting in 2016: WM mission (Sept), automotive mission (April), Lyon follow-up
    # (March), Andalucía cluster (March): 4 missions; Shantou delegation (June/July): a study
    # visit; EU-China Summit (July): a conference. "February" has no year: left out.
    assert parts(year_2016["events_by_kind"]) == {"mission": 4, "study_visit": 1,
                                                  "conference": 1}
    # No agreement has a signing date: none falls in a period.
    assert year_2016["agreements_by_status"].value == 0
    # Pilots carry no date: a period shows them all.
    assert year_2016["pilots_by_status"].value == 36
    year_2015 = kpis(Scope(world_cities(), start=datetime.date(2015, 1, 1),
                           end=datetime.date(2015, 12, 31)))
    # June 2015: the Lyon start-ups' mission and the Shantou visit to Málaga.
    assert parts(year_2015["events_by_kind"]) == {"mission": 1, "study_visit": 1}


def make_event(pairing: Pairing, *, slug: str, is_public: bool = True) -> Event:
    return create_record(Event, {"slug": slug, "title": slug.replace("-", " "),
                                 "kind": "workshop", "when": "3 March 2016",
                                 "registration_open": True, "capacity": 2,
                                 "is_public": is_public},
                         acting_user=None, many={"pairings": [pairing]})


def test_registrations_attendance_feedback_media_and_dissemination(demo):
    pairing = Pairing.objects.get(slug="chandigarh-copenhagen")
    event = make_event(pairing, slug="waste-workshop")
    people = [registration.register(event, registration.Registrant(
        name, f"{name.lower()}@example.org")) for name in ("Asha", "Bo", "Chen")]
    # Capacity 2: the third is waitlisted. Both holders of a place come and answer.
    for participation in people[:2]:
        participation = registration.check_in(event, participation.badge_code, acting_user=None)
        registration.submit_feedback(participation, {"overall": 5, "relevance": 4,
                                                     "organisation": 4, "networking": 3})
    create_record(MediaItem, {"outlet": "Tribune", "type": "press", "reach": 12000,
                              "published_on": datetime.date(2016, 3, 5), "event": event},
                  acting_user=None)
    create_record(MediaItem, {"outlet": "City TV", "type": "tv", "event": event},
                  acting_user=None)
    create_record(DisseminationOutput, {"kind": "report", "title": "Workshop report",
                                        "audience": 40, "event": event}, acting_user=None)
    create_record(NextStep, {"event": event, "text": "Send the minutes", "due": "2016-03-10",
                             "status": "done"}, acting_user=None)

    found = kpis(Scope(world_cities(), group="EU-India"))
    assert parts(found["registrations"]) == {"attended": 2, "waitlisted": 1}
    assert found["attendances"].value == 2
    assert found["people_attended"].value == 2
    assert found["organisations_attended"].value == 0   # they registered without one
    assert (found["event_quality"].value, found["event_quality"].count) == (4.0, 2)
    assert parts(found["media_items"]) == {"press": 1, "tv": 1}
    assert (found["media_reach"].value, found["media_reach"].count) == (12000, 1)
    assert parts(found["dissemination_outputs"]) == {"report": 1}
    assert found["dissemination_audience"].value == 40
    assert parts(found["next_steps_by_status"]) == {"open": 2, "done": 1}
    # The same quality as the event's own page shows.
    assert registration.quality(event).score == found["event_quality"].value
    # Nothing of it belongs to EU-China.
    china = kpis(Scope(world_cities(), group="EU-China"))
    assert china["attendances"].value == 0 and china["media_items"].value == 0


def test_the_public_counts_leave_private_records_out(demo):
    pairing = Pairing.objects.get(slug="chandigarh-copenhagen")
    make_event(pairing, slug="closed-door-meeting", is_public=False)
    public = kpis(Scope(world_cities()))
    internal = kpis(Scope(world_cities(), public_only=False))
    assert internal["events_by_kind"].value == public["events_by_kind"].value + 1


def test_a_mean_of_no_answers_is_no_value(demo):
    found = kpis(Scope(world_cities()))
    assert found["event_quality"].value is None and found["event_quality"].count == 0


def test_computing_every_kpi_costs_the_same_queries_whatever_the_portfolio(
        demo, django_assert_max_num_queries):
    from citycoop.portfolio.generate import GenerationSpec, generate_portfolio

    demo_scope = Scope(world_cities(), public_only=False)
    with CaptureQueriesContext(connection) as on_demo:
        compute_all(demo_scope)
    generate_portfolio(GenerationSpec(30, pilots_per_pairing=3, actions_per_pilot=2),
                       acting_user=None)
    generated = Programme.objects.get(name="World Cities (generated)")
    assert generated.pairings.count() == 30
    with django_assert_max_num_queries(len(KPIS)):
        values = compute_all(Scope(generated, public_only=False))
    with CaptureQueriesContext(connection) as on_more:
        compute_all(Scope(generated, public_only=False))
    assert len(on_more) == len(on_demo) <= len(KPIS)
    assert {v.slug: v for v in values}["pilots_by_status"].value == 90
