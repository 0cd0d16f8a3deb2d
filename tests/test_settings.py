"""The settings read the environment and refuse bad values loudly, at start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from citycoop.settings import database_from_url, env_bool


def start_django(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CITYCOOP_DATA_DIR": str(tmp_path / "data"),
                   "CITYCOOP_DATABASE_URL": "sqlite:///citycoop.sqlite3", **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "citycoop", "check"], env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_it_starts_with_no_configuration_and_keeps_a_generated_secret_key(tmp_path):
    result = start_django(tmp_path)
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "data" / "secret_key").read_text().strip()
    assert len(key) >= 32
    assert start_django(tmp_path).returncode == 0
    assert (tmp_path / "data" / "secret_key").read_text().strip() == key


def test_it_refuses_a_debug_value_that_is_not_a_boolean(tmp_path):
    result = start_django(tmp_path, CITYCOOP_DEBUG="maybe")
    assert result.returncode != 0
    assert "CITYCOOP_DEBUG='maybe' is not a boolean" in result.stderr


def test_it_refuses_a_database_url_of_an_unknown_kind(tmp_path):
    result = start_django(tmp_path, CITYCOOP_DATABASE_URL="mysql://localhost/citycoop")
    assert result.returncode != 0
    assert "must be sqlite:// or postgres://" in result.stderr


def test_it_reads_a_postgres_url_into_django_settings(tmp_path):
    db = database_from_url("postgres://alice:s%40cret@db.example:5433/coop", tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "coop", "alice", "s@cret", "db.example", "5433")


def test_it_puts_a_relative_sqlite_file_in_the_data_folder(tmp_path):
    db = database_from_url("sqlite:///portfolio.db", tmp_path)
    assert db["NAME"] == tmp_path / "portfolio.db"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert database_from_url("sqlite:////srv/coop.db", tmp_path)["NAME"] == Path("/srv/coop.db")


@pytest.mark.parametrize("raw, expected", [("true", True), ("0", False), ("Yes", True), ("off", False)])
def test_it_reads_booleans_in_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("CITYCOOP_X", raw)
    assert env_bool("CITYCOOP_X", not expected) is expected


def test_it_refuses_a_database_url_without_a_database_name(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        database_from_url("postgres://localhost/", tmp_path)


def test_a_file_database_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    environment = {**os.environ, "CITYCOOP_DATA_DIR": str(tmp_path / "data"),
                   "CITYCOOP_DATABASE_URL": "sqlite:///citycoop.sqlite3"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    script = ("from django.db import connection\n"
              "with connection.cursor() as c:\n"
              "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
              "    c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])\n")
    result = subprocess.run([sys.executable, "-m", "citycoop", "shell", "-v0", "-c", script],
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]
