"""The independent validator finds every kind of broken schedule, each built by hand."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from citycoop.matchmaking.engine import (
    Placement,
    Result,
    Stats,
    Unplaced,
    parse_instance,
    schedule,
    validate,
)

INSTANCE = parse_instance({
    "slots": ["s1", "s2", "s3"],
    "tables": {"s1": 2, "s2": 2, "s3": 1},
    "participants": [
        {"id": "a", "max_meetings": 2},
        {"id": "b"},
        {"id": "c", "available": ["s1", "s2"]},
        {"id": "d"},
    ],
    "meetings": [
        {"a": "a", "b": "b"},
        {"a": "c", "b": "d"},
        {"a": "a", "b": "d"},
        {"a": "b", "b": "c"},
        {"a": "a", "b": "c"},
    ],
})


def valid() -> Result:
    return Result(
        scheduled=[
            Placement("a", "b", "s1", 1),
            Placement("c", "d", "s1", 2),
            Placement("a", "d", "s2", 1),
            Placement("b", "c", "s2", 2),
        ],
        unscheduled=[Unplaced("a", "c", "participant cap reached: a")],
        stats=Stats(requested=5, scheduled=4, weight=4, upper_bound=4,
                    participants_with_meetings=4, idle_gaps=0, seconds=0.0),
    )


def test_the_hand_made_schedule_is_valid():
    assert validate(INSTANCE, valid()) == []


def test_the_schedulers_own_result_is_valid():
    assert validate(INSTANCE, schedule(INSTANCE, time_limit=2)) == []


def swap(index: int, **changes: Any):
    def change(result: Result) -> None:
        result.scheduled[index] = Placement(**{**result.scheduled[index].__dict__, **changes})
    return change


def add(placement: Placement):
    def change(result: Result) -> None:
        result.scheduled.append(placement)
        if result.stats:
            result.stats.scheduled += 1
    return change


def drop_unscheduled(result: Result) -> None:
    result.unscheduled.clear()


def schedule_the_unscheduled_too(result: Result) -> None:
    # a-c in s3: a then has three meetings (cap 2), c is away in s3, and a-c is listed twice.
    add(Placement("a", "c", "s3", 1))(result)


def miscount(result: Result) -> None:
    assert result.stats is not None
    result.stats.scheduled = 3


BROKEN = {
    "a participant in two meetings at once": (
        swap(2, slot="s1", table=2), "a has 2 meetings in slot s1"),
    "a meeting when one side is away": (swap(1, slot="s3", table=1), "when c is not present"),
    "table 0": (swap(0, table=0), "at table 0"),
    "a table the slot does not have": (swap(2, slot="s3", table=2), "slot s3 has 1 table"),
    "one table twice in a slot": (swap(1, table=1), "table 1 is used 2 times in slot s1"),
    "a pair nobody requested": (add(Placement("b", "d", "s3", 1)), "b-d was not requested"),
    "a pair scheduled twice": (add(Placement("b", "a", "s3", 1)), "appears 2 times"),
    "over a cap, away, and listed twice": (schedule_the_unscheduled_too, "above their cap of 2"),
    "a requested pair missing": (drop_unscheduled, "a-c is neither scheduled nor unscheduled"),
    "an unknown slot": (swap(0, slot="s9"), "unknown slot 's9'"),
    "an unknown participant": (add(Placement("a", "zed", "s3", 1)), "unknown participant"),
    "stats that do not add up": (miscount, "the stats count 3 scheduled"),
    "an unscheduled meeting without a reason": (
        lambda r: r.unscheduled.__setitem__(0, Unplaced("a", "c", "")), "gives no reason"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_the_validator_catches(name):
    change, message = BROKEN[name]
    result = copy.deepcopy(valid())
    change(result)
    problems = validate(INSTANCE, result)
    assert any(message in problem for problem in problems), problems


def test_a_meeting_over_the_cap_away_and_listed_twice_gives_each_problem():
    result = copy.deepcopy(valid())
    schedule_the_unscheduled_too(result)
    problems = "\n".join(validate(INSTANCE, result))
    assert "a has 3 meetings, above their cap of 2" in problems
    assert "when c is not present" in problems
    assert "a-c appears 2 times" in problems
