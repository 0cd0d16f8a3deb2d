"""The ``citycoop`` command: the product's own subcommands, then Django's."""

from __future__ import annotations

import os
import re
import sys
from typing import NoReturn

# The commands a user of the product needs, in the order the help lists them. Anything else
# given on the command line is passed to Django's management commands unchanged.
PRODUCT_COMMANDS = {
    "demo": "set up and serve the World Cities 2015-2016 demo portfolio",
    "serve": "serve the web app (host, port, threads)",
    "migrate": "create or update the database tables",
    "createadmin": "create the admin account and print its generated password once",
    "loaddemo": "load the World Cities 2015-2016 portfolio (loading twice changes nothing)",
    "backup": "write a backup archive of the database and uploaded files",
    "restore": "restore a backup archive into an empty data folder",
    "check": "check the configuration and the database for problems",
    "extract": "read a report (txt, md, html, docx, pdf) and print its structured draft",
    "reindex": "rebuild the search index from the records",
    "import": "review a report against the registry and apply it in one transaction",
    "generate": "generate a realistic portfolio of any size, for load tests and benchmarks",
    "schedule": "place accepted B2B meeting requests in slots and at tables (JSON in, JSON out)",
    "agendas": "write every participant's B2B meeting agenda of an event as PDF files",
    "followups": "email the B2B follow-up questions that are due (run it daily)",
    "snapshot": "store today's computed KPIs of a programme beside the reported ones",
    "reminders": "email owners their next steps and indicator values due soon or overdue",
    "report": "regenerate a programme's status page or its KPI report from the records",
    "token": "make, list and revoke API tokens",
    "export": "export records as CSV, XLSX, JSON, GeoJSON, IATI XML or iCalendar",
    "opendata": "write the open-data ZIP of every public record, with a README of every field",
    "import-sheet": "review an edited XLSX export against the records and apply it",
    "recommend": "recommend partner cities with reasons, or evaluate the recommender",
    "digest": "email each user their unread notifications, once (run it daily)",
    "purge-trash": "forget deleted pairings and organisations kept more than 30 days (run it "
                   "daily)",
}


def usage() -> str:
    lines = ["usage: citycoop COMMAND [options]", "", "Commands:"]
    width = max(len(name) for name in PRODUCT_COMMANDS)
    for name, summary in PRODUCT_COMMANDS.items():
        lines.append(f"  {name.ljust(width)}  {summary}")
    lines += [
        "",
        "'citycoop COMMAND --help' explains one command. Django's other management commands",
        "(shell, dbshell, createsuperuser, ...) also work: 'citycoop shell'.",
    ]
    return "\n".join(lines)


# Product commands spelt with a dash, and the Django command each one runs.
ALIASES = {"import-sheet": "import_sheet", "purge-trash": "purge_trash"}


def django_app_of(command: str) -> str:
    """The app that provides a management command (ours, or Django's own for migrate/check)."""
    from django.core.management import get_commands

    return get_commands()[ALIASES.get(command, command)]


def citycoop_version() -> str:
    """The installed package's version; the module's own when run from a bare checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("citycoop")
    except PackageNotFoundError:
        import citycoop

        return getattr(citycoop, "__version__", "unknown")


def fail(message: str, status: int) -> NoReturn:
    """One line on stderr and a non-zero status: what a user needs, without a traceback."""
    print(f"citycoop: {message}", file=sys.stderr)
    sys.exit(status)


# How SQLite and PostgreSQL say that a table is missing: the database was never migrated.
MISSING_TABLE = re.compile(r"no such table|relation .* does not exist")


def database_name() -> str:
    """The database a missing table was looked for in, as the user configured it."""
    from django.conf import settings

    return str(settings.DATABASES["default"].get("NAME", "?"))


def leave_quietly_on_broken_pipe() -> NoReturn:
    """The reader of our output went away (``citycoop export ... | head -1``): as the Python
    docs advise for SIGPIPE, point stdout at devnull so that the flush at exit cannot raise
    BrokenPipeError a second time, and stop without a word."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import OperationalError, ProgrammingError

    try:
        run(list(sys.argv[1:] if argv is None else argv))
        # Flush here, inside the try: a pipe closed early must not fail at interpreter exit.
        sys.stdout.flush()
    except BrokenPipeError:
        leave_quietly_on_broken_pipe()
    except ImproperlyConfigured as error:
        # The settings name the bad variable in their message; the traceback adds nothing.
        fail(str(error), 2)
    except (OperationalError, ProgrammingError) as error:
        if not MISSING_TABLE.search(str(error)):
            raise
        fail(f"the database has no tables yet: run 'citycoop migrate' (database: "
             f"{database_name()})", 1)


def run(args: list[str]) -> None:
    if args and args[0] in {"--version", "version"}:
        # Django's own --version would print Django's version, which is not what users ask.
        print(citycoop_version())
        return
    if args[:1] == ["help"] and len(args) > 1:
        # 'citycoop help export' reads as 'citycoop export --help', as with git and Django.
        args = [args[1], "--help"]
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
    from django.core.management import execute_from_command_line

    if args[0] in ALIASES:
        # Run it under the name the user typed, so that its usage line reads as they call it.
        import django
        from django.core.management import load_command_class

        django.setup()
        command = load_command_class(django_app_of(args[0]), ALIASES[args[0]])
        command.run_from_argv(["citycoop", *args])
        return
    execute_from_command_line(["citycoop", *args])


if __name__ == "__main__":
    main()
