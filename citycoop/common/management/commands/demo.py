from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from citycoop.portfolio.demo import demo_loaded


class Command(BaseCommand):
    help = (
        "Set up the World Cities 2015-2016 demo and serve it: migrate the database, load the "
        "portfolio (the first time only: later runs keep what was changed), create the admin "
        "account (its password is printed once) and serve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
        parser.add_argument("--no-serve", action="store_true",
                            help="set everything up, then stop instead of serving")

    def handle(self, *args: Any, host: str, port: int, no_serve: bool, **options: Any) -> None:
        self.stdout.write("1/4 Migrating the database…")
        call_command("migrate", verbosity=0, interactive=False)
        if demo_loaded():
            # Loading again would put the demo's values back over what people changed since.
            self.stdout.write("2/4 The World Cities 2015-2016 portfolio is already loaded: "
                              "changes made since are kept ('citycoop loaddemo' puts the "
                              "demo's records back).")
        else:
            self.stdout.write("2/4 Loading the World Cities 2015-2016 portfolio…")
            call_command("loaddemo", verbosity=1)
        self.stdout.write("3/4 Admin account…")
        call_command("createadmin")
        if no_serve:
            self.stdout.write("4/4 Ready. Serve it with 'citycoop serve'.")
            return
        self.stdout.write("4/4 Serving…")
        call_command("serve", host=host, port=port)
