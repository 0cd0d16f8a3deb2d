"""Fuzzing the meeting scheduler's input: `citycoop schedule` reads mutated and generated JSON
instances (missing keys, wrong types, negative or huge numbers, duplicate ids, unicode,
damaged bytes) and either refuses them with a message and exit status 2, or prints a schedule
that the project's own validator (engine/validate.py) finds valid for that instance.

Bounded here (a few hundred inputs from fixed seeds); bench/fuzz.py runs 10,000."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management import call_command

from citycoop.matchmaking.engine import (
    Placement,
    Result,
    Stats,
    Unplaced,
    parse_instance,
    validate,
)
from citycoop.matchmaking.engine.generate import Spec, generate_spec
from citycoop.matchmaking.engine.instance import instance_to_json
from citycoop.matchmaking.management.commands.schedule import read_json
from tests.fuzzing import (
    ACCEPTED,
    BYTE_MUTATORS,
    CRASH,
    ODD,
    REFUSED,
    Tally,
    run_hypothesis,
    splice,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scheduling"
TIME_LIMIT = "0.5"  # seconds of improvement per instance: they are small
Odd = object()      # a marker: "leave this key out"


def corpus() -> list[Any]:
    """The contract's example event and small generated ones of both kinds."""
    seeds = [json.loads((FIXTURES / "event.json").read_text())]
    for kind in ("open", "buyer-seller"):
        for seed in range(3):
            seeds.append(instance_to_json(generate_spec(Spec(12, 30, 6, 4, kind, seed))))
    return seeds


# -- the check ---------------------------------------------------------------------------------

def run_schedule(data: bytes, folder: Path) -> tuple[int, str, str]:
    """`citycoop schedule FILE`: its exit status, output and error output."""
    path = folder / "instance.json"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    status = 0
    with contextlib.redirect_stderr(err):
        try:
            call_command("schedule", str(path), "--time-limit", TIME_LIMIT, stdout=out)
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else 1
    return status, out.getvalue(), err.getvalue()


def check_schedule(data: bytes, folder: Path) -> str | tuple[str, str]:
    status, out, err = run_schedule(data, folder)
    if status == 2:
        message = err.strip()
        if not message.startswith("citycoop schedule: ") or "\n" in message:
            return CRASH, f"refused without a one-line message: {err!r}"
        return REFUSED
    if status != 0:
        return CRASH, f"exit status {status}: {err[-500:]}"
    instance = parse_instance(read_json(folder / "instance.json"))  # as the command read it
    problems = validate(instance, result_of(json.loads(out)))
    if problems:
        return CRASH, f"an invalid schedule: {problems[:5]}"
    return ACCEPTED


def result_of(output: dict[str, Any]) -> Result:
    """The command's output read back into the engine's Result, for the validator."""
    stats = output.get("stats")
    return Result(scheduled=[Placement(**item) for item in output["scheduled"]],
                  unscheduled=[Unplaced(**item) for item in output["unscheduled"]],
                  stats=Stats(**stats) if stats else None)


# -- mutations -----------------------------------------------------------------------------------

def odd_value(rng: random.Random, instance: Any) -> Any:
    """Any JSON value, often the wrong type or size for where it goes."""
    pick = rng.randrange(14)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice([True, False])
    if pick == 2:
        return rng.choice([0, -1, 1, 2, 10**6, 10**18, 2**64, -(10**30), 10**400])
    if pick == 3:
        return rng.choice([0.5, -0.0, 1e308, -2.5, 1e-320, math.inf, -math.inf, math.nan, 3.0])
    if pick == 4:
        return "".join(rng.choice([*ODD, "d1-09:00", "a", "-", " "])
                       for _ in range(rng.randint(0, 6)))
    if pick == 5:
        return []
    if pick == 6:
        return {}
    if pick == 7:
        return [odd_value(rng, instance) for _ in range(rng.randint(1, 3))]
    if pick == 8:
        inner = odd_value(rng, instance)
        return {} if inner is Odd else {"id": inner}
    if pick == 9:
        return Odd
    return copy.deepcopy(rng.choice(list(values_in(instance))))  # a value from elsewhere


