"""Every create and edit page of the workspace refuses the wrong people: a coordinator of
another pairing, a member (who reads but does not write), a signed-in outsider, and the
anonymous visitor (sent to sign in). Refused requests write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from citycoop.accounts.models import AuditEntry
from citycoop.portfolio.models import Agreement, Pairing
from citycoop.portfolio.services import create_agreement, create_next_step, update_pairing
from citycoop.registry.models import Person, Programme

from . import workspace_fixtures
from .workspace_fixtures import OTHER_PAIRING, OWN_PAIRING, page_form

pytestmark = pytest.mark.django_db
coordinator = workspace_fixtures.coordinator
member = workspace_fixtures.member
other_coordinator = workspace_fixtures.other_coordinator


@pytest.fixture
def records(demo, admin_user) -> dict[str, dict[str, Any]]:
    """For each of the two pairings: a pilot, an action, an agreement and a next step."""
    found = {}
    for slug in (OWN_PAIRING, OTHER_PAIRING):
        pairing = Pairing.objects.get(slug=slug)
        pilot = pairing.pilots.order_by("position").first()
        agreement = Agreement.objects.filter(pairing=pairing).first() or create_agreement(
            {"slug": f"{slug}-mou", "title": "An MoU", "status": "idea", "pairing": pairing},
            acting_user=admin_user)
        step = create_next_step({"pilot": pilot, "text": f"A next step of {slug}"},
                                acting_user=admin_user)
        found[slug] = {"pairing": pairing, "pilot": pilot, "action": pilot.actions.first(),
                       "agreement": agreement, "step": step}
    return found


# Each page, and its address's arguments from the records of the pairing under test.
PAIRING_PAGES = [
    ("portfolio:pairing-change", lambda r: [r["pairing"].slug]),
    ("portfolio:pilot-new", lambda r: [r["pairing"].slug]),
    ("portfolio:pilot-change", lambda r: [r["pairing"].slug, r["pilot"].slug]),
    ("portfolio:action-new", lambda r: [r["pairing"].slug, r["pilot"].slug]),
    ("portfolio:action-change", lambda r: [r["action"].pk]),
    ("portfolio:agreement-new", lambda r: [r["pairing"].slug]),
    ("portfolio:agreement-change", lambda r: [r["agreement"].slug]),
    ("portfolio:next-step-new", lambda r: [r["pairing"].slug]),
    ("portfolio:next-step-change", lambda r: [r["step"].pk]),
    ("portfolio:next-step-edit", lambda r: [r["step"].pk]),
    ("portfolio:next-step", lambda r: [r["step"].pk]),
]
# Pages only programme managers and admins may use, whatever pairing they coordinate.
MANAGER_PAGES = [
    ("portfolio:pairing-new", lambda r: []),
    ("registry:organisation-new", lambda r: []),
    ("registry:organisation-change", lambda r: ["evotion"]),
    ("registry:place-new", lambda r: []),
    ("registry:place-change", lambda r: ["chengdu"]),
    ("registry:person-new", lambda r: []),
    ("registry:person-change", lambda r: [Person.objects.order_by("pk").first().pk]),
    ("events:event-new", lambda r: []),
    ("events:event-change", lambda r: ["british-week-tianjin"]),
]
ATTEMPT = {"title": "Changed by the wrong person", "text": "Changed by the wrong person",
           "name": "Changed by the wrong person", "label": "Changed by the wrong person",
           "slug": "wrong-person", "version": 1}


def statuses(client, pages, records: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Each page's status codes for a GET and a POST, after checking nothing was written."""
    found = {}
    for name, args in pages:
        url = reverse(name, args=args(records))
        before = AuditEntry.objects.count()
        found[name] = (client.get(url).status_code, client.post(url, ATTEMPT).status_code)
        assert AuditEntry.objects.count() == before, f"{name} wrote something"
    return found


