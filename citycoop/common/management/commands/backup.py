from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.common.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a backup archive (.tar.gz) of the database and uploaded files: SQLite's online "
        "backup or pg_dump on PostgreSQL. The app can keep running meanwhile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None,
                            help="archive to write "
                                 "(default: DATA_DIR/backups/citycoop-STAMP.tar.gz)")

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        try:
            info = create_backup(output)
        except BackupError as error:
            raise CommandError(f"no backup was written: {error}") from error
        self.stdout.write(self.style.SUCCESS(
            f"Backed up {info.total} records ({info.engine}) to {info.path}"))
