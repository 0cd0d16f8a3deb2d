"""Costly public answers kept on disk, so that the server's worker processes share them.

Each worker process keeps its answers in its own memory (``freshness``). For most that is
right: they are cheap, and a process recomputes them in milliseconds. The costly ones (the
map's data and the home page's figures take seconds on a large portfolio) would otherwise be
recomputed by every process after every write, each time taking a core from the visitors
that process serves. So an answer that took at least ``SHARE_FROM_SECONDS`` to compute is
also written here; the other processes read it from the file instead of computing it, and a
lock file lets one process at a time recompute it.

A file holds one pickled kept answer ``(version, computed_at, took, value)``. Its
modification time is set to ``computed_at``, so a process can tell from ``stat`` alone
whether the file holds an answer newer than its own. Files are replaced whole
(``os.replace``), so a reader never sees half a file. The files are written only by this
application, in its own data folder, as Django's file cache does with its pickles.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import pickle
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

# Answers cheaper than this are recomputed by each process: reading a file costs about as much.
SHARE_FROM_SECONDS = 0.05
# Files not rewritten for this long are removed (when some process next writes one).
FORGET_AFTER_SECONDS = 3600
SUFFIX = ".answer"

Kept = tuple[Any, float, float, Any]  # version, computed_at, took, value

_last_cleaned = 0.0


def folder() -> Path | None:
    """Where the shared answers are, or None when sharing is off."""
    configured = settings.CITYCOOP_SHARED_ANSWERS_DIR
    return Path(configured) if configured else None


def _path(directory: Path, cache_key: str) -> Path:
    # The database is part of the name: two sites (or two test databases) sharing a data
    # folder must never read each other's answers.
    database = connection.settings_dict
    where = f"{database['ENGINE']}|{database['HOST']}|{database['PORT']}|{database['NAME']}"
    return directory / (hashlib.sha256(f"{where}\n{cache_key}".encode()).hexdigest() + SUFFIX)


def newer(cache_key: str, than: float | None) -> Kept | None:
    """The shared answer for ``cache_key`` if it was computed after ``than`` (a kept
    answer's ``computed_at``; None for any), else None. One ``stat`` when there is nothing
    newer."""
    directory = folder()
    if directory is None:
        return None
    path = _path(directory, cache_key)
    try:
        if than is not None and path.stat().st_mtime_ns <= _nanoseconds(than):
            return None
        with path.open("rb") as file:
            kept: Kept = pickle.load(file)
    except OSError:
        return None  # none yet (or no folder: share() says so when it tries to write)
    except Exception:
        # A file from another version of the code, or damaged: compute afresh.
        logger.warning("unreadable shared answer %s", path, exc_info=True)
        return None
    return kept


def share(cache_key: str, kept: Kept) -> None:
    """Write the answer for the other processes if it was costly to compute."""
    directory = folder()
    _, computed_at, took, _ = kept
    if directory is None or took < SHARE_FROM_SECONDS:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = _path(directory, cache_key)
        handle, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(kept, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.utime(temporary, ns=(_nanoseconds(computed_at),) * 2)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        _clean(directory)
    except OSError:
        # A full or read-only disk costs the sharing, never the answer.
        logger.warning("could not share an answer in %s", directory, exc_info=True)


def _nanoseconds(seconds: float) -> int:
    # Whole nanoseconds both ways: a float time read back from the file could come out a
    # hair later than the one written, and the answer would be read again on every request.
    return int(seconds * 1_000_000_000)


@contextmanager
def recomputing(cache_key: str) -> Iterator[bool]:
    """Yields True if this process may recompute ``cache_key`` now (no other process is at
    it), holding the claim until the block ends. Always True when sharing is off."""
    directory = folder()
    if directory is None:
        yield True
        return
    lock_path = _path(directory, cache_key).with_suffix(".lock")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        lock = lock_path.open("a")
    except OSError:
        # Without a lock file each process recomputes for itself, as without sharing: an
        # answer must never stop being refreshed because the folder cannot be written.
        logger.warning("no lock file in %s", directory, exc_info=True)
        yield True
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _clean(directory: Path) -> None:
    """Remove answers and locks nobody has rewritten for a long time, at most every
    ``FORGET_AFTER_SECONDS`` per process."""
    global _last_cleaned
    now = time.time()
    if now - _last_cleaned < FORGET_AFTER_SECONDS:
        return
    _last_cleaned = now
    for path in directory.iterdir():
        try:
            if now - path.stat().st_mtime > FORGET_AFTER_SECONDS:
                path.unlink()
        except FileNotFoundError:
            pass  # another process cleaned it first
