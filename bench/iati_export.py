"""The IATI 2.03 activity XML export of a generated portfolio: time, memory, validity.

Run `.venv/bin/python bench/iati_export.py [--data-dir DIR] [--write FILE]`. DIR (default
/tmp/gen) is a data folder made by `citycoop generate` (2,000 pairings, 20,000 pilots,
200,000 actions); it is only read: the benchmark copies it to a temporary folder and brings
the copy's tables up to date there. Each export runs in its own process, as a user's would,
once as the operator sees the portfolio (everything) and once as the public does. Figures:

- wall time of the process (Python and Django starting included) and the export's own;
- peak resident memory of that process (`ru_maxrss` of the child, read with `os.wait4` for
  each run: `getrusage(RUSAGE_CHILDREN)` would also count the migration's process);
- whether the file validates against the official schema in ../shared/iati-2.03 (with lxml,
  after every timed run: Linux keeps a child's memory high-water mark across exec, so a
  child started while this process held a parsed file would report that file's memory;
  "not checked" without ../shared or lxml).

CITYCOOP_SITE_URL is set for the runs so that agreements without a link of their own are
linked to their pairing's page, as on a deployed site: the generated agreements have none.

Targets: under 30 s and under 500 MB. Prints Markdown; `--write` also saves it
(bench/iati-results.md holds the last run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "iati-2.03" / "schemas" / "iati-activities-schema.xsd"
PYTHON = sys.executable
SITE_URL = "https://citycoop.example.org"
TARGET_SECONDS, TARGET_MB = 30, 500


def export_here(output: Path, public: bool) -> None:
    """The child: export, then print the export's own time and counts as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from citycoop.opendata.exporters import EXPORTERS
    from citycoop.opendata.selection import Selection

    pairings = [0]
    started = time.perf_counter()
    with output.open("wb") as out:
        EXPORTERS["iati"].export(Selection(everything=not public), out,
                                 progress=lambda done, total: pairings.__setitem__(0, total))
    print(json.dumps({"seconds": time.perf_counter() - started, "pairings": pairings[0]}))


def run_export(data_dir: Path, output: Path,
               public: bool) -> tuple[float, float, dict[str, float]]:
    """Wall seconds, peak memory in MB, and what the child reported."""
    env = {**os.environ, "CITYCOOP_DATA_DIR": str(data_dir), "CITYCOOP_SITE_URL": SITE_URL}
    command = [PYTHON, __file__, "--child", str(output)] + (["--public"] if public else [])
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    stdout = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"the export failed (exit {child.returncode})")
    return wall, usage.ru_maxrss / 1024, json.loads(stdout.strip().splitlines()[-1])


def validity(output: Path) -> tuple[str, int]:
    """Whether the file validates, and how many activities it holds."""
    try:
        from lxml import etree
    except ImportError:
        return "not checked (no lxml)", -1
    document = etree.parse(str(output))
    activities = len(document.getroot())
    if not SCHEMA.exists():
        return "not checked (no ../shared)", activities
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    valid = schema.validate(document)
    return ("yes" if valid else f"NO: {schema.error_log.last_error}"), activities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/gen"),
                        help="data folder of a generated portfolio (only read)")
    parser.add_argument("--write", type=Path, help="also save the Markdown to this file")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--public", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        export_here(options.child, options.public)
        return
    if not (options.data_dir / "citycoop.sqlite3").exists():
        raise SystemExit(f"{options.data_dir} holds no portfolio: run `citycoop generate` "
                         "into it first")

    lines = ["# IATI 2.03 activity XML export of the generated portfolio", "", "Command:", "",
             "```sh", f".venv/bin/python bench/iati_export.py --data-dir {options.data_dir}"
             + (f" --write {options.write}" if options.write else ""), "```", "",
             f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, SQLite.",
             "", "| portfolio | view | pairings | activities | size | wall s | export s "
             "| peak memory | valid | target |", "|---|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="iati-bench-") as folder:
        data = Path(folder) / "data"
        shutil.copytree(options.data_dir, data)
        subprocess.run([PYTHON, "-m", "citycoop", "migrate", "-v0"], cwd=ROOT, check=True,
                       env={**os.environ, "CITYCOOP_DATA_DIR": str(data)})
        runs = {}
        for view in ("everything", "public"):
            output = Path(folder) / f"iati-{view}.xml"
            runs[view] = (output, *run_export(data, output, view == "public"))
            print(f"{view}: {runs[view][1]:.1f} s, {runs[view][2]:.0f} MB", flush=True)
        for view, (output, wall, memory, reported) in runs.items():
            valid, activities = validity(output)
            lines.append(
                f"| generated | {view} | {reported['pairings']:,} | {activities:,} "
                f"| {output.stat().st_size / 1e6:.1f} MB | {wall:.1f} | "
                f"{reported['seconds']:.1f} | {memory:.0f} MB | {valid} "
                f"| < {TARGET_SECONDS} s, < {TARGET_MB} MB |")
    text = "\n".join(lines) + "\n"
    print(text)
    if options.write:
        options.write.write_text(text)


if __name__ == "__main__":
    main()
