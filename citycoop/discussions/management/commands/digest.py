"""``citycoop digest``: email each user the notifications they have not read yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from citycoop.discussions.digest import send_digests


class Command(BaseCommand):
    help = (
        "Email each user with an email address one digest of their unread notifications "
        "(replies, mentions, new discussions on what they follow, reports for moderators) "
        "that no earlier digest sent, grouped by kind, newest first, with links on "
        "CITYCOOP_SITE_URL. Uses Django's mail settings (CITYCOOP_EMAIL_BACKEND; the console "
        "by default). Running it again sends nothing new. Meant to run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"sent {sent} digest email(s).")
