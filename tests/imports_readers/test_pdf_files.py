"""PDFs: lines with their positions become headings, bullets, paragraphs and cells."""

from __future__ import annotations

from citycoop.imports.readers import BlockKind, Document, read_bytes
from tests.imports_readers.helpers import pdf_from_html

PAGE = """<html><head><style>
@page {{ size: A4; margin: 2cm; @bottom-right {{ content: "Page " counter(page); }} }}
body {{ font-family: "DejaVu Sans"; font-size: 11pt; }}
td, th {{ border: 1px solid black; padding: 3pt; }} table {{ border-collapse: collapse; }}
</style></head><body>{body}</body></html>"""


def read(body: str) -> Document:
    document = read_bytes(pdf_from_html(PAGE.format(body=body)), "report.pdf")
    document.check()
    assert document.format == "pdf"
    return document


def test_font_sizes_rank_headings_and_bullets_nest_by_indentation() -> None:
    document = read("""<h1>Pilot Projects</h1><h2>4. Lyon – Guangzhou</h2>
        <h3>Issue 1: Cooperation of Start-Ups / Clusters</h3>
        <ul><li>Mission to China in June 2015. Following innovative start-ups from Lyon
        travelled to China, and they met many partners in Guangzhou and in Shenzhen too:
        <ul><li>Evotion (robotics – www.evotion.fr)</li><li>Navya</li></ul></li>
        <li>Cooperation envisaged on smart city technologies</li></ul>
        <p>Next Step: Visit of Shantou delegation to Málaga in June/July 2016.</p>""")
    assert [(b.kind.value, b.level, b.marker, " ".join(b.text.split()))
            for b in document.blocks] == [
        ("heading", 1, "", "Pilot Projects"),
        ("heading", 2, "4.", "Lyon – Guangzhou"),
        ("heading", 3, "", "Issue 1: Cooperation of Start-Ups / Clusters"),
        ("bullet", 0, "•", "Mission to China in June 2015. Following innovative start-ups from "
         "Lyon travelled to China, and they met many partners in Guangzhou and in Shenzhen too:"),
        ("bullet", 1, "◦", "Evotion (robotics – www.evotion.fr)"),
        ("bullet", 1, "◦", "Navya"),
        ("bullet", 0, "•", "Cooperation envisaged on smart city technologies"),
        ("paragraph", 0, "", "Next Step: Visit of Shantou delegation to Málaga in June/July 2016."),
    ]


def test_a_wrapped_bullet_is_one_block_and_page_numbers_are_dropped() -> None:
    long_text = "Cooperation with Tianjin Airport Economic Area " * 6
    document = read(f"<ul><li>{long_text}</li></ul>")
    assert len(document.blocks) == 1
    assert document.blocks[0].text.count("\n") >= 2
    assert "Page 1" not in document.text


def test_ruled_tables_become_cells_and_not_paragraphs() -> None:
    document = read("""<p>Agreements signed so far:</p><table>
        <tr><th>Cities</th><th>Status</th></tr>
        <tr><td>Lyon – Guangzhou</td><td>MoU signed</td></tr></table><p>More to follow.</p>""")
    assert [(b.kind.value, b.row, b.column, b.text) for b in document.blocks] == [
        ("paragraph", None, None, "Agreements signed so far:"),
        ("cell", 0, 0, "Cities"), ("cell", 0, 1, "Status"),
        ("cell", 1, 0, "Lyon – Guangzhou"), ("cell", 1, 1, "MoU signed"),
        ("paragraph", None, None, "More to follow."),
    ]


def test_two_columns_are_read_left_then_right() -> None:
    left = " ".join(f"Left column sentence {n}." for n in range(40))
    right = " ".join(f"Right column sentence {n}." for n in range(40))
    document = read(f"""<div style="columns: 2; column-gap: 1.5cm">
        <p>{left}</p><p>{right}</p></div>""")
    text = " ".join(document.text.split())
    assert text.index("Left column sentence 39.") < text.index("Right column sentence 0.")
    assert [b.kind for b in document.blocks] == [BlockKind.PARAGRAPH, BlockKind.PARAGRAPH]


def test_hyphens_and_slashes_at_line_ends_join_without_a_space() -> None:
    url = "http://www.wmeuropeanservice.eu/china/missions/mission-to-tianjin-guangzhou-2016"
    document = read(f'<p style="width: 9cm">Next Step: West Midlands Mission to China: {url} '
                    "and the EU-China Summit</p>")
    assert url in document.blocks[0].text