def unexpected(found: dict[str, tuple[int, int]], expected: tuple[int, int]) -> dict:
    """The pages that answered otherwise: empty when all is well, and named when not."""
    return {name: codes for name, codes in found.items() if codes != expected}


def test_a_coordinator_of_another_pairing_is_refused_on_every_page(
        client, records, coordinator):
    client.force_login(coordinator)
    found = statuses(client, PAIRING_PAGES + MANAGER_PAGES, records[OTHER_PAIRING])
    assert unexpected(found, (403, 403)) == {}


def test_a_member_of_the_pairing_is_refused_on_every_page(client, records, member):
    client.force_login(member)
    found = statuses(client, PAIRING_PAGES + MANAGER_PAGES, records[OWN_PAIRING])
    assert unexpected(found, (403, 403)) == {}


def test_a_signed_in_outsider_is_refused_on_every_page(client, records, outsider):
    client.force_login(outsider)
    found = statuses(client, PAIRING_PAGES + MANAGER_PAGES, records[OWN_PAIRING])
    assert unexpected(found, (403, 403)) == {}


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_page(client, records):
    found = statuses(client, PAIRING_PAGES + MANAGER_PAGES, records[OWN_PAIRING])
    assert unexpected(found, (302, 302)) == {}
    for name, args in PAIRING_PAGES + MANAGER_PAGES:
        location = client.get(reverse(name, args=args(records[OWN_PAIRING])))["Location"]
        assert location.startswith(reverse("login") + "?next="), name


def test_a_coordinator_of_the_pairing_opens_its_pages_but_not_the_managers(
        client, records, coordinator):
    client.force_login(coordinator)
    own = records[OWN_PAIRING]
    opened = {name: client.get(reverse(name, args=args(own))).status_code
              for name, args in PAIRING_PAGES + MANAGER_PAGES}
    assert {name for name, code in opened.items() if code == 200} == \
        {name for name, _ in PAIRING_PAGES}
    assert {code for name, code in opened.items() if name not in dict(PAIRING_PAGES)} == {403}


def test_a_programme_manager_opens_every_page(client, records, manager):
    client.force_login(manager)
    opened = {name: client.get(reverse(name, args=args(records[OTHER_PAIRING]))).status_code
              for name, args in PAIRING_PAGES + MANAGER_PAGES}
    assert {name: code for name, code in opened.items() if code != 200} == {}


def test_an_internal_pairing_is_not_even_named_to_another_coordinator(
        client, records, coordinator, admin_user):
    pairing = records[OTHER_PAIRING]["pairing"]
    update_pairing(pairing, {"is_public": False}, acting_user=admin_user,
                   expected_version=pairing.version)
    client.force_login(coordinator)
    assert client.get(reverse("portfolio:pilot-new", args=[pairing.slug])).status_code == 404
    url = reverse("portfolio:agreement-change", args=[records[OTHER_PAIRING]["agreement"].slug])
    assert client.get(url).status_code == 404


def test_a_manager_starts_pairings_only_in_a_programme_they_manage(client, manager):
    client.force_login(manager)
    url = reverse("portfolio:pairing-new")
    data = page_form(client, url)
    data.update({"label": "Elsewhere", "slug": "elsewhere", "status": "active",
                 "programme": Programme.objects.get(slug="cetregio-2011-2014").pk})
    response = client.post(url, data)
    assert "programme" in response.context["form"].errors
    assert not Pairing.objects.filter(slug="elsewhere").exists()


def test_a_coordinator_cannot_attach_a_next_step_to_another_pairings_pilot(
        client, records, coordinator):
    client.force_login(coordinator)
    url = reverse("portfolio:next-step-new", args=[OWN_PAIRING])
    data = page_form(client, url)
    foreign = records[OTHER_PAIRING]["pilot"]
    data.update({"subject": f"pilot-{foreign.pk}", "text": "Sneaky step"})
    response = client.post(url, data)
    assert "subject" in response.context["form"].errors
    assert not foreign.next_steps.filter(text="Sneaky step").exists()
