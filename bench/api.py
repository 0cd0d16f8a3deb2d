"""The REST API's list endpoints on a generated portfolio, and requests per second on the
pilots list beside Datasette serving the same SQLite table.

Run `.venv/bin/python bench/api.py --data-dir DIR [--write FILE]`, DIR a data folder holding
a generated portfolio (`citycoop generate --pairings 2000`; it is only read; copy it first
if it may need migrating). Two parts:

1. **Server time per list** with Django's test client (no network): a page of 100, the first
   page and the tenth (reached by following ``next``), 30 timed requests each after a
   warm-up, anonymous. Target: p95 under 50 ms.
2. **Requests per second, side by side**: `citycoop serve` as deployed (`--workers` one
   per core: gunicorn, 4 threads each), `citycoop serve` in one process (waitress, 8
   threads), and `datasette serve` (uvicorn, one process) on the same SQLite file, each
   driven in turn by the same client (ApacheBench when installed, else Python threads; 8
   keep-alive connections on loopback, 10 s) asking for 100 pilots as JSON:
   `/api/v1/pilots?limit=100` against `/DB/portfolio_pilotproject.json?_size=100` (with
   `_nocount`, `_nofacet` and `_nosuggest`: no total count, no facets). citycoop is asked
   twice as deployed: anonymously (the public's answer is kept until the next write) and
   with a token (computed for every request). The ratio is citycoop's rate over
   Datasette's (target: at least 1).

Datasette is in the `bench` extra (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 50.0
LISTS = ("pairings", "pilots", "actions", "agreements", "next-steps", "events",
         "organisations", "places", "people", "indicators")


def server_times(data_dir: str, requests: int) -> tuple[list[dict[str, Any]], str]:
    """Part 1, in this process (Django set up on the data folder): each list as the public
    gets it (kept until the next write) and with a token (computed for every request)."""
    os.environ["CITYCOOP_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
    import django

    django.setup()
    from django.test import Client

    from citycoop.common.warmup import prepare_process

    prepare_process()
    from citycoop.accounts.models import User
    from citycoop.accounts.tokens import create_token

    admin = User.objects.filter(username="bench-api").first() or \
        User.objects.create_superuser("bench-api", "bench-api@example.org", None)
    _token, secret = create_token(admin, name="bench", acting_user=None)
    rows = []
    for mode, client in (("public", Client(HTTP_HOST="localhost")),
                         ("token", Client(HTTP_HOST="localhost",
                                          HTTP_AUTHORIZATION=f"Bearer {secret}"))):
        rows += list_times(client, mode, requests)
    return rows, secret


def list_times(client: Any, mode: str, requests: int) -> list[dict[str, Any]]:
    rows = []
    for name in LISTS:
        first = f"/api/v1/{name}?limit=100"
        url, deep = first, None
        for _ in range(9):
            following = client.get(url).json()["next"]
            if not following:
                break
            url = deep = following.replace("http://localhost", "")
        for label, target in (("first page", first), ("tenth page", deep)):
            if target is None:
                continue
            for _ in range(3):
                answer = client.get(target)
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                answer = client.get(target)
                times.append((time.perf_counter() - started) * 1000)
            items = len(answer.json()["items"])
            rows.append({"list": name, "mode": mode, "page": label, "items": items,
                         "median": statistics.median(times),
                         "p95": statistics.quantiles(times, n=20, method="inclusive")[-1]})
            print(f"  {name} {label} ({mode}): p95 {rows[-1]['p95']:.1f} ms", file=sys.stderr)
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, path: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answered on port {port}")


def drive(port: int, path: str, seconds: float, clients: int,
          token: str = "") -> dict[str, float]:
    """Requests per second from ``clients`` keep-alive connections for ``seconds``: with
    ApacheBench when it is installed (Debian: apache2-utils), whose client in C leaves the
    two cores to the servers; else with Python threads, which need a core of their own and
    cap what they can measure at a few hundred requests a second."""
    ab = shutil.which("ab")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if ab is not None:
        return drive_with_ab(ab, port, path, seconds, clients, headers)
    return drive_with_threads(port, path, seconds, clients, headers)


def drive_with_ab(ab: str, port: int, path: str, seconds: float, clients: int,
                  headers: dict[str, str]) -> dict[str, float]:
    extra = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    done = subprocess.run([ab, "-q", "-k", *extra, "-c", str(clients), "-t", str(int(seconds)),
                           "-n", "10000000", f"http://127.0.0.1:{port}{path}"],
                          capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests per second:\s+([\d.]+)", done).group(1))  # type: ignore[union-attr]
    # ab counts an answer whose length differs from the first as "failed" (Length): a
    # JSON answer that carries its own timing differs every time; that is no error.
    kinds = re.search(r"\(Connect: (\d+), Receive: (\d+), Length: \d+, Exceptions: (\d+)\)",
                      done)
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", done)
    errors = sum(int(n) for n in kinds.groups()) if kinds else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return {"rps": rate, "errors": float(errors)}


def drive_with_threads(port: int, path: str, seconds: float, clients: int,
                       headers: dict[str, str]) -> dict[str, float]:
    counts = [0] * clients
    errors = [0] * clients
    stop = time.perf_counter() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            answer.read()
            if answer.status == 200:
                counts[index] += 1
            else:
                errors[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"rps": sum(counts) / elapsed, "errors": float(sum(errors))}


def side_by_side(data_dir: str, seconds: float, clients: int, token: str) -> dict[str, Any]:
    database = str(Path(data_dir) / "citycoop.sqlite3")
    env = {**os.environ, "CITYCOOP_DATA_DIR": data_dir, "CITYCOOP_DEBUG": "0"}
    ours, single, theirs = free_port(), free_port(), free_port()
    workers = str(os.cpu_count() or 1)
    datasette = shutil.which("datasette", path=str(Path(sys.executable).parent))
    if datasette is None:
        raise SystemExit("Datasette is not installed: pip install -e '.[bench]'")
    servers = [
        subprocess.Popen([sys.executable, "-m", "citycoop", "serve", "--port", str(ours),
                          "--workers", workers, "--threads", "4"], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "citycoop", "serve", "--port", str(single),
                          "--threads", "8"], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([datasette, "serve", "--immutable", database, "--port", str(theirs),
                          "--setting", "sql_time_limit_ms", "10000"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        name = Path(database).stem
        pilots = "/api/v1/pilots?limit=100"
        paths = {"citycoop": (ours, pilots, ""),
                 "citycoop with a token (nothing cached)": (ours, pilots, token),
                 "citycoop, one process": (single, pilots, ""),
                 # Without the total count and the facet suggestions, which citycoop's list
                 # does not compute either: row for row the same work.
                 "datasette": (theirs, f"/{name}/portfolio_pilotproject.json?_size=100"
                                       "&_nocount=1&_nofacet=1&_nosuggest=1", "")}
        results = {}
        for who, (port, path, key) in paths.items():
            wait_for(port, path)
            drive(port, path, 2, clients, key)   # warm-up
            results[who] = drive(port, path, seconds, clients, key)
            print(f"  {who}: {results[who]['rps']:.0f} requests/s", file=sys.stderr)
        return results
    finally:
        for server in servers:
            server.terminate()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="/tmp/gen")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--write", type=Path)
    options = parser.parse_args()
    rows, token = server_times(options.data_dir, options.requests)
    rates = side_by_side(options.data_dir, options.seconds, options.clients, token)
    lines = [f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, SQLite; "
             f"data folder {options.data_dir}.", "",
             "Server time of each list, a page of 100 (Django test client): \"public\" as an "
             "anonymous visitor gets it (kept until the next write), \"token\" with an admin's "
             "token (computed for every request, every record visible):", "",
             "| list | mode | page | items | median ms | p95 ms | target |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        verdict = "ok" if row["p95"] < TARGET_P95_MS else "**over**"
        lines.append(f"| {row['list']} | {row['mode']} | {row['page']} | {row['items']} | "
                     f"{row['median']:.1f} | {row['p95']:.1f} | {verdict} (< 50 ms) |")
    ratio = rates["citycoop"]["rps"] / max(rates["datasette"]["rps"], 1e-9)
    lines += ["", f"Requests per second for 100 pilots as JSON, {options.clients} clients on "
              f"loopback for {options.seconds:.0f} s each:", "",
              "| server | requests/s | errors |", "|---|---|---|"]
    for who, rate in rates.items():
        lines.append(f"| {who} | {rate['rps']:.0f} | {rate['errors']:.0f} |")
    single_ratio = rates["citycoop, one process"]["rps"] / max(rates["datasette"]["rps"], 1e-9)
    token_ratio = (rates["citycoop with a token (nothing cached)"]["rps"]
                   / max(rates["datasette"]["rps"], 1e-9))
    lines += ["", f"Ratio citycoop / Datasette: **{ratio:.2f}** as deployed "
              f"({os.cpu_count()} workers), {token_ratio:.2f} with a token (computed for every "
              f"request), {single_ratio:.2f} in one process (target: at least 1)."]
    text = "\n".join(lines) + "\n"
    print(text)
    if options.write:
        options.write.write_text(text)


if __name__ == "__main__":
    main()
