"""The results pages: who sees the framework, who enters values, who reviews them, and who
sees who is late."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from citycoop.accounts.models import User
from citycoop.portfolio.models import PilotProject
from citycoop.registry.models import Programme
from citycoop.reports import results
from citycoop.reports.results_models import ActualValue, ResultKind, ValueStatus

pytestmark = pytest.mark.django_db

SLUG = "world-cities-2015-2016"


@pytest.fixture
def owner(db):
    return User.objects.create_user("owner", email="owner@example.org",
                                    password="a-long-test-password")


@pytest.fixture
def indicator(manager, owner):
    programme = Programme.objects.get(slug=SLUG)
    pilot = PilotProject.objects.filter(pairing__programme=programme, is_public=True,
                                        pairing__is_public=True).first()
    result = results.create_result(programme, {"kind": ResultKind.OUTPUT,
                                               "title": "Energy audits done"},
                                   acting_user=manager, pilot=pilot)
    indicator = results.create_indicator(result, {"name": "Buildings audited",
                                                  "unit": "buildings", "owner": owner,
                                                  "due_days": 30}, acting_user=manager)
    results.create_target(indicator, {"period_label": "2016",
                                      "period_start": datetime.date(2016, 1, 1),
                                      "period_end": datetime.date(2016, 12, 31),
                                      "value": Decimal(40)}, acting_user=manager)
    return indicator


def submitted(indicator, owner, value=30):
    return results.enter_value(indicator, period_start=datetime.date(2016, 1, 1),
                               period_end=datetime.date(2016, 12, 31), value=Decimal(value),
                               acting_user=owner, submit=True)


def test_the_programme_page_shows_results_indicators_and_the_chart_to_everyone(
        client, indicator, owner, manager):
    results.approve(submitted(indicator, owner), acting_user=manager)
    page = client.get(reverse("results:programme", args=[SLUG]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Energy audits done" in html and "Buildings audited" in html
    assert 'id="results-chart"' in html and "web/results.js" in html
    assert "75 %" in html                       # 30 of 40
    assert "Enter a value" not in html and "Review queue" not in html


def test_the_pilot_page_shows_the_pilots_results(client, indicator):
    pilot = indicator.result.pilot
    page = client.get(reverse("results:pilot", args=[pilot.pairing.slug, pilot.slug]))
    assert page.status_code == 200
    assert "Buildings audited" in page.content.decode()


def test_the_owner_sees_an_entry_link_and_the_manager_the_queue(client, indicator, owner,
                                                                manager):
    client.force_login(owner)
    html = client.get(reverse("results:programme", args=[SLUG])).content.decode()
    assert reverse("results:enter", args=[indicator.pk]) in html
    assert "Review queue" not in html
    client.force_login(manager)
    html = client.get(reverse("results:programme", args=[SLUG])).content.decode()
    assert "Review queue" in html


def test_the_owner_enters_and_submits_a_value_through_the_form(client, indicator, owner):
    client.force_login(owner)
    url = reverse("results:enter", args=[indicator.pk])
    assert client.get(url).status_code == 200
    target = indicator.targets.get()
    answer = client.post(url, {"target": target.pk, "value": "12",
                               "evidence_links": "https://example.org/audit.pdf",
                               "submit": "1"})
    assert answer.status_code == 302
    value = ActualValue.objects.get(indicator=indicator)
    assert value.status == ValueStatus.SUBMITTED and value.value == Decimal(12)
    assert value.evidence_links == ["https://example.org/audit.pdf"]


def test_the_form_refuses_evidence_that_is_not_a_web_address(client, indicator, owner):
    client.force_login(owner)
    answer = client.post(reverse("results:enter", args=[indicator.pk]),
                         {"target": indicator.targets.get().pk, "value": "12",
                          "evidence_links": "the minutes", "submit": "1"})
    assert answer.status_code == 200 and not ActualValue.objects.exists()


def test_an_outsider_may_not_enter_and_the_anonymous_are_sent_to_sign_in(client, indicator,
                                                                         outsider):
    url = reverse("results:enter", args=[indicator.pk])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    assert client.post(url, {"target": indicator.targets.get().pk, "value": "1",
                             "submit": "1"}).status_code == 403


def test_the_manager_approves_one_value_and_returns_another_from_the_queue(
        client, indicator, owner, manager):
    first = submitted(indicator, owner)
    second = results.enter_value(indicator, period_start=datetime.date(2017, 1, 1),
                                 period_end=datetime.date(2017, 12, 31), value=Decimal(99),
                                 acting_user=owner, submit=True)
    client.force_login(manager)
    page = client.get(reverse("results:review", args=[SLUG]))
    assert page.status_code == 200 and "Buildings audited" in page.content.decode()
    client.post(reverse("results:review-value", args=[SLUG, first.pk]),
                {f"v{first.pk}-comment": "", "approve": "1"})
    client.post(reverse("results:review-value", args=[SLUG, second.pk]),
                {f"v{second.pk}-comment": "Too high.", "return": "1"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ValueStatus.APPROVED and first.reviewed_by == manager
    assert second.status == ValueStatus.RETURNED and second.review_comment == "Too high."


def test_only_managers_review(client, indicator, owner, outsider):
    value = submitted(indicator, owner)
    review = reverse("results:review", args=[SLUG])
    decide = reverse("results:review-value", args=[SLUG, value.pk])
    assert client.get(review).status_code == 302
    for user in (owner, outsider):
        client.force_login(user)
        assert client.get(review).status_code == 403
        assert client.post(decide, {"approve": "1"}).status_code == 403
    value.refresh_from_db()
    assert value.status == ValueStatus.SUBMITTED


def test_the_status_page_shows_managers_an_overdue_value_by_owner(client, indicator, owner,
                                                                  manager, outsider):
    url = reverse("results:status", args=[SLUG])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "owner" in html and "Buildings audited" in html and "2017-01-30" in html


def test_the_programme_page_costs_the_same_with_more_indicators(
        client, indicator, manager, django_assert_max_num_queries):
    for n in range(10):
        results.create_indicator(indicator.result, {"name": f"Extra {n}"}, acting_user=manager)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("results:programme", args=[SLUG])).status_code == 200
