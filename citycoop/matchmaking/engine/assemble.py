"""Turns a slot per meeting into the contract's result: tables, reasons, stats.

Shared by citycoop's scheduler and the first-fit baseline so both are reported alike.
"""

from __future__ import annotations

import time

from citycoop.matchmaking.engine.indexed import Indexed, gaps_in
from citycoop.matchmaking.engine.instance import (
    Instance,
    Placement,
    Result,
    Stats,
    Unplaced,
)

NO_COMMON_SLOT = "no common free slot"
CAP_REACHED = "participant cap reached: {}"
NO_TABLE = "no table free"
OUT_OF_TIME = "not placed within the time limit"


def assemble(instance: Instance, ix: Indexed, slot_of: list[int], upper_bound: int,
             started: float, fixed_tables: dict[int, int] | None = None,
             cut_short: set[int] | None = None) -> Result:
    """The result for ``slot_of`` (a slot index per meeting, -1 when not placed).

    ``fixed_tables`` gives the table of meetings that must keep theirs (published ones);
    the others take the lowest free table of their slot, in input order. Meetings in
    ``cut_short`` were still being tried when the time limit stopped the search."""
    fixed_tables = fixed_tables or {}
    taken: list[set[int]] = [set() for _ in ix.slots]
    for e, table in fixed_tables.items():
        taken[slot_of[e]].add(table)
    next_free = [1] * len(ix.slots)
    busy = [0] * ix.n
    deg = [0] * ix.n
    scheduled: list[Placement] = []
    weight: float = 0
    for e, meeting in enumerate(instance.meetings):
        t = slot_of[e]
        if t < 0:
            continue
        if e in fixed_tables:
            table = fixed_tables[e]
        else:
            while next_free[t] in taken[t]:
                next_free[t] += 1
            table = next_free[t]
            taken[t].add(table)
        scheduled.append(Placement(meeting.a, meeting.b, ix.slots[t], table))
        weight += meeting.weight
        for v in (ix.eu[e], ix.ev[e]):
            busy[v] |= 1 << t
            deg[v] += 1

    full_slots = 0
    for t, tables in enumerate(ix.tables):
        if len(taken[t]) >= tables:
            full_slots |= 1 << t
    cut_short = cut_short or set()
    unscheduled = [
        Unplaced(meeting.a, meeting.b, OUT_OF_TIME if e in cut_short
                 else _reason(ix, e, busy, deg, full_slots))
        for e, meeting in enumerate(instance.meetings) if slot_of[e] < 0
    ]
    stats = Stats(
        requested=len(instance.meetings),
        scheduled=len(scheduled),
        weight=weight,
        upper_bound=upper_bound,
        participants_with_meetings=sum(1 for d in deg if d),
        idle_gaps=sum(gaps_in(busy[v], ix.avail[v], ix.days) for v in range(ix.n)),
        seconds=round(time.perf_counter() - started, 3),
    )
    return Result(scheduled=scheduled, unscheduled=unscheduled, stats=stats)


def _reason(ix: Indexed, e: int, busy: list[int], deg: list[int],
            full_slots: int) -> str:
    u, v = ix.eu[e], ix.ev[e]
    if not ix.common[e]:
        return NO_COMMON_SLOT
    for x in (u, v):
        if deg[x] >= ix.cap[x] and ix.cap[x] < ix.avail[x].bit_count():
            return CAP_REACHED.format(ix.ids[x])
    free = ix.common[e] & ~busy[u] & ~busy[v]
    if not free:
        return NO_COMMON_SLOT
    if not free & ~full_slots:
        return NO_TABLE
    return OUT_OF_TIME
