"""A long plain-text report is extracted in parts; the draft is the same as read whole."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citycoop.imports.extract import extract
from citycoop.imports.readers import read_document
from citycoop.imports.stream import write_draft
from tests.conftest import require_shared

REPORTS = Path(__file__).resolve().parent / "fixtures" / "reports"


def streamed(path: Path, part_chars: int) -> dict:
    out = io.StringIO()
    write_draft(path, out, part_chars=part_chars)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("part_chars", [200, 3000, 1_000_000])
def test_the_reference_page_in_parts_gives_the_same_draft_as_read_whole(part_chars):
    page = require_shared("reports/world-cities-pilot-projects-2016.txt")
    assert streamed(page, part_chars) == extract(read_document(page)).to_json(spans=True)


def test_a_press_release_in_parts_gives_the_same_draft_as_read_whole():
    path = REPORTS / "press-release-valencia-curitiba.txt"
    assert streamed(path, 100) == extract(read_document(path)).to_json(spans=True)


def test_the_extract_command_writes_valid_json_for_a_long_report(tmp_path):
    page = require_shared("reports/world-cities-pilot-projects-2016.txt").read_text()
    long_report = tmp_path / "long.txt"
    long_report.write_text("\n\n".join(page.replace("West-Midlands", f"West-Midlands {n}")
                                       for n in range(40)))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-m", "citycoop", "extract", str(long_report)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    draft = json.loads(result.stdout)
    assert len(draft["pairings"]) == 400
    text = long_report.read_text()
    last = draft["pairings"][-1]
    start, end = last["spans"]["label"]
    assert " ".join(text[start:end].split()) == last["label"]
