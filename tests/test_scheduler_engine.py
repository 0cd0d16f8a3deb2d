"""The meeting scheduler's engine on small hand-made events whose best schedule is known,
on every kind of bad input, on published meetings it must keep, and on fairness and idle
gaps compared with the first-fit baseline."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from citycoop.matchmaking.engine import (
    InstanceError,
    Placement,
    parse_instance,
    result_to_json,
    schedule,
    validate,
)
from citycoop.matchmaking.engine.generate import generate
from citycoop.matchmaking.engine.greedy import first_fit
from citycoop.matchmaking.engine.instance import instance_to_json
from citycoop.matchmaking.engine.metrics import fairness, idle_gaps

FIXTURES = Path(__file__).parent / "fixtures" / "scheduling"


def event(slots: list[str], people: list[dict[str, Any]], meetings: list[tuple[str, str, int]],
          tables: Any = 10) -> dict[str, Any]:
    return {
        "slots": slots,
        "tables": tables,
        "participants": people,
        "meetings": [{"a": a, "b": b, "weight": w} for a, b, w in meetings],
    }


def planned(obj: dict[str, Any], **options: Any) -> tuple[Any, Any]:
    instance = parse_instance(obj)
    result = schedule(instance, time_limit=5, **options)
    assert validate(instance, result) == []
    return instance, result


def slot_of(result: Any, a: str, b: str) -> str | None:
    for p in result.scheduled:
        if {p.a, p.b} == {a, b}:
            return p.slot
    return None


def test_three_people_who_all_want_to_meet_in_two_slots_get_two_meetings():
    # A triangle: any slot holds one meeting of the three, so two is the optimum, and the
    # bound knows it (the b-matching alone would allow three).
    _, result = planned(event(["s1", "s2"], [{"id": "a"}, {"id": "b"}, {"id": "c"}],
                              [("a", "b", 1), ("b", "c", 1), ("a", "c", 1)]))
    assert result.stats.scheduled == 2
    assert result.stats.upper_bound == 2
    assert [u.reason for u in result.unscheduled] == ["no common free slot"]


def test_it_moves_a_flexible_meeting_out_of_the_way_where_first_fit_does_not():
    # a and b can meet in either slot; c and d only in s1. First fit puts the heavy a-b in
    # s1 and loses both others; the optimum puts a-b in s2.
    obj = event(["s1", "s2"],
                [{"id": "a"}, {"id": "b"}, {"id": "c", "available": ["s1"]},
                 {"id": "d", "available": ["s1"]}],
                [("a", "b", 3), ("a", "c", 1), ("b", "d", 1)])
    instance, result = planned(obj)
    assert result.stats.scheduled == 3 == result.stats.upper_bound
    assert slot_of(result, "a", "b") == "s2"
    assert first_fit(instance).stats.scheduled == 1


def test_the_contracts_example_is_scheduled_in_the_only_common_slot():
    obj = event(["d1-09:00", "d1-09:30", "d1-10:00"],
                [{"id": "evotion", "available": ["d1-09:00", "d1-10:00"], "max_meetings": 6},
                 {"id": "artigent"}], [("evotion", "artigent", 3)], tables=30)
    obj["participants"][1]["available"] = ["d1-10:00"]
    _, result = planned(obj)
    assert result_to_json(result)["scheduled"] == [
        {"a": "evotion", "b": "artigent", "slot": "d1-10:00", "table": 1}]
    stats = result_to_json(result)["stats"]
    assert (stats["requested"], stats["scheduled"], stats["weight"], stats["upper_bound"],
            stats["participants_with_meetings"], stats["idle_gaps"]) == (1, 1, 3, 1, 2, 0)


def test_the_fixture_event_reaches_its_bound_and_explains_what_is_left_out():
    instance = parse_instance(json.loads((FIXTURES / "event.json").read_text()))
    result = schedule(instance, time_limit=5)
    assert validate(instance, result) == []
    assert result.stats.scheduled == result.stats.upper_bound == 6
    assert {u.reason for u in result.unscheduled} == {"no common free slot"}


def test_each_unscheduled_meeting_says_why():
    obj = event(["s1", "s2"],
                [{"id": "a", "available": ["s1"]}, {"id": "b", "available": ["s2"]},
                 {"id": "c", "max_meetings": 1}, {"id": "d"}, {"id": "e"},
                 {"id": "f", "available": ["s2"]}, {"id": "g", "available": ["s2"]}],
                [("a", "b", 1), ("c", "d", 2), ("c", "e", 1), ("f", "g", 1), ("d", "e", 1)],
                tables={"s1": 1, "s2": 1})
    _, result = planned(obj)
    reasons = {(u.a, u.b): u.reason for u in result.unscheduled}
    assert reasons[("a", "b")] == "no common free slot"
    assert "participant cap reached: c" in {reasons.get(("c", "d")), reasons.get(("c", "e"))}
    # s1 holds c-d, s2 holds d-e or f-g: one of the two finds no table.
    assert "no table free" in reasons.values()
    assert result.stats.scheduled == result.stats.upper_bound == 2


def test_first_fit_starves_a_participant_that_the_scheduler_serves():
    # a can have two meetings. First fit, heaviest first, gives them to b and c and leaves
    # d with nothing; b and c can still meet e and f, so d may take one of a's places.
    obj = event(["s1", "s2"],
                [{"id": x} for x in "abcdef"],
                [("a", "b", 3), ("a", "c", 3), ("a", "d", 1), ("b", "e", 1), ("c", "f", 1)])
    instance, result = planned(obj)
    assert result.stats.scheduled == result.stats.upper_bound == 4
    assert fairness(instance, first_fit(instance).scheduled).without_meeting == 1
    assert fairness(instance, result.scheduled).without_meeting == 0
    assert slot_of(result, "a", "d") is not None


def test_a_published_meeting_keeps_its_slot_and_table():
    obj = event(["s1", "s2", "s3"], [{"id": x} for x in "abcd"],
                [("a", "b", 1), ("c", "d", 1), ("a", "c", 1), ("b", "d", 1)], tables=3)
    published = [Placement("b", "a", "s3", 3), Placement("c", "d", "s2", 2)]
    _, result = planned(obj, keep=published)
    kept = {(p.a, p.b, p.slot, p.table) for p in result.scheduled}
    assert ("a", "b", "s3", 3) in kept
    assert ("c", "d", "s2", 2) in kept
    assert result.stats.scheduled == 4


def test_a_published_meeting_that_no_longer_fits_is_placed_again():
    obj = event(["s1", "s2"], [{"id": "a", "available": ["s1"]}, {"id": "b"}],
                [("a", "b", 1)], tables=1)
    stale = [Placement("a", "b", "s2", 1),  # a is no longer there in s2
             Placement("a", "x", "s1", 1)]  # x no longer takes part
    _, result = planned(obj, keep=stale)
    assert [(p.slot, p.table) for p in result.scheduled] == [("s1", 1)]


def test_two_published_meetings_at_one_table_keep_the_slot_and_one_moves_table():
    obj = event(["s1"], [{"id": x} for x in "abcd"], [("a", "b", 1), ("c", "d", 1)], tables=2)
    _, result = planned(obj, keep=[Placement("a", "b", "s1", 1), Placement("c", "d", "s1", 1)])
    assert sorted((p.a, p.slot, p.table) for p in result.scheduled) == [
        ("a", "s1", 1), ("c", "s1", 2)]


def test_a_tiny_time_limit_still_gives_a_full_valid_schedule_and_says_what_it_cut_short():
    instance = generate("S", "open")
    result = schedule(instance, time_limit=1e-6)
    assert validate(instance, result) == []
    assert result.stats.scheduled > first_fit(instance).stats.scheduled
    assert "not placed within the time limit" in {u.reason for u in result.unscheduled}


def test_an_instance_written_as_json_reads_back_the_same():
    instance = generate("S", "buyer-seller", seed=2)
    assert parse_instance(json.loads(json.dumps(instance_to_json(instance)))) == instance


def test_the_same_seed_gives_the_same_schedule():
    instance = generate("S", "open", seed=3)
    first = result_to_json(schedule(instance, seed=7))
    second = result_to_json(schedule(instance, seed=7))
    for result in (first, second):
        del result["stats"]["seconds"]
    assert first == second


@pytest.mark.parametrize("kind", ["open", "buyer-seller"])
def test_agendas_have_fewer_idle_gaps_than_first_fit(kind):
    instance = generate("S", kind)
    ours = schedule(instance, time_limit=5)
    greedy = first_fit(instance)
    assert ours.stats.idle_gaps == sum(idle_gaps(instance, ours.scheduled).values())
    assert ours.stats.idle_gaps <= greedy.stats.idle_gaps
    # ...while placing more meetings, each a chance for a gap
    assert ours.stats.scheduled > greedy.stats.scheduled


def test_a_slot_away_is_not_an_idle_gap_and_days_are_counted_apart():
    obj = event(["d1-09", "d1-10", "d1-11", "d2-09", "d2-10"],
                [{"id": "a", "available": ["d1-09", "d1-11", "d2-09", "d2-10"]},
                 {"id": "b", "available": ["d1-09"]}, {"id": "c", "available": ["d1-11"]},
                 {"id": "d", "available": ["d2-10"]}],
                [("a", "b", 1), ("a", "c", 1), ("a", "d", 1)])
    _, result = planned(obj)
    assert result.stats.scheduled == 3
    assert result.stats.idle_gaps == 0  # a is away at d1-10; the days are not joined


GOOD = event(["s1", "s2"], [{"id": "a", "available": ["s1"], "max_meetings": 1}, {"id": "b"}],
             [("a", "b", 2)], tables={"s1": 1, "s2": 0})


def broken(change: Any) -> dict[str, Any]:
    obj = copy.deepcopy(GOOD)
    change(obj)
    return obj


BAD_INPUTS = {
    "unknown participant": (
        lambda o: o["meetings"].append({"a": "a", "b": "zed"}), "unknown participant 'zed'"),
    "pair with itself": (
        lambda o: o["meetings"].append({"a": "b", "b": "b"}), "with itself"),
    "duplicate pair, reversed": (
        lambda o: o["meetings"].append({"a": "b", "b": "a"}), "listed twice"),
    "unknown slot": (
        lambda o: o["participants"][1].update(available=["s9"]), "unknown slot 's9'"),
    "negative tables": (lambda o: o.update(tables=-1), "negative"),
    "negative tables in a slot": (
        lambda o: o["tables"].update(s2=-3), "tables for slot 's2' is negative"),
    "tables without a slot": (
        lambda o: o["tables"].pop("s2"), "no count for slot 's2'"),
    "tables for an unknown slot": (
        lambda o: o["tables"].update(s7=1), "unknown slot 's7'"),
    "tables not a number": (lambda o: o.update(tables="many"), "whole number"),
    "fractional tables": (lambda o: o.update(tables=2.5), "whole number"),
    "slots not a list": (lambda o: o.update(slots="s1"), "'slots' must be"),
    "slot listed twice": (lambda o: o.update(slots=["s1", "s1"]), "listed twice"),
    "participants not a list": (lambda o: o.update(participants={}), "must be a list"),
    "participant listed twice": (
        lambda o: o["participants"].append({"id": "a"}), "participant 'a' is listed twice"),
    "participant without id": (lambda o: o["participants"].append({}), "no id"),
    "available not a list": (
        lambda o: o["participants"][0].update(available="s1"), "must be a list"),
    "negative cap": (
        lambda o: o["participants"][0].update(max_meetings=-1), "negative"),
    "weight not a number": (lambda o: o["meetings"][0].update(weight="high"), "weight"),
    "weight zero": (lambda o: o["meetings"][0].update(weight=0), "positive number"),
    "meeting without b": (lambda o: o["meetings"][0].pop("b"), "'a' and 'b'"),
    "meetings missing": (lambda o: o.pop("meetings"), "no 'meetings'"),
}


def test_the_good_instance_is_accepted():
    instance = parse_instance(GOOD)
    assert instance.tables == {"s1": 1, "s2": 0}
    assert instance.participants[1].available == ("s1", "s2")
    assert instance.meetings[0].weight == 2


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_refused_with_a_message_that_names_the_problem(name):
    change, message = BAD_INPUTS[name]
    with pytest.raises(InstanceError, match=message.replace("(", r"\(")):
        parse_instance(broken(change))


def test_an_instance_that_is_not_an_object_is_refused():
    with pytest.raises(InstanceError, match="JSON object"):
        parse_instance([1, 2])
