"""What a user sees after a mistake on the command line: one sentence saying what is wrong,
a non-zero status, nothing half-written, and never a Python traceback.

Most tests run the installed ``citycoop`` command in a subprocess with a data folder of
their own, as a user would; the folder holds an empty migrated database where one is needed.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from citycoop.common.backup import publish, scheduled_archives

# The script pip installs beside the interpreter: what users type, entry point included.
CITYCOOP = str(Path(sys.executable).with_name("citycoop"))
STAMPED = "citycoop-20261130-203148.tar.gz"


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "CITYCOOP_DATA_DIR": str(data_dir),
           # Never the suite's own database: SQLite in the test's data folder, unless the
           # test sets a database of its own.
           "CITYCOOP_DATABASE_URL": "sqlite:///citycoop.sqlite3", **extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def citycoop(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CITYCOOP, *args], env=environment(data_dir, **extra),
                          capture_output=True, text=True, timeout=60)


def assert_refused(result: subprocess.CompletedProcess[str], message: str,
                   status: int = 1) -> None:
    """Refused with ``message`` on one line of stderr, the given status and no traceback."""
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A data folder with an empty migrated database, made once: migrating takes seconds."""
    folder = tmp_path_factory.mktemp("migrated")
    result = citycoop(folder, "migrate", "-v0")
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def migrated(migrated_template, tmp_path) -> Path:
    """This test's own copy of the migrated data folder."""
    return Path(shutil.copytree(migrated_template, tmp_path / "data"))


# 1. report --output in a folder that does not exist


def test_report_names_the_missing_folder_of_its_output_and_makes_nothing(tmp_path):
    output = tmp_path / "missing-folder" / "status.md"
    result = citycoop(tmp_path / "data", "report", "status", "--format", "md",
                      "--output", str(output))
    assert_refused(result, f"the folder {output.parent} does not exist")
    assert not output.parent.exists()


# 2. agendas --out naming a file


def test_agendas_refuses_an_out_path_that_is_a_file_and_leaves_the_file_alone(tmp_path):
    existing = tmp_path / "notes.txt"
    existing.write_text("mine")
    result = citycoop(tmp_path / "data", "agendas", "some-event", "--out", str(existing))
    assert_refused(result, f"--out {existing} is a file, not a folder")
    assert existing.read_text() == "mine"


# 3. serve and demo on a port already in use


