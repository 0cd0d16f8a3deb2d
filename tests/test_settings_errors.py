"""Every bad CITYCOOP_* value stops the start with a message that names the variable and says
which values it takes (the README's promise). tests/test_settings.py covers the booleans
(CITYCOOP_DEBUG) and the database URL's scheme; these are the other variables.

Settings are read once per process, so each case is its own Python process; they all start at
once (one fixture for the module) so that the cases cost about one start between them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# What `citycoop` does before anything else: set up Django, which reads citycoop.settings.
# A valid configuration prints the settings that the edge-value test looks at.
SETUP = """\
import django, json, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'citycoop.settings'
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in (
    'TIME_ZONE', 'CITYCOOP_UPLOAD_MAX_BYTES', 'CITYCOOP_PUBLIC_LAG_SECONDS',
    'CITYCOOP_TRASH_DAYS', 'CITYCOOP_LOGIN_ATTEMPTS', 'CITYCOOP_LOGIN_WINDOW_MINUTES',
    'SESSION_COOKIE_AGE', 'SECURE_HSTS_SECONDS', 'EMAIL_BACKEND', 'CSRF_TRUSTED_ORIGINS',
    'ALLOWED_HOSTS', 'CITYCOOP_SHARED_ANSWERS_DIR')} | {'LOG_LEVEL': s.LOGGING['root']['level']}))
