"""Two people edit the same record from the same version: the first save wins, the second is
shown a conflict with both versions side by side, their own input kept in the form, and
nothing of theirs written until they save again on purpose."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citycoop.accounts.models import AuditEntry
from citycoop.portfolio.models import Agreement, Pairing
from citycoop.registry.models import Organisation, Place

from . import workspace_fixtures
from .workspace_fixtures import OWN_PAIRING, page_form, posted

pytestmark = pytest.mark.django_db
coordinator = workspace_fixtures.coordinator


def test_the_second_edit_of_a_pilot_sees_the_conflict_with_its_input_kept(
        client, coordinator, manager):
    pilot = Pairing.objects.get(slug=OWN_PAIRING).pilots.get(number=1)
    url = reverse("portfolio:pilot-change", args=[OWN_PAIRING, pilot.slug])
    client.force_login(coordinator)
    mine = page_form(client, url)
    client.force_login(manager)
    theirs = page_form(client, url)

    theirs.update({"summary": "Summary written by the manager", "status": "stalled"})
    assert client.post(url, theirs).status_code == 302

    client.force_login(coordinator)
    mine.update({"summary": "Summary written by the coordinator", "title": "Start-ups first"})
    before = AuditEntry.objects.count()
    response = client.post(url, mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved: someone else changed this record" in html
    assert "Summary written by the manager" in html  # the other person's current value
    assert "Summary written by the coordinator" in html and "Start-ups first" in html  # kept
    rows = {str(label): (now, kept) for label, now, kept in response.context["conflict"]["rows"]}
    assert rows["Summary"] == ("Summary written by the manager",
                               "Summary written by the coordinator")
    assert rows["Status"] == ("stalled", "active")
    assert AuditEntry.objects.count() == before
    pilot.refresh_from_db()
    assert (pilot.summary, pilot.status) == ("Summary written by the manager", "stalled")

    # Saving the kept input again is a deliberate choice, and it now goes through.
    again = posted(response.context["form"])
    assert again["version"] == pilot.version
    assert client.post(url, again).status_code == 302
    pilot.refresh_from_db()
    assert (pilot.summary, pilot.title) == ("Summary written by the coordinator",
                                            "Start-ups first")


def test_a_change_to_an_agreements_parties_alone_is_a_conflict_too(client, coordinator, manager):
    agreement = Agreement.objects.get(slug="lyon-guangzhou-chambers-mou")
    url = reverse("portfolio:agreement-change", args=[agreement.slug])
    client.force_login(coordinator)
    mine = page_form(client, url)
    client.force_login(manager)
    theirs = page_form(client, url)
    count = agreement.parties.count()

    theirs.update({f"parties-{count}-side": "eu",
                   f"parties-{count}-place": Place.objects.get(slug="lyon").pk,
                   f"parties-{count}-label": "Ville de Lyon"})
    assert client.post(url, theirs).status_code == 302
    assert agreement.parties.count() == count + 1

    client.force_login(coordinator)
    mine["status"] = "active"
    response = client.post(url, mine)
    assert response.status_code == 409
    rows = {str(label): (now, kept) for label, now, kept in response.context["conflict"]["rows"]}
    assert "Ville de Lyon" in rows["Parties"][0] and "Ville de Lyon" not in rows["Parties"][1]
    agreement.refresh_from_db()
    assert agreement.status != "active"


def test_the_second_edit_of_an_organisation_sees_the_conflict(client, manager, admin_user):
    organisation = Organisation.objects.get(slug="evotion")
    url = reverse("registry:organisation-change", args=[organisation.slug])
    client.force_login(manager)
    mine = page_form(client, url)
    client.force_login(admin_user)
    theirs = page_form(client, url)
    theirs["acronym"] = "EVO"
    client.post(url, theirs)

    client.force_login(manager)
    mine["description"] = "Robots for warehouses"
    response = client.post(url, mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "EVO" in html and "Robots for warehouses" in html
    organisation.refresh_from_db()
    assert (organisation.acronym, organisation.description) == ("EVO", "")
