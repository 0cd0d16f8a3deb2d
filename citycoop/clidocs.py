"""Writes docs/cli.md from the commands' own help texts, so the docs cannot drift from them.

Run ``python -m citycoop.clidocs > docs/cli.md`` (``make docs``); a test checks the file is
up to date.
"""

from __future__ import annotations

import os

# Options every Django command has; the docs name them once instead of under each command.
COMMON_OPTIONS = {"help", "version", "verbosity", "settings", "pythonpath", "traceback",
                  "no_color", "force_color", "skip_checks"}


def command_help(name: str) -> str:
    """The command's description and its own arguments, one per line, from its parser."""
    from django.core.management import load_command_class

    from citycoop.__main__ import ALIASES, django_app_of

    command = load_command_class(django_app_of(name), ALIASES.get(name, name))
    parser = command.create_parser("citycoop", name)
    lines = [" ".join(str(command.help).split()), ""]
    for action in parser._actions:
        if action.dest in COMMON_OPTIONS or not action.help:
            continue
        names = ", ".join(action.option_strings) or action.dest
        if action.option_strings and action.nargs != 0:
            names += f" {action.metavar or action.dest.upper()}"
        lines.append(f"- `{names}`: {' '.join(str(action.help or '').split())}")
    return "\n".join(lines) + "\n"


def render() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
    import django

    django.setup()
    from citycoop.__main__ import PRODUCT_COMMANDS, usage

    parts = [
        "# The `citycoop` command\n",
        "Generated from the commands' own help texts by `make docs`; a test keeps it current.\n",
        "Settings come from the environment (see the README's configuration table), so every",
        "command acts on the data folder and database they name.\n",
        "```text", usage(), "```\n",
    ]
    for name in PRODUCT_COMMANDS:
        parts += [f"## citycoop {name}\n", command_help(name)]
    parts.append("Every command also takes Django's common options: `--verbosity`, `--settings`, "
                 "`--traceback`, `--no-color`, `--skip-checks`.\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
