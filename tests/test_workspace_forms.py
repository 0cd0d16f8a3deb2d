"""The workspace's create and edit pages: each record type is created and changed through its
page by the role that may, audited, and bad input is refused with its reason and no write."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citycoop.accounts.models import AuditAction, AuditEntry
from citycoop.events.models import Event
from citycoop.portfolio.models import (
    Action,
    Agreement,
    NextStep,
    Pairing,
    PilotProject,
)
from citycoop.registry.models import Organisation, Person, Place, Programme, Theme

from . import workspace_fixtures
from .workspace_fixtures import OWN_PAIRING, audit_entries, page_form

pytestmark = pytest.mark.django_db
coordinator = workspace_fixtures.coordinator


def lyon() -> Pairing:
    return Pairing.objects.get(slug=OWN_PAIRING)


def pilot_of_lyon() -> PilotProject:
    return lyon().pilots.get(number=1)


def follow_message(client, response) -> str:
    """The page a save redirected to, with its success message."""
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]).content.decode()


def test_a_manager_creates_a_pairing_with_its_members(client, manager):
    client.force_login(manager)
    url = reverse("portfolio:pairing-new")
    data = page_form(client, url)
    data.update({"label": "Lille – Harbin", "slug": "lille-harbin",
                 "programme": Programme.objects.get(slug="world-cities-2015-2016").pk,
                 "group": "EU-China", "status": "proposed", "starts": "spring 2017",
                 "members-0-side": "eu", "members-0-role": "lead",
                 "members-0-organisation": Organisation.objects.get(slug="clean-cluster").pk,
                 "members-1-side": "partner",
                 "members-1-place": Place.objects.get(slug="chengdu").pk})
    response = client.post(url, data)
    assert response["Location"] == reverse("web:pairing", args=["lille-harbin"])
    assert "“Lille – Harbin” was created." in follow_message(client, response)
    pairing = Pairing.objects.get(slug="lille-harbin")
    assert (pairing.starts_text, pairing.starts.precision) == ("spring 2017", "months")
    assert [(m.side, m.role, m.member.slug) for m in pairing.members.all()] == [
        ("eu", "lead", "clean-cluster"), ("partner", "partner", "chengdu")]
    assert audit_entries(pairing, AuditAction.CREATE, manager).exists()
    assert AuditEntry.objects.filter(content_type__model="pairingmember", actor=manager).count() == 2


def test_a_coordinator_edits_their_pairing_but_cannot_move_it_to_another_programme(
        client, coordinator):
    client.force_login(coordinator)
    pairing = lyon()
    url = reverse("portfolio:pairing-change", args=[pairing.slug])
    data = page_form(client, url)
    data.update({"summary": "Start-ups, clusters and smart city work.", "ends": "end of 2016",
                 "programme": Programme.objects.get(slug="iuc-2016-2019").pk})
    response = client.post(url, data)
    assert response["Location"] == pairing.get_absolute_url()
    pairing.refresh_from_db()
    assert pairing.summary == "Start-ups, clusters and smart city work."
    assert pairing.ends_text == "end of 2016"
    assert pairing.programme.slug == "world-cities-2015-2016"  # the field is not theirs
    entry = audit_entries(pairing, AuditAction.UPDATE, coordinator).get()
    assert "summary" in entry.changes and "programme_id" not in entry.changes


def test_a_coordinator_removes_and_adds_a_member_of_their_pairing(client, coordinator):
    client.force_login(coordinator)
    pairing = lyon()
    url = reverse("portfolio:pairing-change", args=[pairing.slug])
    data = page_form(client, url)
    data["members-1-DELETE"] = "on"
    data.update({"members-2-side": "partner",
                 "members-2-place": Place.objects.get(slug="chengdu").pk})
    client.post(url, data)
    assert [str(m) for m in pairing.members.all()] == ["Lyon", "Chengdu"]
    assert AuditEntry.objects.filter(content_type__model="pairingmember",
                                     action=AuditAction.DELETE, actor=coordinator).exists()


def test_a_coordinator_creates_a_pilot_in_their_pairing(client, coordinator):
    client.force_login(coordinator)
    url = reverse("portfolio:pilot-new", args=[OWN_PAIRING])
    data = page_form(client, url)
    data.update({"title": "Electric buses", "slug": "electric-buses", "number": 3,
                 "status": "planned", "themes": [Theme.objects.get(slug="climate-change").pk]})
    response = client.post(url, data)
    assert response["Location"] == reverse("web:pilot", args=[OWN_PAIRING, "electric-buses"])
    pilot = lyon().pilots.get(slug="electric-buses")
    assert pilot.position == max(p.position for p in lyon().pilots.all())  # at the end
    assert [t.slug for t in pilot.themes.all()] == ["climate-change"]
    entry = audit_entries(pilot, AuditAction.CREATE, coordinator).get()
    assert entry.changes["title"] == [None, "Electric buses"]


def test_a_coordinator_edits_a_pilot_of_their_pairing(client, coordinator):
    client.force_login(coordinator)
    pilot = pilot_of_lyon()
    url = reverse("portfolio:pilot-change", args=[OWN_PAIRING, pilot.slug])
    data = page_form(client, url)
    data.update({"status": "completed", "themes": []})
    response = client.post(url, data)
    assert "Your changes to" in follow_message(client, response)
    pilot.refresh_from_db()
    assert pilot.status == "completed" and not pilot.themes.exists()
    assert audit_entries(pilot, AuditAction.UPDATE, coordinator).exists()


def test_a_coordinator_creates_and_edits_an_action_on_its_page(client, coordinator):
    client.force_login(coordinator)
    pilot = pilot_of_lyon()
    url = reverse("portfolio:action-new", args=[OWN_PAIRING, pilot.slug])
    data = page_form(client, url)
    data.update({"text": "Demo day of Lyon start-ups in Guangzhou", "kind": "event",
                 "status": "planned", "when": "June/July 2016",
                 "places": [Place.objects.get(slug="guangzhou").pk],
                 "links": "www.example.org/demo-day\nhttps://example.org/b"})
    response = client.post(url, data)
    action = Action.objects.get(text="Demo day of Lyon start-ups in Guangzhou")
    assert response["Location"].endswith(f"#action-{action.pk}")
    assert (action.when.iso, action.when.iso_end) == ("2016-06", "2016-07")
    assert action.links == ["www.example.org/demo-day", "https://example.org/b"]
    assert audit_entries(action, AuditAction.CREATE, coordinator).exists()

    url = reverse("portfolio:action-change", args=[action.pk])
    data = page_form(client, url)
    assert data["when"] == "June/July 2016"
    data.update({"status": "done", "places": []})
    client.post(url, data)
    action.refresh_from_db()
    assert action.status == "done" and not action.places.exists()
    entry = audit_entries(action, AuditAction.UPDATE, coordinator).get()
    assert entry.changes["status"] == ["planned", "done"]


def test_a_coordinator_creates_an_agreement_with_its_parties(client, coordinator):
    client.force_login(coordinator)
    url = reverse("portfolio:agreement-new", args=[OWN_PAIRING])
    data = page_form(client, url)
    data.update({"title": "Letter of intent on smart lighting", "slug": "lyon-gz-lighting-loi",
                 "type": "letter_of_intent", "status": "drafting", "signed_on": "Q4 2016",
                 "pilots": [lyon().pilots.get(number=2).pk],
                 "parties-0-side": "eu", "parties-0-place": Place.objects.get(slug="lyon").pk,
                 "parties-1-side": "partner", "parties-1-place":
                     Place.objects.get(slug="guangzhou").pk,
                 "parties-1-label": "City of Guangzhou"})
    response = client.post(url, data)
    assert response["Location"] == lyon().get_absolute_url() + "#agreements"
    agreement = Agreement.objects.get(slug="lyon-gz-lighting-loi")
    assert agreement.pairing == lyon() and agreement.signed_on.precision == "quarter"
    assert sorted(str(p) for p in agreement.parties.all()) == ["City of Guangzhou", "Lyon"]
    assert audit_entries(agreement, AuditAction.CREATE, coordinator).exists()


def test_a_coordinator_edits_an_agreement_and_its_parties(client, coordinator):
    client.force_login(coordinator)
    agreement = Agreement.objects.get(slug="lyon-guangzhou-chambers-mou")
    parties = agreement.parties.count()
    url = reverse("portfolio:agreement-change", args=[agreement.slug])
    data = page_form(client, url)
    data.update({"status": "active", f"parties-{parties}-side": "eu",
                 f"parties-{parties}-organisation": Organisation.objects.get(slug="evotion").pk})
    response = client.post(url, data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "active"
    assert agreement.parties.count() == parties + 1
    assert audit_entries(agreement, AuditAction.UPDATE, coordinator).exists()


def test_a_coordinator_creates_a_next_step_about_a_pilot_and_edits_it(client, coordinator):
    client.force_login(coordinator)
    pilot = pilot_of_lyon()
    url = reverse("portfolio:next-step-new", args=[OWN_PAIRING]) + f"?pilot={pilot.slug}"
    data = page_form(client, url)
    assert data["subject"] == f"pilot-{pilot.pk}"
    data.update({"text": "Send the cluster list to Guangzhou", "due": "within the next few weeks",
                 "owner_text": "Lyon team"})
    response = client.post(url, data)
    step = NextStep.objects.get(text="Send the cluster list to Guangzhou")
    assert (step.pilot, step.pairing) == (pilot, None)
    assert response["Location"] == reverse("web:pilot", args=[OWN_PAIRING, pilot.slug]) + "#next-heading"
    assert step.due_text == "within the next few weeks" and step.due_start is None
    assert audit_entries(step, AuditAction.CREATE, coordinator).exists()

    url = reverse("portfolio:next-step-change", args=[step.pk])
    data = page_form(client, url)
    data.update({"status": "dropped", "due": "end of 2016"})
    client.post(url, data)
    step.refresh_from_db()
    assert (step.status, step.due_text) == ("dropped", "end of 2016")
    assert audit_entries(step, AuditAction.UPDATE, coordinator).exists()


def test_a_next_step_can_be_about_the_pairing_as_a_whole(client, coordinator):
    client.force_login(coordinator)
    url = reverse("portfolio:next-step-new", args=[OWN_PAIRING])
    data = page_form(client, url)
    data.update({"text": "Renew the pairing for IUC"})
    client.post(url, data)
    step = NextStep.objects.get(text="Renew the pairing for IUC")
    assert (step.pairing, step.pilot) == (lyon(), None)


def test_a_manager_creates_and_edits_an_organisation(client, manager):
    client.force_login(manager)
    url = reverse("registry:organisation-new")
    data = page_form(client, url)
    data.update({"name": "Lyon Urban Mobility Cluster", "acronym": "LUMC",
                 "slug": "lyon-urban-mobility", "type": "cluster", "country": "FR",
                 "place": Place.objects.get(slug="lyon").pk,
                 "aliases": "Cluster Mobilité Lyon\nLUM Cluster"})
    response = client.post(url, data)
    assert response["Location"] == reverse("web:organisation", args=["lyon-urban-mobility"])
    organisation = Organisation.objects.get(slug="lyon-urban-mobility")
    assert organisation.aliases == ["Cluster Mobilité Lyon", "LUM Cluster"]
    assert audit_entries(organisation, AuditAction.CREATE, manager).exists()

    url = reverse("registry:organisation-change", args=[organisation.slug])
    data = page_form(client, url)
    assert data["aliases"] == "Cluster Mobilité Lyon\nLUM Cluster"
    data.update({"website": "https://lumc.example.org"})
    client.post(url, data)
    organisation.refresh_from_db()
    assert organisation.website == "https://lumc.example.org"
    assert audit_entries(organisation, AuditAction.UPDATE, manager).exists()


def test_a_new_place_takes_what_the_user_left_empty_from_the_gazetteer(client, manager):
    client.force_login(manager)
    url = reverse("registry:place-new")
    data = page_form(client, url)
    data.update({"name": "Shenzhen", "slug": "shenzhen", "kind": "city", "country": "CN",
                 "other_names": "zh: 深圳"})
    response = client.post(url, data)
    assert response["Location"] == reverse("web:place", args=["shenzhen"])
    place = Place.objects.get(slug="shenzhen")
    assert place.latitude is not None and 22 < place.latitude < 23
    assert place.other_names == {"zh": "深圳"}
    assert audit_entries(place, AuditAction.CREATE, manager).exists()


def test_a_manager_edits_a_place(client, manager):
    client.force_login(manager)
    place = Place.objects.get(slug="chengdu")
    url = reverse("registry:place-change", args=[place.slug])
    data = page_form(client, url)
    data.update({"aliases": "Chendgu", "population": 16000000})
    client.post(url, data)
    place.refresh_from_db()
    assert place.aliases == ["Chendgu"] and place.population == 16000000
    assert audit_entries(place, AuditAction.UPDATE, manager).exists()


def test_a_manager_creates_and_edits_a_person(client, manager):
    client.force_login(manager)
    url = reverse("registry:person-new")
    data = page_form(client, url)
    data.update({"name": "Li Wei", "title": "Dr",
                 "organisation": Organisation.objects.get(slug="clean-cluster").pk,
                 "email": "li.wei@example.org", "visibility": "partners"})
    response = client.post(url, data)
    person = Person.objects.get(name="Li Wei")
    assert response["Location"] == reverse("web:organisation", args=["clean-cluster"])
    assert audit_entries(person, AuditAction.CREATE, manager).exists()

    url = reverse("registry:person-change", args=[person.pk])
    data = page_form(client, url)
    data.update({"position": "Cluster manager"})
    client.post(url, data)
    person.refresh_from_db()
    assert person.position == "Cluster manager"
    assert audit_entries(person, AuditAction.UPDATE, manager).exists()


def test_a_manager_creates_and_edits_an_event(client, manager):
    client.force_login(manager)
    url = reverse("events:event-new")
    data = page_form(client, url)
    data.update({"title": "Lyon Smart City Week", "slug": "lyon-smart-city-week-2016",
                 "kind": "fair_or_week", "when": "24-26 September 2016",
                 "place": Place.objects.get(slug="lyon").pk,
                 "pairings": [lyon().pk], "pilots": [lyon().pilots.get(number=2).pk]})
    response = client.post(url, data)
    assert response["Location"] == reverse("web:event", args=["lyon-smart-city-week-2016"])
    event = Event.objects.get(slug="lyon-smart-city-week-2016")
    assert (event.when.iso, event.when.iso_end) == ("2016-09-24", "2016-09-26")
    assert list(event.pairings.all()) == [lyon()]
    assert audit_entries(event, AuditAction.CREATE, manager).exists()

    url = reverse("events:event-change", args=[event.slug])
    data = page_form(client, url)
    data.update({"capacity": 120, "pilots": []})
    client.post(url, data)
    event.refresh_from_db()
    assert event.capacity == 120 and not event.pilots.exists()
    assert audit_entries(event, AuditAction.UPDATE, manager).exists()


# Each page with a fuzzy date, and the field it is in.
FUZZY = [
    ("portfolio:pairing-change", lambda: [OWN_PAIRING], "starts"),
    ("portfolio:action-change", lambda: [pilot_of_lyon().actions.first().pk], "when"),
    ("portfolio:agreement-change", lambda: ["lyon-guangzhou-chambers-mou"], "signed_on"),
    ("events:event-change", lambda: ["british-week-tianjin"], "when"),
]


@pytest.mark.parametrize("name, args, field", FUZZY)
def test_a_bad_fuzzy_date_is_refused_with_its_reason_and_nothing_is_written(
        client, demo, admin_user, name, args, field):
    client.force_login(admin_user)
    url = reverse(name, args=args())
    data = page_form(client, url)
    data[field] = "31/02/2016"
    before = AuditEntry.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html and "31/02/2016" in html
    assert response.context["form"].errors[field]
    assert AuditEntry.objects.count() == before


# Each page with a key, a key that is taken, and what else the record needs.
DUPLICATES = [
    ("portfolio:pairing-new", lambda: [], "tianjin-lazio",
     lambda: {"label": "A new pairing", "status": "active",
              "programme": Programme.objects.get(slug="world-cities-2015-2016").pk}),
    ("portfolio:pilot-new", lambda: [OWN_PAIRING], "smart-city-technologies",
     lambda: {"title": "A new pilot", "status": "active"}),
    ("portfolio:agreement-new", lambda: [OWN_PAIRING], "lyon-guangzhou-tourism-mou",
     lambda: {"title": "A new MoU", "type": "mou", "status": "idea"}),
    ("registry:organisation-new", lambda: [], "evotion",
     lambda: {"name": "Evotion again", "type": "company"}),
    ("registry:place-new", lambda: [], "chengdu",
     lambda: {"name": "Chengdu again", "kind": "city", "country": "CN"}),
    ("events:event-new", lambda: [], "british-week-tianjin",
     lambda: {"title": "A new week", "kind": "fair_or_week"}),
]


@pytest.mark.parametrize("name, args, slug, values", DUPLICATES)
def test_a_duplicate_key_is_refused_with_whose_it_is_and_nothing_is_written(
        client, demo, admin_user, name, args, slug, values):
    client.force_login(admin_user)
    url = reverse(name, args=args())
    data = {**page_form(client, url), **values(), "slug": slug}
    before = AuditEntry.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["slug"], errors
    assert f"The key “{slug}” is already used by" in errors["slug"][0]
    assert AuditEntry.objects.count() == before


def test_a_missing_required_field_is_named(client, coordinator):
    client.force_login(coordinator)
    url = reverse("portfolio:pilot-new", args=[OWN_PAIRING])
    response = client.post(url, {**page_form(client, url), "slug": "no-title"})
    assert response.context["form"].errors["title"] == ["Title is required."]
    assert not PilotProject.objects.filter(slug="no-title").exists()


def test_a_pilot_number_already_used_in_the_pairing_is_refused(client, coordinator):
    client.force_login(coordinator)
    url = reverse("portfolio:pilot-new", args=[OWN_PAIRING])
    data = {**page_form(client, url), "title": "Another issue 2", "slug": "another-2",
            "number": 2, "status": "active"}
    response = client.post(url, data)
    assert "Issue 2 of this pairing is already “Smart City Technologies”" in \
        response.context["form"].errors["number"][0]


def test_a_party_names_a_place_or_an_organisation_and_nothing_half_written(client, coordinator):
    client.force_login(coordinator)
    url = reverse("portfolio:agreement-new", args=[OWN_PAIRING])
    data = page_form(client, url)
    data.update({"title": "Half an agreement", "slug": "half-an-agreement", "status": "idea",
                 "parties-0-side": "eu"})
    response = client.post(url, data)
    assert "Choose a place or an organisation." in response.content.decode()
    assert not Agreement.objects.filter(slug="half-an-agreement").exists()


def test_the_same_party_twice_is_refused(client, coordinator):
    client.force_login(coordinator)
    url = reverse("portfolio:agreement-new", args=[OWN_PAIRING])
    lyon_place = Place.objects.get(slug="lyon").pk
    data = page_form(client, url)
    data.update({"title": "Twice", "slug": "twice", "status": "idea",
                 "parties-0-side": "eu", "parties-0-place": lyon_place,
                 "parties-1-side": "eu", "parties-1-place": lyon_place})
    response = client.post(url, data)
    assert "Lyon is listed twice" in response.content.decode()
    assert not Agreement.objects.filter(slug="twice").exists()


def test_an_organisation_key_that_would_hide_a_registry_page_is_refused(client, manager):
    client.force_login(manager)
    url = reverse("registry:organisation-new")
    data = {**page_form(client, url), "name": "Duplicates Ltd", "slug": "duplicates",
            "type": "company"}
    response = client.post(url, data)
    assert "kept for the workspace" in response.context["form"].errors["slug"][0]


def test_an_email_address_belongs_to_one_person(client, manager):
    client.force_login(manager)
    url = reverse("registry:person-new")
    data = {**page_form(client, url), "name": "Someone else",
            "email": "PGandara@world-cities.eu", "visibility": "internal"}
    response = client.post(url, data)
    assert "already has this email address" in response.context["form"].errors["email"][0]
    assert not Person.objects.filter(name="Someone else").exists()


def test_a_bad_country_and_bad_names_are_explained(client, manager):
    client.force_login(manager)
    url = reverse("registry:place-new")
    data = {**page_form(client, url), "name": "Nowhere", "slug": "nowhere", "kind": "city",
            "country": "XX", "other_names": "天津", "latitude": 95}
    errors = client.post(url, data).context["form"].errors
    assert set(errors) == {"country", "other_names", "latitude"}
    assert "language code" in errors["other_names"][0]


def test_an_event_keeps_a_pairing_its_editor_cannot_see(client, manager, admin_user):
    from citycoop.common.services import update_record
    from citycoop.portfolio.services import update_pairing

    hidden = Pairing.objects.get(slug="tianjin-lazio")
    update_pairing(hidden, {"is_public": False,
                            "programme": Programme.objects.get(slug="cetregio-2011-2014")},
                   acting_user=admin_user, expected_version=hidden.version)
    event = Event.objects.get(slug="british-week-tianjin")
    update_record(event, {}, acting_user=admin_user, expected_version=None,
                  many={"pairings": [hidden.pk]})
    client.force_login(manager)
    url = reverse("events:event-change", args=[event.slug])
    data = {**page_form(client, url), "capacity": 300}
    assert client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert event.capacity == 300 and list(event.pairings.all()) == [hidden]