def values_in(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from values_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from values_in(value)


def drop_markers(node: Any) -> Any:
    """The instance without the "leave it out" markers nested inside drawn values."""
    if isinstance(node, dict):
        return {key: drop_markers(value) for key, value in node.items() if value is not Odd}
    if isinstance(node, list):
        return [drop_markers(value) for value in node if value is not Odd]
    return node


def mutate_tree(rng: random.Random, instance: Any) -> None:
    """One change inside the instance: a count or weight changed (often still valid), a value
    replaced or removed, an item repeated, dropped or moved, lists reordered, a key renamed."""
    numbers = [(node, key) for node in containers(instance)
               for key in (node if isinstance(node, dict) else range(len(node)))
               if isinstance(node[key], int | float) and not isinstance(node[key], bool)]
    if numbers and rng.random() < 0.35:
        node, key = rng.choice(numbers)
        old = node[key]
        node[key] = rng.choice([0, 1, 2, 3, old + 1, old - 1, old * 10, 10**6, 0.5, 2.0, -old])
        return
    places = containers(instance)
    if not places:
        return
    node = rng.choice(places)
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    key = rng.choice(keys)
    action = rng.randrange(6)
    if action <= 1:
        value = odd_value(rng, instance)
        if value is Odd:
            del node[key]
        else:
            node[key] = value
    elif action == 2 and isinstance(node, list):
        node.insert(rng.randrange(len(node) + 1), copy.deepcopy(node[key]))  # a duplicate
    elif action == 3 and isinstance(node, list):
        del node[key]
    elif action == 4 and isinstance(node, list):
        rng.shuffle(node)
    elif isinstance(node, dict):
        node[rng.choice(["", "Slots", "id ", "weight", "a", "b", "tables", "available"])] = \
            node.pop(key)


def containers(node: Any) -> list[Any]:
    return [value for value in values_in(node) if isinstance(value, dict | list) and value]


def serialise(rng: random.Random, instance: Any) -> bytes:
    text = json.dumps(drop_markers(instance), ensure_ascii=rng.random() < 0.5,
                      indent=rng.choice([None, 2]), allow_nan=True)
    codec = rng.choices(["utf-8", "utf-16", "latin-1"], [18, 1, 1])[0]
    if codec == "latin-1":
        return text.encode(codec, "replace")
    return text.encode(codec, "surrogatepass")


def mutate_instance(rng: random.Random, seeds: list[Any]) -> tuple[bytes, str]:
    instance = copy.deepcopy(rng.choice(seeds))
    kind = rng.random()
    if kind < 0.03:
        depth = rng.choice([100, 5_000, 200_000])
        return (b"[" * depth + b"]" * depth), f"nested {depth} deep"
    steps = rng.choice([1, 1, 2, 3, 6])
    for _ in range(steps):
        mutate_tree(rng, instance)
    data = serialise(rng, instance)
    if kind > 0.85:
        mutator = rng.choice(BYTE_MUTATORS)
        return mutator(rng, data), f"{steps} changes+{mutator.__name__}"
    if kind > 0.8:
        return splice(rng, data, serialise(rng, rng.choice(seeds))), f"{steps} changes+splice"
    return data, f"{steps} changes"


def instance_strategy() -> Any:
    """Hypothesis's instances: well-formed in shape, with ids, slots, counts and weights
    drawn freely (duplicates, unknown ids, negatives, unicode), and plain JSON values."""
    from hypothesis import strategies as st

    ids = st.one_of(st.sampled_from(["a", "b", "c", "d", "é", "中", ""]), st.text(max_size=4))
    slots = st.lists(st.one_of(st.sampled_from(["d1-09:00", "d1-09:30", "d2-09:00", "x"]),
                               st.text(max_size=3)), max_size=6)
    count = st.one_of(st.integers(-3, 12), st.floats(allow_nan=True), st.integers(),
                      st.booleans(), st.none(), st.text(max_size=2))
    participant = st.fixed_dictionaries(
        {"id": ids}, optional={"available": slots, "max_meetings": count})
    meeting = st.fixed_dictionaries({"a": ids, "b": ids}, optional={"weight": count})
    instance = st.fixed_dictionaries({
        "slots": slots, "tables": st.one_of(count, st.dictionaries(st.text(max_size=8), count)),
        "participants": st.lists(participant, max_size=8),
        "meetings": st.lists(meeting, max_size=20)})
    anything = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                            max_leaves=20)
    return st.one_of(instance, instance, instance, anything).map(
        lambda value: json.dumps(value, ensure_ascii=False, allow_nan=True).encode(
            "utf-8", "surrogatepass"))


def fuzz_scheduler(tally: Tally, *, mutated: int, generated: int, seed: int,
                   progress: Any = None) -> Tally:
    rng = random.Random(seed)
    seeds = corpus()
    tally.report_to(progress, mutated + generated)
    with tempfile.TemporaryDirectory(prefix="citycoop-fuzz-") as name:
        folder = Path(name)

        def check(data: bytes) -> str | tuple[str, str]:
            return check_schedule(data, folder)

        for _ in range(mutated):
            data, origin = mutate_instance(rng, seeds)
            tally.run(check, data, origin)

        def each(data: bytes) -> None:
            tally.run(check, data, "hypothesis")

        run_hypothesis(instance_strategy(), each, examples=generated, seed=seed)
    return tally


def test_mutated_and_generated_instances_are_refused_with_a_message_or_scheduled_validly():
    tally = fuzz_scheduler(Tally("scheduler input", limit=30), mutated=400, generated=200,
                           seed=3)
    assert not tally.findings, tally.faults()
    assert tally.counts[REFUSED] > 100 and tally.counts[ACCEPTED] > 50, tally.counts


def test_the_example_event_is_scheduled_validly_and_a_broken_one_refused(tmp_path):
    example = json.loads((FIXTURES / "event.json").read_text())
    assert check_schedule(json.dumps(example).encode(), tmp_path) == ACCEPTED
    example["meetings"].append({"a": "artigent", "b": "evotion"})  # a pair listed twice
    assert check_schedule(json.dumps(example).encode(), tmp_path) == REFUSED
