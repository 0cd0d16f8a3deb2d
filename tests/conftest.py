"""Shared test set-up: a private data folder, personas, and the demo portfolio."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before Django reads its settings: keep every test run's files out of the user's var/.
os.environ.setdefault("CITYCOOP_DATA_DIR", tempfile.mkdtemp(prefix="citycoop-test-"))

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def require_shared(relative: str) -> Path:
    """A file of ../shared, or a skip that says why (a user's clone has no ../shared).

    CI sets CITYCOOP_REQUIRE_SHARED=1, where a missing file fails instead of skipping.
    """
    path = SHARED / relative
    if not path.exists():
        if os.environ.get("CITYCOOP_REQUIRE_SHARED") == "1":
            pytest.fail(f"{path} is missing and CITYCOOP_REQUIRE_SHARED=1")
        pytest.skip(f"{path} is not here: this test reads ../shared, which only the "
                    "project's own checkouts have")
    return path


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached: the public pages' cache would otherwise carry
    one test's portfolio into the next. And the public sees each write at once (no lag: the
    tests that ask about the lag set it themselves)."""
    from django.conf import settings
    from django.core.cache import cache

    cache.clear()
    settings.CITYCOOP_PUBLIC_LAG_SECONDS = 0
    # Nor do answers pass from one test to the next through the shared files.
    settings.CITYCOOP_SHARED_ANSWERS_DIR = ""


@pytest.fixture
def clock_and_version(monkeypatch):
    """The time and the records' version as kept answers see them, set by the test: the
    background recomputation runs in another thread, which cannot read the test database."""
    from citycoop.common import freshness

    state = {"now": 1_000_000.0, "version": (1, "first write")}
    monkeypatch.setattr(freshness.time, "time", lambda: state["now"])
    monkeypatch.setattr(freshness, "data_version", lambda: state["version"])
    return state


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A request in Chinese leaves the language active in the thread after the page is
    served: put English back, so that one test's language never decides the next one's."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db):
    """The World Cities 2015-2016 portfolio, loaded through the services."""
    from citycoop.portfolio.demo.loader import load_portfolio

    return load_portfolio()


@pytest.fixture
def admin_user(db):
    from citycoop.accounts.models import User

    return User.objects.create_superuser("root", "root@example.org", "a-long-test-password")


@pytest.fixture
def staff(admin_user):
    """A browser signed in to the Django admin as the superuser."""
    from django.test import Client

    client = Client()
    assert client.login(username=admin_user.username, password="a-long-test-password")
    return client


@pytest.fixture
def manager(db, demo):
    from citycoop.accounts.models import Membership, Role, User
    from citycoop.registry.models import Programme

    user = User.objects.create_user("manager", password="a-long-test-password")
    Membership.objects.create(user=user, role=Role.MANAGER,
                              programme=Programme.objects.get(slug="world-cities-2015-2016"))
    return user


@pytest.fixture
def outsider(db):
    from citycoop.accounts.models import User

    return User.objects.create_user("outsider", password="a-long-test-password")


def database_url() -> str:
    return os.environ.get("CITYCOOP_DATABASE_URL", "sqlite:///citycoop.sqlite3")
