"""Web pages: the article's structure, without the site around it."""

from __future__ import annotations

from citycoop.imports.readers import BlockKind, Document, read_bytes


def read(page: str, encoding: str = "utf-8") -> Document:
    document = read_bytes(page.encode(encoding), "page.html")
    document.check()
    assert document.format == "html"
    return document


def kinds_and_texts(document: Document) -> list[tuple[str, int, str]]:
    return [(b.kind.value, b.level, b.text) for b in document.blocks]


def test_the_declared_charset_decodes_the_page() -> None:
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; '
            'charset=windows-1252"></head><body><p>Visit of Shantou representatives to Málaga '
            '– June 2015</p></body></html>')
    document = read(page, encoding="cp1252")
    assert document.blocks[0].text == "Visit of Shantou representatives to Málaga – June 2015"


def test_headings_lists_and_line_breaks_keep_their_structure() -> None:
    document = read("""<!DOCTYPE html><html><body><main>
        <h1>Pilot Projects</h1>
        <h2>4. Lyon – Guangzhou</h2>
        <ul>
          <li>Mission to China in June 2015:
            <ul><li>Evotion (robotics – <a href="http://www.evotion.fr">www.evotion.fr</a>)</li>
                <li>Navya</li></ul>
          </li>
          <li>Visit of Shantou representatives<br>Promising exchange of ideas</li>
        </ul>
        <ol start="3"><li><p>Third step</p></li></ol>
        <p>Next Step: a <a href="/visit">visit</a> in <b>July&nbsp;2016</b>.</p>
        </main></body></html>""")
    assert kinds_and_texts(document) == [
        ("heading", 1, "Pilot Projects"),
        ("heading", 2, "Lyon – Guangzhou"),
        ("bullet", 0, "Mission to China in June 2015:"),
        ("bullet", 1, "Evotion (robotics – www.evotion.fr)"),
        ("bullet", 1, "Navya"),
        ("bullet", 0, "Visit of Shantou representatives\nPromising exchange of ideas"),
        ("bullet", 0, "Third step"),
        ("paragraph", 0, "Next Step: a visit in July\u00a02016."),
    ]
    assert [b.marker for b in document.blocks][1:7] == ["4.", "•", "•", "•", "•", "3."]


def test_tables_become_cells_with_their_row_and_column() -> None:
    document = read("""<html><body><article><h1>Agreements</h1><table>
        <thead><tr><th>Cities</th><th>Status</th></tr></thead>
        <tbody><tr><td colspan="2">EU-China</td></tr>
        <tr><td>Lyon – Guangzhou</td><td>signed</td></tr></tbody></table></article></body></html>""")
    cells = [(b.table, b.row, b.column, b.text) for b in document.blocks
             if b.kind is BlockKind.CELL]
    assert cells == [(0, 0, 0, "Cities"), (0, 0, 1, "Status"), (0, 1, 0, "EU-China"),
                     (0, 2, 0, "Lyon – Guangzhou"), (0, 2, 1, "signed")]


def test_without_main_the_element_with_most_paragraph_text_is_the_content() -> None:
    story = "<p>Dublin City University cooperates with Sichuan and Shantou universities.</p>" * 4
    document = read(f"""<html><body class="has-sidebar">
        <div class="top"><p>Subscribe to our newsletter</p></div>
        <div class="story"><h2>3. Dublin – Wuhan / Chengdu</h2>{story}</div>
        <div class="widgets"><p>Follow us</p></div></body></html>""")
    assert document.blocks[0].text == "Dublin – Wuhan / Chengdu"
    assert "newsletter" not in document.text
    assert "Follow us" not in document.text


def test_menus_share_bars_and_breadcrumbs_are_dropped_by_their_names() -> None:
    document = read("""<html><body><main>
        <div class="breadcrumb">Home › Projects</div>
        <ul id="main-menu"><li>Projects</li></ul>
        <p>Tianjin – Lazio: Italian Week in Tianjin.</p>
        <div class="share-buttons">Share on Twitter</div>
        </main></body></html>""")
    assert [b.text for b in document.blocks] == ["Tianjin – Lazio: Italian Week in Tianjin."]


def test_text_directly_in_a_div_is_a_paragraph() -> None:
    document = read("<div>Loose text <span>with a span</span><p>A paragraph</p>tail</div>")
    assert kinds_and_texts(document) == [("paragraph", 0, "Loose text with a span"),
                                         ("paragraph", 0, "A paragraph"),
                                         ("paragraph", 0, "tail")]


def test_the_page_title_is_used_when_there_is_no_h1() -> None:
    document = read("<html><head><title>Status 2016</title></head><body><p>Text</p></body></html>")
    assert document.title == "Status 2016"


def test_hidden_elements_are_not_read() -> None:
    document = read("""<html><body><main><p>Lyon – Guangzhou</p>
        <div hidden>Hidden dialog</div><div style="display: none">Collapsed menu</div>
        <span aria-hidden="true">Icon label</span></main></body></html>""")
    assert [b.text for b in document.blocks] == ["Lyon – Guangzhou"]


def test_a_page_wrapped_in_a_form_is_still_read() -> None:
    document = read("""<html><body><form id="aspnetForm" action="/default.aspx">
        <div class="menu"><a href="/">Home</a></div>
        <h1>Pilot Projects</h1><p>Tianjin – Lazio: Italian Week in Tianjin.</p>
        </form></body></html>""")
    assert [b.text for b in document.blocks] == [
        "Pilot Projects", "Tianjin – Lazio: Italian Week in Tianjin."]


def test_odd_numbers_in_attributes_are_read_like_a_browser_does() -> None:
    document = read("""<ol start="x"><li>one</li></ol><table><tr>
        <td colspan="2;">wide</td><td>narrow</td></tr></table>""")
    assert [(b.marker, b.column, b.text) for b in document.blocks] == [
        ("1.", None, "one"), ("", 0, "wide"), ("", 2, "narrow")]
