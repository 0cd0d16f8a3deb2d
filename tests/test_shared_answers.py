"""Costly public answers shared by the server's worker processes through files: a process
that has not computed an answer reads the one another process wrote, only one process
recomputes it at a time, and cheap answers stay in each process.

A second process is played by emptying this process's own cache: all it then has is the
shared folder, as a freshly started worker would."""

from __future__ import annotations

import os
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection

from citycoop.common import shared_answers
from citycoop.common.freshness import cache_key_of, cached_for_public, cached_until_change
from tests.freshness_helpers import a_write, wait_for_recomputations

pytestmark = pytest.mark.django_db

PUBLIC = AnonymousUser()


@pytest.fixture
def shared(settings, tmp_path):
    settings.CITYCOOP_SHARED_ANSWERS_DIR = str(tmp_path)
    return tmp_path


def costly(value: str, calls: list[str]):
    def compute() -> str:
        calls.append(value)
        time.sleep(shared_answers.SHARE_FROM_SECONDS + 0.01)
        return value
    return compute


def another_process() -> None:
    cache.clear()


def test_a_costly_answer_is_read_by_the_other_processes_instead_of_recomputed(shared):
    calls: list[str] = []
    assert cached_until_change(("figures",), costly("counted", calls)) == "counted"
    another_process()
    assert cached_until_change(("figures",), costly("counted again", calls)) == "counted"
    assert calls == ["counted"]
    assert len(list(shared.glob("*" + shared_answers.SUFFIX))) == 1


def test_a_cheap_answer_stays_in_its_process(shared):
    calls: list[str] = []

    def cheap() -> str:
        calls.append("cheap")
        return "cheap"

    cached_until_change(("cheap",), cheap)
    another_process()
    cached_until_change(("cheap",), cheap)
    assert calls == ["cheap", "cheap"]
    assert not list(shared.glob("*" + shared_answers.SUFFIX))


def test_a_shared_answer_of_an_older_version_is_not_served_as_current(shared):
    calls: list[str] = []
    cached_until_change(("figures",), costly("before", calls))
    another_process()
    a_write(1)
    assert cached_until_change(("figures",), costly("after", calls)) == "after"


def test_only_one_process_recomputes_and_the_others_take_its_answer(settings, shared,
                                                                   clock_and_version):
    settings.CITYCOOP_PUBLIC_LAG_SECONDS = 10
    state = clock_and_version
    calls: list[str] = []
    assert cached_for_public(PUBLIC, ("map",), costly("old", calls)) == "old"
    state["version"] = (2, "second write")
    state["now"] += 11

    # Another process holds the claim: this one serves what it has and computes nothing.
    with shared_answers.recomputing(cache_key_of(("public", "map"))) as mine:
        assert mine
        assert cached_for_public(PUBLIC, ("map",), costly("new", calls)) == "old"
        wait_for_recomputations()
        assert calls == ["old"]
        # ...and writes its answer, which this process then serves without computing.
        shared_answers.share(cache_key_of(("public", "map")),
                             ((2, "second write"), state["now"], 0.2, "new from elsewhere"))
    assert cached_for_public(PUBLIC, ("map",), costly("unused", calls)) == "new from elsewhere"
    assert calls == ["old"]


def test_with_sharing_off_each_process_computes_its_own(settings, tmp_path):
    settings.CITYCOOP_SHARED_ANSWERS_DIR = ""
    calls: list[str] = []
    cached_until_change(("figures",), costly("one", calls))
    another_process()
    cached_until_change(("figures",), costly("two", calls))
    assert calls == ["one", "two"]


def test_two_databases_never_read_each_others_answers(shared, monkeypatch):
    calls: list[str] = []
    cached_until_change(("figures",), costly("this database", calls))
    another_process()
    monkeypatch.setitem(connection.settings_dict, "NAME", "another database")
    assert shared_answers.newer(cache_key_of(("figures",)), None) is None


def test_a_damaged_file_is_computed_afresh(shared):
    calls: list[str] = []
    cached_until_change(("figures",), costly("first", calls))
    for path in shared.glob("*" + shared_answers.SUFFIX):
        path.write_bytes(b"not a pickle")
    another_process()
    assert cached_until_change(("figures",), costly("second", calls)) == "second"
    assert calls == ["first", "second"]


def test_files_nobody_rewrote_for_an_hour_are_removed(shared, monkeypatch):
    stale = shared / ("0" * 64 + shared_answers.SUFFIX)
    stale.write_bytes(b"old")
    an_hour_ago = time.time() - shared_answers.FORGET_AFTER_SECONDS - 1
    os.utime(stale, (an_hour_ago, an_hour_ago))
    monkeypatch.setattr(shared_answers, "_last_cleaned", 0.0)
    cached_until_change(("figures",), costly("fresh", []))
    assert not stale.exists()
    assert len(list(shared.glob("*" + shared_answers.SUFFIX))) == 1


def test_a_folder_that_cannot_be_written_costs_the_sharing_never_the_answers(
        settings, tmp_path, clock_and_version):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    settings.CITYCOOP_SHARED_ANSWERS_DIR = str(blocked)
    settings.CITYCOOP_PUBLIC_LAG_SECONDS = 10
    state = clock_and_version
    calls: list[str] = []
    assert cached_for_public(PUBLIC, ("map",), costly("old", calls)) == "old"
    state["version"] = (2, "second write")
    state["now"] += 11
    assert cached_for_public(PUBLIC, ("map",), costly("new", calls)) == "old"
    wait_for_recomputations()
    assert cached_for_public(PUBLIC, ("map",), costly("unused", calls)) == "new"
    assert calls == ["old", "new"]
