"""An indicator's owner enters two values in Chromium; the programme manager approves one
and returns the other with a comment."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from citycoop.reports.results_models import ActualValue, ValueStatus
from tests.e2e.conftest import PASSWORD, make_manager, screenshot, sign_in, wait_until

pytestmark = pytest.mark.e2e

SLUG = "world-cities-2015-2016"


@pytest.fixture
def framework(demo_site):
    from citycoop.accounts.models import User
    from citycoop.registry.models import Programme
    from citycoop.reports import results
    from citycoop.reports.results_models import ResultKind

    manager = make_manager()
    owner = User.objects.create_user("owner", email="owner@example.org", password=PASSWORD)
    programme = Programme.objects.get(slug=SLUG)
    result = results.create_result(programme, {"kind": ResultKind.OUTCOME,
                                               "title": "Buildings use less energy"},
                                   acting_user=manager)
    indicator = results.create_indicator(result, {"name": "Buildings audited",
                                                  "unit": "buildings", "owner": owner},
                                         acting_user=manager)
    for label, year, value in (("2015", 2015, 20), ("2016", 2016, 40)):
        results.create_target(indicator, {"period_label": label,
                                          "period_start": datetime.date(year, 1, 1),
                                          "period_end": datetime.date(year, 12, 31),
                                          "value": Decimal(value)}, acting_user=manager)
    return demo_site, indicator


def test_an_owner_enters_two_values_and_the_manager_approves_one_and_returns_the_other(
        page, framework):
    base, indicator = framework
    enter_path = f"/results/indicators/{indicator.pk}/enter/"
    sign_in(page, base, "owner", enter_path)
    for period, value in (("2015", "18"), ("2016", "55")):
        page.select_option("#id_target", label=period)
        page.fill("#id_value", value)
        page.fill("#id_evidence_links", f"https://example.org/audit-{period}.pdf")
        page.click("#value-entry button[name=submit]")
        page.locator(".messages").wait_for()
    assert ActualValue.objects.filter(indicator=indicator,
                                      status=ValueStatus.SUBMITTED).count() == 2
    screenshot(page, "results-enter")
    page.click("header .who button")                  # sign out

    sign_in(page, base, "manager", f"/results/{SLUG}/review/")
    first = ActualValue.objects.get(indicator=indicator, period_start__year=2015)
    second = ActualValue.objects.get(indicator=indicator, period_start__year=2016)
    screenshot(page, "results-review-queue")
    page.click(f"#value-{first.pk} button[name=approve]")
    page.locator(".messages").wait_for()
    page.fill(f"#value-{second.pk} textarea", "55 counts the whole district; count ours only.")
    page.click(f"#value-{second.pk} button[name=return]")
    page.locator(".messages").wait_for()
    assert "Nothing is waiting for review." in page.inner_text("main")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ValueStatus.APPROVED and first.reviewed_by.username == "manager"
    assert first.reviewed_at is not None
    assert second.status == ValueStatus.RETURNED and second.reviewed_at is not None
    assert second.review_comment == "55 counts the whole district; count ours only."

    page.goto(f"{base}/results/{SLUG}/")
    page.locator("#results-chart").wait_for()
    wait_until(page, "Chart.getChart(document.getElementById('results-chart')) !== undefined")
    assert "90 %" in page.inner_text("table.target-vs-actual")        # 18 of 20
    screenshot(page, "results-programme")
