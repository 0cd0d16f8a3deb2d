"""Report import: quality on the reference page in five formats, and speed and memory.

Run with `.venv/bin/python bench/extract.py` (needs ../shared). Prints, for the status page
as text, HTML, Word, PDF and Markdown, each figure of the report-import issue against its
target; then the warm extraction time of the page, the time for 1 MB of report text, and the
peak memory for a 50 MB file, each measured in a fresh process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
os.environ.setdefault("CITYCOOP_DATA_DIR", "/tmp/citycoop-bench")

SHARED = ROOT.parent / "shared" / "reports"
PAGE = SHARED / "world-cities-pilot-projects-2016.txt"
GOLD = SHARED / "world-cities-pilot-projects-2016.gold.json"
ENTITIES = ["pairings", "actions", "organisations", "places", "dates", "urls", "emails",
            "agreements", "totals"]


def quality() -> None:
    from citycoop.imports.extract import extract
    from citycoop.imports.readers import read_bytes
    from citycoop.imports.score import TARGETS, score
    from tests.fixtures import make_report_variants as make

    text = PAGE.read_text(encoding="utf-8")
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    variants = {"txt": text.encode(), "html": make.make_html(text), "docx": make.make_docx(text),
                "pdf": make.make_pdf(text), "md": make.make_markdown(text).encode()}
    results = {}
    for name, data in variants.items():
        draft = extract(read_bytes(data, f"page.{name}")).to_json(spans=False)
        results[name] = score(draft, gold).as_dict()
    print("F1 on the reference page against its gold (dates also: share with iso agreeing)")
    print(f"{'figure':22}" + "".join(f"{n:>8}" for n in variants) + f"{'target':>8}")
    for entity in [*ENTITIES, "dates_iso_agreement"]:
        cells = [results[n][entity]["f1"] if isinstance(results[n][entity], dict)
                 else results[n][entity] for n in variants]
        print(f"{entity:22}" + "".join(f"{c:8.3f}" for c in cells) + f"{TARGETS[entity]:8.2f}")
    worst = max(abs(results[n][e]["f1"] - results["txt"][e]["f1"])
                for n in variants for e in ENTITIES)
    print(f"largest difference from the text version: {worst:.3f} (target within 0.02)\n")


def scaled_report(size: int) -> str:
    """The page repeated to ``size`` characters, with numbers and names varied per copy so no
    two copies are the same text."""
    text = PAGE.read_text(encoding="utf-8")
    parts, n = [], 0
    while sum(len(p) for p in parts) < size:
        n += 1
        parts.append(text.replace("2016", str(2016 + n % 9)).replace("24 Pilot", f"{20 + n} Pilot")
                     .replace("West-Midlands", f"West-Midlands {n}"))
    return "\n\n".join(parts)[:size]


def speed() -> None:
    from citycoop.imports.extract import extract
    from citycoop.imports.readers import read_bytes
    from citycoop.lib.geo import get_gazetteer

    get_gazetteer().load()
    data = PAGE.read_bytes()
    extract(read_bytes(data, "page.txt"))  # warm
    times = []
    for _ in range(20):
        started = time.perf_counter()
        extract(read_bytes(data, "page.txt"))
        times.append(time.perf_counter() - started)
    print(f"reference page, read and extract, warm: median {statistics.median(times) * 1000:.0f} ms"
          f", max {max(times) * 1000:.0f} ms (target < 300 ms)")
    big = scaled_report(1_000_000).encode()
    started = time.perf_counter()
    draft = extract(read_bytes(big, "big.txt"))
    elapsed = time.perf_counter() - started
    actions = sum(len(p.actions) for p in draft.pairings)
    print(f"1 MB of report text: {elapsed:.2f} s, {len(draft.pairings)} pairings, {actions} "
          f"actions (target < 1 s)")


# The child reports its own peak from /proc (VmHWM, the high-water mark of this program's
# memory): getrusage would also count the parent's pages copied when the child was forked.
MEASURED_EXTRACT = """
import sys
from citycoop.__main__ import main
main(["extract", sys.argv[1]])
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
sys.stderr.write(peak.split()[1])
"""


def memory() -> None:
    """`citycoop extract` on a 50 MB report, in its own process: time and peak memory."""
    path = Path("/tmp/citycoop-bench-50mb.txt")
    path.write_text(scaled_report(50 * 1024 * 1024), encoding="utf-8")
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        result = subprocess.run([sys.executable, "-c", MEASURED_EXTRACT, str(path)],
                                stdout=sink, stderr=subprocess.PIPE, text=True, timeout=1800,
                                cwd=ROOT)
    elapsed = time.perf_counter() - started
    path.unlink()
    if result.returncode != 0:
        print("50 MB report: FAILED\n" + result.stderr[-2000:])
        return
    peak_mb = int(result.stderr.strip().split()[-1]) / 1024
    print(f"50 MB report, `citycoop extract` to JSON: {elapsed:.0f} s, peak memory "
          f"{peak_mb:.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    if not PAGE.exists():
        sys.exit(f"{PAGE} is missing: this benchmark needs ../shared beside the project")
    import django

    django.setup()
    from citycoop.lib.geo import get_gazetteer

    print(f"gazetteer index built in {get_gazetteer().load():.2f} s (once per process)\n")
    quality()
    speed()
    memory()
