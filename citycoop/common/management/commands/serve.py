from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve the web app with the waitress WSGI server (no separate web server needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1",
                            help="address to listen on (default: 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
        parser.add_argument("--threads", type=int, default=8,
                            help="worker threads (default: 8)")

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a port number (1 to 65535).")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database needs migrating first: run 'citycoop migrate'.")
        from waitress import serve

        from citycoop.wsgi import application

        self.stdout.write(self.style.SUCCESS(f"citycoop is serving http://{host}:{port}/"))
        self.stdout.write(f"  data folder: {settings.DATA_DIR}   (Ctrl-C stops it)")
        serve(application, host=host, port=port, threads=threads, ident="citycoop")
