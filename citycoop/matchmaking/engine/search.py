"""Adding one more meeting to a schedule by moving others: Kempe chains and ejection chains.

A request that fits nowhere as things stand often fits after a few meetings move:

- Kempe chain: ``u`` is free in slot ``t1`` and ``v`` in ``t2``. Swapping ``t1`` and ``t2``
  along the path of meetings that alternate between the two slots, starting at ``v``,
  frees ``v`` in ``t1`` for the new meeting (classic edge-colouring repair; here every
  moved meeting must also suit both its sides' presence, and the rooms' tables).
- Ejection chain: put the meeting in a slot where one side is busy (or at their cap, or
  where no table is left), take out the one meeting in the way, and place that one (or
  another request of the person it freed) the same way, up to a depth. This also finds
  the augmenting paths of b-matching, where a popular participant swaps one partner for
  another so that a third one can be served.

Each attempt runs on the board's undo log: it either ends with one more meeting placed and
none lost, or leaves the board exactly as it was.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from citycoop.matchmaking.engine.board import Board
from citycoop.matchmaking.engine.indexed import bits

KEMPE_PATH_LIMIT = 60  # longer chains are rare and costly to swap
TABLE_CANDIDATES = 3  # meetings tried for eviction when a slot has no table left
REFILL_CANDIDATES = 4  # other requests tried at a participant an ejection freed
KEMPE_SLOTS = 2  # free slots tried for a Kempe swap that clears a slot


class Search:
    def __init__(self, board: Board, rng: random.Random) -> None:
        self.board = board
        self.rng = rng
        self.budget = 0
        self.spent = 0  # search nodes visited in all, a measure of effort that needs no clock
        self.chain: set[int] = set()  # meetings this attempt placed: not to be moved again
        # In fairness mode a chain may end by dropping its last ejected meeting, when this
        # says that losing it is acceptable.
        self.drop_ok: Callable[[int], bool] | None = None
        # Guidance from ``label`` (all zero: none): how far each participant is from the end
        # of an augmenting path once they have room, and through a full participant.
        self.dist = [0] * board.ix.n
        self.via = [0] * board.ix.n

    def label(self) -> int:
        """Label participants by how many insertions an augmenting path needs from them.

        An augmenting path (b-matching sense) starts at a participant with room, adds a
        request to someone full, who gives up one meeting, whose other side now has room
        and adds a request, and so on until a request reaches someone with room. A
        breadth-first search backwards from the participants with room gives each
        participant ``dist``: the fewest insertions from them (once they have room) to the
        end, and ``via``: the same through a full participant. Slots are ignored, so the
        labels are optimistic: a request whose full side has no finite ``via`` cannot be
        part of any schedule with one more meeting. Returns how many requests could still
        start a path."""
        board = self.board
        n = board.ix.n
        far = n + 1
        dist = [far] * n
        via = [far] * n
        frontier = []
        for t in range(n):
            if board.spare(t):
                for e in board.waiting[t]:
                    x = board.other(e, t)
                    if dist[x] > 1:
                        dist[x] = 1
                        frontier.append(x)
        level = 1
        while frontier:
            following = []
            for z in frontier:
                for f in board.at[z]:
                    if f < 0 or board.locked[f]:
                        continue
                    y = board.other(f, z)
                    if board.spare(y) or via[y] <= level:
                        continue
                    via[y] = level
                    for e in board.waiting[y]:
                        x = board.other(e, y)
                        if x != z and dist[x] > level + 1:
                            dist[x] = level + 1
                            following.append(x)
            frontier = following
            level += 1
        self.dist, self.via = dist, via
        starts = 0
        for s in range(n):
            if board.spare(s):
                for e in board.waiting[s]:
                    y = board.other(e, s)
                    if board.spare(y) or via[y] < far:
                        starts += 1
        return starts

    def promising(self, e: int) -> bool:
        """Whether the labels leave a chance that placing ``e`` raises the count."""
        board = self.board
        u, v = board.eu[e], board.ev[e]
        su, sv = board.spare(u), board.spare(v)
        far = board.ix.n + 1
        return (su and sv) or (su and self.via[v] < far) or (sv and self.via[u] < far)

    def insert(self, e: int, depth: int, budget: int = 400) -> bool:
        """Place meeting ``e`` with at most ``depth`` ejections; the board is unchanged if
        this returns False."""
        board = self.board
        mark = len(board.log)
        self.budget = budget
        self.chain.clear()
        if self._augment(e, depth):
            del board.log[mark:]
            return True
        board.undo(mark)
        return False

    def shake(self, e: int) -> bool:
        """Place ``e`` by taking out one meeting in its way and leaving that one out.

        The count stays the same but the room left in the schedule moves to another
        participant; when the search is stuck, a few such steps let the places with room
        wander until two of them can be joined by a chain. Meetings of lower weight are
        preferred for taking out."""
        board = self.board
        self.chain.clear()
        u, v = board.eu[e], board.ev[e]
        options = [o for o in self._all_ejections(e, board.spare(u), board.spare(v))
                   if o[2] < 0]
        if not options:
            return False
        weight = board.ix.weight
        t, f, _, _ = min(self.rng.sample(options, min(3, len(options))),
                         key=lambda o: weight[o[1]])
        board.remove(f)
        board.place(e, t)
        board.log.clear()
        return True

    def _augment(self, e: int, depth: int) -> bool:
        self.budget -= 1
        self.spent += 1
        if self.budget < 0:
            return False
        board = self.board
        free = board.free_for(e)
        if free:
            board.place(e, board.best_slot(e, free))
            self.chain.add(e)
            return True
        u, v = board.eu[e], board.ev[e]
        su, sv = board.spare(u), board.spare(v)
        if su and sv and self._kempe(e):
            self.chain.add(e)
            return True
        if depth <= 0:
            return False
        for t, f, side, t2 in self._ejections(e, su, sv):
            mark = len(board.log)
            if side >= 0 and not self._recolour(side, t, t2, board.other(e, side), 0):
                continue
            board.remove(f)
            board.place(e, t)
            self.chain.add(e)
            if self._refill(f, e, depth - 1):
                return True
            board.undo(mark)
            self.chain.discard(e)
            if self.budget < 0:
                return False
        return False

    def _refill(self, f: int, e: int, depth: int) -> bool:
        """After ``f`` made way for ``e``: place ``f`` again, or another request of a
        participant who lost ``f`` and so has room now, or (fairness mode) let ``f`` go."""
        board = self.board
        if self._augment(f, depth):
            return True
        if self.drop_ok is not None and self.drop_ok(f):
            return True
        ends = {board.eu[e], board.ev[e]}
        for x in (board.eu[f], board.ev[f]):
            if x in ends or not board.spare(x):
                continue  # x got e in exchange for f: no room gained
            waiting = [g for g in board.waiting[x] if g != f and g not in self.chain]
            self.rng.shuffle(waiting)
            waiting.sort(key=lambda g: 0 if board.spare(board.other(g, x))
                         else self.via[board.other(g, x)])
            del waiting[REFILL_CANDIDATES:]
            for g in waiting:
                if self._augment(g, depth):
                    return True
                if self.budget < 0:
                    return False
        return False

    def _movable(self, f: int) -> bool:
        return not self.board.locked[f] and f not in self.chain

    def _ejections(self, e: int, su: bool, sv: bool) -> list[tuple[int, int, int, int]]:
        """Ways to make room for ``e`` in a slot ``t`` with one ejection: (``t``, meeting
        to take out, participant to move out of ``t`` by a Kempe swap with slot ``t2`` or
        -1, ``t2``), the most promising first: those whose ejected meeting frees someone
        close to the end of an augmenting path."""
        options = list(self._all_ejections(e, su, sv))
        board, dist = self.board, self.dist
        ends = (board.eu[e], board.ev[e])

        def closeness(option: tuple[int, int, int, int]) -> int:
            f = option[1]
            return min(dist[x] for x in (board.eu[f], board.ev[f]) if x not in ends) \
                if board.eu[f] not in ends or board.ev[f] not in ends else 0

        options.sort(key=closeness)
        return options

    def _all_ejections(self, e: int, su: bool,
                       sv: bool) -> Iterator[tuple[int, int, int, int]]:
        board = self.board
        u, v = board.eu[e], board.ev[e]
        avail = board.ix.avail
        slots = [t for t in range(len(board.tables)) if board.common[e] >> t & 1]
        self.rng.shuffle(slots)
        for t in slots:
            fu, fv = board.at[u][t], board.at[v][t]
            if fu >= 0 and fv >= 0:
                # Both busy: take out one side's meeting, and move the other side's away
                # by a Kempe swap with one of their free slots (which keeps the count).
                for f, side, side_spare in ((fu, v, sv), (fv, u, su)):
                    free = avail[side] & ~board.busy[side]
                    if side_spare and free and self._movable(f):
                        for t2 in self.rng.sample(bits(free), min(KEMPE_SLOTS,
                                                                  free.bit_count())):
                            yield t, f, side, t2
            elif fu >= 0 or fv >= 0:
                f, other_spare = (fu, sv) if fu >= 0 else (fv, su)
                if other_spare and self._movable(f):
                    yield t, f, -1, -1
            elif su and sv:  # both free but no table left: evict another meeting
                if board.room >> t & 1:
                    continue
                others = [g for g in board.in_slot[t] if self._movable(g)]
                for g in self.rng.sample(others, min(TABLE_CANDIDATES, len(others))):
                    yield t, g, -1, -1
            elif (su or sv) and board.room >> t & 1:
                full = v if su else u  # at their meeting cap: give up one of theirs
                for g in board.at[full]:
                    if g >= 0 and self._movable(g):
                        yield t, g, -1, -1

    def _kempe(self, e: int) -> bool:
        """Place ``e`` after one Kempe swap: one side is free in ``t1``, the other is moved
        out of ``t1`` into one of its free slots ``t2``."""
        board = self.board
        u, v = board.eu[e], board.ev[e]
        avail = board.ix.avail
        common = board.common[e]
        for x, y in ((u, v), (v, u)):
            slots1 = common & ~board.busy[x] & board.busy[y]
            slots2 = avail[y] & ~board.busy[y]
            while slots1:
                low = slots1 & -slots1
                slots1 ^= low
                t1 = low.bit_length() - 1
                rest = slots2
                while rest:
                    low2 = rest & -rest
                    rest ^= low2
                    if self._recolour(y, t1, low2.bit_length() - 1, x, 1):
                        board.place(e, t1)
                        return True
        return False

    def _recolour(self, start: int, t1: int, t2: int, forbid: int, extra: int) -> bool:
        """Free ``start`` in slot ``t1`` by swapping ``t1`` and ``t2`` along the path of
        meetings that alternate between them from ``start`` (who must be free in ``t2``).

        Fails, changing nothing, if a meeting on the path cannot use its new slot, is
        locked, the path reaches ``forbid`` (whose agenda must not change), or the tables
        would not suffice with ``extra`` more meetings coming to ``t1``."""
        board = self.board
        at, common = board.at, board.common
        path: list[int] = []
        here, slot, other = start, t1, t2
        while True:
            f = at[here][slot]
            if f < 0:
                break
            if not common[f] >> other & 1 or not self._movable(f) \
                    or len(path) >= KEMPE_PATH_LIMIT:
                return False
            path.append(f)
            here = board.other(f, here)
            if here == forbid:
                return False
            slot, other = other, slot
        in_t1 = (len(path) + 1) // 2  # the path alternates t1, t2, t1, ...
        in_t2 = len(path) - in_t1
        used, tables = board.used, board.tables
        if used[t1] - in_t1 + in_t2 + extra > tables[t1] \
                or used[t2] - in_t2 + in_t1 > tables[t2]:
            return False
        for f in path:
            board.remove(f)
        for k, f in enumerate(path):
            board.place(f, t2 if k % 2 == 0 else t1)
        return True
