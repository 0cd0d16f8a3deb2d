"""An independent check of a schedule against its instance.

Written apart from the scheduler, on the ids and slot names of the contract rather than the
scheduler's indices and bit masks, so a bug in the scheduler's bookkeeping cannot hide
itself here. Used by the tests and the benchmark on every schedule, ours or not.
"""

from __future__ import annotations

from collections import Counter

from citycoop.matchmaking.engine.instance import Instance, Result


def validate(instance: Instance, result: Result) -> list[str]:
    """The problems with ``result``, one sentence each; an empty list means it is valid."""
    problems: list[str] = []
    people = {p.id: p for p in instance.participants}
    requested = {frozenset((m.a, m.b)) for m in instance.meetings}
    seen_pairs: Counter[frozenset[str]] = Counter()
    seats: dict[tuple[str, str], int] = {}  # (participant, slot) -> meetings there
    tables_used: dict[tuple[str, int], int] = {}  # (slot, table) -> meetings there
    meetings_of: Counter[str] = Counter()

    for item in result.scheduled:
        name = f"meeting {item.a}-{item.b}"
        pair = frozenset((item.a, item.b))
        if pair not in requested:
            problems.append(f"{name} was not requested")
        seen_pairs[pair] += 1
        if item.slot not in instance.tables:
            problems.append(f"{name} is in unknown slot {item.slot!r}")
            continue
        tables = instance.tables[item.slot]
        if not 1 <= item.table <= tables:
            problems.append(f"{name} is at table {item.table} but slot {item.slot} has "
                            f"{tables} table{'' if tables == 1 else 's'}")
        tables_used[(item.slot, item.table)] = tables_used.get((item.slot, item.table), 0) + 1
        for pid in (item.a, item.b):
            person = people.get(pid)
            if person is None:
                problems.append(f"{name} names unknown participant {pid!r}")
                continue
            if item.slot not in person.available:
                problems.append(f"{name} is in slot {item.slot}, when {pid} is not present")
            seats[(pid, item.slot)] = seats.get((pid, item.slot), 0) + 1
            meetings_of[pid] += 1

    for (pid, slot), count in seats.items():
        if count > 1:
            problems.append(f"{pid} has {count} meetings in slot {slot}")
    for (slot, table), count in tables_used.items():
        if count > 1:
            problems.append(f"table {table} is used {count} times in slot {slot}")
    for pid, count in meetings_of.items():
        cap = people[pid].max_meetings
        if cap is not None and count > cap:
            problems.append(f"{pid} has {count} meetings, above their cap of {cap}")

    for left in result.unscheduled:
        pair = frozenset((left.a, left.b))
        if pair not in requested:
            problems.append(f"unscheduled meeting {left.a}-{left.b} was not requested")
        if not left.reason:
            problems.append(f"unscheduled meeting {left.a}-{left.b} gives no reason")
        seen_pairs[pair] += 1
    for pair, count in seen_pairs.items():
        if count > 1 and pair in requested:
            a, b = sorted(pair)
            problems.append(f"meeting {a}-{b} appears {count} times in the result")
    for meeting in instance.meetings:
        if frozenset((meeting.a, meeting.b)) not in seen_pairs:
            problems.append(f"meeting {meeting.a}-{meeting.b} is neither scheduled nor "
                            "unscheduled")
    stats = result.stats
    if stats is not None and (stats.scheduled != len(result.scheduled)
                              or stats.requested != len(instance.meetings)):
        problems.append(f"the stats count {stats.scheduled} scheduled of {stats.requested} "
                        f"requested, the result has {len(result.scheduled)} of "
                        f"{len(instance.meetings)}")
    return problems
