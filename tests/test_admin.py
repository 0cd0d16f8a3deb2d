"""The admin covers every model, and its edits go through the audited, version-checked path."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from citycoop.accounts.models import AuditAction, AuditEntry
from citycoop.portfolio.models import Action, Pairing
from citycoop.portfolio.services import update_pairing
from citycoop.registry.models import Programme

pytestmark = pytest.mark.django_db

INLINE_ONLY = {"PairingMember", "ActionOrganisation", "AgreementParty"}


def citycoop_models():
    return [m for m in apps.get_models() if m.__module__.startswith("citycoop.")]


def test_every_model_is_in_the_admin_directly_or_as_an_inline():
    registered = set(admin.site._registry)
    inlines = {inline.model for model_admin in admin.site._registry.values()
               for inline in model_admin.inlines}
    for model in citycoop_models():
        assert model in registered or model in inlines, model.__name__
        if model.__name__ in INLINE_ONLY:
            assert model in inlines


def test_every_admin_page_opens_with_search_and_a_record(client, admin_user, demo):
    client.force_login(admin_user)
    for model in citycoop_models():
        if model not in admin.site._registry:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        listing = client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist"), {"q": "Tianjin"})
        assert listing.status_code == 200, model.__name__
        record = model.objects.first()
        if record is not None:
            change = client.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[record.pk]))
            assert change.status_code == 200, model.__name__


def programme_form(programme, **changes):
    data = {"slug": programme.slug, "name": programme.name, "short_name": programme.short_name,
            "description": programme.description, "funder": programme.funder,
            "website": programme.website, "starts_text": programme.starts_text,
            "ends_text": programme.ends_text,
            "predecessor": programme.predecessor_id or "", "loaded_version": programme.version}
    data.update(changes)
    return data


def test_an_admin_edit_is_audited_and_derives_the_fuzzy_date_from_its_text(client, admin_user, demo):
    client.force_login(admin_user)
    programme = Programme.objects.get(slug="world-cities-2015-2016")
    url = reverse("admin:registry_programme_change", args=[programme.pk])
    response = client.post(url, programme_form(programme, ends_text="Q4 2016"))
    assert response.status_code == 302, response.content.decode()[:2000]
    programme.refresh_from_db()
    assert (programme.ends_start.isoformat(), programme.ends_end.isoformat()) == ("2016-10-01", "2016-12-31")
    assert programme.ends_precision == "quarter"
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, actor=admin_user).latest("id")
    assert entry.changes["ends_text"][1] == "Q4 2016"


def test_a_stale_admin_edit_is_shown_as_a_conflict_and_nothing_is_lost(client, admin_user, demo):
    client.force_login(admin_user)
    pairing = Pairing.objects.get(slug="lyon-guangzhou")
    opened_version = pairing.version
    update_pairing(pairing, {"summary": "Written by a colleague meanwhile."},
                   acting_user=admin_user, expected_version=opened_version)
    programme = pairing.programme
    url = reverse("admin:registry_programme_change", args=[programme.pk])
    # The same conflict path guards every admin form; a programme form has no inlines to post.
    Programme.objects.filter(pk=programme.pk).update(version=programme.version + 1)
    response = client.post(url, programme_form(programme, funder="Someone else"))
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    programme.refresh_from_db()
    assert programme.funder != "Someone else"
    assert Pairing.objects.get(pk=pairing.pk).summary == "Written by a colleague meanwhile."


def test_an_inline_edit_of_an_action_goes_through_the_services(client, admin_user, demo):
    client.force_login(admin_user)
    action = Action.objects.get(text__startswith="Automotive cooperation")
    pilot = action.pilot
    url = reverse("admin:portfolio_pilotproject_change", args=[pilot.pk])
    form = client.get(url).context["adminform"].form
    data = {name: (value if value is not None else "") for name, value in form.initial.items()}
    data["themes"] = [t.pk for t in pilot.themes.all()]
    data["loaded_version"] = pilot.version
    data.pop("id", None)
    inline = client.get(url).context["inline_admin_formsets"][0].formset
    prefix = inline.prefix
    data.update({f"{prefix}-TOTAL_FORMS": len(inline.forms), f"{prefix}-INITIAL_FORMS":
                 len(inline.initial_forms), f"{prefix}-MIN_NUM_FORMS": 0,
                 f"{prefix}-MAX_NUM_FORMS": 1000})
    for i, inline_form in enumerate(inline.forms):
        row = inline_form.instance
        data.update({f"{prefix}-{i}-id": row.pk, f"{prefix}-{i}-pilot": pilot.pk,
                     f"{prefix}-{i}-position": row.position, f"{prefix}-{i}-topic": row.topic,
                     f"{prefix}-{i}-text": row.text, f"{prefix}-{i}-kind": row.kind,
                     f"{prefix}-{i}-status": row.status, f"{prefix}-{i}-when_text": row.when_text,
                     f"{prefix}-{i}-links": __import__("json").dumps(row.links),
                     f"{prefix}-{i}-loaded_version": row.version})
        if row.pk == action.pk:
            data[f"{prefix}-{i}-when_text"] = "May 2016"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    action.refresh_from_db()
    assert action.when_text == "May 2016" and action.when.iso == "2016-05"
    assert AuditEntry.objects.filter(object_id=str(action.pk), action=AuditAction.UPDATE,
                                     actor=admin_user).exists()
