"""The demo fixture is written from the reference status page: every bullet of the page is
an action of the demo, verbatim, and the page's headline figures are its snapshots."""

from __future__ import annotations

import re

import pytest
import yaml

from citycoop.portfolio.demo import DEMO_FIXTURE
from tests.conftest import require_shared

PAGE = "reports/world-cities-pilot-projects-2016.txt"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def page_bullets(text: str) -> list[str]:
    """Top-level bullets of the page ("  • ..."), with their continuation lines."""
    bullets: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if line.startswith("  • "):
            current = [stripped[2:]]
            bullets.append("")
        elif current is not None and line.startswith("    ") and not stripped.startswith("•"):
            current.append(stripped)
        else:
            current = None if not stripped.startswith("•") else current
        if current is not None and bullets:
            bullets[-1] = normalise(" ".join(current))
    return [b for b in bullets if b]


def fixture_actions() -> list[str]:
    data = yaml.safe_load(DEMO_FIXTURE.read_text(encoding="utf-8"))
    return [normalise(action["text"]) for pairing in data["pairings"]
            for pilot in pairing["pilots"] for action in pilot.get("actions", [])]


def test_every_bullet_of_the_reference_page_is_an_action_of_the_demo():
    page = require_shared(PAGE).read_text(encoding="utf-8")
    actions = fixture_actions()
    bullets = page_bullets(page)
    assert len(bullets) >= 45
    missing = [b for b in bullets if not any(b in a or a in b for a in actions)]
    assert missing == []


def test_every_action_of_the_demo_is_written_as_on_the_page():
    page = normalise(require_shared(PAGE).read_text(encoding="utf-8"))
    for action in fixture_actions():
        assert action in page, action


@pytest.mark.parametrize("sentence, figure", [
    ("Currently there are 24 Pilot projects between European and Chinese cities", 24),
    ("As of today, 14 MoUs have been signed", 14),
    ("the more than 20 from the CETREGIO cooperation", 20),
    ("Currently there are 12 Pilot projects between European and Indian cities", 12),
])
def test_the_headline_figures_of_the_page_are_the_demo_snapshots(sentence, figure):
    page = normalise(require_shared(PAGE).read_text(encoding="utf-8"))
    assert sentence in page
    snapshots = yaml.safe_load(DEMO_FIXTURE.read_text(encoding="utf-8"))["kpi_snapshots"]
    assert any(s["value"] == figure and sentence.split(",")[-1].strip()[:20] in
               normalise(s["source_text"]) for s in snapshots)
