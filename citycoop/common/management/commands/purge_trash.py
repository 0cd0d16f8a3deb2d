from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from citycoop.common.trash import purge, trash_days


class Command(BaseCommand):
    help = (
        "Forget deleted pairings and organisations kept longer than CITYCOOP_TRASH_DAYS days "
        "(30 by default): they can no longer be restored afterwards. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="forget what was deleted this many days ago or more "
                                 f"(default: CITYCOOP_TRASH_DAYS, now {trash_days()})")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else trash_days()
        if days < 0:
            self.stderr.write("--days must be 0 or more.")
            raise SystemExit(2)
        count = purge(older_than_days=days)
        self.stdout.write(f"Forgot {count} deleted record(s) older than {days} days.")
