"""The meeting scheduler against first-fit greedy and CP-SAT on the contract's benchmark.

Run with `.venv/bin/python bench/schedule.py [--sizes S,M,L] [--time-limit 30]`. For each
generated event (sizes S, M, L; kinds open and buyer-seller) it runs citycoop's scheduler,
the first-fit greedy baseline and OR-Tools CP-SAT (the optional `bench` extra; skipped with
a note if it is not installed) twice, from nothing and from the first-fit schedule as a
hint, each with the same time limit; it checks every schedule with the independent
validator and prints a Markdown table per event:

- valid: the validator found no problem
- % of bound: meetings placed / the contract's upper bound (max-flow b-matching bound)
- seconds: wall time, the model building included for CP-SAT
- coverage: share of participants with a schedulable request who got at least one meeting
- min satisfaction: the lowest share of their possible meetings any such participant got
- gaps / person: idle slots per participant with a meeting
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from citycoop.matchmaking.engine import Instance, Result, schedule, validate  # noqa: E402
from citycoop.matchmaking.engine.assemble import assemble  # noqa: E402
from citycoop.matchmaking.engine.bound import upper_bound  # noqa: E402
from citycoop.matchmaking.engine.generate import KINDS, SIZES, generate  # noqa: E402
from citycoop.matchmaking.engine.greedy import first_fit  # noqa: E402
from citycoop.matchmaking.engine.indexed import bits, index  # noqa: E402
from citycoop.matchmaking.engine.instance import instance_to_json  # noqa: E402
from citycoop.matchmaking.engine.metrics import fairness  # noqa: E402


def cp_sat(instance: Instance, time_limit: float, hint: Result | None = None) -> Result | None:
    """The exact model: one Boolean per (meeting, common slot); at most one meeting per
    participant and slot, one slot per meeting, the caps and the tables; maximise the
    number of meetings. ``hint`` is a schedule to start from. None when no schedule was
    found within the time limit."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    ix = index(instance)
    model = cp_model.CpModel()
    chosen = {}
    per_seat: dict[tuple[int, int], list] = defaultdict(list)
    per_person: dict[int, list] = defaultdict(list)
    per_slot: dict[int, list] = defaultdict(list)
    for e in range(ix.m):
        options = []
        for t in bits(ix.common[e]):
            var = model.new_bool_var(f"m{e}s{t}")
            chosen[e, t] = var
            options.append(var)
            for x in (ix.eu[e], ix.ev[e]):
                per_seat[x, t].append(var)
                per_person[x].append(var)
            per_slot[t].append(var)
        if len(options) > 1:
            model.add_at_most_one(options)
    for seat in per_seat.values():
        if len(seat) > 1:
            model.add_at_most_one(seat)
    for x, meetings in per_person.items():
        if len(meetings) > ix.cap[x]:
            model.add(sum(meetings) <= ix.cap[x])
    for t, meetings in per_slot.items():
        if len(meetings) > ix.tables[t]:
            model.add(sum(meetings) <= ix.tables[t])
    model.maximize(sum(chosen.values()))
    if hint is not None:
        slot_index = {slot: t for t, slot in enumerate(ix.slots)}
        pair_index = {frozenset((m.a, m.b)): e for e, m in enumerate(instance.meetings)}
        given = {(pair_index[frozenset((p.a, p.b))], slot_index[p.slot]) for p in hint.scheduled}
        for key, var in chosen.items():
            model.add_hint(var, key in given)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit - (time.perf_counter() - started))
    # CP-SAT's full portfolio of 8 workers (on the 2 cores) found far better schedules in
    # 30 s than 2 workers did here (M open: 5,872 meetings against 0 to 3,568).
    solver.parameters.num_workers = 8
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    slot_of = [-1] * ix.m
    for (e, t), var in chosen.items():
        if solver.value(var):
            slot_of[e] = t
    return assemble(instance, ix, slot_of, upper_bound(ix).value, started)


def row(name: str, instance: Instance, result: Result | None, seconds: float,
        bound: int) -> str:
    if result is None:
        return f"| {name} | no schedule found | | | {seconds:.2f} | | | |"
    assert result.stats is not None
    problems = validate(instance, result)
    fair = fairness(instance, result.scheduled)
    people = result.stats.participants_with_meetings or 1
    return (f"| {name} | {'yes' if not problems else f'NO ({len(problems)} problems)'} "
            f"| {result.stats.scheduled:,} | {100 * result.stats.scheduled / bound:.2f}% "
            f"| {seconds:.2f} | {100 * fair.coverage:.1f}% | {fair.min_satisfaction:.2f} "
            f"| {result.stats.idle_gaps / people:.2f} |")


def bench_event(instance: Instance, title: str, time_limit: float, seed: int,
                with_cp_sat: bool) -> None:
    """Print the bound and one table row per solver for one event."""
    ix = index(instance)
    started = time.perf_counter()
    bound = upper_bound(ix)
    bound_seconds = time.perf_counter() - started
    print(f"### {title}\n")
    print(f"Upper bound {bound.value:,} (computed in {bound_seconds:.2f} s); the tightened "
          f"bound (distinct slots per participant) is {bound.tight:,}.\n")
    print("| solver | valid | scheduled | % of bound | seconds | coverage "
          "| min satisfaction | gaps / person |")
    print("|---|---|---|---|---|---|---|---|")
    started = time.perf_counter()
    ours = schedule(instance, time_limit=time_limit, seed=seed)
    print(row("citycoop", instance, ours, time.perf_counter() - started, bound.value),
          flush=True)
    started = time.perf_counter()
    greedy = first_fit(instance)
    print(row("first-fit greedy", instance, greedy, time.perf_counter() - started,
              bound.value), flush=True)
    if with_cp_sat:
        for name, hint in (("CP-SAT", None), ("CP-SAT from first fit", greedy)):
            started = time.perf_counter()
            exact = cp_sat(instance, time_limit, hint)
            print(row(name, instance, exact, time.perf_counter() - started, bound.value),
                  flush=True)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated sizes (S,M,L)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="open,buyer-seller")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per solver")
    parser.add_argument("--seed", type=int, default=0, help="the generator's seed")
    parser.add_argument("--no-cp-sat", action="store_true", help="leave CP-SAT out")
    parser.add_argument("--write-instances", type=Path, metavar="DIR",
                        help="also write each generated event to DIR as JSON, the input "
                             "of `citycoop schedule`")
    args = parser.parse_args()
    with_cp_sat = not args.no_cp_sat
    if with_cp_sat:
        try:
            import ortools  # noqa: F401
        except ImportError:
            with_cp_sat = False
            print("CP-SAT skipped: OR-Tools is not installed (pip install -e '.[bench]').\n")

    for size in args.sizes.split(","):
        participants, meetings, slots, tables = SIZES[size]
        for kind in args.kinds.split(","):
            instance = generate(size, kind, seed=args.seed)
            if args.write_instances:
                args.write_instances.mkdir(parents=True, exist_ok=True)
                target = args.write_instances / f"{size}-{kind}-{args.seed}.json"
                target.write_text(json.dumps(instance_to_json(instance)))
            title = (f"{size} {kind}: {participants:,} participants, {meetings:,} accepted "
                     f"meetings, {slots} slots, {tables:,} tables")
            bench_event(instance, title, args.time_limit, args.seed, with_cp_sat)


if __name__ == "__main__":
    main()
