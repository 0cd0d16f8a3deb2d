"""citycoop's meeting scheduler.

1. Published meetings (``keep``) are placed first and locked, where still valid.
2. Construction: a b-matching with the most meetings and then the most weight (an LP, see
   ``selection``) says which meetings to take; those go first, the most constrained
   (fewest common slots, sides with the least choice) before the rest, each in the free
   slot that keeps both agendas compact.
3. Improvement: every request still waiting at a participant with room left is retried
   with Kempe chains and ejection chains of growing depth, until the schedule reaches
   the upper bound, no chain helps any more, or time is up.
4. Fairness, then compactness: moves that change no count (see ``polish``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from citycoop.matchmaking.engine.assemble import assemble
from citycoop.matchmaking.engine.board import Board
from citycoop.matchmaking.engine.bound import upper_bound
from citycoop.matchmaking.engine.indexed import Indexed, index
from citycoop.matchmaking.engine.instance import Instance, Placement, Result
from citycoop.matchmaking.engine.polish import compact, fairness
from citycoop.matchmaking.engine.search import Search
from citycoop.matchmaking.engine.selection import weighted_selection

MAX_DEPTH = 4
BUDGET = 150  # search nodes per attempt
SHAKES = 3  # neutral steps when stuck
STALL_NODES = 8_000  # search nodes without a gain (plus m/2) before giving up


def schedule(instance: Instance, time_limit: float = 30.0, seed: int = 0,
             keep: Sequence[Placement] | None = None) -> Result:
    """Place the instance's meetings.

    The first complete schedule is always built (a second for 50,000 meetings); the time
    limit bounds the search that improves it, which usually stops well before."""
    started = time.perf_counter()
    deadline = started + time_limit
    ix = index(instance)
    bound = upper_bound(ix)
    board = Board(ix)
    fixed_tables = _keep(board, instance, keep or ())
    rng = random.Random(seed)
    selection = weighted_selection(ix, bound.usable, bound.tight_cap) or bound.selection
    _construct(board, selection)
    search = Search(board, rng)
    # Improvement gets most of the time; the count-neutral polish needs far less.
    finished = _improve(board, search, bound.tight, started + 0.85 * time_limit)
    # Requests a longer search might still have placed say so, rather than a reason that
    # claims more than is known.
    cut_short = set() if finished else {e for e in _candidates(board, ix)
                                        if search.promising(e)}
    fairness(board, search, started + 0.92 * time_limit)
    compact(board, deadline)
    return assemble(instance, ix, board.slot_of, bound.value, started, fixed_tables,
                    cut_short)


def _keep(board: Board, instance: Instance, keep: Sequence[Placement]) -> dict[int, int]:
    """Lock the published meetings that still fit; the tables they keep, by meeting.

    A placement still fits if the pair is still requested, both are present in its slot
    and free there, neither is over their cap and the slot has a table. Its table number
    is kept too when the slot still has that table and no earlier kept meeting took it."""
    ix = board.ix
    edge = {}
    for e, m in enumerate(instance.meetings):
        edge[frozenset((m.a, m.b))] = e
    slot_index = {slot: t for t, slot in enumerate(ix.slots)}
    tables: dict[int, int] = {}
    taken: set[tuple[int, int]] = set()
    for p in keep:
        e = edge.get(frozenset((p.a, p.b)), -1)
        t = slot_index.get(p.slot, -1)
        if e < 0 or t < 0 or board.slot_of[e] >= 0:
            continue
        u, v = board.eu[e], board.ev[e]
        if not (board.common[e] >> t & 1 and board.room >> t & 1) or board.busy[u] >> t & 1 \
                or board.busy[v] >> t & 1 or not board.spare(u) or not board.spare(v):
            continue
        board.place(e, t)
        board.locked[e] = True
        if 1 <= p.table <= board.tables[t] and (t, p.table) not in taken:
            tables[e] = p.table
            taken.add((t, p.table))
    board.log.clear()
    return tables


def _construct(board: Board, selection: list[float]) -> None:
    ix = board.ix
    requests = [0] * ix.n
    for e in range(ix.m):
        if ix.common[e]:
            requests[ix.eu[e]] += 1
            requests[ix.ev[e]] += 1

    def choice(x: int) -> float:  # how many requests x has per meeting they can attend
        return requests[x] / ix.cap[x] if ix.cap[x] else float("inf")

    def key(e: int) -> tuple[float, int, float, float]:
        return (-selection[e], ix.common[e].bit_count(),
                min(choice(ix.eu[e]), choice(ix.ev[e])), -ix.weight[e])

    for e in sorted((e for e in range(ix.m) if ix.common[e]), key=key):
        if board.slot_of[e] < 0:
            free = board.free_for(e)
            if free:
                board.place(e, board.best_slot(e, free))
    board.log.clear()


def _candidates(board: Board, ix: Indexed) -> list[int]:
    """Waiting requests that could raise the count: at least one side has room."""
    seen: set[int] = set()
    out = []
    for x in range(ix.n):
        if board.spare(x):
            for e in board.waiting[x]:
                if e not in seen:
                    seen.add(e)
                    out.append(e)
    return out


def _improve(board: Board, search: Search, bound: int, deadline: float) -> bool:
    """Chains of growing depth until none helps; then a few neutral shakes and again, until
    the bound is reached, time is up, or a long search has gained nothing.

    The effort without a gain is counted in search nodes, not seconds, so that the same
    seed gives the same schedule on a busy machine too (unless the time limit cuts in).
    Returns False if the time limit cut the search short."""
    depth = 1
    patience = STALL_NODES + board.ix.m // 2
    last_gain = search.spent
    while board.placed < bound and search.spent - last_gain <= patience:
        if depth > 1 and not search.label():
            return True  # no augmenting path left, even ignoring slots
        candidates = [e for e in _candidates(board, board.ix) if search.promising(e)]
        # Requests where both sides have room first: they need no partner swap.
        search.rng.shuffle(candidates)
        candidates.sort(key=lambda e: -(board.spare(board.eu[e]) and board.spare(board.ev[e])))
        gained = 0
        for k, e in enumerate(candidates):
            if k % 16 == 0 and time.perf_counter() >= deadline:
                return False
            if board.slot_of[e] >= 0 or not search.promising(e):
                continue
            if search.insert(e, depth, BUDGET):
                gained += 1
                last_gain = search.spent
                if board.placed >= bound:
                    return True
        if gained:
            continue
        if depth < MAX_DEPTH:
            depth += 1
        else:
            for e in search.rng.sample(candidates, min(SHAKES, len(candidates))):
                if board.slot_of[e] < 0:
                    search.shake(e)
            depth = 1
    return True
