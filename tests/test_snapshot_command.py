"""``citycoop snapshot`` keeps the computed KPIs as dated snapshots, once per date."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from citycoop.accounts.models import AuditEntry
from citycoop.reports.kpis import KPIS
from citycoop.reports.models import KpiSnapshot

pytestmark = pytest.mark.django_db


def snapshot(*args: str) -> str:
    out = io.StringIO()
    call_command("snapshot", *args, stdout=out)
    return out.getvalue()


def test_it_stores_each_kpi_for_the_programme_and_each_group(demo):
    snapshot("--programme", "world-cities-2015-2016", "--as-of", "2016-04-28")
    rows = KpiSnapshot.objects.filter(computed=True, as_of_text="2016-04-28")
    totals = {(r.group, r.name): r.value for r in rows if r.name in KPIS}
    # From the demo's records, counted by hand: 36 pilots, 23 EU-China and 13 EU-India.
    assert totals[("", "pilots_by_status")] == 36
    assert totals[("EU-China", "pilots_by_status")] == 23
    assert totals[("EU-India", "pilots_by_status")] == 13
    assert totals[("", "events_by_kind")] == 17
    # A breakdown line is its own row, named after the KPI and the choice.
    assert rows.get(group="EU-India", name="pilots_by_status-idea").value == 3
    # The mean of no answers is no figure: no row rather than a false zero.
    assert not rows.filter(name="event_quality").exists()
    assert all(r.source is None and r.as_of.start.isoformat() == "2016-04-28" for r in rows)


def test_running_it_again_on_the_same_date_updates_instead_of_adding(demo):
    first = snapshot("--as-of", "2016-04-28")
    count = KpiSnapshot.objects.filter(computed=True).count()
    audits = AuditEntry.objects.count()
    second = snapshot("--as-of", "2016-04-28")
    assert KpiSnapshot.objects.filter(computed=True).count() == count
    assert AuditEntry.objects.count() == audits   # nothing changed, nothing written
    assert f"{count} new" in first and f"{count} unchanged" in second
    snapshot("--as-of", "2016-05-31")
    assert KpiSnapshot.objects.filter(computed=True).count() == 2 * count


def test_it_leaves_the_reported_figures_alone(demo):
    reported = list(KpiSnapshot.objects.filter(computed=False).values_list("name", "value"))
    snapshot()
    assert list(KpiSnapshot.objects.filter(computed=False)
                .values_list("name", "value")) == reported


def test_it_refuses_an_unknown_programme_and_a_bad_date(demo):
    with pytest.raises(CommandError, match="No programme"):
        snapshot("--programme", "nowhere")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        snapshot("--as-of", "April 2016")
