"""Benchmark instances that look like a real brokerage event (shared contract, "Benchmark").

- Popularity follows a power law: a few participants are asked by many.
- 60% are present all day; the rest come for one day, one session, arrive late, or have a
  few blocked slots.
- 10% set a meeting cap.
- Requests are accepted until people are about 1.3 times booked (1.3 times what they could
  attend), so the organiser cannot place them all and has to choose.
- "open" networking lets anyone meet anyone; "buyer-seller" pairs only opposite sides.

The same size, kind and seed always make the same instance.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

from citycoop.matchmaking.engine.instance import Instance, Meeting, Participant

# participants, accepted meetings, slots, tables per slot
SIZES: dict[str, tuple[int, int, int, int]] = {
    "S": (100, 500, 12, 48),
    "M": (1_000, 8_000, 16, 575),
    "L": (5_000, 50_000, 24, 2_396),
}
KINDS = ("open", "buyer-seller")
OVERBOOKING = 1.3
POPULARITY_EXPONENT = 0.8  # Zipf-like: the k-th most popular is asked ~k^-0.8 as often


@dataclass(frozen=True)
class Spec:
    participants: int
    meetings: int
    slots: int
    tables: int
    kind: str = "open"
    seed: int = 0


def generate(size: str, kind: str = "open", seed: int = 0) -> Instance:
    """One of the contract's benchmark instances (size S, M or L)."""
    participants, meetings, slots, tables = SIZES[size]
    return generate_spec(Spec(participants, meetings, slots, tables, kind, seed))


def slot_ids(count: int) -> list[str]:
    """Half-hour slots over two days (one day if fewer than 8), a morning session from 09:00
    and an afternoon one from 14:00: "d1-09:00", "d1-09:30", ..."""
    days = 1 if count < 8 else 2
    ids = []
    for day in range(days):
        per_day = count // days + (1 if day < count % days else 0)
        morning = (per_day + 1) // 2
        for k in range(per_day):
            start = 9 * 60 + 30 * k if k < morning else 14 * 60 + 30 * (k - morning)
            ids.append(f"d{day + 1}-{start // 60:02d}:{start % 60:02d}")
    return ids


def _sessions(slots: list[str]) -> list[list[str]]:
    """Consecutive runs of slots without a break: the mornings and afternoons."""
    runs: list[list[str]] = []
    previous = None
    for slot in slots:
        day, _, clock = slot.partition("-")
        minutes = int(clock[:2]) * 60 + int(clock[3:])
        if previous is None or previous[0] != day or minutes - previous[1] != 30:
            runs.append([])
        runs[-1].append(slot)
        previous = (day, minutes)
    return runs


