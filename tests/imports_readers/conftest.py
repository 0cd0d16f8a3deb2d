"""Fixtures of the readers' tests: the reference page and the variants made from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED, require_shared

REFERENCE = SHARED / "reports" / "world-cities-pilot-projects-2016.txt"

# Lines in the reference page's layout (and of its density, about 140 characters a block),
# for tests that need volume rather than the page itself.
OWN_LINES = """Pilot Projects

Currently there are 24 pilot projects between European and Chinese cities in a wide range of \
areas including environmental technologies, urban development (smart city), university and \
research cooperation, aerospace, health care, agribusiness, food certification and energy \
efficiency. As of today, 14 MoUs have been signed, in addition to more than 20 from an earlier \
cooperation programme. Many of them are business to business, and the cities and regions \
involved identified them with strong support of the programme team. For further details, \
please contact the programme office.

1.   Lyon – Guangzhou

Issue 1: Cooperation of Start-Ups / Clusters

  • Support to start-ups of cluster LyonFrenchTech by Guangzhou Development District (GDD) – \
networking, matching Chinese market
  • Mission to China in June 2015. Following innovative start-ups from Lyon travelled to China:
    • Evotion (robotics – www.evotion.fr), Navya (autonomous, driverless electric vehicles)
    • Two companies of these were involved in a follow-up mission to China in March 2016
  • MoUs were signed on tourism cooperation as well as between the Chambers of Commerce of \
Lyon and Guangzhou.

Next Step: Visit of Shantou delegation to Málaga in June/July 2016. Preparation of report for \
EU-China Summit in July 2016

"""


def require_reference() -> Path:
    """The reference page in ../shared, or a skip (a failure in CI) that says why."""
    return require_shared("reports/world-cities-pilot-projects-2016.txt")


@pytest.fixture(scope="session")
def reference_text() -> str:
    return require_reference().read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def report_like_text() -> bytes:
    """The reference page, or lines in its layout where ../shared is missing (no skip)."""
    if REFERENCE.exists():
        return REFERENCE.read_bytes() + b"\n\n"
    return OWN_LINES.encode("utf-8")


@pytest.fixture(scope="session")
def variants(reference_text: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The reference page written as .html, .docx, .pdf and .md files, made once per run."""
    from tests.fixtures.make_report_variants import (
        make_docx,
        make_html,
        make_markdown,
        make_pdf,
    )

    folder = tmp_path_factory.mktemp("variants")
    files = {
        "html": make_html(reference_text),
        "docx": make_docx(reference_text),
        "pdf": make_pdf(reference_text),
        "md": make_markdown(reference_text).encode("utf-8"),
    }
    paths = {}
    for suffix, data in files.items():
        path = folder / f"world-cities-pilot-projects-2016.{suffix}"
        path.write_bytes(data)
        paths[suffix] = path
    return paths

