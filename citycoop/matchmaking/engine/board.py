"""The scheduler's working state: which meeting sits in which slot, with an undo log.

Every change goes through ``place`` and ``remove``, which keep the per-participant agenda,
the bit masks and the table counts in step, and log the change so a search can try a chain
of moves and roll it back (``undo``) when the chain leads nowhere.
"""

from __future__ import annotations

from citycoop.matchmaking.engine.indexed import Indexed, gaps_in


class Board:
    def __init__(self, ix: Indexed) -> None:
        self.ix = ix
        slots = len(ix.slots)
        self.eu, self.ev, self.common, self.cap = ix.eu, ix.ev, ix.common, ix.cap
        self.at = [[-1] * slots for _ in range(ix.n)]  # meeting in each slot, per person
        self.busy = [0] * ix.n  # slots with a meeting, per participant
        self.deg = [0] * ix.n
        self.slot_of = [-1] * ix.m
        self.tables = list(ix.tables)
        self.used = [0] * slots
        self.in_slot: list[set[int]] = [set() for _ in range(slots)]
        self.room = sum(1 << t for t in range(slots) if self.tables[t] > 0)  # tables left
        self.locked = [False] * ix.m  # published meetings that must not move
        self.placed = 0
        self.log: list[tuple[int, int]] = []  # (meeting, slot it was in or -1 if placed)
        self.day_of_slot = [0] * slots
        for day in ix.days:
            for t in range(slots):
                if day >> t & 1:
                    self.day_of_slot[t] = day
        # Requests not placed yet, per participant: where the search looks for a next move.
        self.waiting: list[set[int]] = [set() for _ in range(ix.n)]
        for e in range(ix.m):
            if self.common[e]:
                self.waiting[self.eu[e]].add(e)
                self.waiting[self.ev[e]].add(e)

    def other(self, e: int, x: int) -> int:
        return self.eu[e] ^ self.ev[e] ^ x

    def place(self, e: int, t: int) -> None:
        u, v = self.eu[e], self.ev[e]
        bit = 1 << t
        self.slot_of[e] = t
        self.at[u][t] = e
        self.at[v][t] = e
        self.busy[u] |= bit
        self.busy[v] |= bit
        self.deg[u] += 1
        self.deg[v] += 1
        self.used[t] += 1
        self.in_slot[t].add(e)
        if self.used[t] >= self.tables[t]:
            self.room &= ~bit
        self.waiting[u].discard(e)
        self.waiting[v].discard(e)
        self.placed += 1
        self.log.append((e, -1))

    def remove(self, e: int) -> None:
        u, v = self.eu[e], self.ev[e]
        t = self.slot_of[e]
        bit = 1 << t
        self.slot_of[e] = -1
        self.at[u][t] = -1
        self.at[v][t] = -1
        self.busy[u] &= ~bit
        self.busy[v] &= ~bit
        self.deg[u] -= 1
        self.deg[v] -= 1
        self.used[t] -= 1
        self.in_slot[t].discard(e)
        self.room |= bit
        self.waiting[u].add(e)
        self.waiting[v].add(e)
        self.placed -= 1
        self.log.append((e, t))

    def move(self, e: int, t: int) -> None:
        self.remove(e)
        self.place(e, t)

    def undo(self, mark: int) -> None:
        """Roll back every change logged after ``mark`` (a length of the log)."""
        log = self.log
        while len(log) > mark:
            e, t = log.pop()
            if t < 0:
                self.remove(e)
            else:
                self.place(e, t)
            log.pop()  # the entry the rollback itself just logged

    def spare(self, x: int) -> bool:
        return self.deg[x] < self.cap[x]

    def free_for(self, e: int) -> int:
        """Slots where the meeting could go now, without moving anything."""
        u, v = self.eu[e], self.ev[e]
        if self.deg[u] >= self.cap[u] or self.deg[v] >= self.cap[v]:
            return 0
        return self.common[e] & ~self.busy[u] & ~self.busy[v] & self.room

    def gap_cost(self, x: int, t: int) -> int:
        """How many idle slots adding slot ``t`` to participant ``x``'s day would add."""
        day = self.day_of_slot[t]
        avail = self.ix.avail[x]
        before = self.busy[x] & day
        return gaps_in(before | 1 << t, avail, [day]) - gaps_in(before, avail, [day])

    def best_slot(self, e: int, free: int) -> int:
        """Among the free slots, the one that keeps both agendas compact, earliest first.

        Beside compactness, a slot next to a meeting the participant already has is
        preferred, so that agendas grow as blocks rather than from both ends."""
        u, v = self.eu[e], self.ev[e]
        best, best_key = -1, (1 << 30, 0, 0)
        bu, bv = self.busy[u], self.busy[v]
        while free:
            low = free & -free
            free ^= low
            t = low.bit_length() - 1
            near = low << 1 | low >> 1
            key = (self.gap_cost(u, t) + self.gap_cost(v, t),
                   -((bu & near) != 0) - ((bv & near) != 0), t)
            if key < best_key:
                best, best_key = t, key
        return best

    def gaps(self) -> int:
        ix = self.ix
        return sum(gaps_in(self.busy[x], ix.avail[x], ix.days) for x in range(ix.n))
