"""Backup archives: the database (SQLite online backup or pg_dump) and uploaded files.

An archive is a ``.tar.gz`` holding ``manifest.json`` (format, database engine, record counts),
the database (``database.sqlite3`` or ``database.pgdump``) and ``media/``. Restoring checks
that the target is empty and, afterwards, that every record count matches the manifest.

Archives are named ``citycoop-YYYYMMDD-HHMMSS.tar.gz`` (UTC) by default; :func:`prune_backups`
keeps the newest N of a folder by that stamp, for scheduled backups (docs/backup.md).
"""

from __future__ import annotations

import datetime
import json
import os
import re
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
from django.db import DEFAULT_DB_ALIAS, connection, connections

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


def model_tables(existing: set[str]) -> dict[str, str]:
    """Each citycoop model's label and table, for the tables that exist."""
    return {model._meta.label: model._meta.db_table for model in citycoop_models()
            if model._meta.db_table in existing}


def table_counts(cursor: Any, tables: dict[str, str]) -> dict[str, int]:
    """Rows in each table: all of them, whatever a model's default manager would leave out,
    since a backup holds every row. The names come from the models, never from input."""
    counts = {}
    for label, table in tables.items():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[label] = int(cursor.fetchone()[0])
    return counts


def record_counts() -> dict[str, int]:
    """Rows per citycoop model; an empty dict when the tables do not exist yet."""
    tables = model_tables(set(connection.introspection.table_names()))
    with connection.cursor() as cursor:
        return table_counts(cursor, tables)


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


