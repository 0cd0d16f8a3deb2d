"""The upper bound on how many meetings any schedule can place (shared contract, "The upper
bound").

Chosen bound: the fractional b-matching of the request graph, computed exactly as a maximum
flow on its bipartite double cover, and capped by what the rooms can hold.

- Each participant ``v`` has capacity ``b(v) = min(available slots, max_meetings)``; pairs
  with no common slot are left out. Every schedule is a b-matching of this graph, so the
  maximum b-matching bounds it.
- Computing the maximum b-matching of a general (non-bipartite) graph exactly needs blossoms;
  its LP relaxation (``sum x_e`` with ``0 <= x_e <= 1`` and ``sum_{e at v} x_e <= b(v)``)
  is a valid bound that is tight in practice. The LP equals half the maximum flow in the
  double cover (each participant split into a left and a right copy, each meeting ``uv``
  giving arcs ``u_L -> v_R`` and ``v_L -> u_R``), which scipy's C max-flow computes in tens
  of milliseconds at 50,000 meetings, with no LP solver. In a bipartite graph (buyer-seller
  events) the LP is integral, so the bound is the exact maximum b-matching there.
- Rounding down per connected component keeps the bound an integer without losing
  validity (each component's matching is an integer).
- Each slot holds at most ``min(tables, present participants // 2)`` meetings; the sum over
  slots bounds the total, and covers the "total table-slots" cap of the contract.

The flow also yields a fractional selection ``x_e`` (0, 1/2 or 1), which the scheduler
falls back on if the weighted selection (``selection.py``) is not available.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, maximum_flow

from citycoop.matchmaking.engine.indexed import Indexed, bits


@dataclass(frozen=True)
class Bound:
    value: int  # the contract's upper bound, which the stats report
    tight: int  # a tighter one (see ``slot_capacity``); reaching it proves optimality
    matching: int  # the b-matching part of ``value``
    rooms: int  # the per-slot part of it
    usable: list[int]  # the meetings that could take place at all
    tight_cap: list[int]  # the tightened capacity of each participant
    selection: list[float]  # the LP's x_e per meeting (0 for pairs with no common slot)


def upper_bound(ix: Indexed) -> Bound:
    usable = [e for e in range(ix.m) if ix.common[e] and ix.cap[ix.eu[e]] and ix.cap[ix.ev[e]]]
    matching, _ = _fractional_b_matching(ix, usable, ix.cap)
    rooms = _rooms_bound(ix, usable)
    tight_cap = slot_capacity(ix, usable)
    tight, selection = _fractional_b_matching(ix, usable, tight_cap)
    return Bound(value=min(matching, rooms), tight=min(tight, rooms), matching=matching,
                 rooms=rooms, usable=usable, tight_cap=tight_cap, selection=selection)


def slot_capacity(ix: Indexed, usable: list[int]) -> list[int]:
    """Each participant's capacity, tightened: their meetings need distinct slots, each one
    both sides are present in, so they can have no more meetings than the largest set of
    their requests that can be given distinct slots (a bipartite matching of requests to
    slots, small enough per participant for plain augmenting paths).

    Three requests whose partners are all present only in the same slot count as one,
    where the contract's capacity counts three. Not part of the contract's bound; the
    scheduler uses it to know when it can stop, and the benchmark reports both."""
    masks: list[list[int]] = [[] for _ in range(ix.n)]
    for e in usable:
        masks[ix.eu[e]].append(ix.common[e])
        masks[ix.ev[e]].append(ix.common[e])
    return [_distinct_slots(own, cap) for cap, own in zip(ix.cap, masks, strict=True)]


def _distinct_slots(masks: list[int], cap: int) -> int:
    """min(cap, the most requests that can have distinct slots)."""
    if all(mask.bit_count() >= len(masks) for mask in masks):
        return min(cap, len(masks))  # Hall's condition holds for every subset
    union = 0
    for mask in masks:
        union |= mask
    most = min(cap, union.bit_count(), len(masks))
    holder: dict[int, int] = {}  # slot -> request holding it

    def assign(k: int, seen: set[int]) -> bool:
        for t in bits(masks[k]):
            if t not in seen:
                seen.add(t)
                if t not in holder or assign(holder[t], seen):
                    holder[t] = k
                    return True
        return False

    # A greedy start, requests with the fewest slots first, then augmenting paths only
    # for the requests it left out.
    masks = sorted(masks, key=int.bit_count)
    free = union
    placed = 0
    left_out = []
    for k, mask in enumerate(masks):
        if mask & free:
            low = mask & free & -(mask & free)
            holder[low.bit_length() - 1] = k
            free ^= low
            placed += 1
            if placed == most:
                return placed
        else:
            left_out.append(k)
    for k in left_out:
        if assign(k, set()):
            placed += 1
            if placed == most:
                break
    return placed


def _fractional_b_matching(ix: Indexed, usable: list[int],
                           cap: list[int]) -> tuple[int, list[float]]:
    n = ix.n
    selection = [0.0] * ix.m
    if not usable:
        return 0, selection
    source, sink = 2 * n, 2 * n + 1  # left copy of v is v, right copy is n + v
    eu = np.array([ix.eu[e] for e in usable], dtype=np.int32)
    ev = np.array([ix.ev[e] for e in usable], dtype=np.int32)
    people = np.arange(n, dtype=np.int32)
    caps = np.array(cap, dtype=np.int32)
    rows = np.concatenate([np.full(n, source, np.int32), eu, ev, people + n])
    cols = np.concatenate([people, ev + n, eu + n, np.full(n, sink, np.int32)])
    capacity = np.concatenate([caps, np.ones(2 * len(usable), np.int32), caps])
    graph = csr_matrix((capacity, (rows, cols)), shape=(2 * n + 2, 2 * n + 2))
    flow = maximum_flow(graph, source, sink, method="dinic").flow.tocsr()

    # x_e is the mean of the flow on the meeting's two arcs.
    forward = np.asarray(flow[eu, ev + n]).ravel()
    backward = np.asarray(flow[ev, eu + n]).ravel()
    for k, e in enumerate(usable):
        selection[e] = (max(0, int(forward[k])) + max(0, int(backward[k]))) / 2

    # Round down per connected component: each one's flow out of the source is twice its
    # LP value.
    adjacency = csr_matrix((np.ones(len(usable)), (eu, ev)), shape=(n, n))
    _, component = connected_components(adjacency, directed=False)
    out_of_source = np.asarray(flow[np.full(n, source), people]).ravel()
    per_component = np.bincount(component, weights=np.maximum(out_of_source, 0))
    return sum(round(float(f)) // 2 for f in per_component), selection


def _rooms_bound(ix: Indexed, usable: list[int]) -> int:
    # A participant counts as present in a slot only if one of their meetings could use it.
    useful = [0] * ix.n
    for e in usable:
        useful[ix.eu[e]] |= ix.common[e]
        useful[ix.ev[e]] |= ix.common[e]
    present = [0] * len(ix.slots)
    for mask in useful:
        for t in bits(mask):
            present[t] += 1
    return sum(min(tables, people // 2) for tables, people in zip(ix.tables, present,
                                                                    strict=True))
