"""Load benchmark: 50 concurrent clients on the main pages and the API of a served generated
portfolio for 60 s, a tenth of them writing, then a check that no acknowledged write was lost.

Run, one scenario at a time (each prints its figures; ``--results FILE`` also keeps them)::

    .venv/bin/python bench/load.py --engine sqlite --from-dir /tmp/gen
    .venv/bin/python bench/load.py --engine postgresql --pairings 2000 \\
        --database-url postgres://citycoop:citycoop@127.0.0.1:5432/citycoop
    .venv/bin/python bench/load.py --table FILE ...    # the kept scenarios side by side

**The portfolio.** ``--from-dir DIR`` copies a generated SQLite data folder (never changes
it) and migrates the copy; ``--database NAME-URL`` uses a generated PostgreSQL database as it
is (the benchmark writes into it); otherwise ``citycoop generate --pairings N`` fills a new
data folder (SQLite) or a scratch database beside ``--database-url`` (PostgreSQL), and the
time it took is reported.

**The server** is the production set-up, ``citycoop serve --workers 2`` (gunicorn, 8 threads
per worker), on 127.0.0.1 only, with DEBUG off. It is warmed for a few seconds first.

**The clients** are ``--clients`` asyncio tasks sharing one httpx client (keep-alive, one
connection each; httpx comes with the dev extra's schemathesis, or ``pip install httpx``).
Each loops: with probability ``--write-share`` a write, else a read drawn from the mix below;
``--think`` seconds (mean, exponential) between requests, and before the first one so that
the clients do not all start in the same millisecond; 0 for a closed loop that measures the
server at saturation. Reads: the home page, the pairings list, a pairing, a pilot, the
map data, search, an event, the good-practices list (anonymous, as the public sees them) and
API lists and single records (with a read token). Writes, with a write token of a programme
manager: ``POST /api/v1/next-steps`` (half) or reading a pilot then ``PATCH`` its summary
with ``If-Match`` (half; a few pilots shared by all clients, so some answers are 412,
counted as conflicts, not errors).

**The check after.** Every 201 is a next step whose id and text are in the database; the
next steps grew by exactly the 201s; every acknowledged PATCH is there: each pilot's version
grew by its 200s and holds the summary of the newest one; each acknowledged write has its
audit entry. Errors are answers other than 2xx and the expected 412s, and failed
connections.

**A backup under load** (``--backup``): ``citycoop backup`` a third into the run, the clients
going on; after the run the archive is restored into an empty data folder (or a scratch
database), where it must pass its own count check and hold every write acknowledged before
the backup began.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_child import child_main  # noqa: E402
from load_figures import (  # noqa: E402
    database_cpu,
    figures,
    machine,
    machine_busy,
    report,
    table,
    tree_cpu_seconds,
)

# -- the portfolio and the server --------------------------------------------------------------


def scratch_database(url: str, name: str, create: bool) -> str:
    import psycopg
    from psycopg import sql

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}"


def citycoop(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "citycoop", *args], cwd=ROOT, env=env,
                          check=True, **kwargs)


def prepare(options: argparse.Namespace, work: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """The environment of a served portfolio and how it was made."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYCOOP_")}
    data_dir = work / "data"
    env.update(CITYCOOP_DATA_DIR=str(data_dir), CITYCOOP_DEBUG="0", PYTHONPATH=str(ROOT))
    made: dict[str, Any] = {"source": "", "generate_seconds": None}
    if options.engine == "sqlite":
        if options.from_dir:
            shutil.copytree(options.from_dir, data_dir,
                            ignore=shutil.ignore_patterns("backups", "throttle", "answers"))
            made["source"] = f"copy of {options.from_dir}"
    elif options.database:
        env["CITYCOOP_DATABASE_URL"] = options.database
        made["source"] = f"database {options.database.rsplit('/', 1)[1]}"
    else:
        env["CITYCOOP_DATABASE_URL"] = scratch_database(
            options.database_url, f"citycoop_load_{options.pairings}", True)
    data_dir.mkdir(parents=True, exist_ok=True)
    citycoop(env, "migrate", "-v0")
    if not made["source"]:
        started = time.perf_counter()
        citycoop(env, "generate", "--pairings", str(options.pairings), "-v0")
        made["generate_seconds"] = round(time.perf_counter() - started, 1)
        made["source"] = f"generated here ({options.pairings} pairings)"
        print(f"  generated in {made['generate_seconds']} s", file=sys.stderr, flush=True)
    return env, made


