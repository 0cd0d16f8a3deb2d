"""Files written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_beside(output: Path, write: Callable[[IO[bytes]], object]) -> None:
    """``write`` into a temporary file beside ``output``, then rename it over ``output``: a
    failed write leaves no half file, and a previous file stays until the new one is whole.
    The file gets the permissions a newly created file would (mkstemp's are private)."""
    folder = output.parent if str(output.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{output.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
