"""Plain-text layouts beyond the reference page: other markers, indents and numbered lists."""

from __future__ import annotations

from citycoop.imports.readers import BlockKind, Document, read_bytes


def read(text: str) -> Document:
    document = read_bytes(text.encode("utf-8"), "report.txt")
    document.check()
    return document


def outline(document: Document) -> list[tuple[str, int, str, str]]:
    return [(b.kind.value, b.level, b.marker, b.text) for b in document.blocks]


def test_dash_and_star_bullets_nest_by_indentation() -> None:
    document = read("- Mumbai\n    * MMRDA\n    * MCGM\n- Pune\n")
    assert outline(document) == [
        ("bullet", 0, "-", "Mumbai"), ("bullet", 1, "*", "MMRDA"),
        ("bullet", 1, "*", "MCGM"), ("bullet", 0, "-", "Pune")]


def test_tab_indented_bullets_nest_too() -> None:
    document = read("• Lyon\n\t• Evotion\n\t\t• robotics\n• Guangzhou\n")
    assert [b.level for b in document.blocks] == [0, 1, 2, 0]


def test_a_paragraph_over_several_lines_is_one_block() -> None:
    document = read("Currently there are 24 pilot projects\nbetween European and Chinese\n"
                    "cities.\n\nA second paragraph.\n")
    assert outline(document) == [
        ("paragraph", 0, "", "Currently there are 24 pilot projects\nbetween European and "
                             "Chinese\ncities."),
        ("paragraph", 0, "", "A second paragraph.")]


def test_a_wrapped_line_starting_with_a_number_stays_in_its_paragraph() -> None:
    document = read("The programme counted\n12. pilot projects in its second year.\n")
    assert len(document.blocks) == 1


def test_numbered_lines_spaced_out_with_nothing_between_are_a_list() -> None:
    document = read("Next steps:\n\n1. Sign the MoU.\n\n2. Plan the mission.\n\n"
                    "3. Report to the summit.\n")
    assert outline(document)[1:] == [
        ("bullet", 0, "1.", "Sign the MoU."), ("bullet", 0, "2.", "Plan the mission."),
        ("bullet", 0, "3.", "Report to the summit.")]


def test_numbered_lines_in_a_run_are_numbered_bullets() -> None:
    document = read("1. Sign the MoU.\n2. Plan the mission.\n")
    assert [(b.kind, b.marker) for b in document.blocks] == [
        (BlockKind.BULLET, "1."), (BlockKind.BULLET, "2.")]


def test_lettered_items_are_bullets() -> None:
    document = read("a) Sewage treatment\nb) Waste management\n")
    assert outline(document) == [("bullet", 0, "a)", "Sewage treatment"),
                                 ("bullet", 0, "b)", "Waste management")]


def test_a_marker_alone_on_its_line_heads_the_next_line() -> None:
    document = read("•\nSupport to start-ups\n•\n\nMission to China\n")
    assert outline(document) == [("bullet", 0, "•", "Support to start-ups"),
                                 ("bullet", 0, "•", "Mission to China")]


def test_a_short_line_between_blank_lines_is_a_title_but_a_sentence_is_not() -> None:
    document = read("Contacts\n\nWrite to us.\n\nFor details, see www.world-cities.eu\n")
    assert [b.kind for b in document.blocks] == [
        BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.PARAGRAPH]
    assert document.title == "Contacts"
