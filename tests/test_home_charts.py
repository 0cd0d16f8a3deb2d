"""The home page's charts: the theme chart counts the pilots the theme pages count (a pilot
counts under a theme when it has that theme or any theme below it, however deep); the events
chart counts every event, undated ones apart; words are in the reader's language."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from citycoop.events.models import Event
from citycoop.registry.models import Programme, Theme
from citycoop.reports.charts import chart_data, localised


def counted_on_theme_page(client, slug: str) -> int:
    page = client.get(f"/themes/{slug}/").content.decode()
    return int(re.search(r'id="pilots-heading">[^<]*<small>\((\d+)\)', page).group(1))


@pytest.mark.django_db
def test_each_bar_of_the_theme_chart_is_the_count_on_that_themes_page(demo, client):
    programme = Programme.objects.get(name__startswith="World Cities")
    chart = chart_data(programme)["pilots_by_theme"]
    assert chart["labels"]
    for name, value in zip(chart["labels"], chart["values"], strict=True):
        theme = Theme.objects.get(name=name)
        assert theme.parent is None, f"{name} is not a top-level theme"
        assert counted_on_theme_page(client, theme.slug) == value, name


@pytest.mark.django_db
def test_pilots_of_narrower_themes_count_under_the_top_one(demo, client):
    chart = chart_data(Programme.objects.get(name__startswith="World Cities"))["pilots_by_theme"]
    counts = dict(zip(chart["labels"], chart["values"], strict=True))
    # Smart city (11 pilots) sits under Urban development; District heating sits under
    # Energy efficiency, under Energy: two levels down.
    assert counts["Urban development"] >= 11
    assert "Smart city" not in counts and "Energy efficiency and low-carbon development" not in counts
    heating = Theme.objects.get(name="District heating and cooling")
    assert heating.parent.parent.name == "Energy"
    energy_page = client.get("/themes/energy/").content.decode()
    for pilot in heating.pilots.all():
        assert pilot.title in energy_page


@pytest.mark.django_db
def test_the_events_chart_adds_up_to_every_public_event_of_the_programme(demo):
    programme = Programme.objects.get(name__startswith="World Cities")
    per_quarter = chart_data(programme)["events_per_quarter"]
    events = Event.objects.filter(pairings__programme=programme, is_public=True).distinct()
    assert sum(per_quarter["events"]) == events.count()
    undated = events.filter(when_start__isnull=True).count()
    assert undated  # the demo has events dated "February" or not at all
    assert per_quarter["labels"][-1] == "" and per_quarter["events"][-1] == undated
    with translation.override("en"):
        assert localised(chart_data(programme))["events_per_quarter"]["labels"][-1] == "undated"


@pytest.mark.django_db
def test_the_charts_speak_the_readers_language(demo, client):
    programme = Programme.objects.get(name__startswith="World Cities")
    with translation.override("zh-hans"):
        charts = localised(chart_data(programme))
    assert "中国" in charts["pilots_by_country"]["labels"]
    assert "CN" not in charts["pilots_by_country"]["labels"]
    assert "undated" not in charts["agreements_over_time"]["labels"]
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "中国" in page and "印度" in page
