"""The scheduling instance and its result, and the contract's JSON in and out.

See ``docs/scheduling.md`` (shared contract) for the format. Parsing refuses every bad input
with an ``InstanceError`` whose message names the offending item, so the command can print
it as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Weights are priorities, small numbers; beyond this their sum over an event's meetings could
# pass the largest float, and the selection's linear programme cannot take infinity.
MAX_WEIGHT = 1_000_000_000


class InstanceError(ValueError):
    """The input is not a valid scheduling instance; the message says why."""


@dataclass(frozen=True)
class Participant:
    id: str
    available: tuple[str, ...]  # the slots when they are present, in slot order
    max_meetings: int | None = None


@dataclass(frozen=True)
class Meeting:
    a: str
    b: str
    weight: float = 1


@dataclass(frozen=True)
class Instance:
    slots: tuple[str, ...]
    tables: dict[str, int]  # tables in each slot
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]


@dataclass(frozen=True)
class Placement:
    a: str
    b: str
    slot: str
    table: int


@dataclass(frozen=True)
class Unplaced:
    a: str
    b: str
    reason: str


@dataclass
class Stats:
    requested: int
    scheduled: int
    weight: float
    upper_bound: int
    participants_with_meetings: int
    idle_gaps: int
    seconds: float


@dataclass
class Result:
    scheduled: list[Placement] = field(default_factory=list)
    unscheduled: list[Unplaced] = field(default_factory=list)
    stats: Stats | None = None


def parse_instance(obj: Any) -> Instance:
    """The instance described by the contract's JSON object, or ``InstanceError``."""
    if not isinstance(obj, dict):
        raise InstanceError("the instance must be a JSON object with slots, tables, "
                            "participants and meetings")
    for key in ("slots", "tables", "participants", "meetings"):
        if key not in obj:
            raise InstanceError(f"the instance has no {key!r}")
    slots = _parse_slots(obj["slots"])
    tables = _parse_tables(obj["tables"], slots)
    participants = _parse_participants(obj["participants"], slots)
    meetings = _parse_meetings(obj["meetings"], {p.id for p in participants})
    return Instance(slots=slots, tables=tables, participants=participants, meetings=meetings)


