"""Personal B2B agendas as PDF: one agenda, and every agenda of a 1,000-participant event.

Run `.venv/bin/python bench/agendas.py [--participants 1000] [--jobs 0] [--write FILE]`.
It sets up a fresh SQLite database in a temporary data folder, generates a synthetic event
in bulk (participants with profiles, a tenth with Chinese names so the CJK font is embedded
too, three accepted requests per participant, so about six meetings each), schedules and
publishes it through the services (timed: that is what an organiser waits for), then times

- one agenda: `agenda_pdf` for the participant with the most meetings, the first call
  (WeasyPrint and the fonts loading) and the median of ten more;
- all agendas: the `agendas` management command, as a user runs it, into a scratch folder.

Targets: one agenda under 1 s, 1,000 agendas under 60 s. Prints Markdown; `--write`
also saves it (bench/agendas-results.md holds the last run).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SLUG = "bench-b2b-week"
WORDS = ("district heating", "heat pumps", "smart grids", "biotech", "port logistics",
         "waste water", "e-mobility", "aerospace parts", "vocational training", "film",
         "tourism marketing", "LED lighting", "building insulation", "air quality sensors",
         "urban planning", "cold chain", "robotics", "3D printing", "clinical trials")
CHINESE = ("天津能源集团", "成都智慧城市", "广州港务局", "深圳生物科技", "汕头旅游公司")


def cpu_seconds() -> float:
    """User and system time of this process and its finished children (the PDF workers):
    what the work costs, whatever else the machine is doing."""
    own, children = (resource.getrusage(resource.RUSAGE_SELF),
                     resource.getrusage(resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def generate(participants: int, seed: int = 7) -> None:
    """The event, its sessions and people in bulk, and three accepted requests per person."""
    from citycoop.common.services import create_record
    from citycoop.events.models import Attendance, Event, EventKind, Participation
    from citycoop.matchmaking.models import MeetingRequest, Profile, RequestStatus, Side
    from citycoop.matchmaking.services import save_setup
    from citycoop.registry.models import Person

    rng = random.Random(seed)
    event = create_record(Event, {"slug": SLUG, "title": "EU-China B2B Week (benchmark)",
                                  "kind": EventKind.B2B_SESSION}, acting_user=None)
    save_setup(event, {"days": ["2016-09-26", "2016-09-27"], "starts": datetime.time(9),
                       "ends": datetime.time(17), "slot_minutes": 30,
                       "breaks": [["12:30", "13:30"]], "tables": 150, "max_meetings": 10},
               acting_user=None)
    people = Person.objects.bulk_create(
        Person(name=(f"{CHINESE[i % len(CHINESE)]} {i}" if i % 10 == 0
                     else f"Participant {i:04d}"), email=f"p{i}@bench.example.org")
        for i in range(participants))
    now = datetime.datetime.now(datetime.UTC)
    registrations = Participation.objects.bulk_create(
        Participation(event=event, person=p, attendance=Attendance.REGISTERED,
                      token=Participation.new_token(), registered_at=now) for p in people)
    Profile.objects.bulk_create(
        Profile(participation=r, organisation_name=f"{r.person.name} Ltd", published=True,
                side=rng.choice(Side.values), languages=["en"],
                offers=", ".join(rng.sample(WORDS, 3)),
                requests=", ".join(rng.sample(WORDS, 3))) for r in registrations)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < 3 * participants:
        a, b = rng.sample(registrations, 2)
        if (b.pk, a.pk) not in pairs:
            pairs.add((a.pk, b.pk))
    MeetingRequest.objects.bulk_create(
        MeetingRequest(event=event, requester_id=a, recipient_id=b,
                       status=RequestStatus.ACCEPTED, answered_at=now) for a, b in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=0,
                        help="PDF processes for the command (default: one per core)")
    parser.add_argument("--write", type=Path, help="also save the Markdown here")
    options = parser.parse_args()

    os.environ["CITYCOOP_DATA_DIR"] = tempfile.mkdtemp(prefix="citycoop-bench-agendas-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count, Q

    from citycoop.events.models import Event, Participation
    from citycoop.matchmaking.agenda import agenda_pdf
    from citycoop.matchmaking.models import Meeting
    from citycoop.matchmaking.scheduling import publish_schedule, schedule_event

    call_command("migrate", verbosity=0)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    generate(options.participants)
    generated = time.perf_counter() - started
    event = Event.objects.get(slug=SLUG)
    started = time.perf_counter()
    report = schedule_event(event, None, time_limit=10)
    scheduled = time.perf_counter() - started
    started = time.perf_counter()
    publish_schedule(event, acting_user=None)
    published = time.perf_counter() - started

    busiest = (Participation.objects.filter(event=event).annotate(
        n=Count("requests_sent__meeting", distinct=True)
        + Count("requests_received__meeting", distinct=True)).order_by("-n").first())
    assert busiest is not None
    started = time.perf_counter()
    first_pdf = agenda_pdf(busiest)
    first = time.perf_counter() - started
    warm = []
    for _ in range(10):
        started = time.perf_counter()
        agenda_pdf(busiest)
        warm.append(time.perf_counter() - started)
    busiest_meetings = Meeting.objects.filter(
        Q(request__requester=busiest) | Q(request__recipient=busiest)).count()

    out = Path(tempfile.mkdtemp(prefix="citycoop-agendas-"))
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    call_command("agendas", SLUG, out=out, jobs=options.jobs, stdout=io.StringIO())
    everything = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    files = list(out.glob("*.pdf"))
    size = sum(f.stat().st_size for f in files)
    assert all(f.read_bytes()[:4] == b"%PDF" for f in files)

    median = statistics.median(warm)
    lines = [
        "# Agenda PDFs: measured",
        "",
        f"`.venv/bin/python bench/agendas.py --participants {options.participants}"
        f"{f' --jobs {options.jobs}' if options.jobs else ''}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite, "
        f"{datetime.date.today().isoformat()}; load average {load_before:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after the run (other work on the machine slows it).",
        "",
        f"Event: {options.participants:,} participants (one in ten with a Chinese name), "
        f"{report.requested:,} accepted requests, 2 days of 14 half-hour slots, 150 tables; "
        f"{report.scheduled:,} meetings scheduled ({report.percent_of_bound}% of the bound).",
        "",
        "| what | figure | target |",
        "|---|---|---|",
        f"| one agenda, first in the process (WeasyPrint and fonts loading) | {first:.2f} s | |",
        f"| one agenda, median of 10 ({busiest_meetings} meetings, "
        f"{len(first_pdf) // 1024} KB) | {median:.3f} s | < 1 s |",
        f"| all agendas: `citycoop agendas {SLUG} --out DIR` | {everything:.1f} s for "
        f"{len(files):,} files ({size // 1024 // 1024} MB), "
        f"{len(files) / everything:.0f} per second | < 60 s |",
        f"| the same, CPU time of the command and its PDF processes | {cpu:.1f} s, so about "
        f"{cpu / (os.cpu_count() or 1):.0f} s on an idle machine of {os.cpu_count()} cores | |",
        f"| generating the event in bulk | {generated:.1f} s | |",
        f"| `schedule_event` (engine + audited writes of every meeting) | {scheduled:.1f} s "
        f"(engine {report.seconds:.1f} s) | |",
        f"| `publish_schedule` (audited update of every meeting) | {published:.1f} s | |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if options.write:
        options.write.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
