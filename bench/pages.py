"""Server-side page times on a real database: the demo portfolio and a generated one.

Run `.venv/bin/python bench/pages.py` (SQLite files in a temporary data folder); `--quick`
generates 200 pairings instead of 2,000; `--database-url postgres://user:pass@host/name`
measures on PostgreSQL, in scratch databases `name_bench_demo` and `name_bench_generated`
that are recreated for the run and dropped after it (the database named is left alone).

Each portfolio is set up in its own process (Django reads its database settings once):
migrate, then `loaddemo` or the generator. Each page is requested twice to warm it up, then
timed `--requests` times with Django's test client (no network, no web server); a page whose
second warm-up took over a second is timed 5 times only, its verdict being clear. It is then
requested once more inside CaptureQueriesContext to count its SQL queries (capturing slows
the cursor, so that request is not among the timed ones). The pages are picked from the
data: the pairing with the most actions and a typical (median) one, and likewise for
organisations, places and events; also the largest pilot and the busiest theme. Optional
pages that answer 404 (not built yet) are skipped with a note. Prints the figures as
markdown tables, ready for bench/README.md.
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
TARGET_MS = {"demo": 100.0, "generated": 150.0}  # p95, per page
# Search: a name, and words that match half the generated index ("broad" searches).
OPTIONAL = ["/map/", "/map/data.json", "/search/?q=Tianjin", "/search/?q=cooperation",
            "/search/?q=smart+city"]
# Pages whose answer for the public is cached until the next write: also timed with the cache
# emptied before every request, which is what the first visitor after a change waits.
COLD = ["/", "/map/", "/map/data.json"]
SLOW_MS = 1000.0  # a page slower than this is timed 5 times, not --requests: its verdict is clear


# -- the child: one portfolio in one process ---------------------------------------------------


def set_up(scenario: str, pairings: int) -> dict[str, Any]:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if scenario == "demo":
        call_command("loaddemo", verbosity=0)
    else:
        from citycoop.portfolio.generate import GenerationSpec, generate_portfolio

        def progress(line: str) -> None:
            print(f"  {line}", file=sys.stderr, flush=True)

        generate_portfolio(GenerationSpec(pairings), acting_user=None, progress=progress)
    return {"setup_seconds": round(time.perf_counter() - started, 1), "counts": counts()}


def counts() -> dict[str, int]:
    from citycoop.events.models import Event
    from citycoop.portfolio.models import Action, Agreement, Pairing, PilotProject
    from citycoop.registry.models import Organisation, Place

    models = {"pairings": Pairing, "pilots": PilotProject, "actions": Action,
              "agreements": Agreement, "events": Event, "organisations": Organisation,
              "places": Place}
    return {name: model._default_manager.count() for name, model in models.items()}


Page = tuple[str, str, str, bool]  # kind (the same in both portfolios), label, URL, optional


def busiest_and_typical(queryset: Any, prefix: str, kind: str, unit: str) -> list[Page]:
    """The record with the most related rows, and the median one among those that have any."""
    ranked = list(queryset.filter(n__gt=0).order_by("-n", "slug").values_list("slug", "n"))
    if not ranked:
        return []
    (top, n), (median, m) = ranked[0], ranked[len(ranked) // 2]
    pages = [(f"{kind}, busiest", f"{kind} (busiest: {n} {unit})", f"{prefix}{top}/", False)]
    if median != top:
        pages.append((f"{kind}, typical", f"{kind} (typical: {m} {unit})", f"{prefix}{median}/",
                      False))
    return pages


def pages_to_measure(extra: list[str]) -> list[Page]:
    """Every page to measure, picked from what the database holds."""
    from django.db.models import Count

    from citycoop.events.models import Event
    from citycoop.portfolio.models import Pairing, PilotProject
    from citycoop.registry.models import Organisation, Place, Theme

    pages: list[Page] = [("home", "home", "/", False),
                         ("pairing list", "pairing list", "/pairings/", False)]
    pages += busiest_and_typical(
        Pairing.objects.filter(is_public=True).annotate(n=Count("pilots__actions")),
        "/pairings/", "pairing", "actions")
    pages += busiest_and_typical(Organisation.objects.annotate(n=Count("action_roles")),
                                 "/organisations/", "organisation", "actions")
    pages += busiest_and_typical(
        Place.objects.filter(kind="city").annotate(n=Count("pairing_memberships")),
        "/places/", "place", "pairings")
    pages += busiest_and_typical(
        Event.objects.filter(is_public=True).annotate(
            n=Count("pairings", distinct=True) + Count("pilots", distinct=True)),
        "/events/", "event", "pairings and pilots")
    # Public pages beyond the benchmark's first list, measured when the app serves them.
    pilot = (PilotProject.objects.filter(is_public=True, pairing__is_public=True)
             .annotate(n=Count("actions")).order_by("-n", "pk")
             .values("pairing__slug", "slug", "n").first())
    if pilot is not None:
        pages.append(("pilot, largest", f"pilot (largest: {pilot['n']} actions)",
                      f"/pairings/{pilot['pairing__slug']}/pilots/{pilot['slug']}/", True))
    theme = (Theme.objects.annotate(n=Count("pilots")).order_by("-n", "slug")
             .values("slug", "n").first())
    if theme is not None:
        pages.append(("theme, busiest", f"theme (busiest: {theme['n']} pilots)",
                      f"/themes/{theme['slug']}/", True))
    return pages + [(url, url, url, True) for url in OPTIONAL + extra]


def measure(url: str, requests: int, *, cold: bool = False) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")  # a host ALLOWED_HOSTS has by default
    status = client.get(url).status_code
    if status != 200:
        return {"status": status}
    started = time.perf_counter()
    client.get(url)
    if (time.perf_counter() - started) * 1000 > SLOW_MS:
        requests = min(requests, 5)
    times = []
    for _ in range(requests):
        if cold:
            cache.clear()
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # "inclusive": the default method extrapolates past the slowest request on few samples.
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    return {"status": 200, "median": statistics.median(times), "p95": p95, "runs": requests,
            "queries": len(queries)}


def child(scenario: str, pairings: int, requests: int, extra: list[str]) -> None:
    import django

    django.setup()
    result = set_up(scenario, pairings)
    # As a server process does before its first request (citycoop/wsgi.py).
    from citycoop.common.warmup import prepare_process

    prepare_process()
    result["pages"] = []
    for kind, label, url, optional in pages_to_measure(extra):
        print(f"  {scenario}: {url}", file=sys.stderr, flush=True)
        result["pages"].append({"kind": kind, "label": label, "url": url,
                                "optional": optional, **measure(url, requests)})
    for url in COLD:
        print(f"  {scenario}: {url} (cold)", file=sys.stderr, flush=True)
        label = f"{url} (cold: cache emptied)"
        result["pages"].append({"kind": label, "label": label, "url": url, "optional": True,
                                **measure(url, requests, cold=True)})
    print(json.dumps(result))


# -- the parent: runs both portfolios and prints the tables -----------------------------------


def scratch_database(url: str, scenario: str, create: bool) -> str:
    """A PostgreSQL database beside the one named, recreated (or dropped) for this run."""
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    scratch = f"{name}_bench_{scenario}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    return f"{base}/{scratch}"


def run(scenario: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYCOOP_")}
    env.update(DJANGO_SETTINGS_MODULE="citycoop.settings",
               CITYCOOP_DATA_DIR=str(work / scenario), PYTHONPATH=str(ROOT))
    if args.database_url:
        env["CITYCOOP_DATABASE_URL"] = scratch_database(args.database_url, scenario, True)
    command = [sys.executable, __file__, "--child", scenario, "--pairings",
               str(args.pairings), "--requests", str(args.requests)]
    command += [item for url in args.extra for item in ("--extra", url)]
    print(f"{scenario} portfolio …", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
    finally:
        if args.database_url:
            scratch_database(args.database_url, scenario, False)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(scenario: str, result: dict[str, Any]) -> list[str]:
    target = TARGET_MS[scenario]
    n = result["counts"]
    lines = [f"{scenario.capitalize()} portfolio: {n['pairings']:,} pairings, "
             f"{n['pilots']:,} pilots, {n['actions']:,} actions, {n['organisations']:,} "
             f"organisations, {n['events']:,} events; set up in {result['setup_seconds']} s. "
             f"Target: p95 < {target:.0f} ms.", "",
             "| page | URL | median ms | p95 ms | queries | runs | p95 target |",
             "|---|---|---|---|---|---|---|"]
    notes = []
    for page in result["pages"]:
        if page["status"] != 200:
            why = "not built yet" if page["status"] == 404 and page["optional"] else "ERROR"
            notes.append(f"`{page['url']}` answered {page['status']}: {why}, skipped.")
            continue
        verdict = "ok" if page["p95"] < target else "**over**"
        lines.append(f"| {page['label']} | `{page['url']}` | {page['median']:.1f} | "
                     f"{page['p95']:.1f} | {page['queries']} | {page['runs']} | {verdict} |")
    return [*lines, "", *notes]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairings", type=int, default=2000,
                        help="pairings in the generated portfolio (default 2000)")
    parser.add_argument("--quick", action="store_true", help="generate 200 pairings only")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--database-url", default="",
                        help="postgres://user:pass@host:port/name: use scratch databases there")
    parser.add_argument("--extra", action="append", default=[], metavar="URL",
                        help="another page to measure (may be repeated)")
    parser.add_argument("--child", choices=list(TARGET_MS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.pairings = 200
    if args.child:
        child(args.child, args.pairings, args.requests, args.extra)
        return 0
    engine = "PostgreSQL" if args.database_url else "SQLite"
    with tempfile.TemporaryDirectory(prefix="citycoop-pages-") as folder:
        results = {scenario: run(scenario, args, Path(folder)) for scenario in TARGET_MS}
    print(f"Public pages, server-side with Django's test client, on {engine} "
          f"({args.requests} timed requests per page after a warm-up; {os.cpu_count()} cores):\n")
    for scenario, result in results.items():
        print("\n".join(table(scenario, result)))
    print("\n".join(query_growth(results)))
    return 0  # the tables carry the verdicts: a benchmark is not a test


def query_growth(results: dict[str, dict[str, Any]]) -> list[str]:
    """Query counts of the busiest and the typical page of each kind, in both portfolios.

    A page that runs a query per row shows it here as a count that grows with the rows; a
    difference of one or two is a prefetch that is skipped when a page has no rows of a kind.
    """
    cells = []
    for kind in ("pairing", "organisation", "place", "event"):
        counts = [str(p["queries"]) for scenario in TARGET_MS
                  for p in results[scenario]["pages"]
                  if p["kind"] in (f"{kind}, busiest", f"{kind}, typical") and p["status"] == 200]
        cells.append(f"{kind} {'/'.join(counts)}")
    return ["", "Queries of the busiest/typical page, demo then generated: "
            + "; ".join(cells) + "."]

if __name__ == "__main__":
    sys.exit(main())
