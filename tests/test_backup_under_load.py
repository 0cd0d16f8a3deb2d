"""A backup taken while another process keeps writing through the services is consistent:
restored into an empty data folder it opens, matches its manifest's counts, and holds every
record whole; and a scheduled backup with --keep N leaves the newest N archives.

The writer is a real process on a real database file (or PostgreSQL database): each of its
transactions makes a pilot with three actions and a next step and changes the pairing, so a
snapshot cut through a transaction would show a pilot without all its actions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time

import pytest

from citycoop.common.backup import newest_backup, prune_backups, scheduled_archives
from tests.test_backup_restore import citycoop, fresh_postgres_pair

ACTIONS_PER_PILOT = 3

WRITER = """
import pathlib
from django.db import transaction
from citycoop.common.services import create_record
from citycoop.portfolio.models import Pairing
from citycoop.portfolio.services import (create_action, create_next_step, create_pilot,
                                         update_pairing)
from citycoop.registry.models import Programme

stop, progress = pathlib.Path({stop!r}), pathlib.Path({progress!r})
programme = create_record(Programme, {{"slug": "load", "name": "Load"}}, acting_user=None)
pairing = create_record(Pairing, {{"programme": programme, "slug": "lyon-wuhan",
                                  "label": "Lyon - Wuhan"}}, acting_user=None)
n = 0
while not stop.exists():
    n += 1
    with transaction.atomic():
        pilot = create_pilot({{"pairing": pairing, "slug": f"load-{{n}}",
                              "title": f"Load pilot {{n}}"}}, acting_user=None)
        for k in range({actions}):
            create_action({{"pilot": pilot, "text": f"Load action {{n}}.{{k}}", "position": k}},
                          acting_user=None)
        create_next_step({{"pilot": pilot, "text": f"Follow up {{n}}"}},
                         acting_user=None)
        pairing = update_pairing(pairing, {{"summary": f"{{n}} pilots"}}, acting_user=None,
                                 expected_version=pairing.version)
    partial = progress.with_suffix(".partial")
    partial.write_text(str(n))
    partial.replace(progress)
"""

# The last backup waits, once the database is open for it, for the writer to commit again:
# a write lands inside the backup every time instead of by luck.
BACKUP_DURING_A_WRITE = """
import pathlib, time
from django.core.management import call_command
from citycoop.common import backup

progress = pathlib.Path({progress!r})
real_dump = backup.dump_database


def dump_after_a_write(kind, target):
    # The writer notes a commit just after making it, so one more may be done unnoted; the
    # second after the one seen certainly began after this backup did.
    seen, deadline = int(progress.read_text()), time.monotonic() + 30
    while int(progress.read_text()) < seen + 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    return real_dump(kind, target)


backup.dump_database = dump_after_a_write
call_command("backup", "--output", {folder!r}, "--keep", "2")
"""

CHECK = """
import json
from django.db import connection
from citycoop.accounts.models import AuditEntry
from citycoop.common.backup import record_counts
from citycoop.portfolio.models import Action, NextStep, Pairing, PilotProject

