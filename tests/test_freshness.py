"""What the public is served from the cache after a write: the kept answer while it is
younger than CITYCOOP_PUBLIC_LAG_SECONDS or while another thread recomputes it, the current
records after that; signed-in users and answers kept "until change" never lag. And a large
answer compressed once is served gzipped to clients that accept it."""

from __future__ import annotations

import gzip
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation

from citycoop.common import freshness
from citycoop.common.compressed import Compressed
from citycoop.common.freshness import cached_for_public, cached_until_change
from citycoop.registry.models import Place
from tests.freshness_helpers import a_write, wait_for_recomputations

pytestmark = pytest.mark.django_db

PUBLIC = AnonymousUser()


def place_count() -> int:
    return Place.objects.count()


def test_without_lag_the_public_sees_each_write_at_once(settings):
    settings.CITYCOOP_PUBLIC_LAG_SECONDS = 0
    assert cached_for_public(PUBLIC, ("count",), place_count) == 0
    a_write(1)
    assert cached_for_public(PUBLIC, ("count",), place_count) == 1


def test_within_the_lag_the_public_gets_the_kept_answer(settings, clock_and_version):
    settings.CITYCOOP_PUBLIC_LAG_SECONDS = 10
    assert cached_for_public(PUBLIC, ("count",), lambda: 0) == 0
    clock_and_version["version"] = (2, "second write")
    clock_and_version["now"] += 9
    assert cached_for_public(PUBLIC, ("count",), lambda: 1) == 0, "kept within the lag"
    assert cached_until_change(("count",), lambda: 1) == 1, "until-change answers never lag"


def test_after_the_lag_one_background_thread_recomputes_while_the_kept_answer_is_served(
        settings, clock_and_version):
    settings.CITYCOOP_PUBLIC_LAG_SECONDS = 10
    assert cached_for_public(PUBLIC, ("slow",), lambda: "old") == "old"
    clock_and_version["version"] = (2, "second write")
    clock_and_version["now"] += 11
    started, release = threading.Event(), threading.Event()
    computed: list[str] = []

    def slow() -> str:
        computed.append("slow")
        started.set()
        release.wait(10)
        return "new"

    assert cached_for_public(PUBLIC, ("slow",), slow) == "old", "nobody waits for it"
    assert started.wait(10)
    assert cached_for_public(PUBLIC, ("slow",), slow) == "old"
    assert computed == ["slow"], "a second request must not start a second computation"
    release.set()
    wait_for_recomputations()
    assert cached_for_public(PUBLIC, ("slow",), slow) == "new"
    assert computed == ["slow"]


def test_an_answer_slow_to_compute_lags_ten_times_its_computing_time(settings,
                                                                        clock_and_version,
                                                                        monkeypatch):
    settings.CITYCOOP_PUBLIC_LAG_SECONDS = 10
    ticks = iter([0.0, 3.0])   # the computation takes 3 s: it lags 30 s, not 10
    monkeypatch.setattr(freshness.time, "perf_counter", lambda: next(ticks))
    assert cached_for_public(PUBLIC, ("map",), lambda: "old") == "old"
    clock_and_version["version"] = (2, "second write")
    clock_and_version["now"] += 29
    assert cached_for_public(PUBLIC, ("map",), lambda: "new") == "old"
    wait_for_recomputations()
    assert cached_for_public(PUBLIC, ("map",), lambda: "new") == "old", "still within 30 s"
    ticks = iter([0.0, 0.1])
    clock_and_version["now"] += 2
    assert cached_for_public(PUBLIC, ("map",), lambda: "new") == "old"
    wait_for_recomputations()
    assert cached_for_public(PUBLIC, ("map",), lambda: "unused") == "new"


def test_the_recomputation_speaks_the_language_of_the_request(settings, clock_and_version):
    settings.CITYCOOP_PUBLIC_LAG_SECONDS = 10
    assert cached_for_public(PUBLIC, ("lang",), translation.get_language) == "en"
    clock_and_version["version"] = (2, "second write")
    clock_and_version["now"] += 11
    with translation.override("zh-hans"):
        cached_for_public(PUBLIC, ("lang",), translation.get_language)
    wait_for_recomputations()
    assert cached_for_public(PUBLIC, ("lang",), translation.get_language) == "zh-hans"


def test_a_failed_recomputation_keeps_the_answer_and_the_next_request_tries_again(
        settings, clock_and_version):
    settings.CITYCOOP_PUBLIC_LAG_SECONDS = 10
    cached_for_public(PUBLIC, ("fails",), lambda: "old")
    clock_and_version["version"] = (2, "second write")
    clock_and_version["now"] += 11

    def broken() -> str:
        raise RuntimeError("database gone")

    assert cached_for_public(PUBLIC, ("fails",), broken) == "old"
    wait_for_recomputations()
    assert cached_for_public(PUBLIC, ("fails",), lambda: "new") == "old"
    wait_for_recomputations()
    assert cached_for_public(PUBLIC, ("fails",), lambda: "unused") == "new"


def test_a_compressed_answer_is_gzipped_only_for_clients_that_accept_it():
    body = b'{"features": [' + b'{"name": "Lyon"},' * 500 + b"{}]}"
    kept = Compressed.of(body)
    factory = RequestFactory()
    zipped = kept.response(factory.get("/", HTTP_ACCEPT_ENCODING="gzip, br"), "application/json")
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == body
    assert len(zipped.content) < len(body) / 10
    plain = kept.response(factory.get("/"), "application/json")
    assert "Content-Encoding" not in plain.headers and plain.content == body
    assert "Accept-Encoding" in zipped.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    tiny = Compressed.of(b"{}").response(factory.get("/", HTTP_ACCEPT_ENCODING="gzip"),
                                        "application/json")
    assert "Content-Encoding" not in tiny.headers and tiny.content == b"{}"
