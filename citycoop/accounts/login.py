"""Signing in, with a limit on failed attempts.

After ``CITYCOOP_LOGIN_ATTEMPTS`` failed sign-ins for one user name, or five times as many
from one address, within ``CITYCOOP_LOGIN_WINDOW_MINUTES``, further attempts are refused
with a clear message until the window has passed, even with the right password: guessing a
password then takes years, while a person who mistyped waits a few minutes. The counts are
kept in a file cache in the data folder, so that every worker process of the server shares
them.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import caches
from django.utils.translation import ngettext

# The address counts more attempts than a name: several people may share an office's address.
ADDRESS_FACTOR = 5


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.casefold().encode("utf-8")).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def client_address(request: Any) -> str:
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


class Throttle:
    """Failed attempts per user name and per address, each with the time its window ends."""

    def __init__(self) -> None:
        self.cache = caches["throttle"]
        self.limit = settings.CITYCOOP_LOGIN_ATTEMPTS
        self.window = settings.CITYCOOP_LOGIN_WINDOW_MINUTES * 60

    def _keys(self, username: str, address: str) -> list[tuple[str, int]]:
        keys = [(_key("name", username), self.limit)]
        if address:
            keys.append((_key("address", address), self.limit * ADDRESS_FACTOR))
        return keys

    def wait_seconds(self, username: str, address: str) -> int:
        """How long until another attempt is allowed; 0 when it is allowed now."""
        now = time.time()
        waits = [0.0]
        for key, limit in self._keys(username, address):
            count, ends = self.cache.get(key, (0, 0.0))
            if count >= limit and ends > now:
                waits.append(ends - now)
        return math.ceil(max(waits))

    def failed(self, username: str, address: str) -> None:
        now = time.time()
        for key, _limit in self._keys(username, address):
            count, ends = self.cache.get(key, (0, 0.0))
            if ends <= now:
                count, ends = 0, now + self.window
            self.cache.set(key, (count + 1, ends), timeout=math.ceil(ends - now) + 1)

    def succeeded(self, username: str) -> None:
        self.cache.delete(_key("name", username))


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        throttle = Throttle()
        username = str(self.data.get("username", ""))
        address = client_address(self.request)
        wait = throttle.wait_seconds(username, address)
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            raise forms.ValidationError(
                ngettext("Too many failed sign-ins. For your account's safety, try again in "
                         "%(minutes)d minute.",
                         "Too many failed sign-ins. For your account's safety, try again in "
                         "%(minutes)d minutes.", minutes) % {"minutes": minutes},
                code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.failed(username, address)
            raise
        throttle.succeeded(username)
        return cleaned


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "web/login.html"
    redirect_authenticated_user = True