def _parse_slots(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise InstanceError("'slots' must be a non-empty list of slot ids")
    seen: set[str] = set()
    for slot in raw:
        if not isinstance(slot, str) or not slot:
            raise InstanceError(f"slot ids must be non-empty strings, not {slot!r}")
        if slot in seen:
            raise InstanceError(f"slot {slot!r} is listed twice")
        seen.add(slot)
    return tuple(raw)


def _table_count(value: Any, where: str) -> int:
    # bool is an int in Python; `"tables": true` is a mistake, not one table.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InstanceError(f"{where} must be a whole number, not {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise InstanceError(f"{where} must be a whole number, not {value!r}")
    if value < 0:
        raise InstanceError(f"{where} is negative ({value:g})")
    return int(value)


def _parse_tables(raw: Any, slots: tuple[str, ...]) -> dict[str, int]:
    if isinstance(raw, dict):
        for slot in raw:
            if slot not in slots:
                raise InstanceError(f"'tables' names unknown slot {slot!r}")
        missing = [slot for slot in slots if slot not in raw]
        if missing:
            raise InstanceError(f"'tables' gives no count for slot {missing[0]!r}")
        return {slot: _table_count(raw[slot], f"tables for slot {slot!r}") for slot in slots}
    count = _table_count(raw, "'tables'")
    return dict.fromkeys(slots, count)


def _parse_participants(raw: Any, slots: tuple[str, ...]) -> tuple[Participant, ...]:
    if not isinstance(raw, list):
        raise InstanceError("'participants' must be a list")
    known = set(slots)
    seen: set[str] = set()
    participants = []
    for item in raw:
        if not isinstance(item, dict):
            raise InstanceError(f"each participant must be an object, not {item!r}")
        pid = item.get("id")
        if not isinstance(pid, str) or not pid:
            raise InstanceError(f"a participant has no id (or not a string): {item!r}")
        if pid in seen:
            raise InstanceError(f"participant {pid!r} is listed twice")
        seen.add(pid)
        available = item.get("available")
        if available is None:
            present = slots
        else:
            if not isinstance(available, list):
                raise InstanceError(f"'available' of participant {pid!r} must be a list")
            for slot in available:
                if not isinstance(slot, str) or slot not in known:
                    raise InstanceError(f"participant {pid!r} is available in unknown "
                                        f"slot {slot!r}")
            wanted = set(available)
            present = tuple(slot for slot in slots if slot in wanted)
        cap = item.get("max_meetings")
        if cap is not None:
            cap = _table_count(cap, f"'max_meetings' of participant {pid!r}")
        participants.append(Participant(id=pid, available=present, max_meetings=cap))
    return tuple(participants)


def _parse_meetings(raw: Any, known: set[str]) -> tuple[Meeting, ...]:
    if not isinstance(raw, list):
        raise InstanceError("'meetings' must be a list")
    pairs: set[frozenset[str]] = set()
    meetings = []
    for item in raw:
        if not isinstance(item, dict):
            raise InstanceError(f"each meeting must be an object, not {item!r}")
        a, b = item.get("a"), item.get("b")
        for end in (a, b):
            if not isinstance(end, str):
                raise InstanceError(f"a meeting needs participant ids 'a' and 'b': {item!r}")
            if end not in known:
                raise InstanceError(f"meeting {a!r}-{b!r} names unknown participant {end!r}")
        assert isinstance(a, str) and isinstance(b, str)
        if a == b:
            raise InstanceError(f"meeting {a!r}-{b!r} pairs a participant with itself")
        pair = frozenset((a, b))
        if pair in pairs:
            raise InstanceError(f"meeting {a!r}-{b!r} is listed twice (in either order)")
        pairs.add(pair)
        weight = item.get("weight", 1)
        if (isinstance(weight, bool) or not isinstance(weight, int | float)
                or not 0 < weight <= MAX_WEIGHT):  # NaN, infinity and 10**400 fail here too
            raise InstanceError(f"meeting {a!r}-{b!r} has weight {weight!r}; "
                                f"a weight is a positive number up to {MAX_WEIGHT:,}")
        meetings.append(Meeting(a=a, b=b, weight=weight))
    return tuple(meetings)


def instance_to_json(instance: Instance) -> dict[str, Any]:
    """The contract's input JSON for an instance (used to write generated benchmarks)."""
    counts = set(instance.tables.values())
    tables: Any = counts.pop() if len(counts) == 1 else dict(instance.tables)
    participants: list[dict[str, Any]] = []
    for p in instance.participants:
        item: dict[str, Any] = {"id": p.id}
        if p.available != instance.slots:
            item["available"] = list(p.available)
        if p.max_meetings is not None:
            item["max_meetings"] = p.max_meetings
        participants.append(item)
    return {
        "slots": list(instance.slots),
        "tables": tables,
        "participants": participants,
        "meetings": [{"a": m.a, "b": m.b, "weight": m.weight} for m in instance.meetings],
    }


def result_to_json(result: Result) -> dict[str, Any]:
    """The contract's output JSON: scheduled, unscheduled (with reasons) and stats."""
    out: dict[str, Any] = {
        "scheduled": [{"a": p.a, "b": p.b, "slot": p.slot, "table": p.table}
                      for p in result.scheduled],
        "unscheduled": [{"a": u.a, "b": u.b, "reason": u.reason} for u in result.unscheduled],
    }
    if result.stats is not None:
        s = result.stats
        out["stats"] = {
            "requested": s.requested,
            "scheduled": s.scheduled,
            "weight": s.weight,
            "upper_bound": s.upper_bound,
            "participants_with_meetings": s.participants_with_meetings,
            "idle_gaps": s.idle_gaps,
            "seconds": s.seconds,
        }
    return out
