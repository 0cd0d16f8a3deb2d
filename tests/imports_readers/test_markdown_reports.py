"""Markdown reports: headings, nested lists and tables, by their visible text."""

from __future__ import annotations

import pytest

from citycoop.imports.readers import BlockKind, Document, read_bytes

REPORT = """\
# EU-India pilot projects

Currently there are **12 pilot projects**, see [the map](https://example.org/map).

## 1) Chandigarh

### Issue 1: Sewage treatment

- Experts from *Copenhagen* and Stuttgart presented solutions
  - Rambøll (DK)
  - Sewage Treatment Plant of Stuttgart
    with a second line
- The Municipal Commissioner will travel in February

1. First step
2. Second step

| City | Partner | Status |
|------|---------|--------|
| Chandigarh | Copenhagen | MoU under preparation |
| Mumbai | Stuttgart | |
"""


@pytest.fixture(scope="module")
def report() -> Document:
    return read_bytes(REPORT.encode("utf-8"), "pilots.md")


def test_it_is_read_as_markdown_with_valid_offsets(report: Document) -> None:
    report.check()
    assert report.format == "md"
    assert report.title == "EU-India pilot projects"


def test_headings_keep_their_level_and_number(report: Document) -> None:
    assert [(b.level, b.marker, b.text) for b in report.blocks
            if b.kind is BlockKind.HEADING] == [
        (1, "", "EU-India pilot projects"),
        (2, "1)", "Chandigarh"),
        (3, "", "Issue 1: Sewage treatment"),
    ]


def test_text_is_what_a_reader_sees(report: Document) -> None:
    paragraph = next(b for b in report.blocks if b.kind is BlockKind.PARAGRAPH)
    assert paragraph.text == "Currently there are 12 pilot projects, see the map."
    assert "**" not in report.text
    assert "https://example.org/map" not in report.text


def test_nested_lists_give_levels_and_markers(report: Document) -> None:
    assert [(b.level, b.marker, b.text) for b in report.blocks
            if b.kind is BlockKind.BULLET] == [
        (0, "-", "Experts from Copenhagen and Stuttgart presented solutions"),
        (1, "-", "Rambøll (DK)"),
        (1, "-", "Sewage Treatment Plant of Stuttgart with a second line"),
        (0, "-", "The Municipal Commissioner will travel in February"),
        (0, "1.", "First step"),
        (0, "2.", "Second step"),
    ]


def test_table_cells_know_their_row_and_column(report: Document) -> None:
    cells = [(b.table, b.row, b.column, b.text) for b in report.blocks
             if b.kind is BlockKind.CELL]
    assert cells[:3] == [(0, 0, 0, "City"), (0, 0, 1, "Partner"), (0, 0, 2, "Status")]
    assert (0, 1, 2, "MoU under preparation") in cells
    assert (0, 2, 1, "Stuttgart") in cells
    assert len(cells) == 8  # the empty cell makes no block
