from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.common.backup import (
    BackupError,
    archive_path,
    create_backup,
    is_scheduled_name,
    prune_backups,
)


class Command(BaseCommand):
    help = (
        "Write a backup archive (.tar.gz) of the database and uploaded files: SQLite's online "
        "backup or pg_dump on PostgreSQL, the record counts taken from the same snapshot. The "
        "app can keep running and writing meanwhile. With --keep N, only the newest N archives "
        "of the folder are kept (docs/backup.md: a daily backup with cron or systemd)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None,
                            help="archive to write (a name ending in .tar.gz), or a folder to "
                                 "write citycoop-STAMP.tar.gz in, made if needed (default: "
                                 "DATA_DIR/backups/)")
        parser.add_argument("--keep", type=int, default=None, metavar="N",
                            help="after a backup, delete all but the newest N archives named "
                                 "citycoop-STAMP.tar.gz in its folder (other files are left)")

    def handle(self, *args: Any, output: Path | None, keep: int | None,
               **options: Any) -> None:
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1: retention never deletes every "
                               "backup.")
        try:
            target = archive_path(output)
            if keep is not None and not is_scheduled_name(target):
                raise CommandError(f"--keep counts archives named citycoop-STAMP.tar.gz, and "
                                   f"{target.name} is not one: give --output a folder instead.")
            info = create_backup(target)
            pruned = prune_backups(info.path.parent, keep) if keep is not None else []
        except BackupError as error:
            raise CommandError(f"no backup was written: {error}") from error
        except OSError as error:
            # A full disk or a folder one may not write in: say so, as cron mails stderr.
            raise CommandError(f"no backup was written: {error}") from error
        self.stdout.write(self.style.SUCCESS(
            f"Backed up {info.total} records ({info.engine}) to {info.path}"))
        for path in pruned:
            self.stdout.write(f"  removed {path.name} (older than the newest {keep})")
