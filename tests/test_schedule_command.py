"""`citycoop schedule INSTANCE.json` prints the schedule as JSON; bad input gets a message
and exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citycoop.matchmaking.engine import parse_instance, validate
from citycoop.matchmaking.engine.instance import Placement, Result, Unplaced

FIXTURES = Path(__file__).parent / "fixtures" / "scheduling"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "citycoop", "schedule", *args], env=env,
                           capture_output=True, text=True, timeout=120)


def as_result(output: dict) -> Result:
    return Result(scheduled=[Placement(**p) for p in output["scheduled"]],
                  unscheduled=[Unplaced(**u) for u in output["unscheduled"]])


def test_it_prints_a_valid_schedule_as_json():
    path = FIXTURES / "event.json"
    result = run(str(path), "--time-limit", "5")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    instance = parse_instance(json.loads(path.read_text()))
    assert validate(instance, as_result(output)) == []
    assert output["stats"]["scheduled"] == len(output["scheduled"]) == 6
    assert output["stats"]["upper_bound"] == 6
    assert set(output["stats"]) == {"requested", "scheduled", "weight", "upper_bound",
                                    "participants_with_meetings", "idle_gaps", "seconds"}


def test_it_keeps_the_meetings_of_an_earlier_schedule(tmp_path):
    published = {"scheduled": [{"a": "artigent", "b": "smart-grid-tianjin",
                                "slot": "d1-10:30", "table": 2}]}
    keep = tmp_path / "published.json"
    keep.write_text(json.dumps(published))
    result = run(str(FIXTURES / "event.json"), "--keep", str(keep))
    assert result.returncode == 0, result.stderr
    assert published["scheduled"][0] in json.loads(result.stdout)["scheduled"]


@pytest.mark.parametrize(("name", "message"), [
    ("not-json.json", "is not JSON: Expecting ',' delimiter at line 3"),
    ("unknown-participant.json", "names unknown participant 'artgent'"),
    ("no-such-file.json", "No such file or directory"),
])
def test_bad_input_gets_a_message_and_exit_status_2(name, message):
    result = run(str(FIXTURES / name))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("citycoop schedule: ")
    assert message in result.stderr
