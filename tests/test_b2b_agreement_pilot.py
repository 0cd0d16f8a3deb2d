"""The agreement a follow-up records serves the event's pilot project: the only one of the
pairing without asking, one chosen on the form when the event serves several, none when it
serves none; a pilot of another pairing is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citycoop.common.services import create_record, update_record
from citycoop.matchmaking import outcomes
from citycoop.matchmaking.models import FollowUp, Rating
from citycoop.matchmaking.services import B2BError
from citycoop.portfolio.models import Agreement, Pairing, PilotProject

from .test_b2b_services import held_meeting, make_event, pairing

pytestmark = pytest.mark.django_db


def pilot(of: Pairing, slug: str) -> PilotProject:
    return create_record(PilotProject, {"pairing": of, "slug": slug, "title": slug.title()},
                         acting_user=None)


def follow_up_of(served_pairings, served_pilots) -> FollowUp:
    event = make_event()
    update_record(event, {}, acting_user=None, expected_version=None,
                  many={"pairings": served_pairings, "pilots": served_pilots})
    held_meeting(event)
    follow_up = outcomes.create_follow_ups(event, months=(3,))[0]
    return outcomes.answer_follow_up(follow_up.token, Rating.AGREEMENT)


def test_the_only_pilot_of_the_pairing_is_linked_without_asking():
    heat = pairing("heat")
    grid = pilot(heat, "grid")
    pilot(heat, "not-at-this-event")
    agreement = outcomes.create_agreement_from_follow_up(
        follow_up_of([heat], [grid]), "MoU", None)
    assert list(agreement.pilots.all()) == [grid]


def test_an_event_serving_no_pilot_links_none():
    heat = pairing("heat")
    agreement = outcomes.create_agreement_from_follow_up(follow_up_of([heat], []), "MoU", None)
    assert not agreement.pilots.exists()


def test_with_several_pilots_the_chosen_one_or_none_is_linked():
    heat = pairing("heat")
    grid, pipes = pilot(heat, "grid"), pilot(heat, "pipes")
    follow_up = follow_up_of([heat], [grid, pipes])
    agreement = outcomes.create_agreement_from_follow_up(follow_up, "MoU", None, pilot=pipes)
    assert list(agreement.pilots.all()) == [pipes]


def test_a_pilot_of_another_pairing_is_refused():
    heat, ports = pairing("heat"), pairing("ports")
    grid, docks = pilot(heat, "grid"), pilot(ports, "docks")
    follow_up = follow_up_of([heat, ports], [grid, docks])
    with pytest.raises(B2BError, match="pilot project must be"):
        outcomes.create_agreement_from_follow_up(follow_up, "MoU", None, pairing=heat,
                                                 pilot=docks)


def test_the_form_offers_the_events_pilots_and_records_the_one_chosen(client):
    heat = pairing("heat")
    grid, pipes = pilot(heat, "grid"), pilot(heat, "pipes")
    follow_up = follow_up_of([heat], [grid, pipes])
    page = client.get(reverse("b2b:follow-up", args=[follow_up.token])).content.decode()
    assert "Pilot project it serves" in page and "Pipes" in page and "Grid" in page
    response = client.post(reverse("b2b:follow-up-agreement", args=[follow_up.token]),
                           {"title": "MoU on pipes", "kind": "mou", "pilot": pipes.pk})
    assert response.status_code == 302
    assert list(Agreement.objects.get(title="MoU on pipes").pilots.all()) == [pipes]


def test_the_form_does_not_ask_when_there_is_nothing_to_choose(client):
    heat = pairing("heat")
    follow_up = follow_up_of([heat], [pilot(heat, "grid")])
    page = client.get(reverse("b2b:follow-up", args=[follow_up.token])).content.decode()
    assert "Pilot project it serves" not in page


def test_the_form_refuses_a_pilot_of_another_pairing_than_the_one_chosen(client):
    heat, ports = pairing("heat"), pairing("ports")
    grids = [pilot(heat, "grid"), pilot(heat, "pipes")]
    docks = [pilot(ports, "docks"), pilot(ports, "cranes")]
    follow_up = follow_up_of([heat, ports], grids + docks)
    page = client.get(reverse("b2b:follow-up", args=[follow_up.token])).content.decode()
    assert "heat · Grid" in page and "ports · Docks" in page
    response = client.post(reverse("b2b:follow-up-agreement", args=[follow_up.token]), {
        "title": "MoU", "kind": "mou", "pairing": heat.pk, "pilot": docks[0].pk})
    assert response.status_code == 400
    assert "belongs to another pairing" in response.content.decode()
    assert not Agreement.objects.exists()
