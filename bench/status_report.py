"""The programme status page (`citycoop report status`) in each format: the demo portfolio,
and a generated portfolio of about 2,000 pairings.

Run `.venv/bin/python bench/status_report.py [--generated DIR] [--skip-generated-pdf]
[--write FILE]`. The demo is loaded into a fresh SQLite database in a temporary data folder;
the generated portfolio is read from DIR (default /tmp/gen, a data folder made by
`citycoop generate`; it is only read). Each figure is the wall time of the command as a user
runs it (Python and Django starting included) and the time the command reports for reading
the records and writing the file.

Targets: the demo's report under 3 s in every format, the generated portfolio's PDF under
60 s. Prints Markdown; `--write` also saves it (bench/status-report-results.md holds the
last run).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FORMATS = ("html", "md", "docx", "pdf")


def run(data_dir: str, *args: str) -> tuple[float, float, str]:
    """Wall time, the command's own time, and its last line on stderr."""
    env = {**os.environ, "CITYCOOP_DATA_DIR": data_dir}
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "-m", "citycoop", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    found = re.search(r"in ([\d.]+) s\.$", last)
    return wall, float(found.group(1)) if found else float("nan"), last


def report(data_dir: str, out: Path, fmt: str) -> tuple[float, float, int, str]:
    wall, own, last = run(data_dir, "report", "status", "--format", fmt,
                          "--output", str(out / f"status.{fmt}"))
    return wall, own, (out / f"status.{fmt}").stat().st_size, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", default="/tmp/gen",
                        help="data folder of a generated portfolio (read only)")
    parser.add_argument("--skip-generated-pdf", action="store_true",
                        help="leave out the generated portfolio's PDF (minutes on 2 cores)")
    parser.add_argument("--write", type=Path, help="also save the Markdown to this file")
    options = parser.parse_args()

    lines = [f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, SQLite.", "",
             "| portfolio | format | wall s | command's own s | size | target |",
             "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder:
        demo = str(Path(folder) / "demo")
        subprocess.run([PYTHON, "-m", "citycoop", "migrate", "-v0"], cwd=ROOT, check=True,
                       env={**os.environ, "CITYCOOP_DATA_DIR": demo})
        subprocess.run([PYTHON, "-m", "citycoop", "loaddemo"], cwd=ROOT, check=True,
                       capture_output=True, env={**os.environ, "CITYCOOP_DATA_DIR": demo})
        out = Path(folder)
        for fmt in FORMATS:
            wall, own, size, _ = report(demo, out, fmt)
            lines.append(f"| demo (10 pairings) | {fmt} | {wall:.2f} | {own:.2f} | "
                         f"{size:,} B | < 3 s |")
            print(lines[-1], flush=True)
        if Path(options.generated).is_dir():
            chosen = [f for f in FORMATS if f != "pdf" or not options.skip_generated_pdf]
            for fmt in chosen:
                wall, own, size, last = report(options.generated, out, fmt)
                pairings = re.search(r"(\d+) pairings", last)
                label = f"generated ({pairings.group(1) if pairings else '?'} public pairings)"
                lines.append(f"| {label} | {fmt} | {wall:.1f} | {own:.1f} | "
                             f"{size / 1e6:.1f} MB | {'< 60 s' if fmt == 'pdf' else ''} |")
                print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    print(text)
    if options.write:
        options.write.write_text(text)


if __name__ == "__main__":
    main()
