"""The scheduler on the benchmark's generated events (sizes S and M, both kinds): every
schedule valid, S at the upper bound, M within 0.3% of it, and nobody left out. Timings are
the benchmark's business (bench/schedule.py), not asserted here."""

from __future__ import annotations

import pytest

from citycoop.matchmaking.engine import schedule, validate
from citycoop.matchmaking.engine.generate import SIZES, generate
from citycoop.matchmaking.engine.metrics import fairness

KINDS = ["open", "buyer-seller"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_generator_makes_the_contracts_sizes_the_same_for_a_seed(kind):
    for size in ("S", "M"):
        instance = generate(size, kind)
        participants, meetings, slots, tables = SIZES[size]
        assert len(instance.participants) == participants
        assert len(instance.meetings) == meetings
        assert len(instance.slots) == slots
        assert set(instance.tables.values()) == {tables}
    assert generate("S", kind, seed=4) == generate("S", kind, seed=4)
    assert generate("S", kind, seed=4) != generate("S", kind, seed=5)


def test_a_buyer_seller_event_pairs_only_opposite_sides():
    instance = generate("S", "buyer-seller")
    assert all(m.a.split("-")[0] != m.b.split("-")[0] for m in instance.meetings)


def test_the_generated_events_look_like_brokerage_events():
    instance = generate("M", "open")
    present_all_day = sum(1 for p in instance.participants if p.available == instance.slots)
    capped = sum(1 for p in instance.participants if p.max_meetings is not None)
    assert 0.55 < present_all_day / 1000 < 0.65
    assert 0.07 < capped / 1000 < 0.13
    requests: dict[str, int] = {}
    for m in instance.meetings:
        for pid in (m.a, m.b):
            requests[pid] = requests.get(pid, 0) + 1
    # overbooked: more accepted requests than slots for the most asked-for
    assert max(requests.values()) > len(instance.slots)
    assert {p.split("-")[0] for p in instance.slots} == {"d1", "d2"}


@pytest.mark.parametrize("kind", KINDS)
def test_size_s_is_scheduled_at_the_upper_bound(kind):
    instance = generate("S", kind)
    result = schedule(instance, time_limit=10)
    assert validate(instance, result) == []
    assert result.stats.scheduled == result.stats.upper_bound
    fair = fairness(instance, result.scheduled)
    assert fair.without_meeting == 0
    assert fair.below_half == 0


@pytest.mark.parametrize("kind", KINDS)
def test_size_m_is_scheduled_within_three_per_mille_of_the_bound(kind):
    instance = generate("M", kind)
    result = schedule(instance, time_limit=30)
    assert validate(instance, result) == []
    assert result.stats.scheduled >= 0.997 * result.stats.upper_bound
    fair = fairness(instance, result.scheduled)
    assert fair.without_meeting == 0
    assert fair.below_half == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_seeds_of_size_s_are_valid_and_reach_the_bound(seed):
    for kind in KINDS:
        instance = generate("S", kind, seed=seed)
        result = schedule(instance, time_limit=10)
        assert validate(instance, result) == []
        assert result.stats.scheduled == result.stats.upper_bound
