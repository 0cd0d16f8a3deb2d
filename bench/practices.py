"""Good practices at scale: page times with 10,000 practices and 100,000 posts, and matching
a need against them.

Run `.venv/bin/python bench/practices.py` (SQLite in a temporary data folder; set
CITYCOOP_DATABASE_URL to a scratch PostgreSQL database to measure there). It migrates, loads
the demo (places, themes, pairings), generates the practices, threads, posts and needs
(bench/practices_data.py), then times each page with Django's test client: two warm-up
requests, then `--requests` timed ones, then one more inside CaptureQueriesContext to count
its queries. Pages are timed for the public and for a signed-in coordinator, whose pages are
never cached. Matching is timed on the index as a server keeps it: built once (timed), then
`--needs` different needs each matched with the result cache emptied.

Targets (issue 10): practice and thread pages under 100 ms p95 server time; matching a need
under 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
PAGE_TARGET_MS = 100.0
MATCH_TARGET_MS = 200.0


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def measure(client: Any, url: str, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        status = client.get(url).status_code
    if status != 200:
        return {"url": url, "status": status}
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {"url": url, "status": 200, "median": statistics.median(times), "p95": p95(times),
            "queries": len(queries)}


def pages(data: dict[str, Any]) -> list[tuple[str, str]]:
    from django.urls import reverse

    from citycoop.discussions.models import Thread
    from citycoop.practices.models import Need

    typical_thread = (Thread.objects.filter(post_count__gt=1).order_by("post_count", "pk")
                      [Thread.objects.filter(post_count__gt=1).count() // 2])
    thread = reverse("discussions:thread", args=[data["longest_thread"]])
    need = Need.objects.order_by("pk").first()
    assert need is not None
    return [
        ("practice list", reverse("practices:list")),
        ("practice list, labelled only", reverse("practices:list") + "?labelled=on"),
        ("practice list, words in the title", reverse("practices:list") + "?q=heating"),
        ("busiest practice (the longest thread's)",
         reverse("practices:detail", args=[data["busiest_practice"]])),
        ("a typical practice", reverse("practices:detail", args=[data["typical_practice"]])),
        (f"longest thread ({data['longest_thread_posts']:,} posts), first page", thread),
        ("longest thread, last page", thread + "?page=last"),
        (f"typical thread ({typical_thread.post_count} posts)",
         reverse("discussions:thread", args=[typical_thread.pk])),
        ("needs list", reverse("practices:needs")),
        ("a need with its matches", need.get_absolute_url()),
    ]


def time_matching(needs: int) -> dict[str, Any]:
    from django.core.cache import cache

    from citycoop.practices import need_matching
    from citycoop.practices.models import Need

    started = time.perf_counter()
    need_matching.practice_index()
    build = time.perf_counter() - started
    need_matching.city_suggestions._index()
    times = []
    for need in Need.objects.order_by("pk")[:needs]:
        cache.clear()
        started = time.perf_counter()
        found = need_matching.matches_for(need)
        times.append((time.perf_counter() - started) * 1000)
        assert found.practices, f"no practice proposed for {need}"
    return {"index_seconds": build, "needs": len(times), "median": statistics.median(times),
            "p95": p95(times), "max": max(times)}


def coordinator() -> Any:
    from citycoop.accounts.models import Membership, Role, User
    from citycoop.portfolio.models import Pairing

    user = User.objects.create_user("bench-coordinator", password="a-long-test-password")
    Membership.objects.create(user=user, role=Role.COORDINATOR,
                              pairing=Pairing.objects.order_by("pk").first())
    return user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=50)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("CITYCOOP_DATA_DIR", tempfile.mkdtemp(prefix="citycoop-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from practices_data import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("loaddemo", verbosity=0)
    data = generate(args.practices, args.posts, max(args.needs, 300))
    setup = time.perf_counter() - started
    print(f"set up in {setup:.0f} s: {json.dumps(data)}", file=sys.stderr)
    from citycoop.common.warmup import prepare_process

    prepare_process()
    print("matching …", file=sys.stderr)
    matching = time_matching(args.needs)
    public, signed_in = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    signed_in.force_login(coordinator())
    rows = []
    for label, url in pages(data):
        print(f"  {url}", file=sys.stderr, flush=True)
        rows.append((label, measure(public, url, args.requests),
                     measure(signed_in, url, args.requests)))

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"## Good practices: {data['practices']:,} practices ({data['texts']:,} texts), "
          f"{data['threads']:,} threads, {data['posts']:,} posts, {data['needs']} needs "
          f"({engine})\n")
    print("| page | public p50 | public p95 | signed in p50 | signed in p95 | queries |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for label, anonymous, member in rows:
        if anonymous.get("status") != 200 or member.get("status") != 200:
            print(f"| {label} | status {anonymous.get('status')} / {member.get('status')} "
                  "| | | | |")
            continue
        worst = max(worst, anonymous["p95"], member["p95"])
        print(f"| {label} | {anonymous['median']:.1f} ms | {anonymous['p95']:.1f} ms | "
              f"{member['median']:.1f} ms | {member['p95']:.1f} ms | "
              f"{anonymous['queries']} / {member['queries']} |")
    print(f"\nWorst p95: {worst:.1f} ms (target {PAGE_TARGET_MS:.0f} ms): "
          f"{'reached' if worst < PAGE_TARGET_MS else 'NOT reached'}.\n")
    print(f"Matching a need: index of {data['practices']:,} practices built in "
          f"{matching['index_seconds']:.1f} s (once, then kept until a practice changes); "
          f"{matching['needs']} needs matched with p50 {matching['median']:.1f} ms, "
          f"p95 {matching['p95']:.1f} ms, max {matching['max']:.1f} ms "
          f"(target {MATCH_TARGET_MS:.0f} ms): "
          f"{'reached' if matching['p95'] < MATCH_TARGET_MS else 'NOT reached'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
