"""The results framework: owners enter values, managers approve or return them, and the
target-versus-actual table counts approved values only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from citycoop.accounts.models import AuditEntry, User
from citycoop.portfolio.models import PilotProject
from citycoop.registry.models import Programme
from citycoop.reports import results
from citycoop.reports.results_models import ActualValue, ResultKind, ValueStatus

pytestmark = pytest.mark.django_db

Y2016 = (datetime.date(2016, 1, 1), datetime.date(2016, 12, 31))
Y2017 = (datetime.date(2017, 1, 1), datetime.date(2017, 12, 31))


@pytest.fixture
def owner(db):
    return User.objects.create_user("owner", email="owner@example.org",
                                    password="a-long-test-password")


@pytest.fixture
def indicator(manager, owner):
    """An outcome of the demo programme with one indicator, owned by ``owner``, and targets
    for 2016 and 2017."""
    programme = Programme.objects.get(slug="world-cities-2015-2016")
    result = results.create_result(programme, {"kind": ResultKind.OUTCOME,
                                               "title": "Cities adopt low-carbon plans"},
                                   acting_user=manager)
    indicator = results.create_indicator(result, {"name": "Plans adopted", "unit": "plans",
                                                  "baseline_value": Decimal(0),
                                                  "owner": owner}, acting_user=manager)
    for label, (start, end), value in (("2016", Y2016, 10), ("2017", Y2017, 20)):
        results.create_target(indicator, {"period_label": label, "period_start": start,
                                          "period_end": end, "value": Decimal(value)},
                              acting_user=manager)
    return indicator


def enter(indicator, user, value, period=Y2016, submit=True):
    return results.enter_value(indicator, period_start=period[0], period_end=period[1],
                               value=Decimal(value), acting_user=user, submit=submit,
                               evidence_links=["https://example.org/minutes.pdf"])


def test_the_owner_enters_a_draft_and_then_submits_it(indicator, owner):
    draft = enter(indicator, owner, 4, submit=False)
    assert draft.status == ValueStatus.DRAFT
    assert draft.entered_by == owner and draft.entered_at is not None
    assert draft.evidence_links == ["https://example.org/minutes.pdf"]
    submitted = results.submit(draft, acting_user=owner)
    assert submitted.status == ValueStatus.SUBMITTED
    assert AuditEntry.objects.filter(object_id=str(draft.pk),
                                     content_type__model="actualvalue").count() == 2


def test_entering_a_period_again_changes_its_value_instead_of_adding_one(indicator, owner):
    enter(indicator, owner, 4, submit=False)
    enter(indicator, owner, 5)
    assert ActualValue.objects.get(indicator=indicator).value == Decimal(5)


def test_a_manager_may_enter_a_value_too(indicator, manager):
    assert enter(indicator, manager, 3).entered_by == manager


def test_it_refuses_a_value_from_someone_who_neither_owns_nor_manages(indicator, outsider):
    with pytest.raises(PermissionDenied):
        enter(indicator, outsider, 4)
    assert not ActualValue.objects.exists()


def test_a_manager_approves_and_the_reviewer_time_and_comment_are_kept(indicator, owner,
                                                                       manager):
    value = results.approve(enter(indicator, owner, 8), acting_user=manager, comment="Checked.")
    value.refresh_from_db()
    assert value.status == ValueStatus.APPROVED
    assert value.reviewed_by == manager and value.reviewed_at is not None
    assert value.review_comment == "Checked."


def test_a_manager_returns_a_value_with_a_comment(indicator, owner, manager):
    value = results.return_value(enter(indicator, owner, 80), acting_user=manager,
                                 comment="80 is the whole country; count the city only.")
    assert value.status == ValueStatus.RETURNED
    assert value.reviewed_by == manager and value.reviewed_at is not None
    assert "city only" in value.review_comment


def test_returning_needs_a_comment(indicator, owner, manager):
    with pytest.raises(results.ReviewError):
        results.return_value(enter(indicator, owner, 80), acting_user=manager, comment=" ")


def test_the_owner_cannot_approve_their_own_value(indicator, owner):
    with pytest.raises(PermissionDenied):
        results.approve(enter(indicator, owner, 8), acting_user=owner)
    with pytest.raises(PermissionDenied):
        results.return_value(enter(indicator, owner, 8), acting_user=owner, comment="no")


def test_a_draft_cannot_be_approved(indicator, owner, manager):
    with pytest.raises(results.ReviewError):
        results.approve(enter(indicator, owner, 8, submit=False), acting_user=manager)


def test_an_approved_value_is_locked_until_it_is_returned(indicator, owner, manager):
    approved = results.approve(enter(indicator, owner, 8), acting_user=manager)
    with pytest.raises(results.ReviewError):
        enter(indicator, owner, 9)
    assert ActualValue.objects.get(pk=approved.pk).value == Decimal(8)
    results.return_value(approved, acting_user=manager, comment="Add the second district.")
    changed = enter(indicator, owner, 9)
    assert changed.value == Decimal(9) and changed.status == ValueStatus.SUBMITTED


def test_only_managers_set_up_the_framework(indicator, owner):
    with pytest.raises(PermissionDenied):
        results.create_indicator(indicator.result, {"name": "Sneaky"}, acting_user=owner)


def test_a_result_may_belong_to_a_pilot_of_its_programme(manager):
    pilot = PilotProject.objects.select_related("pairing__programme").first()
    result = results.create_result(pilot.pairing.programme,
                                   {"kind": ResultKind.OUTPUT, "title": "Pilot output"},
                                   acting_user=manager, pilot=pilot)
    assert list(results.results_of(pilot=pilot)) == [result]


def test_target_vs_actual_counts_approved_values_only(indicator, owner, manager):
    results.approve(enter(indicator, owner, 8), acting_user=manager)
    enter(indicator, owner, 15, period=Y2017)       # submitted, not approved: not a figure
    rows = results.target_vs_actual(indicator.result.programme)
    assert [(r.period_label, r.target, r.actual, r.percent) for r in rows] == [
        ("2016", Decimal(10), Decimal(8), Decimal("80.0")),
        ("2017", Decimal(20), None, None),
    ]
