"""Backup archives: the database (SQLite online backup or pg_dump) and uploaded files.

An archive is a ``.tar.gz`` holding ``manifest.json`` (format, database engine, record counts),
the database (``database.sqlite3`` or ``database.pgdump``) and ``media/``. Restoring checks
that the target is empty and, afterwards, that every record count matches the manifest.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections

import citycoop

FORMAT_VERSION = 1
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class BackupInfo:
    path: Path
    engine: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def citycoop_models() -> list[Any]:
    return [model for model in apps.get_models()
            if model.__module__.startswith("citycoop.") and not model._meta.proxy]


def record_counts() -> dict[str, int]:
    """Rows per citycoop model; an empty dict when the tables do not exist yet."""
    existing = set(connection.introspection.table_names())
    return {model._meta.label: model.objects.count() for model in citycoop_models()
            if model._meta.db_table in existing}


def engine() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def pg_environment() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def run_tool(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; it comes with the PostgreSQL client")
    result = subprocess.run(command, env=pg_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-500:]}")


def dump_database(kind: str, target: Path) -> None:
    if kind == "sqlite":
        # The online backup API copies a consistent snapshot while the app keeps running.
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={target}"])


def default_backup_path() -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"citycoop-{stamp}.tar.gz"


def create_backup(target: Path | None = None) -> BackupInfo:
    kind = engine()
    target = Path(target or default_backup_path())
    target.parent.mkdir(parents=True, exist_ok=True)
    counts = record_counts()
    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / DATABASE_FILES[kind]
        dump_database(kind, database)
        manifest = {
            "format": FORMAT_VERSION, "engine": kind, "citycoop": citycoop.__version__,
            "created": datetime.datetime.now(datetime.UTC).isoformat(), "counts": counts,
        }
        (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(work) / "manifest.json", arcname="manifest.json")
            archive.add(database, arcname=database.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                archive.add(media, arcname="media")
        partial.replace(target)  # never leave a half-written archive under the final name
    return BackupInfo(target, kind, counts)


def read_manifest(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        member = archive.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise BackupError(f"{path} is not a citycoop backup: it has no manifest.json")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{path} has backup format {manifest.get('format')}; "
                          f"this citycoop reads format {FORMAT_VERSION}")
    return manifest


def open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{path} is not a readable backup archive: {error}") from error


def restore_backup(path: Path, *, force: bool = False) -> BackupInfo:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    kind = engine()
    held = sum(record_counts().values())
    if held and not force:
        raise BackupError(
            f"the database already holds {held} records; restore into an empty data folder "
            "(CITYCOOP_DATA_DIR) or database, or pass --force to replace what is there"
        )
    with open_archive(path) as archive, tempfile.TemporaryDirectory() as work:
        manifest = read_manifest(archive, path)
        if manifest["engine"] != kind:
            raise BackupError(f"{path} holds a {manifest['engine']} database; this citycoop runs "
                              f"on {kind}. Restore it on the same kind of database.")
        archive.extractall(work, filter="data")
        restore_database(kind, Path(work) / DATABASE_FILES[kind])
        media = Path(work) / "media"
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    counts = record_counts()
    if counts != manifest["counts"]:
        differ = sorted(k for k in set(counts) | set(manifest["counts"])
                        if counts.get(k) != manifest["counts"].get(k))
        raise BackupError(f"the restored database does not match the backup's counts: {differ}")
    return BackupInfo(path, kind, counts)


def restore_database(kind: str, source: Path) -> None:
    connections.close_all()
    if kind == "sqlite":
        target = Path(settings.DATABASES["default"]["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".restoring")
        shutil.copyfile(source, staged)
        for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        staged.replace(target)
    else:
        run_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl",
                  "--single-transaction", f"--dbname={settings.DATABASES['default']['NAME']}",
                  str(source)])