pilots = PilotProject.objects.filter(slug__startswith="load-")
loose = 0
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        loose = len(cursor.execute("PRAGMA foreign_key_check").fetchall())
pairing = Pairing.objects.get(slug="lyon-wuhan")
print(json.dumps({{
    "counts": record_counts(),
    "loose_references": loose,
    "pilots": pilots.count(),
    "pilots_without_pairing": pilots.exclude(pairing__in=Pairing.objects.all()).count(),
    "actions_per_pilot": sorted({{Action.objects.filter(pilot=p).count() for p in pilots}}),
    "next_steps": NextStep.objects.filter(pilot__in=pilots).count(),
    "pairing_summary": pairing.summary,
    "pairing_version": pairing.version,
    "audited_pilots": AuditEntry.objects.filter(action="create",
                                                object_repr__startswith="Load pilot").count(),
}}))
"""


def backup_under_load(tmp_path, source_db=None, target_db=None):
    source, target, folder = tmp_path / "source", tmp_path / "target", tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("not an archive: retention leaves it alone")
    citycoop(source, "migrate", "-v0", database=source_db)
    stop, progress = tmp_path / "stop", tmp_path / "progress"
    writer = start_writer(source, source_db, stop, progress)
    try:
        wait_for_writes(progress, writer, at_least=3)
        during = []
        for last in (False, False, True):
            before = written(progress)
            made = (citycoop(source, "shell", "-v0", "-c", BACKUP_DURING_A_WRITE.format(
                        progress=str(progress), folder=str(folder)), database=source_db)
                    if last else
                    citycoop(source, "backup", "--output", str(folder), "--keep", "2",
                             database=source_db))
            during.append(written(progress) - before)
            assert "Backed up" in made.stdout
    finally:
        stop.write_text("stop")
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert all(during), f"the writer paused during a backup: {during}"
    # Oldest first as the product orders them: two backups in one second are named
    # "STAMP.tar.gz" and then "STAMP-1.tar.gz", which a plain sort puts the other way round.
    archives = [p.name for p in scheduled_archives(folder)]
    restored = citycoop(target, "restore", str(folder), database=target_db)
    assert "counts match" in restored.stdout
    return {"archives": archives, "folder": sorted(p.name for p in folder.iterdir()),
            "newest": folder / archives[-1], "written": written(progress),
            "restored": json.loads(citycoop(target, "shell", "-v0", "-c", CHECK.format(),
                                            database=target_db).stdout)}


def start_writer(data_dir, database, stop, progress):
    env = {**os.environ, "CITYCOOP_DATA_DIR": str(data_dir),
           "CITYCOOP_DATABASE_URL": database or "sqlite:///citycoop.sqlite3"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    script = WRITER.format(stop=str(stop), progress=str(progress), actions=ACTIONS_PER_PILOT)
    return subprocess.Popen([sys.executable, "-m", "citycoop", "shell", "-v0", "-c", script],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def written(progress) -> int:
    return int(progress.read_text()) if progress.exists() else 0


def wait_for_writes(progress, writer, *, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while written(progress) < at_least:
        assert writer.poll() is None, writer.stderr.read()
        assert time.monotonic() < deadline, "the writer wrote nothing in 60 s"
        time.sleep(0.1)


def manifest_counts(archive) -> dict[str, int]:
    with tarfile.open(archive, "r:gz") as opened:
        return json.loads(opened.extractfile("manifest.json").read())["counts"]


def assert_whole(result) -> None:
    restored = result["restored"]
    assert restored["counts"] == manifest_counts(result["newest"])
    n = restored["pilots"]
    assert 0 < n <= result["written"] + 1  # the writer may have committed once more
    assert restored["loose_references"] == 0
    assert restored["pilots_without_pairing"] == 0
    assert restored["actions_per_pilot"] == [ACTIONS_PER_PILOT]
    assert restored["next_steps"] == n
    assert restored["pairing_summary"] == f"{n} pilots"
    assert restored["audited_pilots"] == n


def test_a_backup_taken_while_a_process_writes_restores_whole_and_retention_keeps_two(
        tmp_path):
    result = backup_under_load(tmp_path)
    assert_whole(result)
    assert len(result["archives"]) == 2
    assert result["folder"] == sorted([*result["archives"], "notes.txt"])
    assert result["newest"].stat().st_mode & 0o777 == 0o600


def test_retention_refuses_to_delete_every_backup_or_to_count_a_name_of_ones_own(tmp_path):
    refused = citycoop(tmp_path / "empty", "backup", "--keep", "0", check=False)
    assert refused.returncode != 0
    assert "--keep must be at least 1" in refused.stderr
    named = citycoop(tmp_path / "empty", "backup", "--output", str(tmp_path / "mine.tar.gz"),
                     "--keep", "3", check=False)
    assert named.returncode != 0
    assert "give --output a folder" in named.stderr
    assert not (tmp_path / "mine.tar.gz").exists()


def test_backups_made_in_the_same_second_count_in_the_order_they_were_made(tmp_path):
    names = ["citycoop-20261130-203148-1.tar.gz", "citycoop-20261130-203147.tar.gz",
             "citycoop-20261130-203148-2.tar.gz", "citycoop-20261130-203148.tar.gz",
             "notes.txt"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in scheduled_archives(tmp_path)] == [
        "citycoop-20261130-203147.tar.gz", "citycoop-20261130-203148.tar.gz",
        "citycoop-20261130-203148-1.tar.gz", "citycoop-20261130-203148-2.tar.gz"]
    assert newest_backup(tmp_path).name == "citycoop-20261130-203148-2.tar.gz"
    prune_backups(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "citycoop-20261130-203148-1.tar.gz", "citycoop-20261130-203148-2.tar.gz", "notes.txt"]


@pytest.mark.postgres
def test_a_backup_taken_while_a_process_writes_on_postgresql_restores_whole(tmp_path):
    source_db, target_db = fresh_postgres_pair("load")
    try:
        result = backup_under_load(tmp_path, source_db, target_db)
    finally:
        for db in (source_db, target_db):
            drop_postgres_database(db)
    assert_whole(result)
    assert len(result["archives"]) == 2


def drop_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