def child(env: dict[str, str], step: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A step that needs Django (set-up, check), in its own process on the portfolio."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(payload, handle)
    try:
        done = subprocess.run([sys.executable, __file__, "--child", step, handle.name],
                              cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "citycoop.settings"},
                              stdout=subprocess.PIPE, text=True, check=True)
    finally:
        os.unlink(handle.name)
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int, threads: int,
                 log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "citycoop", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


async def wait_for(base: str, server: subprocess.Popen, log: Path,
                   seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
            try:
                if (await client.get("/")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError(f"the server at {base} did not answer")


# -- the clients ---------------------------------------------------------------------------------


class Run:
    """What the clients did: each answer's timing, and the ledger of acknowledged writes."""

    def __init__(self, targets: dict[str, Any], options: argparse.Namespace, tag: str) -> None:
        self.targets, self.options, self.tag = targets, options, tag
        self.samples: list[tuple[str, str, int, float]] = []  # kind, label, status, ms
        # When each answered request started (s after recording began) and took (ms), by
        # label: slow answers bunched in time point at the server's background work, or at
        # the clients, not at the page.
        self.timeline: list[tuple[float, str, float]] = []
        self.recording_since = 0.0
        self.failures: dict[str, int] = {}
        self.created: list[dict[str, Any]] = []   # next steps answered 201
        self.patched: list[dict[str, Any]] = []   # pilot summaries answered 200
        self.recording = False

    def reads(self, rng: random.Random) -> tuple[str, str, dict[str, str]]:
        """A read drawn from the mix: (label, path, headers)."""
        t = self.targets
        api = {"Authorization": f"Bearer {t['read_token']}"}
        pairing = rng.choice(t["pairings"])
        pilot = rng.choice(t["pilots"])
        choices = [
            ("page: home", "/", {}),
            ("page: pairings", "/pairings/", {}),
            ("page: pairing", f"/pairings/{pairing}/", {}),
            ("page: pilot", f"/pairings/{pilot[0]}/pilots/{pilot[1]}/", {}),
            ("page: map data", "/map/data.json", {}),
            ("page: search", f"/search/?q={rng.choice(t['words'])}", {}),
            ("page: event", f"/events/{rng.choice(t['events'])}/", {}),
            ("page: practices", "/practices/", {}),
            ("api: pairings list", "/api/v1/pairings?limit=100", api),
            ("api: pilots list", f"/api/v1/pilots?pairing={pairing}", api),
            ("api: actions list", f"/api/v1/actions?pilot={pilot[2]}", api),
            ("api: events list", "/api/v1/events?limit=50", api),
            ("api: pairing", f"/api/v1/pairings/{pairing}", api),
            ("api: pilot", f"/api/v1/pairings/{pilot[0]}/pilots/{pilot[1]}", api),
            ("api: action", f"/api/v1/actions/{rng.choice(t['actions'])}", api),
        ]
        return rng.choice(choices)

    async def request(self, client: Any, kind: str, label: str, method: str, path: str,
                      **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            answer = await client.request(method, path, **kwargs)
        except Exception as error:  # a refused, reset or timed-out connection is an error
            if self.recording:
                name = f"{label}: {type(error).__name__}"
                self.failures[name] = self.failures.get(name, 0) + 1
            return None
        if self.recording:
            took = (time.perf_counter() - started) * 1000
            self.samples.append((kind, label, answer.status_code, took))
            self.timeline.append((started - self.recording_since, label, took))
        return answer

    async def write(self, client: Any, rng: random.Random, number: str) -> None:
        t = self.targets
        headers = {"Authorization": f"Bearer {t['write_token']}"}
        if rng.random() < 0.5:
            text = f"{self.tag} next step {number}"
            body = {"pairing": rng.choice(t["step_pairings"]), "text": text, "due": "June 2027"}
            answer = await self.request(client, "write", "api: POST next step", "POST",
                                        "/api/v1/next-steps", json=body, headers=headers)
            if answer is not None and answer.status_code == 201:
                self.created.append({"id": answer.json()["id"], "text": text,
                                     "pairing": body["pairing"], "at": time.monotonic()})
            return
        pairing, slug, pk = rng.choice(t["write_pilots"])
        path = f"/api/v1/pairings/{pairing}/pilots/{slug}"
        read = await self.request(client, "read", "api: pilot (before a change)", "GET", path,
                                  headers=headers)
        if read is None or read.status_code != 200:
            return
        summary = f"{self.tag} summary {number}"
        answer = await self.request(client, "write", "api: PATCH pilot", "PATCH", path,
                                    json={"summary": summary},
                                    headers={**headers, "If-Match": read.headers["ETag"]})
        if answer is not None and answer.status_code == 200:
            self.patched.append({"pilot": pk, "version": answer.json()["version"],
                                 "summary": summary, "at": time.monotonic()})

    async def client(self, http: Any, index: int, stop: float, writes: bool) -> None:
        rng = random.Random(f"{self.tag}-{index}")
        count = 0
        if self.options.think:
            # Visitors of a site do not arrive together: each client first pauses as it does
            # between requests, so the run starts as it goes on. Without this, 50 requests
            # arrive in the same millisecond at the start of each phase.
            await asyncio.sleep(min(rng.expovariate(1 / self.options.think),
                                    max(0.0, stop - time.monotonic())))
        while time.monotonic() < stop:
            count += 1
            if writes and rng.random() < self.options.write_share:
                await self.write(http, rng, f"{index}-{count}")
            else:
                label, path, headers = self.reads(rng)
                await self.request(http, "read", label, "GET", path, headers=headers)
            if self.options.think:  # never past the end: the run lasts what it says
                pause = rng.expovariate(1 / self.options.think)
                await asyncio.sleep(min(pause, max(0.0, stop - time.monotonic())))

    async def drive(self, base: str, seconds: float, *, record: bool, writes: bool) -> float:
        import httpx

        limits = httpx.Limits(max_connections=self.options.clients,
                              max_keepalive_connections=self.options.clients)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
            self.recording, self.recording_since = record, time.perf_counter()
            started = time.monotonic()
            stop = started + seconds
            await asyncio.gather(*(self.client(http, i, stop, writes)
                                   for i in range(self.options.clients)))
            return time.monotonic() - started


# -- a backup under load -----------------------------------------------------------------------


async def backup_during(env: dict[str, str], folder: Path, delay: float) -> dict[str, Any]:
    """``citycoop backup`` ``delay`` seconds into the run, while the clients go on."""
    await asyncio.sleep(delay)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "citycoop", "backup", "--output", str(folder), "--keep", "1",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    archives = sorted(folder.glob("citycoop-*.tar.gz"))
    return {"started": started, "seconds": round(time.monotonic() - started, 1),
            "ok": process.returncode == 0, "said": (out + err).decode()[-500:],
            "archive": str(archives[-1]) if archives else "",
            "mb": round(archives[-1].stat().st_size / 1024 ** 2, 1) if archives else 0}


async def timed_run(run: Run, base: str, options: argparse.Namespace, env: dict[str, str],
                    work: Path) -> tuple[float, dict[str, Any] | None]:
    driving = run.drive(base, options.seconds, record=True, writes=options.write_share > 0)
    if not options.backup:
        return await driving, None
    elapsed, backup = await asyncio.gather(
        driving, backup_during(env, work / "backups", options.seconds / 3))
    return elapsed, backup


def restore_and_check(env: dict[str, str], backup: dict[str, Any], run: Run,
                      targets: dict[str, Any], work: Path) -> dict[str, Any]:
    """The archive taken under load, restored into an empty data folder (or scratch
    database): it must pass its own count check and hold every write acknowledged before
    the backup began."""
    restored = {**env, "CITYCOOP_DATA_DIR": str(work / "restored")}
    url = env.get("CITYCOOP_DATABASE_URL")
    if url:
        restored["CITYCOOP_DATABASE_URL"] = scratch_database(
            url, url.rsplit("/", 1)[1] + "_restored", True)
    try:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "citycoop", "restore", backup["archive"]],
                              cwd=ROOT, env=restored, capture_output=True, text=True)
        seconds = round(time.monotonic() - started, 1)
        if done.returncode != 0:
            return {"restored": False, "said": (done.stdout + done.stderr)[-500:],
                    "restore_seconds": seconds, "lost": -1}
        before = backup["started"]
        check = child(restored, "check-backup", {
            "before": targets["before"],
            "created": [c for c in run.created if c["at"] < before],
            "patched": [p for p in run.patched if p["at"] < before]})
        return {"restored": True, "restore_seconds": seconds, **check}
    finally:
        if url:
            scratch_database(url, url.rsplit("/", 1)[1] + "_restored", False)


# -- one scenario ------------------------------------------------------------------------------


def scenario(options: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="citycoop-load-", dir=options.work_dir))
    env, made = prepare(options, work)
    database_url = env.get("CITYCOOP_DATABASE_URL")
    tag = f"load-{int(time.time())}"
    targets = child(env, "setup", {"tag": tag})
    port = free_port()
    log = work / "server.log"
    server = start_server(env, port, options.workers, options.threads, log)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(wait_for(base, server, log))
        warm = Run(targets, options, tag)
        asyncio.run(warm.drive(base, options.warmup, record=False, writes=False))
        described = machine(database_url)
        run = Run(targets, options, tag)
        cpu, served, busy = time.process_time(), tree_cpu_seconds(server.pid), machine_busy()
        backends = database_cpu(database_url)
        elapsed, backup = asyncio.run(timed_run(run, base, options, env, work))
        cpu, served = time.process_time() - cpu, tree_cpu_seconds(server.pid) - served
        # Backends still open (the server keeps its connections for 60 s): a few that
        # closed during the run are missed, so this is a lower bound.
        queried = sum(seconds - backends.get(pid, 0.0)
                      for pid, seconds in database_cpu(database_url).items())
        busy = tuple(after - before for after, before in zip(machine_busy(), busy, strict=True))
    finally:
        server.terminate()
        server.wait(timeout=60)
    check = child(env, "check", {"tag": tag, "before": targets["before"],
                                 "created": run.created, "patched": run.patched})
    if backup is not None:
        backup["into"] = "database" if database_url else "data folder"
        backup["check"] = (restore_and_check(env, backup, run, targets, work) if backup["ok"]
                           else {"restored": False, "lost": -1})
    n = targets["counts"]
    engine = "PostgreSQL" if database_url else "SQLite"
    result = {
        "scenario": f"{engine}, {n['pairings']:,} pairings / {n['pilots']:,} pilots / "
                    f"{n['actions']:,} actions" + (f", think {options.think} s"
                                                   if options.think else ""),
        "counts_line": ", ".join(f"{v:,} {k}" for k, v in n.items()),
        "size": targets["size"], "made": made, "machine": described,
        "clients": options.clients, "think": options.think, "workers": options.workers,
        "threads": options.threads, "client_cpu_seconds": round(cpu, 1),
        "server_cpu_seconds": round(served, 1), "database_cpu_seconds": round(queried, 1),
        "machine_busy_seconds": round(busy[0], 1), "machine_cpu_seconds": round(busy[1], 1),
        "figures": figures(run.samples, run.failures, elapsed), "check": check,
        "backup": backup,
    }
    if options.timeline:
        with options.timeline.open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(("started_s", "request", "ms"))
            writer.writerows((round(at, 3), label, round(ms, 1))
                             for at, label, ms in sorted(run.timeline))
    if database_url and not options.database and not options.keep:
        scratch_database(database_url, database_url.rsplit("/", 1)[1], False)
    if not options.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"  kept {work}", file=sys.stderr)
    return result


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        return child_main(sys.argv[2], Path(sys.argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pairings", type=int, default=2000,
                        help="pairings to generate when no portfolio is given (default 2000)")
    parser.add_argument("--from-dir", help="a generated SQLite data folder to copy")
    parser.add_argument("--database", help="a generated PostgreSQL database URL to use as is")
    parser.add_argument("--database-url", default="postgres://citycoop:citycoop@127.0.0.1:5432/"
                        "citycoop", help="PostgreSQL server to make a scratch database on")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=8)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause between a client's requests in s (default 0: closed "
                             "loop, the server at saturation)")
    parser.add_argument("--write-share", type=float, default=0.10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--backup", action="store_true",
                        help="take a backup a third into the run, then restore it and check it")
    parser.add_argument("--work-dir", default=None, help="where to make the data folder")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and database")
    parser.add_argument("--results", type=Path, help="a file to append the figures to (JSON "
                                                     "lines), for --table")
    parser.add_argument("--timeline", type=Path, help="a CSV file of every answered request: "
                                                        "when it started, what, how long")
    parser.add_argument("--table", type=Path, nargs="+", help="print the side-by-side table "
                                                               "of results files and stop")
    options = parser.parse_args()
    if options.table:
        print(table(options.table))
        return 0
    result = scenario(options)
    print(report(result))
    if options.results:
        with options.results.open("a") as handle:
            handle.write(json.dumps(result) + "\n")
    fine = result["figures"]["errors"] == 0 and result["check"]["lost"] == 0
    if result["backup"] is not None:
        fine = fine and result["backup"]["check"]["lost"] == 0
    return 0 if fine else 1


if __name__ == "__main__":
    raise SystemExit(main())
