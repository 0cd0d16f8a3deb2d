"""`citycoop generate` makes realistic portfolios of a requested size, the same for a seed."""

from __future__ import annotations

import datetime
import os
import random
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from citycoop.accounts.models import AuditAction, AuditEntry
from citycoop.events.models import Event
from citycoop.portfolio.generate import (
    GenerationSpec,
    Planner,
    ProgrammeExists,
    generate_portfolio,
    heavy_tailed,
    plan_portfolio,
)
from citycoop.portfolio.models import (
    Action,
    ActionKind,
    ActionOrganisation,
    Agreement,
    NextStep,
    Pairing,
    PilotProject,
)
from citycoop.registry.models import Place, Programme

SPEC = GenerationSpec(pairings=20, seed=7, programme="Generated for tests")


@pytest.fixture
def generated(db, admin_user):
    return generate_portfolio(SPEC, acting_user=admin_user)


def test_it_makes_about_the_requested_numbers_of_pairings_pilots_and_actions(generated):
    assert Pairing.objects.count() == 20
    assert 180 <= PilotProject.objects.count() <= 220
    assert 1800 <= Action.objects.count() <= 2200
    assert generated.counts["actions"] == Action.objects.count()


def test_a_few_pairings_are_large_and_most_are_small():
    sizes = heavy_tailed(random.Random(1), 2000, 20_000)
    assert sum(sizes) == 20_000 and min(sizes) >= 1
    ordered = sorted(sizes)
    assert ordered[len(ordered) // 2] < 10 < ordered[-1] / 5
    assert sum(1 for size in sizes if size > 50) < 100


def test_every_pairing_pairs_an_eu_city_with_a_partner_city_that_has_coordinates(generated):
    for pairing in Pairing.objects.prefetch_related("members__place"):
        cities = {m.side: m.place for m in pairing.members.all() if m.place}
        assert set(cities) == {"eu", "partner"}, pairing.label
        assert all(c.latitude is not None and c.longitude is not None for c in cities.values())
        assert cities["eu"].country != cities["partner"].country
        assert pairing.group.startswith("EU-")


def test_places_are_real_cities_within_their_countries(generated):
    cities = Place.objects.filter(kind="city")
    assert cities.exists()
    assert not cities.filter(Q(geonames_id__isnull=True) | Q(parent__isnull=True)).exists()
    assert set(cities.values_list("parent__kind", flat=True)) == {"country"}


def test_pilots_have_themes_and_actions_of_every_kind_name_organisations(generated):
    assert not PilotProject.objects.annotate(n=Count("themes")).filter(n=0).exists()
    assert set(Action.objects.values_list("kind", flat=True)) == set(ActionKind.values)
    assert ActionOrganisation.objects.exists()
    assert Action.objects.filter(places__isnull=False).exists()
    assert Action.objects.exclude(links=[]).exists()
    assert Action.objects.exclude(sub_items=[]).exists()


def test_dates_are_fuzzy_dates_of_several_precisions(generated):
    precisions = set(Action.objects.exclude(when_text="").values_list("when_precision", flat=True))
    precisions |= set(NextStep.objects.exclude(due_text="").values_list("due_precision",
                                                                         flat=True))
    assert {"day", "month", "months", "quarter", "year"} <= precisions


def test_agreements_events_and_next_steps_come_with_statuses(generated):
    assert Agreement.objects.values("status").distinct().count() >= 3
    assert not Agreement.objects.filter(parties__isnull=True).exists()
    assert Event.objects.filter(pairings__isnull=False).exists()
    today = datetime.date.today()
    assert NextStep.objects.filter(status="open", due_end__lt=today).exists(), "none overdue"
    assert NextStep.objects.filter(status="open", due_end__gte=today).exists()


def test_some_records_are_internal(generated):
    assert PilotProject.objects.filter(is_public=False).exists()
    assert Agreement.objects.filter(is_public=False).exists()
    assert PilotProject.objects.filter(is_public=True).exists()


def test_the_whole_generation_is_one_audit_entry_on_the_programme(generated, admin_user):
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.CREATE and entry.actor == admin_user
    assert entry.object_id == str(Programme.objects.get(name=SPEC.programme).pk)
    summary = entry.changes["generated"][1]
    assert summary["seed"] == 7 and summary["pairings"] == 20
    assert summary["actions"] == Action.objects.count()


def test_the_same_seed_plans_the_same_portfolio_and_another_seed_another():
    first = list(plan_portfolio(SPEC))
    assert first == list(plan_portfolio(SPEC))
    other = list(plan_portfolio(GenerationSpec(pairings=20, seed=8)))
    assert [p.label for p in other] != [p.label for p in first]


def test_the_database_holds_what_was_planned(generated):
    plan = list(Planner(SPEC).pairings())
    stored = list(Pairing.objects.order_by("pk").values_list("label", "group", "number"))
    assert stored == [(p.label, p.group, p.number) for p in plan]
    titles = list(PilotProject.objects.order_by("pk").values_list("title", flat=True))
    assert titles == [pilot.title for p in plan for pilot in p.pilots]


def test_it_refuses_a_programme_that_exists_unless_asked_to_append(generated, admin_user):
    before = Action.objects.count()
    with pytest.raises(ProgrammeExists, match="--append"):
        generate_portfolio(SPEC, acting_user=admin_user)
    assert Action.objects.count() == before
    generate_portfolio(GenerationSpec(pairings=5, seed=9, programme=SPEC.programme),
                       acting_user=admin_user, append=True)
    assert Pairing.objects.count() == 25
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 1
    numbers = Pairing.objects.values_list("group", "number")
    assert len(set(numbers)) == 25


def test_it_generates_beside_the_demo_portfolio(demo, admin_user):
    themes = set(PilotProject.objects.values_list("themes__slug", flat=True))
    generate_portfolio(GenerationSpec(pairings=10, seed=3), acting_user=admin_user)
    assert Programme.objects.filter(slug="world-cities-2015-2016").exists()
    assert themes <= set(PilotProject.objects.values_list("themes__slug", flat=True))
    # The demo's countries (and any city it shares) are used, not made again.
    countries = Place.objects.filter(kind="country").values_list("country", flat=True)
    assert len(countries) == len(set(countries))


def test_the_command_prints_its_counts_and_refuses_an_existing_programme(db, capsys):
    call_command("generate", pairings=3, seed=2, programme="Command test")
    out = capsys.readouterr()
    assert "pairings: 3" in out.out and "Generated into 'Command test'" in out.out
    assert "pairings 3/3" in out.err
    with pytest.raises(CommandError, match="nothing was generated"):
        call_command("generate", pairings=3, programme="Command test")


def test_the_command_explains_itself_with_help():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-m", "citycoop", "generate", "--help"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for option in ("--pairings", "--pilots-per-pairing", "--actions-per-pilot", "--seed",
                   "--programme", "--append"):
        assert option in result.stdout
