"""The long fuzzing run (trust-at-scale issue): 10,000 mutated or generated inputs per target.

Run `.venv/bin/python bench/fuzz.py` (or `--inputs 500` for a quick look); `--write
bench/fuzz-results.md` records the figures with the command and the machine. The targets are
the fuzz tests' own (tests/test_fuzz_*.py), run longer, each from a fixed seed:

- report readers + extractor: files made from the reference report in five formats
  (../shared/reports/) and the fixtures' reports, byte- and text-level mutations, and
  hypothesis-drawn ones; each ends in a draft or the readers' refusal (UnreadableFile);
- whole report import: upload, staging, review and apply on a database holding the demo
  portfolio; a refused import must leave every table's row count as it was (fewer inputs:
  each one is a whole import);
- spreadsheet import: an export of two demo pairings, edited, damaged or corrupt; a review
  or SheetFileError, then apply (or ImportRefused, with every table as it was);
- scheduler input: `citycoop schedule` on mutated and generated JSON instances; exit status
  2 with a message, or a schedule the engine's validator finds valid.

Prints, per target: inputs, clean refusals, accepted, crashes, partial writes and seconds,
with a progress bar on standard error. Every crash and partial write is saved, input and
traceback, under `--findings` so that it can be replayed. Exit status 1 if there was any.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = ["reports", "imports", "sheets", "scheduler"]
GENERATED_SHARE = 0.2  # of each target's inputs, drawn by hypothesis; the rest are mutations


def set_up() -> None:
    os.environ["CITYCOOP_DATA_DIR"] = tempfile.mkdtemp(prefix="citycoop-bench-fuzz-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citycoop.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from citycoop.portfolio.demo.loader import load_portfolio

    call_command("migrate", verbosity=0)
    load_portfolio()
    # The PDF libraries log, and openpyxl and zipfile warn about, every damaged part they
    # meet: thousands of lines here, all expected.
    for name in ("pypdf", "pdfminer", "pdfplumber", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    # Every target's code loaded now, so that the run is of one version of it throughout.
    import tests.test_fuzz_report_readers
    import tests.test_fuzz_scheduler_input
    import tests.test_fuzz_sheet_import  # noqa: F401


def bar(label: str) -> Any:
    from django.core.management.base import OutputWrapper

    from citycoop.common.progress import Bar

    return Bar(OutputWrapper(sys.stderr), f"{label:<26}")


def split(inputs: int) -> tuple[int, int]:
    generated = round(inputs * GENERATED_SHARE)
    return inputs - generated, generated


def run_reports(options: argparse.Namespace, reference: Path) -> Any:
    from tests.fuzzing import Tally, report_corpus
    from tests.test_fuzz_report_readers import fuzz_reports

    mutated, generated = split(options.inputs)
    tally = Tally("report readers + extractor", limit=options.time_limit)
    return fuzz_reports(tally, report_corpus(reference), mutated=mutated, generated=generated,
                        seed=options.seed, progress=bar("report readers"))


def run_imports(options: argparse.Namespace, reference: Path) -> Any:
    from tests.fuzzing import Tally, report_corpus
    from tests.test_fuzz_report_readers import fuzz_whole_imports

    tally = Tally("whole report import (database)", limit=options.time_limit * 3)
    return fuzz_whole_imports(tally, report_corpus(reference), count=options.imports,
                              seed=options.seed, progress=bar("whole report import"))


def run_sheets(options: argparse.Namespace) -> Any:
    from tests.fuzzing import Tally
    from tests.test_fuzz_sheet_import import export, fuzz_sheets, personas

    mutated, generated = split(options.inputs)
    tally = Tally("spreadsheet import", limit=options.time_limit)
    return fuzz_sheets(tally, export(), personas(), mutated=mutated, generated=generated,
                       seed=options.seed, progress=bar("spreadsheet import"))


def run_scheduler(options: argparse.Namespace) -> Any:
    from tests.fuzzing import Tally
    from tests.test_fuzz_scheduler_input import fuzz_scheduler

    mutated, generated = split(options.inputs)
    tally = Tally("scheduler input", limit=options.time_limit)
    return fuzz_scheduler(tally, mutated=mutated, generated=generated, seed=options.seed,
                          progress=bar("scheduler input"))


def save_findings(tallies: list[Any], folder: Path) -> int:
    """Each crash and partial write as two files: the input, and how it was made and failed."""
    saved = 0
    for tally in tallies:
        stem = tally.target.split()[0]
        for number, finding in enumerate(tally.findings, start=1):
            folder.mkdir(parents=True, exist_ok=True)
            value = finding.value
            data = value[0] if isinstance(value, tuple) else value
            (folder / f"{stem}-{number}.input").write_bytes(
                data if isinstance(data, bytes) else repr(data).encode())
            (folder / f"{stem}-{number}.txt").write_text(
                f"{tally.target}\n{finding.origin}\n{value[1:] if isinstance(value, tuple) else ''}"
                f"\n\n{finding.error}")
            saved += 1
    return saved


def table(tallies: list[Any]) -> str:
    from tests.fuzzing import OUTCOMES

    lines = ["| target | inputs | " + " | ".join(OUTCOMES) + " | seconds |",
             "|---|" + "---|" * (len(OUTCOMES) + 2)]
    for tally in tallies:
        row = tally.line()
        lines.append(f"| {tally.target} | {row['inputs']:,} | "
                     + " | ".join(f"{row[outcome]:,}" for outcome in OUTCOMES)
                     + f" | {row['seconds']:,.1f} |")
    return "\n".join(lines)


def machine() -> str:
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite; "
            f"load average at the end {load}")


def report(tallies: list[Any], options: argparse.Namespace, wall: float, notes: list[str],
           saved: int) -> str:
    command = " ".join(["python bench/fuzz.py", *sys.argv[1:]])
    lines = ["# Fuzzing: the report import, the spreadsheet import, the scheduler's input", "",
             "Command:", "", "```sh", f".venv/bin/{command}", "```", "",
             f"Run on {datetime.date.today():%Y-%m-%d}, seed {options.seed}, "
             f"{wall / 60:.1f} minutes in all. Machine: {machine()}.", "",
             table(tallies), ""]
    lines += [f"- {note}" for note in notes]
    faults = sum(len(tally.findings) for tally in tallies)
    lines.append(f"- {faults} crashes and partial writes" + (
        f", saved with their tracebacks in `{options.findings}`" if saved else "") + ".")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000,
                        help="inputs per target (default 10,000), a fifth of them drawn by "
                             "hypothesis")
    parser.add_argument("--imports", type=int, default=1_000,
                        help="whole report imports on the database (default 1,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--targets", default=",".join(TARGETS),
                        help=f"a comma-separated subset of {', '.join(TARGETS)}")
    parser.add_argument("--time-limit", type=float, default=20.0,
                        help="seconds one input may take before it counts as a crash "
                             "(a hang); the report files here take under 3")
    parser.add_argument("--findings", type=Path,
                        default=Path(tempfile.gettempdir()) / "citycoop-fuzz-findings")
    parser.add_argument("--write", type=Path, help="also save the results as Markdown here")
    options = parser.parse_args()
    wanted = [name.strip() for name in options.targets.split(",") if name.strip()]
    unknown = set(wanted) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    set_up()
    from tests.fuzzing import REFERENCE

    reference = ROOT.parent / "shared" / REFERENCE
    notes: list[str] = []
    tallies = []
    for name in wanted:
        if name in ("reports", "imports") and not reference.exists():
            notes.append(f"{name}: skipped, {reference} is not here (it is in ../shared)")
            continue
        if name == "reports":
            tallies.append(run_reports(options, reference))
        elif name == "imports":
            tallies.append(run_imports(options, reference))
        elif name == "sheets":
            tallies.append(run_sheets(options))
        else:
            tallies.append(run_scheduler(options))
        print(table(tallies[-1:]).splitlines()[-1], flush=True)
    wall = time.perf_counter() - started
    saved = save_findings(tallies, options.findings)
    text = report(tallies, options, wall, notes, saved)
    print("\n" + text)
    for tally in tallies:
        if tally.findings:
            print(tally.faults(), file=sys.stderr)
    if options.write:
        options.write.write_text(text)
    return 1 if any(tally.findings for tally in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
