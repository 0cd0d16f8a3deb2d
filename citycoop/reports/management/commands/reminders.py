"""``citycoop reminders [--days-before 7] [--dry-run]``: email owners what is due or late."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from citycoop.reports.reminders import by_owner, send_reminders


class Command(BaseCommand):
    help = (
        "Email each owner of open next steps and of indicator values the list of theirs "
        "that are due within --days-before days or overdue: one email per owner, through "
        "Django's mail settings (CITYCOOP_EMAIL_BACKEND; the console by default). Owners "
        "without an email address are named in the summary instead. Meant to run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days-before", dest="days_before", type=int, default=7,
                            metavar="N",
                            help="remind of items due within N days (default 7), "
                                 "besides the overdue ones")
        parser.add_argument("--dry-run", dest="dry_run", action="store_true",
                            help="list who would get an email; send nothing")

    def handle(self, *args: Any, days_before: int, dry_run: bool, **options: Any) -> None:
        if days_before < 0:
            raise CommandError("--days-before wants a number of days, 0 or more.")
        today = timezone.localdate()
        owners = by_owner(today, days_before)
        summary = send_reminders(today, days_before, dry_run=dry_run, owners=owners)
        for owner in owners:
            if owner.email:
                self.stdout.write(f"{owner.name} <{owner.email}>: {len(owner.items)} item(s)")
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"{verb} {summary.emails} email(s) about {summary.items} item(s); "
                          f"{len(summary.without_email)} owner(s) without an email address.")