"""

# (variable, value, words of the message that say what is allowed). "{tmp}" is the case's
# own temporary folder, which holds a plain file named "a-file".
BAD = [
    ("CITYCOOP_TIME_ZONE", "Mars/Base", "IANA name such as UTC"),
    ("CITYCOOP_TIME_ZONE", "../../etc/passwd", "IANA name"),
    ("CITYCOOP_LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("CITYCOOP_UPLOAD_MAX_MB", "-5", "at least 1"),
    ("CITYCOOP_UPLOAD_MAX_MB", "0", "at least 1"),
    ("CITYCOOP_UPLOAD_MAX_MB", "20MB", "is not a whole number: use a whole number of at least 1"),
    ("CITYCOOP_PUBLIC_LAG_SECONDS", "-1", "at least 0"),
    ("CITYCOOP_TRASH_DAYS", "-30", "from 0 to 36500"),
    ("CITYCOOP_TRASH_DAYS", "1000000", "from 0 to 36500"),
    ("CITYCOOP_LOGIN_ATTEMPTS", "0", "at least 1"),
    ("CITYCOOP_LOGIN_WINDOW_MINUTES", "0", "at least 1"),
    ("CITYCOOP_SESSION_AGE", "12h", "is not a whole number"),
    ("CITYCOOP_SESSION_AGE", "-1", "at least 1"),
    ("CITYCOOP_HSTS_SECONDS", "-1", "at least 0"),
    ("CITYCOOP_EMAIL_BACKEND", "nonsense", "django.core.mail.backends.NAME.EmailBackend"),
    ("CITYCOOP_EMAIL_BACKEND", "smtp", "NAME one of console, smtp, filebased, locmem, dummy"),
    ("CITYCOOP_EMAIL_BACKEND", "django.core.mail.backends.smpt.EmailBackend", "no module"),
    ("CITYCOOP_EMAIL_BACKEND", "no_such_package.mail.Backend", "no module"),
    ("CITYCOOP_CSRF_TRUSTED_ORIGINS", "https://ok.example.org,citycoop.example.org",
     "https://host or http://host"),
    ("CITYCOOP_ALLOWED_HOSTS", "https://citycoop.example.org/", "without scheme or path"),
    ("CITYCOOP_SITE_URL", "citycoop.example.org", "https://citycoop.example.org"),
    ("CITYCOOP_SITE_URL", "https://", "https://citycoop.example.org"),
    ("CITYCOOP_DATABASE_URL", "postgres://coop:s3cret@db.example:five/coop", "from 0 to 65535"),
    ("CITYCOOP_DATABASE_URL", "sqlite://", "sqlite:///file"),
    ("CITYCOOP_DATA_DIR", "{tmp}/a-file/data", "cannot be created"),
    ("CITYCOOP_SHARED_ANSWERS_DIR", "{tmp}/a-file", "is not a folder"),
]
# CITYCOOP_HSTS_SECONDS is only read when HTTPS is on.
ALONGSIDE = {"CITYCOOP_HSTS_SECONDS": {"CITYCOOP_HTTPS": "true"}}

# The lowest (or otherwise edgy) values that make sense, all in one start.
EDGES = {
    "CITYCOOP_PUBLIC_LAG_SECONDS": "0",
    "CITYCOOP_TRASH_DAYS": "0",
    "CITYCOOP_UPLOAD_MAX_MB": "1",
    "CITYCOOP_LOGIN_ATTEMPTS": "1",
    "CITYCOOP_LOGIN_WINDOW_MINUTES": "1",
    "CITYCOOP_SESSION_AGE": "1",
    "CITYCOOP_HTTPS": "true",
    "CITYCOOP_HSTS_SECONDS": "0",
    "CITYCOOP_LOG_LEVEL": "debug",
    "CITYCOOP_TIME_ZONE": "Asia/Shanghai",
    "CITYCOOP_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "CITYCOOP_CSRF_TRUSTED_ORIGINS": "https://*.example.org, http://127.0.0.1:8000",
    "CITYCOOP_ALLOWED_HOSTS": ".example.org,[::1]",
    "CITYCOOP_SHARED_ANSWERS_DIR": "",
}


def case_id(case: tuple[str, str, str]) -> str:
    return f"{case[0]}={case[1]}"


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Start every case's process at once, then wait for them all."""
    # Nothing of the caller's own configuration (CI may point CITYCOOP_DATABASE_URL at
    # PostgreSQL) may decide a case.
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("CITYCOOP_") and k != "DJANGO_SETTINGS_MODULE"}
    runs: dict[str, tuple[list[str], subprocess.Popen[str]]] = {}
    cases = [(case_id(case), {case[0]: case[1], **ALONGSIDE.get(case[0], {})}) for case in BAD]
    for key, overrides in [*cases, ("edges", EDGES)]:
        tmp: Path = tmp_path_factory.mktemp("case")
        (tmp / "a-file").write_text("not a folder\n")
        env = {**base, "CITYCOOP_DATA_DIR": str(tmp / "data"),
               "CITYCOOP_DATABASE_URL": "sqlite:///citycoop.sqlite3"}
        env.update({name: value.format(tmp=tmp) for name, value in overrides.items()})
        command = [sys.executable, "-c", SETUP]
        process = subprocess.Popen(command, env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        runs[key] = (command, process)
    results = {}
    for key, (command, process) in runs.items():
        stdout, stderr = process.communicate(timeout=120)
        results[key] = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return results


@pytest.mark.parametrize("case", BAD, ids=case_id)
def test_a_bad_value_stops_the_start_naming_the_variable_and_what_it_takes(started, case):
    variable, _value, allowed = case
    result = started[case_id(case)]
    assert result.returncode != 0, result.stdout
    # The last line is the one `citycoop` shows: the error and its message, nothing else.
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    assert variable in last_line
    assert allowed in last_line


def test_a_database_url_refused_does_not_show_its_password(started):
    result = started[case_id(next(case for case in BAD if "s3cret" in case[1]))]
    assert result.returncode != 0
    assert "s3cret" not in result.stderr
    assert "coop:***@db.example" in result.stderr


def test_the_lowest_sensible_values_are_accepted(started):
    result = started["edges"]
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "TIME_ZONE": "Asia/Shanghai",
        "CITYCOOP_UPLOAD_MAX_BYTES": 1024 * 1024,
        "CITYCOOP_PUBLIC_LAG_SECONDS": 0,
        "CITYCOOP_TRASH_DAYS": 0,
        "CITYCOOP_LOGIN_ATTEMPTS": 1,
        "CITYCOOP_LOGIN_WINDOW_MINUTES": 1,
        "SESSION_COOKIE_AGE": 1,
        "SECURE_HSTS_SECONDS": 0,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "CSRF_TRUSTED_ORIGINS": ["https://*.example.org", "http://127.0.0.1:8000"],
        "ALLOWED_HOSTS": [".example.org", "[::1]"],
        "CITYCOOP_SHARED_ANSWERS_DIR": "",
        "LOG_LEVEL": "DEBUG",  # any case is taken, and handed to logging as it wants it
    }
