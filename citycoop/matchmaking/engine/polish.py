"""Moves that keep the number of meetings but make the schedule fairer, weightier and more
compact.

- Fairness: a participant with no meeting, or fewer than half of what they could have, gets
  one more by taking a place from someone who stays at or above half of theirs.
- Weight: a waiting request of higher priority takes the place of a lower one, on the same
  terms.
- Compactness: a meeting moves to another slot, or two meetings of one participant swap
  slots, when that leaves fewer idle slots in the agendas concerned.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from citycoop.matchmaking.engine.board import Board
from citycoop.matchmaking.engine.indexed import gaps_in
from citycoop.matchmaking.engine.search import Search

FAIR_DEPTH = 3


def possible(board: Board) -> list[int]:
    """What each participant could have on their own (as ``metrics.possible_meetings``)."""
    ix = board.ix
    pairs = [0] * ix.n
    for e in range(ix.m):
        if ix.common[e]:
            pairs[ix.eu[e]] += 1
            pairs[ix.ev[e]] += 1
    return [min(c, p) for c, p in zip(ix.cap, pairs, strict=True)]


def fairness(board: Board, search: Search, deadline: float) -> None:
    """Raise the least-served participants, then the weight, without losing a meeting."""
    most = possible(board)
    deg = board.deg

    def poor(x: int) -> bool:
        return most[x] > 0 and (deg[x] == 0 or 2 * deg[x] < most[x])

    def can_lose(f: int) -> bool:
        # Asked once f is already out: both its sides must still have a meeting and at
        # least half of what they could have.
        return all(deg[x] >= 1 and 2 * deg[x] >= most[x] for x in (board.eu[f], board.ev[f]))

    people = sorted((x for x in range(board.ix.n) if poor(x)),
                    key=lambda x: (deg[x] > 0, deg[x] / most[x]))
    for x in people:
        requests = sorted(board.waiting[x], key=lambda e: -board.ix.weight[e])
        for e in requests:
            if not poor(x) or time.perf_counter() >= deadline:
                break
            if board.slot_of[e] >= 0:
                continue
            search.drop_ok = can_lose
            search.insert(e, FAIR_DEPTH)
    _weight(board, search, can_lose, deadline)
    search.drop_ok = None


def _weight(board: Board, search: Search, can_lose: Callable[[int], bool],
            deadline: float) -> None:
    weight = board.ix.weight
    lightest = min((weight[e] for e in range(board.ix.m) if board.slot_of[e] >= 0),
                   default=0)
    heavier = sorted((e for e in range(board.ix.m)
                      if board.slot_of[e] < 0 and board.common[e] and weight[e] > lightest),
                     key=lambda e: -weight[e])
    for k, e in enumerate(heavier):
        if k % 16 == 0 and time.perf_counter() >= deadline:
            return
        if board.slot_of[e] >= 0:
            continue

        def lighter_and_spared(f: int, w: float = weight[e]) -> bool:
            return weight[f] < w and can_lose(f)

        search.drop_ok = lighter_and_spared
        search.insert(e, 1, 60)


def compact(board: Board, deadline: float) -> None:
    """Move meetings to slots that shrink idle gaps, until no move helps or time is up."""
    ix = board.ix
    avail, days = ix.avail, ix.days

    def gaps(x: int) -> int:
        return gaps_in(board.busy[x], avail[x], days)

    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for x in range(ix.n):
            if x % 64 == 0 and time.perf_counter() >= deadline:
                return
            if gaps(x) and (_move_one(board, x, gaps) or _swap_two(board, x, gaps)):
                improved = True
            board.log.clear()
    board.log.clear()


def _move_one(board: Board, x: int, count: Callable[[int], int]) -> bool:
    """Move one of ``x``'s meetings to a free slot, if that lowers both sides' gaps."""
    for e in [f for f in board.at[x] if f >= 0 and not board.locked[f]]:
        u, v = board.eu[e], board.ev[e]
        free = board.common[e] & ~board.busy[u] & ~board.busy[v] & board.room
        if not free:
            continue
        before = count(u) + count(v)
        home = board.slot_of[e]
        best, best_gain = -1, 0
        while free:
            low = free & -free
            free ^= low
            board.move(e, low.bit_length() - 1)
            gain = before - count(u) - count(v)
            if gain > best_gain:
                best, best_gain = low.bit_length() - 1, gain
        board.move(e, home if best < 0 else best)
        if best >= 0:
            return True
    return False


def _swap_two(board: Board, x: int, count: Callable[[int], int]) -> bool:
    """Swap the slots of two of ``x``'s meetings, if that lowers the partners' gaps (``x``'s
    own agenda keeps the same slots)."""
    mine = [f for f in board.at[x] if f >= 0 and not board.locked[f]]
    for i, e in enumerate(mine):
        for f in mine[i + 1:]:
            a, b = board.other(e, x), board.other(f, x)
            s, t = board.slot_of[e], board.slot_of[f]
            if not (board.common[e] >> t & 1 and board.common[f] >> s & 1) \
                    or board.busy[a] >> t & 1 or board.busy[b] >> s & 1:
                continue
            before = count(a) + count(b)
            board.remove(e)
            board.remove(f)
            board.place(e, t)
            board.place(f, s)
            if count(a) + count(b) < before:
                return True
            board.remove(e)
            board.remove(f)
            board.place(e, s)
            board.place(f, t)
    return False
