"""The figures of bench/load.py: the machine's description, CPU time spent by the server,
PostgreSQL and everything else, latency percentiles, and the report and side-by-side table."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
from pathlib import Path
from typing import Any

TARGET_P95_MS = 200.0


# -- the machine ------------------------------------------------------------------------------


def machine(database_url: str | None) -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    described = {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem / 1024 ** 2, 1),
                 "load_before": [round(x, 2) for x in os.getloadavg()],
                 "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                 "postgresql": None}
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            described["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    return described


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user and system) of a process and its children that are alive: the
    gunicorn master and its workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids += [int(child) for child in children]
    return total


def database_cpu(database_url: str | None) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the benchmark's database (none on
    SQLite, whose work is in the server's own processes)."""
    if not database_url:
        return {}
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        pids = [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")]
    return {pid: tree_cpu_seconds(pid) for pid in pids}


def machine_busy() -> tuple[float, float]:
    """Seconds of CPU busy and in total on all cores since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


# -- figures ---------------------------------------------------------------------------------------


def percentiles(times: list[float]) -> dict[str, float]:
    if len(times) < 2:
        return {"p50": times[0] if times else 0.0, "p95": times[0] if times else 0.0,
                "p99": times[0] if times else 0.0}
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "p99": round(cuts[98], 1)}


def figures(samples: list[tuple[str, str, int, float]], failures: dict[str, int],
            elapsed: float) -> dict[str, Any]:
    by_kind: dict[str, Any] = {}
    for kind in ("read", "write"):
        times = [ms for k, _l, _s, ms in samples if k == kind]
        by_kind[kind] = {"requests": len(times), **percentiles(times)}
    labels: dict[str, Any] = {}
    for label in sorted({s[1] for s in samples}):
        times = [ms for _k, lab, _s, ms in samples if lab == label]
        bad = sum(1 for _k, lab, s, _ms in samples if lab == label and not ok(s))
        labels[label] = {"requests": len(times), "errors": bad, **percentiles(times)}
    statuses: dict[str, int] = {}
    for _k, _l, status, _ms in samples:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    errors = sum(1 for s in samples if not ok(s[2])) + sum(failures.values())
    return {"requests": len(samples) + sum(failures.values()),
            "seconds": round(elapsed, 1),
            "rps": round((len(samples) + sum(failures.values())) / elapsed, 1),
            "errors": errors,
            "server_errors": sum(1 for s in samples if s[2] >= 500),
            "connection_errors": failures,
            "conflicts": statuses.get("412", 0), "statuses": statuses,
            "write_share": round(by_kind["write"]["requests"] / max(len(samples), 1), 3),
            "reads": by_kind["read"], "writes": by_kind["write"], "by_label": labels}


def ok(status: int) -> bool:
    return 200 <= status < 300 or status == 412


def report(result: dict[str, Any]) -> str:
    f, m, c = result["figures"], result["machine"], result["check"]
    server_ms = 1000 * result["server_cpu_seconds"] / max(f["requests"], 1)
    others = (result["machine_busy_seconds"] - result["server_cpu_seconds"]
              - result["client_cpu_seconds"] - result["database_cpu_seconds"])
    lines = [f"### {result['scenario']}", "",
             f"Portfolio: {result['counts_line']}; {result['made']['source']}"
             + (f", generated in {result['made']['generate_seconds']} s"
                if result["made"]["generate_seconds"] else "") + f"; {result['size']}.",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, load average "
             f"{' / '.join(map(str, m['load_before']))} before the run (1/5/15 min); Python "
             f"{m['python']}, SQLite {m['sqlite']}"
             + (f", PostgreSQL {m['postgresql']}" if m["postgresql"] else "") + ".",
             f"Run: {result['clients']} clients, {f['seconds']} s, think time "
             f"{result['think']} s, server `citycoop serve --workers {result['workers']} "
             f"--threads {result['threads']}` (gunicorn). CPU during the run: the server "
             f"{result['server_cpu_seconds']} s ({server_ms:.1f} ms a request)"
             + (f", PostgreSQL at least {result['database_cpu_seconds']} s"
                if m["postgresql"] else "") + ", the client "
             f"{result['client_cpu_seconds']} s, everything on the machine "
             f"{result['machine_busy_seconds']} s of the {result['machine_cpu_seconds']} s "
             f"its cores had ({others:.0f} s by other work).", "",
             "| | requests | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|",
             *(f"| {k}s | {f[k + 's']['requests']} | {f[k + 's']['p50']} | {f[k + 's']['p95']} "
               f"| {f[k + 's']['p99']} |" for k in ("read", "write")), "",
             f"Requests: {f['requests']} ({f['rps']}/s), writes {f['write_share']:.1%}; "
             f"errors {f['errors']} (5xx {f['server_errors']}, connections "
             f"{sum(f['connection_errors'].values())}"
             + "".join(f"; {n}× {name}" for name, n in f["connection_errors"].items())
             + f"); conflicts (412) {f['conflicts']}.",
             f"Writes checked after: {c['created_acknowledged']} next steps answered 201, "
             f"{c['created_found']} found with their text, next steps grew by "
             f"{c['next_steps_grew_by']}; {c['patches_acknowledged']} pilot changes answered "
             f"200 on {c['pilots_patched']} pilots, {c['patches_found']} found (version and "
             f"newest summary); audit entries {c['audit_found']} of "
             f"{c['created_acknowledged'] + c['patches_acknowledged']}. "
             f"**{'Nothing lost' if c['lost'] == 0 else str(c['lost']) + ' LOST'}**.", "",
             *backup_lines(result.get("backup")),
             "| request | n | errors | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|",
             *(f"| {label} | {row['requests']} | {row['errors']} | {row['p50']} | {row['p95']} | "
               f"{row['p99']} |" for label, row in f["by_label"].items())]
    return "\n".join(lines) + "\n"


def backup_lines(backup: dict[str, Any] | None) -> list[str]:
    if backup is None:
        return []
    c = backup["check"]
    if not c.get("restored"):
        return [f"Backup under load: **FAILED** ({backup['said'] or c.get('said', '')}).", ""]
    return [f"Backup under load: `citycoop backup` {backup['seconds']} s into a "
            f"{backup['mb']} MB archive while the clients went on; restored into an empty "
            f"{backup['into']} in {c['restore_seconds']} s, counts matching its "
            f"manifest; of the writes acknowledged before it began, {c['created_found']} of "
            f"{c['created_before']} next steps and {c['pilots_found']} of "
            f"{c['pilots_changed_before']} changed pilots are in it. "
            f"**{'Nothing lost' if c['lost'] == 0 else str(c['lost']) + ' LOST'}**.", ""]


def table(paths: list[Path]) -> str:
    """The kept scenarios side by side: what the clients saw, and what the machine had."""
    rows = [json.loads(line) for path in paths for line in path.read_text().splitlines()
            if line.strip()]
    lines = ["| scenario | clients, pause | requests/s | errors | 412s | reads p50 / p95 / p99 "
             "ms | writes p50 / p95 / p99 ms | writes lost | p95 < 200 ms | server CPU a "
             "request | load before | CPU taken by other work |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        f = row["figures"]
        worst = max(f["reads"]["p95"], f["writes"]["p95"])
        scenario = row["scenario"].split(", think")[0]
        if f["writes"]["requests"] == 0:
            scenario += ", reads only"
        if row.get("backup"):
            scenario += ", a backup during the run"
        others = (row["machine_busy_seconds"] - row["server_cpu_seconds"]
                  - row["client_cpu_seconds"] - row.get("database_cpu_seconds", 0))
        lost = row["check"]["lost"] + max(0, (row.get("backup") or {}).get("check", {})
                                          .get("lost", 0))
        lines.append(
            f"| {scenario} | {row['clients']}, {row['think']:g} s | {f['rps']} | {f['errors']} | "
            f"{f['conflicts']} | {f['reads']['p50']} / {f['reads']['p95']} / {f['reads']['p99']}"
            f" | {f['writes']['p50']} / {f['writes']['p95']} / {f['writes']['p99']} | {lost} | "
            f"{'yes' if worst < TARGET_P95_MS else '**no**'} | "
            f"{1000 * row['server_cpu_seconds'] / max(f['requests'], 1):.0f} ms | "
            f"{row['machine']['load_before'][0]} | "
            f"{100 * others / max(row['machine_cpu_seconds'], 1):.0f} % |")
    return "\n".join(lines) + "\n"
