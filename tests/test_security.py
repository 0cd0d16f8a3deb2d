"""Hardening: response headers, no inline script anywhere, the sign-in limit, the production
settings' deploy check, and no debug page outside development."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "citycoop").rglob("templates/**/*.html"))


@pytest.fixture
def no_failures_counted():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def test_every_page_carries_a_strict_content_security_policy(client, demo):
    response = client.get(reverse("web:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


def test_the_api_documentation_page_works_under_the_policy(client):
    # Swagger's settings travel in a JSON script block, which the policy does not execute
    # (and does not need to); its code is a static file.
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    body = response.content.decode()
    for block in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body):
        assert 'type="application/json"' in block


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_an_inline_script_or_event_handler(template):
    text = template.read_text(encoding="utf-8")
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", text)
              if "src=" not in tag and "application/json" not in tag]
    assert not inline, f"inline <script> in {template}: {inline}"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", text), f"an on...= handler in {template}"
    assert "javascript:" not in text


def test_sign_in_is_refused_for_a_while_after_five_failures(client, django_user_model,
                                                             no_failures_counted):
    django_user_model.objects.create_user("ada", password="a-long-test-password")
    url = reverse("login")
    for _ in range(5):
        response = client.post(url, {"username": "ada", "password": "wrong-password-1"})
        assert "Too many failed sign-ins" not in response.content.decode()
    # Now even the right password waits, and the message says for how long.
    response = client.post(url, {"username": "ada", "password": "a-long-test-password"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Too many failed sign-ins" in text and "15 minutes" in text
    assert "_auth_user_id" not in client.session


def test_a_locked_name_does_not_lock_another_person_out(client, django_user_model,
                                                        no_failures_counted):
    django_user_model.objects.create_user("grace", password="a-long-test-password")
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": "someone-else", "password": "guess"})
    response = client.post(url, {"username": "grace", "password": "a-long-test-password"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_successful_sign_in_clears_the_failures(client, django_user_model,
                                                  no_failures_counted):
    django_user_model.objects.create_user("lin", password="a-long-test-password")
    url = reverse("login")
    for _ in range(4):
        client.post(url, {"username": "lin", "password": "nope"})
    assert client.post(url, {"username": "lin", "password": "a-long-test-password"}
                       ).status_code == 302
    client.logout()
    for _ in range(4):
        client.post(url, {"username": "lin", "password": "nope"})
    assert client.post(url, {"username": "lin", "password": "a-long-test-password"}
                       ).status_code == 302


def test_passwords_must_be_long_and_not_common():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("pairing-tianjin-harbour-2016")


def test_sessions_expire_and_cookies_are_not_readable_by_scripts(settings):
    assert settings.SESSION_COOKIE_AGE <= 24 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_an_unknown_address_gets_the_plain_not_found_page_not_a_debug_page(client, settings):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/at-all/")
    assert response.status_code == 404
    assert b"URLconf" not in response.content and b"Traceback" not in response.content


def test_the_deploy_check_is_clean_with_the_production_settings(tmp_path):
    env = {**os.environ, "CITYCOOP_HTTPS": "1", "CITYCOOP_DEBUG": "0",
           "CITYCOOP_DATA_DIR": str(tmp_path), "CITYCOOP_ALLOWED_HOSTS": "citycoop.example.org",
           "DJANGO_SETTINGS_MODULE": "citycoop.settings"}
    env.pop("CITYCOOP_DATABASE_URL", None)
    # The browser tests set this for their own thread model; a deployment never does.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_over_https_cookies_are_secure_and_browsers_are_told_to_stay(tmp_path):
    env = {**os.environ, "CITYCOOP_HTTPS": "1", "CITYCOOP_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "citycoop.settings"}
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)")
    done = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "True", "True", "31536000"], done.stderr
