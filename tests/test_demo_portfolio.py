"""The World Cities demo portfolio holds the reference page's facts, and loads idempotently."""

from __future__ import annotations

import pytest
from django.db.models import Count

from citycoop.accounts.models import AuditEntry
from citycoop.events.models import Event
from citycoop.imports.models import Provenance
from citycoop.portfolio.demo.loader import FixtureError, load_portfolio
from citycoop.portfolio.models import (
    Action,
    Agreement,
    NextStep,
    Pairing,
    PairingMember,
    PilotProject,
)
from citycoop.registry.models import Organisation, Place, Programme
from citycoop.reports.models import KpiSnapshot

pytestmark = pytest.mark.django_db

ALL_MODELS = [Programme, Place, Organisation, Pairing, PairingMember, PilotProject, Action,
              Agreement, Event, NextStep, KpiSnapshot, Provenance, AuditEntry]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def test_loading_the_demo_twice_changes_nothing(demo):
    before = counts()
    versions = dict(Action.objects.values_list("pk", "version"))
    second = load_portfolio()
    assert second.changed == 0, second.lines()
    assert counts() == before
    assert dict(Action.objects.values_list("pk", "version")) == versions


def test_it_holds_the_ten_pairings_of_the_page_in_two_groups(demo):
    groups = dict(Pairing.objects.values_list("group").annotate(n=Count("id")))
    assert groups == {"EU-China": 6, "EU-India": 4}
    assert Pairing.objects.filter(label="West-Midlands – Guangzhou / Tianjin").exists()


def test_a_cluster_is_a_side_of_the_chandigarh_pairing(demo):
    pairing = Pairing.objects.get(slug="chandigarh-copenhagen")
    eu_side = {str(m.member) for m in pairing.members.filter(side="eu")}
    assert "Copenhagen" in eu_side
    assert any("CLEAN" in name for name in eu_side)
    assert pairing.members.filter(organisation__isnull=False, side="eu").exists()


def test_every_issue_heading_is_a_numbered_pilot(demo):
    west_midlands = Pairing.objects.get(slug="west-midlands-guangzhou-tianjin")
    titles = list(west_midlands.pilots.order_by("number").values_list("number", "title"))
    assert titles == [
        (1, "Green (Environmental) Technology Cooperation"),
        (2, "Infrastructure and Smart City Cooperation"),
        (3, "Health Care and BioTech – the Bridge model"),
        (4, "British Week in Tianjin"),
    ]
    assert all(pilot.themes.exists() for pilot in PilotProject.objects.all())


def test_pairings_without_headings_still_have_pilots(demo):
    for slug in ["tianjin-lazio", "chandigarh-copenhagen", "mumbai-stuttgart",
                 "navi-mumbai-lazio", "pune-andalucia"]:
        assert Pairing.objects.get(slug=slug).pilots.exists(), slug


def test_actions_keep_their_organisations_places_dates_and_links(demo):
    mission = Action.objects.get(text__startswith="Next Step: West Midlands Mission to China")
    assert mission.kind == "next_step"
    assert mission.when_text == "Sept 2016"
    assert mission.when.iso == "2016-09"
    assert mission.when_precision == "month"
    assert mission.links == [
        "http://www.wmeuropeanservice.eu/china/missions/"
        "mission-to-tianjin-guangzhou-24th-september-1st-october-2016"
    ]
    funding = Action.objects.get(text__startswith="Possible support by British Embassy")
    assert funding.kind == "funding"
    assert {"Newton Fund"} <= set(funding.organisations.values_list("name", flat=True))
    start_ups = Action.objects.get(text__startswith="Mission to China in June 2015")
    assert len(start_ups.sub_items) >= 5
    assert start_ups.when.iso == "2016-06" or start_ups.when.iso == "2015-06"


def test_a_misspelt_place_of_the_page_still_finds_its_city(demo):
    green_way = Action.objects.get(text__contains="The Green Way cluster")
    assert "Chengdu" in set(green_way.places.values_list("name", flat=True))


def test_imprecise_dates_are_never_forced_into_a_day(demo):
    for action in Action.objects.exclude(when_text=""):
        if action.when_precision == "day":
            assert any(ch.isdigit() for ch in action.when_text.split()[0]), action.when_text
    trip = Event.objects.get(when_text__icontains="February")
    assert trip.when_start is None and trip.when_month == 2
    visit = NextStep.objects.get(text__contains="Shantou delegation")
    assert (visit.due.iso, visit.due.iso_end) == ("2016-06", "2016-07")


def test_the_agreements_of_the_page_have_their_status(demo):
    statuses = dict(Agreement.objects.values_list("slug", "status"))
    assert statuses["fira-tianfu-smart-city-mou"] == "signed"
    assert statuses["lyon-guangzhou-tourism-mou"] == "signed"
    assert statuses["lyon-guangzhou-chambers-mou"] == "signed"
    assert statuses["chandigarh-copenhagen-mou"] == "under_preparation"
    fira = Agreement.objects.get(slug="fira-tianfu-smart-city-mou")
    assert {p.side for p in fira.parties.all()} == {"eu", "partner"}


def test_the_page_contact_is_kept_internal(demo):
    from citycoop.registry.models import Person

    contact = Person.objects.get(email="pgandara@world-cities.eu")
    assert contact.visibility == "internal"


def test_the_headline_figures_are_snapshots_of_the_page_with_their_source(demo):
    figures = {s.name: (int(s.value), s.more_than) for s in KpiSnapshot.objects.all()}
    assert figures["pilot_projects_eu_china"] == (24, False)
    assert figures["pilot_projects_eu_india"] == (12, False)
    assert figures["mous_signed_eu_china"] == (14, False)
    assert figures["mous_signed_cetregio"] == (20, True)
    assert figures["mous_signed_eu_india"] == (0, False)
    assert all(s.source is not None and s.as_of_text == "2016" and not s.computed
               for s in KpiSnapshot.objects.all())


def test_every_action_cites_the_page_it_came_from(demo):
    cited = set(Provenance.objects.filter(field="text", content_type__model="action")
                .values_list("object_id", flat=True))
    assert cited == set(Action.objects.values_list("pk", flat=True))


def test_a_fixture_with_a_dangling_reference_loads_nothing(db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "programmes:\n  - {key: p, name: P}\n"
        "pairings:\n  - {key: x, programme: p, label: X, members: [{place: nowhere, side: eu}]}\n"
    )
    with pytest.raises(FixtureError, match="nowhere"):
        load_portfolio(bad)
    assert Programme.objects.count() == 0
    assert AuditEntry.objects.count() == 0