def _presence(rng: random.Random, slots: list[str], sessions: list[list[str]]) -> list[str]:
    if rng.random() < 0.6:
        return slots
    pattern = rng.randrange(4)
    if pattern == 0:  # one day
        day = rng.choice(sorted({s.partition("-")[0] for s in slots}))
        return [s for s in slots if s.partition("-")[0] == day]
    if pattern == 1:  # one session
        return rng.choice(sessions)
    if pattern == 2:  # arrives late (and stays to the end)
        return slots[rng.randrange(1, max(2, len(slots) // 2)):]
    blocked = set(rng.sample(slots, rng.randint(1, 3)))  # a few blocked slots
    return [s for s in slots if s not in blocked]


class _Sampler:
    """Weighted choice among participants that can still accept, dropping the full ones.

    Rebuilding the cumulative weights only when a good share of the weight has gone keeps
    sampling cheap although the most popular participants fill up first."""

    def __init__(self, weights: dict[int, float], rng: random.Random) -> None:
        self.weights = weights
        self.rng = rng
        self.dead: set[int] = set()
        self._rebuild()

    def _rebuild(self) -> None:
        self.keys = [k for k in self.weights if k not in self.dead]
        self.cumulative = list(itertools.accumulate(self.weights[k] for k in self.keys))
        self.dead_weight = 0.0

    def drop(self, key: int) -> None:
        if key in self.dead or key not in self.weights:
            return
        self.dead.add(key)
        self.dead_weight += self.weights[key]
        if self.cumulative and self.dead_weight > 0.3 * self.cumulative[-1]:
            self._rebuild()

    def pick(self) -> int | None:
        for _ in range(64):
            if not self.cumulative:
                return None
            at = self.rng.random() * self.cumulative[-1]
            key = self.keys[min(bisect.bisect_right(self.cumulative, at), len(self.keys) - 1)]
            if key not in self.dead:
                return key
        self._rebuild()
        return self.rng.choice(self.keys) if self.keys else None


def generate_spec(spec: Spec) -> Instance:
    if spec.kind not in KINDS:
        raise ValueError(f"unknown kind {spec.kind!r}; one of {', '.join(KINDS)}")
    n = spec.participants
    most = n * (n - 1) // 2 if spec.kind == "open" else (n // 2) * ((n + 1) // 2)
    if spec.meetings > most:
        raise ValueError(f"{n} participants make at most {most} pairs, not {spec.meetings}")
    rng = random.Random(f"{spec.participants}:{spec.meetings}:{spec.kind}:{spec.seed}")
    slots = slot_ids(spec.slots)
    sessions = _sessions(slots)
    if spec.kind == "open":
        ids = [f"p{i + 1:05d}" for i in range(n)]
        side = [0] * n
    else:
        ids = [f"{'buyer' if i % 2 == 0 else 'seller'}-{i // 2 + 1:05d}" for i in range(n)]
        side = [i % 2 for i in range(n)]
    participants = []
    capacity = []
    for pid in ids:
        present = _presence(rng, slots, sessions)
        cap = None
        if rng.random() < 0.1:
            cap = max(1, round(len(present) * rng.uniform(0.3, 0.7)))
        participants.append(Participant(pid, tuple(present), cap))
        capacity.append(len(present) if cap is None else cap)
    ranks = list(range(1, n + 1))
    rng.shuffle(ranks)
    popularity = [rank ** -POPULARITY_EXPONENT for rank in ranks]
    activity = [rng.lognormvariate(0, 0.5) for _ in range(n)]
    pairs = _accept_requests(spec, rng, capacity, popularity, activity, side)
    meetings = []
    for a, b in pairs:
        draw = rng.random()
        weight = 3 if draw < 0.1 else 2 if draw < 0.3 else 1
        meetings.append(Meeting(ids[a], ids[b], weight))
    return Instance(
        slots=tuple(slots),
        tables=dict.fromkeys(slots, spec.tables),
        participants=tuple(participants),
        meetings=tuple(meetings),
    )


def _accept_requests(spec: Spec, rng: random.Random, capacity: list[int],
                     popularity: list[float], activity: list[float],
                     side: list[int]) -> list[tuple[int, int]]:
    """Requests from active participants to popular ones, each accepted while both are below
    ``OVERBOOKING`` times what they can attend. If the event cannot take that many meetings
    (M is booked almost full), everyone accepts a little more, and so on."""
    n = spec.participants
    factor = OVERBOOKING
    pairs: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    booked = [0] * n
    while True:
        limit = [max(1, round(factor * c)) for c in capacity]
        sides = sorted(set(side))
        requesters = _Sampler({i: activity[i] for i in range(n) if booked[i] < limit[i]}, rng)
        targets = {s: _Sampler({i: popularity[i] for i in range(n)
                                if side[i] != s or len(sides) == 1
                                if booked[i] < limit[i]}, rng)
                   for s in sides}
        misses = 0
        while len(pairs) < spec.meetings and misses < 20 * n:
            a = requesters.pick()
            if a is None:
                break
            b = targets[side[a]].pick()
            if b is None:
                requesters.drop(a)
                continue
            key = (min(a, b), max(a, b))
            if a == b or key in seen:
                misses += 1
                continue
            seen.add(key)
            pairs.append((a, b))
            for x in (a, b):
                booked[x] += 1
                if booked[x] >= limit[x]:
                    requesters.drop(x)
                    for sampler in targets.values():
                        sampler.drop(x)
        if len(pairs) >= spec.meetings:
            return pairs
        factor += 0.1
