"""A backup restored into an empty data folder gives back the same portfolio."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import database_url


def citycoop(data_dir, *args, database=None, check=True):
    env = {**os.environ, "CITYCOOP_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Never the suite's own database: SQLite in the given folder unless a test names another.
    env["CITYCOOP_DATABASE_URL"] = database or "sqlite:///citycoop.sqlite3"
    result = subprocess.run([sys.executable, "-m", "citycoop", *args], env=env,
                            capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def portfolio_summary(data_dir, database=None) -> str:
    script = (
        "from citycoop.common.backup import record_counts;"
        "from citycoop.portfolio.models import Action;"
        "print(sorted(record_counts().items()));"
        "print(list(Action.objects.order_by('pk').values_list('text','when_text','version')))"
    )
    return citycoop(data_dir, "shell", "-v0", "-c", script, database=database).stdout


def test_backup_then_restore_into_an_empty_data_folder_gives_the_same_portfolio(tmp_path):
    source, target = tmp_path / "source", tmp_path / "target"
    citycoop(source, "migrate", "-v0")
    citycoop(source, "loaddemo", "-v0")
    archive = tmp_path / "portfolio.tar.gz"
    made = citycoop(source, "backup", "--output", str(archive))
    assert "Backed up" in made.stdout and archive.exists()
    restored = citycoop(target, "restore", str(archive))
    assert "counts match" in restored.stdout
    assert portfolio_summary(target) == portfolio_summary(source)
    assert "Pairing" in portfolio_summary(target)


def test_restore_refuses_to_overwrite_a_database_that_holds_records(tmp_path):
    source = tmp_path / "source"
    citycoop(source, "migrate", "-v0")
    citycoop(source, "loaddemo", "-v0")
    archive = tmp_path / "b.tar.gz"
    citycoop(source, "backup", "--output", str(archive))
    refused = citycoop(source, "restore", str(archive), check=False)
    assert refused.returncode != 0
    assert "already holds" in refused.stderr and "nothing was restored" in refused.stderr


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    refused = citycoop(tmp_path / "empty", "restore", str(junk), check=False)
    assert refused.returncode != 0
    assert "not a readable backup archive" in refused.stderr


@pytest.mark.postgres
def test_backup_and_restore_on_postgresql(tmp_path):
    source_db, target_db = fresh_postgres_pair("backup")
    citycoop(tmp_path / "a", "migrate", "-v0", database=source_db)
    citycoop(tmp_path / "a", "loaddemo", "-v0", database=source_db)
    archive = tmp_path / "pg.tar.gz"
    citycoop(tmp_path / "a", "backup", "--output", str(archive), database=source_db)
    citycoop(tmp_path / "b", "restore", str(archive), database=target_db)
    assert portfolio_summary(tmp_path / "b", target_db) == portfolio_summary(tmp_path / "a",
                                                                             source_db)


def fresh_postgres_pair(purpose: str) -> tuple[str, str]:
    """Two empty scratch databases beside the test run's, one to back up and one to restore
    into; on SQLite the test is skipped (the PostgreSQL run covers it)."""
    url = database_url()
    if not url.startswith("postgres"):
        pytest.skip("this suite runs on SQLite; the PostgreSQL run covers this test")
    source_db, target_db = f"{url}_{purpose}_src", f"{url}_{purpose}_dst"
    for db in (source_db, target_db):
        recreate_postgres_database(db)
    return source_db, target_db


def recreate_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
