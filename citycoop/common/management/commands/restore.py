from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citycoop.common.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive made by 'citycoop backup' into an empty data folder or "
        "database, then check every record count against the backup. Given a folder, the "
        "newest archive named citycoop-STAMP.tar.gz in it is restored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path,
                            help="the .tar.gz written by 'citycoop backup', or a folder of them "
                                 "(the newest is restored)")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that already holds records")

    def handle(self, *args: Any, archive: Path, force: bool, **options: Any) -> None:
        try:
            info = restore_backup(archive, force=force)
        except BackupError as error:
            raise CommandError(f"nothing was restored: {error}") from error
        self.stdout.write(self.style.SUCCESS(
            f"Restored {info.total} records ({info.engine}) from {info.path}; counts match."))
