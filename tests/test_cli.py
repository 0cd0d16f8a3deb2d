"""The citycoop command: help for every command, and docs/cli.md kept true to it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from citycoop.__main__ import PRODUCT_COMMANDS
from citycoop.clidocs import render

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "citycoop", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_command_without_arguments_lists_the_product_commands():
    result = run()
    assert result.returncode == 0
    for name in PRODUCT_COMMANDS:
        assert f"  {name}" in result.stdout


@pytest.mark.parametrize("name", list(PRODUCT_COMMANDS))
def test_every_command_explains_itself_with_help(name):
    result = run(name, "--help")
    assert result.returncode == 0, result.stderr
    assert f"usage: citycoop {name}" in result.stdout


def test_docs_cli_md_is_generated_from_the_current_help_texts(db):
    written = (ROOT / "docs" / "cli.md").read_text()
    assert written == render(), "docs/cli.md is out of date: run 'make docs'"


def test_createadmin_prints_a_password_once_and_keeps_it_on_a_second_run(db, capsys):
    from django.contrib.auth import authenticate
    from django.core.management import call_command

    call_command("createadmin")
    first = capsys.readouterr().out
    password = next(line.split()[-1] for line in first.splitlines() if "password:" in line)
    assert authenticate(username="admin", password=password) is not None
    call_command("createadmin")
    second = capsys.readouterr().out
    assert password not in second and "unchanged" in second
    assert authenticate(username="admin", password=password) is not None


def test_serve_refuses_a_port_that_is_not_a_port(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="not a port number"):
        call_command("serve", port=70000)
