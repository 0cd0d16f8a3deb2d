"""The programme's status page, read as plain text: the layout every other format mirrors."""

from __future__ import annotations

import time

import pytest

from citycoop.imports.readers import BlockKind, Document, read_bytes
from citycoop.imports.readers.text import read_txt


@pytest.fixture(scope="module")
def page(reference_text: str) -> Document:
    return read_bytes(reference_text.encode("utf-8"), "world-cities-pilot-projects-2016.txt")


def headings(page: Document, level: int) -> list[tuple[str, str]]:
    return [(b.marker, b.text) for b in page.blocks
            if b.kind is BlockKind.HEADING and b.level == level]


def test_every_block_is_a_slice_of_the_text(page: Document) -> None:
    page.check()
    assert page.format == "txt"
    assert page.source == "world-cities-pilot-projects-2016.txt"


def test_the_text_is_the_file_with_its_no_break_spaces(page: Document,
                                                       reference_text: str) -> None:
    assert page.text == reference_text
    assert "Issue 2:\u00a0Industrial\u00a0cooperation" in [b.text for b in page.blocks]


def test_the_title_line_is_a_level_one_heading(page: Document) -> None:
    assert page.title == "Pilot Projects"
    assert headings(page, 1) == [("", "Pilot Projects")]


def test_it_finds_every_top_level_bullet(page: Document, reference_text: str) -> None:
    written = sum(1 for line in reference_text.splitlines() if line.startswith("  • "))
    top_level = [b for b in page.blocks if b.kind is BlockKind.BULLET and b.level == 0]
    assert written == 48
    assert len(top_level) == written
    assert {b.marker for b in top_level} == {"•"}
    assert not any(b.text.startswith(("•", " ")) for b in top_level)


def test_the_pairing_headings_are_level_two_with_their_markers(page: Document) -> None:
    pairings = headings(page, 2)
    assert [marker for marker, _ in pairings] == [
        "1.", "2.", "3.", "4.", "5.", "6.", "1)", "2)", "3)", "4)"]
    assert pairings[0] == ("1.", "West-Midlands – Guangzhou / Tianjin")
    assert pairings[4] == ("5.", "Andalucía Smart City Cluster – Shantou")
    assert pairings[6] == ("1)", "Chandigarh\u00a0(cooperation mainly with Copenhagen / CLEAN Cluster)")
    assert pairings[9][1].startswith("Pune")


def test_issue_headings_in_both_forms_are_level_three(page: Document,
                                                      reference_text: str) -> None:
    issues = [text for _, text in headings(page, 3)]
    assert len(issues) == reference_text.count("Issue ") == 15
    assert all(text.startswith("Issue ") for text in issues)
    assert "Issue 1: Green (Environmental) Technology Cooperation" in issues
    assert "Issue 1 – Smart City to Shantou" in issues
    assert "Issue 2 – Port Cooperation" in issues  # its trailing no-break space is trimmed
    assert "Issue 4: British Week in Tianjin" in issues  # written after a no-break space


def test_the_lyon_start_ups_are_sub_bullets_at_level_one(page: Document) -> None:
    bullets = [b for b in page.blocks if b.kind is BlockKind.BULLET]
    nested = [b for b in bullets if b.level == 1]
    assert [b.text.split(" (")[0].split(" were")[0] for b in nested] == [
        "Evotion", "Navya", "Bidul and Co", "My Blue Ship", "Forcity", "2 companies of these"]
    parent = bullets[bullets.index(nested[0]) - 1]
    assert parent.level == 0
    assert parent.text.startswith("Mission to China in June 2015.")


def test_a_bullet_with_continuation_lines_is_one_block(page: Document) -> None:
    visit = next(b for b in page.blocks if b.text.startswith("Visit of Shantou representatives"))
    assert visit.kind is BlockKind.BULLET
    assert visit.level == 0
    lines = visit.text.split("\n")
    assert len(lines) == 3
    assert lines[1].strip() == "Promising exchange of ideas and experiences on cruise and cargo"
    assert lines[2].strip().endswith("renewed the interest for this bilateral cooperation")
    assert not any(b.text.lstrip().startswith(("Promising", "Andalucia Smart"))
                   for b in page.blocks)


def test_the_next_step_line_at_column_zero_is_a_paragraph(page: Document) -> None:
    step = next(b for b in page.blocks if b.text.startswith("Next Step: Visit of Shantou"))
    assert step.kind is BlockKind.PARAGRAPH
    assert step.text.endswith("Preparation of report for EU-China Summit in July 2016")


def test_prose_paragraphs_are_paragraphs(page: Document) -> None:
    paragraphs = [b.text for b in page.blocks if b.kind is BlockKind.PARAGRAPH]
    assert paragraphs[0].startswith("In this section we give an overview")
    assert paragraphs[-1] == ("For detailed information on the projects, please contact "
                              "pgandara@world-cities.eu.")
    assert len(paragraphs) == 6


def test_reading_the_page_takes_a_few_milliseconds(reference_text: str) -> None:
    data = reference_text.encode("utf-8")
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        read_txt(data, "page.txt")
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.02
