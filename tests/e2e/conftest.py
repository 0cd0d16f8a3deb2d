"""Browser tests: Debian's Chromium driven by Playwright against a live test server."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the live server's database work
# happens in its own thread, so Django's guard against async-unsafe calls does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CITYCOOP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# Flags for a closed network: without them Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium): browser tests skip")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_site(live_server, transactional_db):
    from citycoop.portfolio.demo.loader import load_portfolio

    load_portfolio()
    return live_server.url


PASSWORD = "a-long-test-password"


def sign_in(page, base: str, username: str, next_path: str) -> None:
    """Sign in through the login form and land on ``next_path``."""
    page.goto(f"{base}/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"**{next_path}")


def make_manager(username: str = "manager"):
    """A programme manager of the World Cities 2015-2016 demo programme."""
    from citycoop.accounts.models import Membership, Role, User
    from citycoop.registry.models import Programme

    user = User.objects.create_user(username, password=PASSWORD)
    Membership.objects.create(user=user, role=Role.MANAGER,
                              programme=Programme.objects.get(slug="world-cities-2015-2016"))
    return user


def wait_until(page, expression: str, seconds: float = 30) -> None:
    """Poll ``expression`` from the test: Playwright's own polling (wait_for_function)
    evaluates it with eval() inside the page, which the site's Content-Security-Policy rightly
    forbids."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
