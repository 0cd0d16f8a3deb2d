"""``citycoop followups [--event SLUG] [--dry-run]``: email the follow-up questions due."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from citycoop.events.models import Event
from citycoop.matchmaking.outcomes import due_follow_ups, send_follow_up


class Command(BaseCommand):
    help = (
        "Email the B2B follow-up questions that are due: every follow-up whose day has come "
        "(3 and 6 months after a meeting held), not sent yet and not answered, goes to the "
        "participant asked, with the link to answer it; each is marked sent so that it goes "
        "once. Prints how many were sent, per event. Meant to run once a day, from cron or a "
        "systemd timer (e.g. 'citycoop followups' at 09:00); a day missed is caught up on "
        "the next run. The links start with CITYCOOP_SITE_URL, or --site-url."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", metavar="SLUG",
                            help="only this event's follow-ups (its key)")
        parser.add_argument("--dry-run", action="store_true",
                            help="list what is due and would be sent; send and write nothing")
        parser.add_argument("--site-url", metavar="URL", default="",
                            help="the site's public address the links start with, e.g. "
                                 "https://citycoop.example.org (default: CITYCOOP_SITE_URL)")

    def handle(self, *args: Any, event: str | None, dry_run: bool, site_url: str,
               **options: Any) -> None:
        chosen = None
        if event:
            chosen = Event.objects.filter(slug=event).first()
            if chosen is None:
                raise CommandError(f"No event has the key {event!r}.")
        site = (site_url or settings.CITYCOOP_SITE_URL).rstrip("/")
        if not dry_run and not site.startswith(("http://", "https://")):
            raise CommandError("The emails' links need the site's address: set "
                               "CITYCOOP_SITE_URL or give --site-url https://...")
        today = timezone.localdate()
        sent: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        for follow_up in due_follow_ups(today, chosen):
            key = follow_up.meeting.request.event.slug
            if dry_run:
                sent[key] += 1
                continue
            link = site + reverse("b2b:follow-up", args=[follow_up.token])
            if send_follow_up(follow_up, link):
                sent[key] += 1
            else:
                failed[key] += 1
        self._report(sent, failed, dry_run)

    def _report(self, sent: Counter[str], failed: Counter[str], dry_run: bool) -> None:
        total = sum(sent.values())
        if dry_run:
            self.stdout.write(f"Dry run: {total} follow-up question{'s' * (total != 1)} due "
                              "and would be sent; nothing was sent or written.")
        else:
            self.stdout.write(f"{total} follow-up question{'s' * (total != 1)} sent.")
        for slug in sorted(set(sent) | set(failed)):
            line = f"  {slug}: {sent[slug]}"
            if failed[slug]:
                line += f" ({failed[slug]} not sent: no email address or the mail failed)"
            self.stdout.write(line)
        if failed:
            self.stderr.write(f"{sum(failed.values())} not sent; the next run tries again.")
