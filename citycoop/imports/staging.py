"""Uploaded reports wait here, by content hash, between the upload and the applied review."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from django.conf import settings

HASH = re.compile(r"^[0-9a-f]{64}$")


def staging_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports" / "staged"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage(data: bytes, name: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    (staging_dir() / digest).write_bytes(data)
    (staging_dir() / f"{digest}.name").write_text(Path(name).name[:200])
    return digest


def staged(digest: str) -> tuple[bytes, str] | None:
    if not HASH.match(digest):
        return None
    path = staging_dir() / digest
    if not path.exists():
        return None
    name_file = staging_dir() / f"{digest}.name"
    return path.read_bytes(), name_file.read_text() if name_file.exists() else "report"


def discard(digest: str) -> None:
    if HASH.match(digest):
        for path in (staging_dir() / digest, staging_dir() / f"{digest}.name"):
            path.unlink(missing_ok=True)