def dump_database(kind: str, target: Path) -> dict[str, int]:
    """Write the database to ``target`` while the app keeps writing, and count the records
    of that same snapshot: counted before or after the copy, a write in between would make
    the manifest disagree with the archive, and the restore refuse it."""
    if kind == "sqlite":
        # The online backup API, in one step (pages=-1), copies one consistent snapshot; in
        # WAL mode writers go on meanwhile. The copy is then counted on its own.
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
            names = {row[0] for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            return table_counts(copy.cursor(), model_tables(names))
        finally:
            copy.close()
            source.close()
    return dump_postgresql(target)


def dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump of a snapshot exported by a read-only transaction that counts the records
    in that snapshot, so the dump and its counts are the same instant."""
    snapshot_connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with snapshot_connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            existing = set(snapshot_connection.introspection.table_names(cursor))
            counts = table_counts(cursor, model_tables(existing))
            # The exporting transaction stays open until pg_dump is done with the snapshot.
            run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-acl",
                      f"--snapshot={snapshot}", f"--file={target}"])
            cursor.execute("COMMIT")
    finally:
        snapshot_connection.close()
    return counts


# What a scheduled archive is named; retention reads its age from the name, not from the
# file's time, which a copy between disks may not keep. "-N" tells apart two in one second.
ARCHIVE_NAME = re.compile(r"^citycoop-(\d{8}-\d{6})(?:-(\d+))?\.tar\.gz$")


def default_backup_path(folder: Path | None = None) -> Path:
    """A new archive's path in ``folder`` (default DATA_DIR/backups), never one that exists."""
    folder = Path(folder or Path(settings.DATA_DIR) / "backups")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    target = folder / f"citycoop-{stamp}.tar.gz"
    while target.exists():
        target = next_name(target)
    return target


def is_scheduled_name(path: Path) -> bool:
    return ARCHIVE_NAME.match(path.name) is not None


def scheduled_archives(folder: Path) -> list[Path]:
    """The archives named like :func:`default_backup_path`'s in ``folder``, oldest first."""

    def age(path: Path) -> tuple[str, int]:
        found = ARCHIVE_NAME.match(path.name)
        return (found.group(1), int(found.group(2) or 0)) if found else ("", 0)

    return sorted((path for path in Path(folder).iterdir()
                   if path.is_file() and is_scheduled_name(path)), key=age)


def newest_backup(folder: Path) -> Path:
    archives = scheduled_archives(folder)
    if not archives:
        raise BackupError(f"{folder} holds no archive named citycoop-STAMP.tar.gz")
    return archives[-1]


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives named like :func:`default_backup_path`'s
    in ``folder``; other files are never touched. The deleted paths, oldest first."""
    if keep < 1:
        raise BackupError("--keep must be at least 1: retention never deletes every backup")
    doomed = scheduled_archives(folder)[:-keep]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def archive_path(output: Path | None) -> Path:
    """Where a backup goes: ``output`` itself when it names a ``.tar.gz`` file, else a new
    stamped archive in the folder it names (made if needed), or in DATA_DIR/backups."""
    if output is None:
        return default_backup_path()
    output = Path(output)
    if output.is_dir() or not output.name.endswith(".tar.gz"):
        return default_backup_path(output)
    return output


def create_backup(target: Path | None = None) -> BackupInfo:
    """A new archive at ``target``: a ``.tar.gz`` file, or a folder to make a stamped one in
    (see :func:`archive_path`)."""
    kind = engine()
    target = archive_path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"the folder {target.parent} cannot be made: "
                          f"{error.strerror or error}") from error
    with tempfile.TemporaryDirectory() as work:
        database = Path(work) / DATABASE_FILES[kind]
        counts = dump_database(kind, database)
        manifest = {
            "format": FORMAT_VERSION, "engine": kind, "citycoop": citycoop.__version__,
            "created": datetime.datetime.now(datetime.UTC).isoformat(), "counts": counts,
        }
        (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = write_partial(target, Path(work), database)
    try:
        # Never a half-written archive under the final name: it appears whole, or not at all.
        target = publish(partial, target)
    finally:
        partial.unlink(missing_ok=True)  # left over only when publishing failed
    return BackupInfo(target, kind, counts)


def write_partial(target: Path, work: Path, database: Path) -> Path:
    """The archive, written to a temporary file beside ``target`` that no other run shares
    (a name made from ``target``'s alone is shared by two backups started in the same
    second, which then write into one file). Removed if anything fails; :func:`publish`
    gives it its final name."""
    # mkstemp makes the file readable by its owner only (mode 600), as an archive must be:
    # it holds password hashes, contacts' details and internal records. The leading dot
    # keeps it out of the archives that retention counts.
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                    suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", arcname="manifest.json")
            archive.add(database, arcname=database.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                archive.add(media, arcname="media")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial


def publish(partial: Path, target: Path) -> Path:
    """Give the finished archive its name; the name it got. A stamped name another run took
    meanwhile is never overwritten: the next free ``-N`` name is claimed instead. A name of
    the user's own choosing is replaced, as they asked."""
    if not is_scheduled_name(target):
        partial.replace(target)
        return target
    while not claim(partial, target):
        target = next_name(target)
    return target


def claim(partial: Path, target: Path) -> bool:
    """Link the archive under ``target`` unless the name exists; True when it was free.

    Checking that the name is free and then renaming would let two runs both see it free
    and the second overwrite the first; a hard link is made atomically and fails instead.
    """
    try:
        os.link(partial, target)
    except FileExistsError:
        return False
    except OSError:
        return claim_without_link(partial, target)
    partial.unlink()
    return True


def claim_without_link(partial: Path, target: Path) -> bool:
    """For a filesystem without hard links (FAT, some network shares): reserve the name by
    creating it exclusively, which is atomic too, then rename the archive over the empty
    reservation."""
    try:
        target.touch(mode=0o600, exist_ok=False)
    except FileExistsError:
        return False
    partial.replace(target)
    return True


def next_name(target: Path) -> Path:
    """``citycoop-STAMP-N.tar.gz`` after ``citycoop-STAMP(-N-1).tar.gz``, in the same folder."""
    found = ARCHIVE_NAME.match(target.name)
    assert found is not None, target
    number = int(found.group(2) or 0) + 1
    return target.with_name(f"citycoop-{found.group(1)}-{number}.tar.gz")


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
    """Restore an archive, or the newest scheduled one of a folder."""
    path = newest_backup(Path(path)) if Path(path).is_dir() else Path(path)
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