@pytest.fixture
def busy_port():
    """A port another server listens on for the length of the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_serve_on_a_port_in_use_says_so_before_announcing_anything(migrated, busy_port):
    result = citycoop(migrated, "serve", "--port", str(busy_port))
    assert_refused(result, f"port {busy_port} is already in use: stop the other server or "
                           "choose another with --port")
    assert "is serving" not in result.stdout


@pytest.mark.django_db(transaction=True)
def test_demo_on_a_port_in_use_stops_with_the_same_sentence(busy_port, monkeypatch):
    from io import StringIO

    from citycoop.common.management.commands import demo

    # Loading the portfolio takes seconds and plays no part in the port.
    monkeypatch.setattr(demo, "demo_loaded", lambda: True)
    out = StringIO()
    with pytest.raises(CommandError, match=f"port {busy_port} is already in use"):
        call_command("demo", port=busy_port, stdout=out)
    assert "is serving" not in out.getvalue()


# 4. createadmin with a user name or an address nobody could use


@pytest.mark.parametrize(("options", "message"), [
    (["--username", ""], "--username must not be empty"),
    (["--username", "two words"], "--username 'two words': Enter a valid username"),
    (["--username", "x" * 151], "at most 150 characters"),
    (["--email", "not-an-address"], "--email 'not-an-address' is not a valid e-mail address"),
])
def test_createadmin_refuses_what_nobody_could_sign_in_with(migrated, options, message):
    result = citycoop(migrated, "createadmin", *options)
    assert_refused(result, message)
    assert "password" not in result.stdout
    with sqlite3.connect(migrated / "citycoop.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM accounts_user").fetchone()[0] == 0


# 5. output piped into a reader that goes away (| head -1)


def test_a_reader_closing_the_pipe_ends_the_command_quietly(migrated):
    command = subprocess.Popen(
        [CITYCOOP, "export", "--record", "pairings", "--format", "csv"],
        env=environment(migrated), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Closed before anything is written: every write of the command meets a broken pipe.
    assert command.stdout is not None and command.stderr is not None
    command.stdout.close()
    errors = command.stderr.read()
    assert command.wait(timeout=60) == 1
    assert errors == ""


# 6. two backups started in the same second into the same folder


def test_two_backups_started_together_into_one_folder_both_keep_their_archive(migrated,
                                                                            tmp_path):
    folder = tmp_path / "backups"
    runs = [subprocess.Popen([CITYCOOP, "backup", "--output", str(folder)],
                             env=environment(migrated), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=60) for run in runs]
    for run, (_, stderr) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, stderr
        assert "Traceback" not in stderr
    written = {stdout.split(" to ")[-1].strip() for stdout, _ in outputs}
    assert len(written) == 2
    # Both archives, under stamped names retention counts, and no .partial left over.
    assert {path.name for path in scheduled_archives(folder)} == {
        Path(path).name for path in written}
    assert len(os.listdir(folder)) == 2
    for path in written:
        with tarfile.open(path, "r:gz") as archive:
            assert "manifest.json" in archive.getnames()


def test_a_stamped_name_taken_meanwhile_gets_the_next_suffix_and_is_not_overwritten(tmp_path):
    # Two runs in the same second both chose STAMPED before either finished.
    (tmp_path / STAMPED).write_text("first run")
    (tmp_path / "citycoop-20261130-203148-1.tar.gz").write_text("second run")
    partial = tmp_path / ".third.partial"
    partial.write_text("third run")
    final = publish(partial, tmp_path / STAMPED)
    assert final.name == "citycoop-20261130-203148-2.tar.gz"
    assert final.read_text() == "third run"
    assert (tmp_path / STAMPED).read_text() == "first run"
    assert not partial.exists()


def test_without_hard_links_the_name_is_still_claimed_without_overwriting(tmp_path,
                                                                          monkeypatch):
    def no_links(*args: object) -> None:
        raise PermissionError("this filesystem has no hard links")

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / STAMPED).write_text("first run")
    partial = tmp_path / ".second.partial"
    partial.write_text("second run")
    final = publish(partial, tmp_path / STAMPED)
    assert final.name == "citycoop-20261130-203148-1.tar.gz"
    assert final.read_text() == "second run"
    assert (tmp_path / STAMPED).read_text() == "first run"


def test_a_name_of_ones_own_choosing_is_replaced_as_asked(tmp_path):
    (tmp_path / "mine.tar.gz").write_text("old")
    partial = tmp_path / ".mine.partial"
    partial.write_text("new")
    assert publish(partial, tmp_path / "mine.tar.gz") == tmp_path / "mine.tar.gz"
    assert (tmp_path / "mine.tar.gz").read_text() == "new"


# 7. --version and help COMMAND


def test_version_is_citycoops_own(tmp_path):
    result = citycoop(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == version("citycoop")


def test_help_command_shows_that_commands_help(tmp_path):
    helped = citycoop(tmp_path, "help", "export")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: citycoop export")
    assert helped.stdout == citycoop(tmp_path, "export", "--help").stdout


# 8. a bad setting, and a database that was never migrated


@pytest.mark.parametrize("command", ["backup", "migrate"])
def test_a_bad_setting_is_one_sentence_naming_the_variable(tmp_path, command):
    result = citycoop(tmp_path, command, CITYCOOP_DATABASE_URL="mysql://somewhere/db")
    assert_refused(result, "citycoop: CITYCOOP_DATABASE_URL=", status=2)
    assert result.stderr.startswith("citycoop: ")


def test_a_data_folder_that_is_a_file_is_one_sentence(tmp_path):
    data = tmp_path / "data"
    data.write_text("")
    result = citycoop(data, "check")
    assert_refused(result, "citycoop: CITYCOOP_DATA_DIR=", status=2)


def test_a_database_without_tables_says_to_migrate(tmp_path):
    result = citycoop(tmp_path, "export", "--record", "pairings", "--format", "csv")
    assert_refused(result, "citycoop: the database has no tables yet: run 'citycoop migrate' "
                           f"(database: {tmp_path / 'citycoop.sqlite3'})")


@pytest.mark.django_db
def test_the_status_report_refuses_the_kpi_reports_narrowing_options(demo):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--group, --internal: only for 'report kpis'"):
        call_command("report", "status", group="EU-China", internal=True)
