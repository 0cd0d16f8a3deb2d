"""The public pages show the portfolio correctly, to the right people, at a bounded cost."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from citycoop.portfolio.models import Pairing, PilotProject
from citycoop.registry.models import Organisation

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_home_page_counts_from_the_records_and_labels_the_reported_figures(client, demo):
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    page = text_of(response)
    pilots = PilotProject.objects.count()
    assert f"{pilots} pilot projects" in page
    assert "10 pairings" in page
    assert "Counted from the records" in page
    assert "As reported by the programme" in page
    reported = response.content.decode().split('id="reported-figures"')[1]
    for figure in ["24", "12", "14", "more than 20"]:
        assert figure in reported
    # The reported 24 never stands in for the counted figure.
    counted = response.content.decode().split('id="reported"')[0]
    assert 'data-figure="pilots"><span class="value">24<' not in counted or pilots == 24


def test_the_home_page_lists_every_pairing(client, demo):
    page = text_of(client.get(reverse("web:home")))
    for label in Pairing.objects.values_list("label", flat=True):
        assert label in page


def test_a_pairing_page_shows_pilots_actions_agreements_events_and_next_steps(client, demo):
    response = client.get(reverse("web:pairing", args=["andalucia-smart-city-cluster-shantou"]))
    assert response.status_code == 200
    page = text_of(response)
    assert "Port Cooperation" in page
    assert "Visit of Shantou representatives to Málaga in June 2015" in page
    assert "June/July 2016" in page
    lyon = text_of(client.get(reverse("web:pairing", args=["lyon-guangzhou"])))
    assert "Signed" in lyon or "signed" in lyon
    assert "March 2016" in lyon


def test_an_unknown_pairing_is_a_404(client, demo):
    assert client.get(reverse("web:pairing", args=["atlantis-el-dorado"])).status_code == 404


def test_an_internal_pairing_is_hidden_from_the_public_but_shown_to_its_programme_staff(
        client, demo, manager, outsider):
    pairing = Pairing.objects.get(slug="pune-andalucia")
    Pairing.objects.filter(pk=pairing.pk).update(is_public=False)
    url = reverse("web:pairing", args=[pairing.slug])
    assert client.get(url).status_code == 404
    assert pairing.label not in text_of(client.get(reverse("web:pairings")))
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_public_pages_never_show_an_internal_contact(client, demo):
    for url in [reverse("web:home"), reverse("web:pairings"),
                reverse("web:pairing", args=["west-midlands-guangzhou-tianjin"])]:
        assert "pgandara@world-cities.eu" not in client.get(url).content.decode()
    for organisation in Organisation.objects.filter(people__isnull=False):
        assert "pgandara" not in client.get(organisation.get_absolute_url()).content.decode()


def test_an_organisation_page_lists_its_pairings_and_actions(client, demo):
    fira = Organisation.objects.get(name__icontains="Fira de Barcelona")
    page = text_of(client.get(fira.get_absolute_url()))
    assert "Barcelona – Wuhan / Chengdu" in page
    assert "Smart City Expo World Congress" in page


def test_place_and_event_pages_answer(client, demo):
    from citycoop.events.models import Event
    from citycoop.registry.models import Place

    tianjin = Place.objects.get(name="Tianjin")
    page = text_of(client.get(tianjin.get_absolute_url()))
    assert "天津" in page
    event = Event.objects.exclude(link="").first()
    assert client.get(event.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("url", ["/", "/pairings/", "/pairings/lyon-guangzhou/"])
def test_list_and_detail_pages_cost_a_bounded_number_of_queries(
        client, demo, django_assert_max_num_queries, url):
    # The same few queries whatever the portfolio's size (a pairing page reads its events'
    # and next steps' ids from each index apart: five small queries instead of two scans).
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
