"""Server-side times of the KPI dashboard, on the demo portfolio and a generated one.

Run `.venv/bin/python bench/kpis.py` (SQLite files in a temporary data folder); `--quick`
generates 200 pairings instead of 2,000; `--generated-dir DIR` measures a data folder that
already holds a generated portfolio (e.g. one made with `citycoop generate --pairings 2000`),
which saves the two minutes of generating it.

As bench/pages.py does: each portfolio is set up in its own process (Django reads its
database settings once), pages are requested with Django's test client (no network, no web
server), twice to warm up, then `--requests` times. "Warm" is the public's answer from the
cache (kept until the next write); "cold" empties the cache before every request, which is
what the first visitor after a change waits; "manager" is a signed-in programme manager,
whose answer is never cached (it counts internal records too). Each page is then requested
once more to count its SQL queries. Prints markdown tables for bench/kpis-results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 150.0  # p95, per page and mode
EVENTS = 20_000    # events in the generated programme, as the KPIs issue measures it


def set_up(scenario: str, pairings: int, existing: bool) -> dict[str, Any]:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if scenario == "demo":
        call_command("loaddemo", verbosity=0)
    elif not existing:
        from citycoop.portfolio.generate import GenerationSpec, generate_portfolio

        generate_portfolio(GenerationSpec(pairings), acting_user=None)
    return {"setup_seconds": round(time.perf_counter() - started, 1)}


def add_activity(target_events: int, seed: int = 7) -> None:
    """Bring the measured programme to ``target_events`` events with what events leave
    behind, written in bulk (a benchmark's fixture, not the audited services): copies of its
    events tied to its pairings; ten participations an event from a pool of 20,000 people
    and the organisations, most attended, some no-shows and cancellations; a quality answer
    from a third of those who attended; a media item and a dissemination output for every
    other event. ``citycoop generate`` makes events but none of this."""
    import random

    from django.db import transaction
    from django.db.models import Count

    from citycoop.events.models import (
        Attendance,
        DisseminationOutput,
        Event,
        FeedbackAnswer,
        MediaItem,
        Participation,
    )
    from citycoop.portfolio.models import Pairing
    from citycoop.registry.models import Organisation, Person, Programme

    rng = random.Random(seed)
    programme = Programme.objects.annotate(n=Count("pairings")).order_by("-n").first()
    assert programme is not None
    events = Event.objects.filter(pairings__programme=programme).distinct()
    have = events.count()
    if have >= target_events:
        return
    with transaction.atomic():
        models = list(events.order_by("pk")[:500])
        pairing_ids = list(Pairing.objects.filter(programme=programme)
                           .values_list("pk", flat=True))
        copies = []
        for n in range(target_events - have):
            model = models[n % len(models)]
            copies.append(Event(slug=f"bench-event-{n}", title=f"{model.title} ({n})",
                                kind=model.kind, when_text=model.when_text,
                                when_start=model.when_start, when_end=model.when_end,
                                when_precision=model.when_precision, place_id=model.place_id,
                                is_public=rng.random() > 0.05))
        Event.objects.bulk_create(copies, batch_size=2000)
        Event.pairings.through.objects.bulk_create(
            [Event.pairings.through(event_id=e.pk, pairing_id=rng.choice(pairing_ids))
             for e in copies], batch_size=5000)
        people = Person.objects.bulk_create(
            [Person(name=f"Bench participant {n}") for n in range(20_000)], batch_size=5000)
        organisation_ids = list(Organisation.objects.values_list("pk", flat=True)[:20_000])
        all_events = list(events.values_list("pk", "when_start"))
        moods = ([Attendance.ATTENDED] * 7 + [Attendance.NO_SHOW, Attendance.CANCELLED,
                                              Attendance.REGISTERED])
        participations = []
        for event_id, _day in all_events:
            for person in rng.sample(people, 10):
                participations.append(Participation(
                    event_id=event_id, person_id=person.pk,
                    organisation_id=rng.choice(organisation_ids),
                    attendance=rng.choice(moods)))
        Participation.objects.bulk_create(participations, batch_size=5000)
        attended = [p for p in participations if p.attendance == Attendance.ATTENDED]
        FeedbackAnswer.objects.bulk_create(
            [FeedbackAnswer(participation_id=p.pk, overall=rng.randint(2, 5),
                            relevance=rng.randint(2, 5), organisation=rng.randint(2, 5),
                            networking=rng.randint(1, 5))
             for p in attended if rng.random() < 0.33], batch_size=5000)
        halves = all_events[::2]
        MediaItem.objects.bulk_create(
            [MediaItem(outlet=f"Bench outlet {n % 300}", title="Coverage", type="web",
                       published_on=day, reach=rng.randint(100, 50_000), event_id=event_id)
             for n, (event_id, day) in enumerate(halves)], batch_size=5000)
        DisseminationOutput.objects.bulk_create(
            [DisseminationOutput(kind="report", title="Event report", published_on=day,
                                 audience=rng.randint(20, 2_000), event_id=event_id)
             for event_id, day in halves], batch_size=5000)


def pages_to_measure() -> tuple[list[tuple[str, str]], Any, dict[str, int]]:
    """The dashboard of the programme with the most pairings: whole, one group, one year,
    one pairing. Also a manager to sign in, and the sizes of what is counted."""
    from django.db.models import Count

    from citycoop.accounts.models import Membership, Role, User
    from citycoop.events.models import Event, Participation
    from citycoop.portfolio.models import Pairing, PilotProject
    from citycoop.registry.models import Programme

    programme = (Programme.objects.annotate(n=Count("pairings")).order_by("-n").first())
    assert programme is not None, "no programme to measure"
    base = f"/kpis/{programme.slug}/"
    group = (Pairing.objects.filter(programme=programme).exclude(group="")
             .values_list("group", flat=True).order_by("group").first())
    pairing = (Pairing.objects.filter(programme=programme, is_public=True)
               .annotate(n=Count("pilots")).order_by("-n", "slug")
               .values_list("slug", flat=True).first())
    pages = [("whole programme", base), ("one group", f"{base}?group={group}"),
             ("one year", f"{base}?start=2016-01-01&end=2016-12-31"),
             ("largest pairing", f"{base}?pairing={pairing}")]
    manager, _created = User.objects.get_or_create(username="bench-kpi-manager")
    Membership.objects.get_or_create(user=manager, role=Role.MANAGER, programme=programme)
    sizes = {"pairings": programme.pairings.count(),
             "pilots": PilotProject.objects.filter(pairing__programme=programme).count(),
             "events": Event.objects.filter(pairings__programme=programme).distinct().count(),
             "participations": Participation.objects.filter(
                 event__pairings__programme=programme).count()}
    return pages, manager, sizes


def measure(url: str, requests: int, mode: str, manager: Any) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    if mode == "manager":
        client.force_login(manager)
    for _ in range(2):
        status = client.get(url).status_code
    if status != 200:
        return {"status": status}
    times = []
    for _ in range(requests):
        if mode == "cold":
            cache.clear()
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    if mode == "cold":
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    return {"status": 200, "median": statistics.median(times), "p95": p95,
            "queries": len(queries)}


def child(scenario: str, pairings: int, requests: int, existing: bool) -> None:
    import django

    django.setup()
    result = set_up(scenario, pairings, existing)
    if scenario == "generated":
        add_activity(EVENTS)
    from citycoop.common.warmup import prepare_process

    prepare_process()
    pages, manager, result["sizes"] = pages_to_measure()
    result["pages"] = []
    for label, url in pages:
        for mode in ("cold", "warm", "manager"):
            print(f"  {scenario}: {url} ({mode})", file=sys.stderr, flush=True)
            result["pages"].append({"label": label, "url": url, "mode": mode,
                                    **measure(url, requests, mode, manager)})
    print(json.dumps(result))


def run(scenario: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYCOOP_")}
    existing = scenario == "generated" and bool(args.generated_dir)
    folder = args.generated_dir if existing else str(work / scenario)
    env.update(DJANGO_SETTINGS_MODULE="citycoop.settings", CITYCOOP_DATA_DIR=folder,
               PYTHONPATH=str(ROOT))
    command = [sys.executable, __file__, "--child", scenario, "--pairings", str(args.pairings),
               "--requests", str(args.requests)] + (["--existing"] if existing else [])
    print(f"{scenario} portfolio …", file=sys.stderr, flush=True)
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(scenario: str, result: dict[str, Any]) -> list[str]:
    n = result["sizes"]
    lines = [f"{scenario.capitalize()} portfolio: {n['pairings']:,} pairings, "
             f"{n['pilots']:,} pilots, {n['events']:,} events and "
             f"{n['participations']:,} participations in the programme measured. "
             f"Target: p95 < {TARGET_MS:.0f} ms.", "",
             "| view | mode | median ms | p95 ms | queries | p95 target |",
             "|---|---|---|---|---|---|"]
    for page in result["pages"]:
        if page["status"] != 200:
            lines.append(f"| {page['label']} | {page['mode']} | answered {page['status']} "
                         "| | | ERROR |")
            continue
        verdict = "ok" if page["p95"] < TARGET_MS else "**over**"
        lines.append(f"| {page['label']} | {page['mode']} | {page['median']:.1f} | "
                     f"{page['p95']:.1f} | {page['queries']} | {verdict} |")
    return [*lines, ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairings", type=int, default=2000,
                        help="pairings in the generated portfolio (default 2000)")
    parser.add_argument("--quick", action="store_true", help="generate 200 pairings only")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per view")
    parser.add_argument("--generated-dir", default="", metavar="DIR",
                        help="a data folder that already holds the generated portfolio")
    parser.add_argument("--child", choices=["demo", "generated"], help=argparse.SUPPRESS)
    parser.add_argument("--existing", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.pairings = 200
    if args.child:
        child(args.child, args.pairings, args.requests, args.existing)
        return 0
    with tempfile.TemporaryDirectory(prefix="citycoop-kpis-") as folder:
        results = {s: run(s, args, Path(folder)) for s in ("demo", "generated")}
    print(f"KPI dashboard, server-side with Django's test client, on SQLite "
          f"({args.requests} timed requests per view and mode after a warm-up; "
          f"{os.cpu_count()} cores):\n")
    for scenario, result in results.items():
        print("\n".join(table(scenario, result)))
    return 0  # the tables carry the verdicts: a benchmark is not a test


if __name__ == "__main__":
    sys.exit(main())
