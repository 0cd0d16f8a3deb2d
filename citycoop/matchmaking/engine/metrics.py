"""Figures about a schedule that the stats and the benchmark report: idle gaps, coverage and
satisfaction. They read only the instance and the placements, so they judge any scheduler
(ours, the greedy baseline, CP-SAT) the same way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from citycoop.matchmaking.engine.indexed import gaps_in, index
from citycoop.matchmaking.engine.instance import Instance, Placement


def possible_meetings(instance: Instance) -> dict[str, int]:
    """What each participant could have at most on their own: their accepted requests that
    share a slot with the other side, capped by their slots and their meeting cap."""
    ix = index(instance)
    pairs = [0] * ix.n
    for u, v, common in zip(ix.eu, ix.ev, ix.common, strict=True):
        if common:
            pairs[u] += 1
            pairs[v] += 1
    return {pid: min(ix.cap[i], pairs[i]) for i, pid in enumerate(ix.ids)}


def idle_gaps(instance: Instance, scheduled: Iterable[Placement]) -> dict[str, int]:
    """Idle slots per participant (see ``indexed.gaps_in``)."""
    ix = index(instance)
    slot_bit = {slot: 1 << t for t, slot in enumerate(ix.slots)}
    position = {pid: i for i, pid in enumerate(ix.ids)}
    busy = [0] * ix.n
    for p in scheduled:
        busy[position[p.a]] |= slot_bit[p.slot]
        busy[position[p.b]] |= slot_bit[p.slot]
    return {pid: gaps_in(busy[i], ix.avail[i], ix.days) for i, pid in enumerate(ix.ids)}


@dataclass(frozen=True)
class Fairness:
    coverage: float  # share of participants with a schedulable request who got >= 1 meeting
    min_satisfaction: float  # min over them of scheduled / possible
    below_half: int  # how many of them got fewer than half of their possible meetings
    without_meeting: int


def fairness(instance: Instance, scheduled: Iterable[Placement]) -> Fairness:
    possible = possible_meetings(instance)
    got = dict.fromkeys(possible, 0)
    for p in scheduled:
        got[p.a] += 1
        got[p.b] += 1
    wanting = [pid for pid, n in possible.items() if n > 0]
    if not wanting:
        return Fairness(1.0, 1.0, 0, 0)
    served = sum(1 for pid in wanting if got[pid] > 0)
    ratios = [got[pid] / possible[pid] for pid in wanting]
    return Fairness(
        coverage=served / len(wanting),
        min_satisfaction=min(ratios),
        below_half=sum(1 for pid in wanting if 2 * got[pid] < possible[pid]),
        without_meeting=len(wanting) - served,
    )
