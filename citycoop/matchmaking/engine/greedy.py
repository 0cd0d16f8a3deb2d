"""The first-fit greedy baseline the benchmark compares against: meetings by weight (highest
first, then input order), each in the first slot where both sides are present and free,
neither has reached their cap and a table is free."""

from __future__ import annotations

import time

from citycoop.matchmaking.engine.assemble import assemble
from citycoop.matchmaking.engine.bound import upper_bound
from citycoop.matchmaking.engine.indexed import index
from citycoop.matchmaking.engine.instance import Instance, Result


def first_fit(instance: Instance) -> Result:
    started = time.perf_counter()
    ix = index(instance)
    busy = [0] * ix.n
    deg = [0] * ix.n
    room = list(ix.tables)
    open_slots = sum(1 << t for t, tables in enumerate(room) if tables > 0)
    slot_of = [-1] * ix.m
    for e in sorted(range(ix.m), key=lambda e: -ix.weight[e]):  # sorted() is stable
        u, v = ix.eu[e], ix.ev[e]
        if deg[u] >= ix.cap[u] or deg[v] >= ix.cap[v]:
            continue
        free = ix.common[e] & ~busy[u] & ~busy[v] & open_slots
        if not free:
            continue
        t = (free & -free).bit_length() - 1
        slot_of[e] = t
        busy[u] |= 1 << t
        busy[v] |= 1 << t
        deg[u] += 1
        deg[v] += 1
        room[t] -= 1
        if not room[t]:
            open_slots &= ~(1 << t)
    return assemble(instance, ix, slot_of, upper_bound(ix).value, started)
