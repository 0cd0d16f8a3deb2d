"""The steps of bench/load.py that need Django, run in a process of their own on the served
portfolio (``load.py --child STEP FILE``): the set-up (a programme manager with a read and a
write token, the records the clients will ask for, the counts before) and the check after
(every acknowledged write is in the database, with its audit entry)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any


def child_main(step: str, payload_file: Path) -> int:
    import django

    django.setup()
    payload = json.loads(payload_file.read_text())
    steps = {"setup": setup, "check": check, "check-backup": check_backup}
    answer = steps[step](payload)
    print(json.dumps(answer, default=str))
    return 0


def database_size() -> str:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        size = Path(settings.DATABASES["default"]["NAME"]).stat().st_size
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    return f"database {size / 1024 ** 3:.2f} GB"


def sample_ids(queryset: Any, k: int, rng: random.Random) -> list[int]:
    ids = list(queryset.values_list("pk", flat=True))
    return rng.sample(ids, min(k, len(ids)))


def setup(payload: dict[str, Any]) -> dict[str, Any]:
    from django.db.models import Count

    from citycoop.accounts.models import Membership, Role, TokenScope, User
    from citycoop.accounts.tokens import create_token
    from citycoop.common.services import create_record
    from citycoop.events.models import Event
    from citycoop.portfolio.models import Action, NextStep, Pairing, PilotProject
    from citycoop.registry.models import Programme

    rng = random.Random(payload["tag"])
    programme = Programme.objects.annotate(n=Count("pairings")).order_by("-n").first()
    if programme is None:
        raise SystemExit("no programme: generate a portfolio first")
    username = f"bench-load-{payload['tag']}"
    user = User.objects.create_user(username, f"{username}@example.org", None)
    create_record(Membership, {"user": user, "role": Role.MANAGER, "programme": programme},
                  acting_user=None)
    _read, read_secret = create_token(user, name="load read", scope=TokenScope.READ,
                                      acting_user=None)
    _write, write_secret = create_token(user, name="load write", scope=TokenScope.WRITE,
                                        acting_user=None)
    public = Pairing.objects.filter(programme=programme, is_public=True)
    pairings = list(Pairing.objects.filter(pk__in=sample_ids(public, 300, rng))
                    .values_list("slug", flat=True))
    shown = PilotProject.objects.filter(pairing__in=public, is_public=True)
    pilot_rows = list(PilotProject.objects.filter(pk__in=sample_ids(shown, 400, rng))
                      .values_list("pairing__slug", "slug", "pk"))
    # A few pilots shared by every client: some changes meet a newer version (412).
    write_pilots = pilot_rows[:25]
    actions = sample_ids(Action.objects.filter(pilot__in=shown), 400, rng)
    events = list(Event.objects.filter(pk__in=sample_ids(Event.objects.filter(is_public=True),
                                                         200, rng))
                  .values_list("slug", flat=True))
    # Searches: mostly a city's name (each a different search, as visitors' queries are),
    # a tenth one of four words found in a large part of the index.
    words = sorted({word for label in pairings for word in label.split("-")[:2] if len(word) > 2})
    words += ["cooperation", "smart+city", "waste", "energy"] * max(1, len(words) // 36)
    counts = {"pairings": Pairing.objects.count(), "pilots": PilotProject.objects.count(),
              "actions": Action.objects.count(), "next steps": NextStep.objects.count(),
              "events": Event.objects.count()}
    before = {"next_steps": counts["next steps"],
              "pilots": {str(pk): PilotProject.objects.get(pk=pk).version
                         for _p, _s, pk in write_pilots}}
    return {"read_token": read_secret, "write_token": write_secret, "pairings": pairings,
            "pilots": pilot_rows, "write_pilots": write_pilots, "actions": actions,
            "events": events, "words": words, "step_pairings": pairings[:50],
            "counts": counts, "before": before, "size": database_size()}


def check(payload: dict[str, Any]) -> dict[str, Any]:
    """Every acknowledged write in the database; ``lost`` counts those that are not."""
    from django.contrib.contenttypes.models import ContentType

    from citycoop.accounts.models import AuditEntry
    from citycoop.portfolio.models import NextStep, PilotProject

    created, patched = payload["created"], payload["patched"]
    found = {step.pk: step for step in NextStep.objects.filter(pk__in=[c["id"] for c in created])
             .select_related("pairing")}
    created_found = sum(1 for c in created if c["id"] in found
                        and found[c["id"]].text == c["text"]
                        and found[c["id"]].pairing.slug == c["pairing"])
    grew = NextStep.objects.count() - payload["before"]["next_steps"]
    tagged = NextStep.objects.filter(text__startswith=f"{payload['tag']} ").count()
    newest: dict[int, dict[str, Any]] = {}
    acknowledged: dict[int, int] = {}
    for change in patched:
        acknowledged[change["pilot"]] = acknowledged.get(change["pilot"], 0) + 1
        if change["version"] > newest.get(change["pilot"], {"version": -1})["version"]:
            newest[change["pilot"]] = change
    patches_found = 0
    for pk, change in newest.items():
        pilot = PilotProject.objects.get(pk=pk)
        started = payload["before"]["pilots"][str(pk)]
        if pilot.version == started + acknowledged[pk] == change["version"] \
                and pilot.summary == change["summary"]:
            patches_found += acknowledged[pk]
    step_type = ContentType.objects.get_for_model(NextStep)
    pilot_type = ContentType.objects.get_for_model(PilotProject)
    audit_found = AuditEntry.objects.filter(
        content_type=step_type, action="create",
        object_id__in=[str(c["id"]) for c in created]).count()
    for pk in payload["before"]["pilots"]:
        entries = AuditEntry.objects.filter(content_type=pilot_type, object_id=pk,
                                            action="update", changes__has_key="summary")
        summaries = {entry.changes["summary"][1] for entry in entries}
        audit_found += sum(1 for change in patched if change["pilot"] == int(pk)
                           and change["summary"] in summaries)
    # A write is lost when it is missing, or its audit entry is; the next steps' growth and
    # those made without an answer (a dropped connection) are shown beside.
    lost = (len(created) - created_found) + (len(patched) - patches_found)
    lost += len(created) + len(patched) - audit_found
    return {"created_acknowledged": len(created), "created_found": created_found,
            "next_steps_grew_by": grew, "unacknowledged_created": tagged - len(created),
            "patches_acknowledged": len(patched), "pilots_patched": len(newest),
            "patches_found": patches_found, "audit_found": audit_found, "lost": lost}


def check_backup(payload: dict[str, Any]) -> dict[str, Any]:
    """In a restored archive: the writes acknowledged before the backup began. A pilot may
    hold a later change too (made while the backup ran), never an older one."""
    from citycoop.portfolio.models import NextStep, PilotProject

    created, patched = payload["created"], payload["patched"]
    texts = dict(NextStep.objects.filter(pk__in=[c["id"] for c in created])
                 .values_list("pk", "text"))
    created_found = sum(1 for c in created if texts.get(c["id"]) == c["text"])
    newest: dict[int, dict[str, Any]] = {}
    for change in patched:
        if change["version"] > newest.get(change["pilot"], {"version": -1})["version"]:
            newest[change["pilot"]] = change
    versions = dict(PilotProject.objects.filter(pk__in=list(newest))
                    .values_list("pk", "version"))
    summaries = dict(PilotProject.objects.filter(pk__in=list(newest))
                     .values_list("pk", "summary"))
    pilots_found = sum(1 for pk, change in newest.items()
                       if versions.get(pk, -1) > change["version"]
                       or (versions.get(pk) == change["version"]
                           and summaries[pk] == change["summary"]))
    return {"created_before": len(created), "created_found": created_found,
            "pilots_changed_before": len(newest), "pilots_found": pilots_found,
            "lost": (len(created) - created_found) + (len(newest) - pilots_found)}
