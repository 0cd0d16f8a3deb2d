from __future__ import annotations

import errno
import socket
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = ("Serve the web app; no separate web server is needed. With --workers 1 (the "
            "default) one process of the waitress server answers with --threads threads; with "
            "--workers N, N processes of the gunicorn server (Linux and macOS) share the "
            "machine's cores, each with --threads threads: the production set-up.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1",
                            help="address to listen on (default: 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
        parser.add_argument("--threads", type=int, default=8,
                            help="threads per process (default: 8)")
        parser.add_argument("--workers", type=int, default=1,
                            help="processes (default: 1; more than 1 needs gunicorn, e.g. one "
                                 "per core)")

    def handle(self, *args: Any, host: str, port: int, threads: int, workers: int,
               **options: Any) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a port number (1 to 65535).")
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database needs migrating first: run 'citycoop migrate'.")
        # Before announcing anything: "citycoop is serving" followed by a crash misleads.
        check_can_listen(host, port)
        from citycoop.wsgi import application

        self.stdout.write(self.style.SUCCESS(f"citycoop is serving http://{host}:{port}/"))
        self.stdout.write(f"  data folder: {settings.DATA_DIR}   (Ctrl-C stops it)")
        if workers > 1:
            serve_with_gunicorn(application, f"{host}:{port}", workers, threads)
            return
        from waitress import serve

        try:
            serve(application, host=host, port=port, threads=threads, ident="citycoop")
        except OSError as error:
            # Another server may have taken the port since the check above.
            if error.errno not in BIND_ERRORS:
                raise
            raise CommandError(listen_problem(host, port, error)) from error


# The ways binding the address fails that a user can act on; listen_problem explains each.
BIND_ERRORS = {errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL}


def check_can_listen(host: str, port: int) -> None:
    """Bind the address the server will listen on, and let it go again: a port in use, a
    host that is not this machine's or a port that needs privileges each get a sentence."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise CommandError(f"--host {host} is not an address or a known host name.") from error
    with socket.socket(family, kind, proto) as probe:
        if sys.platform != "win32":
            # As the servers do: a port left in TIME_WAIT by a stopped server is free, while a
            # listening socket still makes bind fail. (On Windows the option would steal it.)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise CommandError(listen_problem(host, port, error)) from error


def listen_problem(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (f"port {port} is already in use: stop the other server or choose another "
                "with --port")
    if error.errno == errno.EACCES:
        return f"port {port} needs administrator rights: choose one above 1023 with --port"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"--host {host} is not an address of this machine: use 127.0.0.1 or 0.0.0.0"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def serve_with_gunicorn(application: Any, bind: str, workers: int, threads: int) -> None:
    """gunicorn's pre-forking server, the app loaded once before the fork (so the workers
    share its memory) and each worker with its threads."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError as error:
        raise CommandError("--workers needs gunicorn: pip install gunicorn "
                           "(on Linux or macOS).") from error

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {"bind": bind, "workers": workers, "threads": threads,
                               "worker_class": "gthread", "preload_app": True,
                               # Browsers and API clients reuse a connection for a while;
                               # gunicorn's 2 s default closes it under their next request.
                               "keepalive": 30, "accesslog": None}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()
