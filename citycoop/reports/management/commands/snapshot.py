"""``citycoop snapshot [--programme SLUG] [--as-of DATE]``: keep today's KPIs as dated rows."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from citycoop.registry.models import Programme
from citycoop.reports.kpis import take_snapshot


class Command(BaseCommand):
    help = (
        "Count every KPI from the records (see docs/kpis.md) and store the figures as dated "
        "snapshots, marked as computed, beside the figures sources reported: one row per "
        "KPI and per line of its breakdown, for the whole programme and for each country "
        "group. Only public records are counted, so that the trend can be shown to "
        "everyone. Running it again on the same date updates that date's rows instead of "
        "adding more. Without --programme, every programme that has pairings is counted. "
        "Meant to run on a schedule (e.g. monthly, from cron) to build the KPIs' trend."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", metavar="SLUG",
                            help="only this programme (its key, e.g. world-cities-2015-2016)")
        parser.add_argument("--as-of", metavar="DATE", dest="as_of",
                            help="the date the snapshot is filed under, as YYYY-MM-DD "
                                 "(default: today); the figures are always today's counts")

    def handle(self, *args: Any, programme: str | None, as_of: str | None,
               **options: Any) -> None:
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of wants a date as YYYY-MM-DD, not {as_of!r}.") from None
        if programme:
            programmes = list(Programme.objects.filter(slug=programme))
            if not programmes:
                raise CommandError(f"No programme has the key {programme!r}.")
        else:
            programmes = list(Programme.objects.filter(pairings__isnull=False).distinct()
                              .order_by("slug"))
        for chosen in programmes:
            outcome = take_snapshot(chosen, day, acting_user=None)
            self.stdout.write(
                f"{chosen.slug} as of {day.isoformat()}: {outcome['created']} new, "
                f"{outcome['changed']} updated, {outcome['same']} unchanged.")
        if not programmes:
            self.stdout.write("No programme has pairings: nothing to count.")
