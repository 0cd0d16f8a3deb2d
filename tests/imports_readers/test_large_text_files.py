"""Large text files are read in one pass, in bounded memory and time."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from citycoop.imports.readers import BlockKind, read_bytes
from tests.imports_readers.helpers import MIB

# The peak is read from /proc (VmHWM, this program's own memory since it started), not from
# getrusage: ru_maxrss survives exec, so a child of a large test process would report its
# parent's size.
MEASURE = """
import re, sys, time
from citycoop.imports.readers import read_document
start = time.perf_counter()
document = read_document(sys.argv[1])
elapsed = time.perf_counter() - start
with open("/proc/self/status") as status:
    peak_kib = re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1)
print(len(document.blocks), len(document.text), elapsed, peak_kib)
"""


def write_repeated(path: Path, unit: bytes, size: int) -> int:
    """Write ``unit`` repeatedly up to ``size`` bytes; return the number of copies."""
    copies = size // len(unit)
    with path.open("wb") as handle:
        for _ in range(copies):
            handle.write(unit)
    return copies


def test_a_one_megabyte_file_reads_well_under_half_a_second(tmp_path: Path,
                                                           report_like_text: bytes) -> None:
    path = tmp_path / "one.txt"
    copies = write_repeated(path, report_like_text, MIB)
    data = path.read_bytes()
    start = time.perf_counter()
    document = read_bytes(data, path.name)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5
    headings = [b for b in document.blocks if b.kind is BlockKind.HEADING and b.level == 1]
    assert len(headings) == copies


def test_a_fifty_megabyte_file_is_read_under_300_mb(tmp_path: Path,
                                                   report_like_text: bytes) -> None:
    path = tmp_path / "fifty.txt"
    write_repeated(path, report_like_text, 50 * MIB)
    assert path.stat().st_size > 49 * MIB
    result = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True,
                            text=True, timeout=300, check=True)
    blocks, characters, elapsed, peak_kib = result.stdout.split()
    assert int(blocks) > 100_000
    assert int(characters) > 45 * MIB
    assert int(peak_kib) < 300 * 1024, f"peak RSS {int(peak_kib) // 1024} MB"
    assert float(elapsed) < 30
