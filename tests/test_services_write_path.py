"""Every write is atomic, audited with a diff, and refused when based on a stale version."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from citycoop.accounts.models import AuditAction, AuditEntry
from citycoop.common.services import StaleEditError
from citycoop.portfolio import services as portfolio
from citycoop.portfolio.models import Pairing
from citycoop.registry import services as registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(admin_user):
    return registry.create_programme({"slug": "wc", "name": "World Cities 2015-2016"},
                                     acting_user=admin_user)


@pytest.fixture
def pairing(programme, admin_user):
    return portfolio.create_pairing(
        {"slug": "lyon-guangzhou", "programme": programme, "label": "Lyon – Guangzhou",
         "group": "EU-China", "number": 4}, acting_user=admin_user)


def test_it_audits_a_creation_with_who_and_the_new_values(pairing, admin_user):
    entry = AuditEntry.objects.get(object_id=str(pairing.pk), content_type__model="pairing")
    assert entry.action == AuditAction.CREATE
    assert entry.actor == admin_user
    assert entry.changes["label"] == [None, "Lyon – Guangzhou"]


def test_it_audits_an_update_with_the_diff_of_fields_only(pairing, admin_user):
    portfolio.update_pairing(pairing, {"status": "dormant", "label": "Lyon – Guangzhou"},
                             acting_user=admin_user, expected_version=1)
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).get()
    assert entry.changes == {"status": ["active", "dormant"]}
    assert Pairing.objects.get(pk=pairing.pk).version == 2


def test_it_refuses_a_write_based_on_a_stale_version_and_keeps_the_other_change(pairing, admin_user):
    # Two people open version 1; the first saves, the second's save must not overwrite it.
    portfolio.update_pairing(pairing, {"summary": "First editor's summary"},
                             acting_user=admin_user, expected_version=1)
    with pytest.raises(StaleEditError) as refused:
        portfolio.update_pairing(pairing, {"summary": "Second editor's summary"},
                                 acting_user=admin_user, expected_version=1)
    assert "version 1" in str(refused.value) and "version 2" in str(refused.value)
    assert "Nothing was saved" in str(refused.value)
    stored = Pairing.objects.get(pk=pairing.pk)
    assert stored.summary == "First editor's summary"
    assert stored.version == 2


def test_an_update_that_changes_nothing_writes_nothing(pairing, admin_user):
    before = AuditEntry.objects.count()
    portfolio.update_pairing(pairing, {"label": pairing.label}, acting_user=admin_user,
                             expected_version=1)
    assert AuditEntry.objects.count() == before
    assert Pairing.objects.get(pk=pairing.pk).version == 1


def test_an_invalid_write_is_refused_whole_and_leaves_no_audit_entry(pairing, admin_user):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        portfolio.update_pairing(pairing, {"status": "forgotten", "summary": "changed"},
                                 acting_user=admin_user, expected_version=1)
    assert "status" in refused.value.message_dict
    assert AuditEntry.objects.count() == before
    assert Pairing.objects.get(pk=pairing.pk).summary == ""


def test_it_refuses_a_second_pairing_with_the_same_number_in_a_group(pairing, programme, admin_user):
    with pytest.raises(ValidationError):
        portfolio.create_pairing(
            {"slug": "other", "programme": programme, "label": "Other", "group": "EU-China",
             "number": 4}, acting_user=admin_user)


def test_it_fills_a_new_place_from_the_gazetteer_and_keeps_a_fuzzy_match_visible(admin_user):
    place = registry.create_place({"slug": "chendgu", "name": "Chendgu", "kind": "city",
                                   "country": "CN"}, acting_user=admin_user)
    assert place.gazetteer_match == "Chengdu"
    assert 85 <= place.gazetteer_score < 100
    assert place.latitude == pytest.approx(30.66, abs=0.2)
    assert place.other_names.get("zh") == "成都"


def test_it_keeps_a_fuzzy_date_as_written_without_inventing_a_day(pairing, admin_user):
    pilot = portfolio.create_pilot({"pairing": pairing, "slug": "start-ups",
                                    "title": "Cooperation of start-ups"}, acting_user=admin_user)
    action = portfolio.create_action({"pilot": pilot, "position": 1, "text": "Mission to China",
                                      "when": "March 2016", "kind": "mission"},
                                     acting_user=admin_user)
    action.refresh_from_db()
    assert action.when_text == "March 2016"
    assert (action.when_start.isoformat(), action.when_end.isoformat()) == ("2016-03-01", "2016-03-31")
    assert action.when_precision == "month"
    assert action.when.iso == "2016-03"
