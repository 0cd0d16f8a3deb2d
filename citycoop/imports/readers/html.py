"""Web pages, read with selectolax (lexbor): the article, without the site around it.

Scripts, styles, navigation, site headers and footers, asides, forms, cookie banners and
share bars are removed first (by tag, and by class or id words such as nav, menu, footer,
sidebar, cookie, breadcrumb, share); the content root is then ``<main>``, a lone
``<article>``, or the element holding the most paragraph text. Blocks: h1-h6 are HEADINGs of
that level (a leading "1." goes to ``marker``); each ``<li>`` is a BULLET whose level is its
depth of nested lists from 0 and whose marker is "•" (``<ul>``) or its number ("3.",
``<ol>``); ``<td>``/``<th>`` are CELLs; other text (``<p>``, text directly in a ``<div>``)
makes PARAGRAPHs. ``<br>`` is a line break inside a block. Links count by their visible text.
"""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

from citycoop.imports.readers.base import BlockKind, Document
from citycoop.imports.readers.sniff import SAMPLE, decode_text, refuse
from citycoop.imports.readers.text import DocumentBuilder, split_number

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

_DROPPED_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "object",
                 "nav", "aside", "footer", "button", "select", "dialog"]
# Dropped unless they hold the article: some sites wrap the whole page in a <form>.
_MAYBE_DROPPED_TAGS = {"header", "form"}
_BOILERPLATE = re.compile(r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|footer|sidebar|cookies?|"
                          r"consent|gdpr|breadcrumbs?|share|sharing|social|banner|skip|related|"
                          r"newsletter|subscribe|popup|modal|adverts?|comments?|widgets?)"
                          r"(?:$|[\s_-])", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w:.]+)""", re.I)
_INVISIBLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LISTS = {"ul", "ol"}
# Elements that start a new block; anything else is inline and flows into the current one.
_BLOCKS = {"p", "div", "section", "article", "main", "header", "blockquote", "pre", "figure",
           "figcaption", "dl", "dt", "dd", "address", "details", "summary", "fieldset", "hr",
           "center", "body", "html", "li", "table", "caption", "tr", "td", "th", "thead",
           "tbody", "tfoot"} | _HEADINGS | _LISTS
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace: no-break spaces are content
_PROTECTED = "main, article, [role=main], h1"


def _decode(data: bytes, name: str | None) -> str:
    """The page as text, in the charset it declares (else UTF-8, else Windows-1252)."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _CHARSET.search(data[:SAMPLE])
        if declared:
            try:
                return data.decode(codecs.lookup(declared.group(1).decode("ascii")).name)
            except (LookupError, UnicodeError):
                pass  # an unknown charset, or a page that is not in it: detect instead
    return decode_text(data, name)


def _text_length(node: LexborNode) -> int:
    return len(_WHITESPACE.sub("", node.text(deep=True)))


def _strip_boilerplate(tree: LexborHTMLParser) -> None:
    tree.strip_tags(_DROPPED_TAGS, recursive=True)
    body = tree.body
    total = _text_length(body) if body is not None else 0
    # What the browser does not show (hidden cookie dialogs, menus) is no part of the report.
    doomed = {node.mem_id: node for node in tree.css('[hidden], [aria-hidden="true"]')
              if node.tag not in ("html", "body")}
    doomed.update((node.mem_id, node) for node in tree.css("[style]")
                  if _INVISIBLE.search(node.attributes.get("style") or ""))
    for node in tree.css("header, form, [class], [id]"):
        if node.tag in ("html", "body", "main", "article"):
            continue
        words = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if node.tag not in _MAYBE_DROPPED_TAGS and not _BOILERPLATE.search(words):
            continue
        if node.tag == "header" and _inside(node, {"main", "article"}):
            continue  # an article's own header holds its title
        # A page-wide wrapper can carry such a word ("has-sidebar"); never drop the article,
        # nor an element with most of a page's substantial text.
        if node.css_first(_PROTECTED) is not None or _text_length(node) > max(0.6 * total, 500):
            continue
        doomed[node.mem_id] = node
    # Remove only the outermost: destroying a node frees its descendants' handles too.
    for node in doomed.values():
        if not _inside_any(node, doomed):
            node.decompose()


def _inside_any(node: LexborNode, nodes: dict[int, LexborNode]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in nodes:
            return True
        parent = parent.parent
    return False


def _inside(node: LexborNode, tags: set[str]) -> bool:
    return _nearest(node, tags) is not None


def _content_root(tree: LexborHTMLParser) -> LexborNode | None:
    main = tree.css_first("main, [role=main]")
    if main is not None:
        return main
    articles = tree.css("article")
    if len(articles) == 1:
        return articles[0]
    body = tree.body
    if body is None:
        return None
    # Score each element by the paragraph text it holds, its parent getting half as much.
    scores: dict[int, tuple[float, LexborNode]] = {}
    for paragraph in tree.css("p"):
        weight = float(_text_length(paragraph))
        parent = paragraph.parent
        for share in (1.0, 0.5):
            if parent is None:
                break
            score = scores.get(parent.mem_id, (0.0, parent))[0] + weight * share
            scores[parent.mem_id] = (score, parent)
            parent = parent.parent
    if not scores:
        return body
    best = max(scores.values(), key=lambda item: item[0])[1]
    # Lists and tables beside the paragraphs count too: keep the body if the winner is small.
    return best if _text_length(best) >= 0.5 * _text_length(body) else body


class _HtmlWalker:
    def __init__(self) -> None:
        self.out = DocumentBuilder()
        self.tables = -1

    def flow(self, node: LexborNode, run: list[str]) -> None:
        """Walk a container: inline content gathers in ``run``, each block flushes it."""
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                run.append(_WHITESPACE.sub(" ", child.text_content or ""))
            elif tag == "br":
                run.append("\n")
            elif tag in _BLOCKS:
                self.paragraph(run)
                self.block(child)
            elif child.is_element_node:
                self.flow(child, run)  # inline: its text joins the run, blocks inside still count

    def block(self, node: LexborNode) -> None:
        tag = node.tag
        if tag in _HEADINGS:
            marker, text = split_number(_inline_text(node).strip())
            self.out.add(BlockKind.HEADING, text, level=int(tag[1]), marker=marker)
        elif tag in _LISTS:
            self.list(node, 0)
        elif tag == "table":
            self.table(node)
        else:
            run: list[str] = []
            self.flow(node, run)
            self.paragraph(run)

    def paragraph(self, run: list[str]) -> None:
        if run:
            self.out.add(BlockKind.PARAGRAPH, "".join(run))
            run.clear()

    def list(self, node: LexborNode, level: int) -> None:
        ordered = node.tag == "ol"
        number = _number(node.attributes.get("start"), 1)
        for item in node.iter():
            if item.tag != "li":
                continue
            marker = f"{number}." if ordered else "•"
            self.out.add(BlockKind.BULLET, _inline_text(item), level=level, marker=marker)
            number += 1
            for nested in item.css("ul, ol"):
                owner = _nearest(nested, {"ul", "ol", "li"})
                if owner is not None and owner.mem_id == item.mem_id:
                    self.list(nested, level + 1)

    def table(self, node: LexborNode) -> None:
        self.tables += 1
        rows = [row for row in node.css("tr")
                if (owner := _nearest(row, {"table"})) is not None and owner.mem_id == node.mem_id]
        for row_index, row in enumerate(rows):
            column = 0
            for cell in row.iter():
                if cell.tag in ("td", "th"):
                    self.out.add(BlockKind.CELL, _inline_text(cell), row=row_index,
                                 column=column, table=self.tables)
                    column += _number(cell.attributes.get("colspan"), 1)


def _number(value: str | None, default: int) -> int:
    """An attribute's number, as browsers read it: leading digits, else the default."""
    digits = re.match(r"\s*(\d+)", value or "")
    return int(digits.group(1)) if digits else default


def _nearest(node: LexborNode, tags: set[str]) -> LexborNode | None:
    """The closest element above ``node`` whose tag is one of ``tags``."""
    parent = node.parent
    while parent is not None and parent.tag not in tags:
        parent = parent.parent
    return parent


def _inline_text(node: LexborNode) -> str:
    """The visible text of ``node`` without nested lists; blocks inside become lines."""
    parts: list[str] = []
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            parts.append(_WHITESPACE.sub(" ", child.text_content or ""))
        elif tag == "br":
            parts.append("\n")
        elif tag in _LISTS:
            continue
        elif child.is_element_node:
            inner = _inline_text(child)
            parts.append(f"\n{inner}\n" if tag in _BLOCKS else inner)
    return "".join(parts)


def read_html(data: bytes, name: str | None) -> Document:
    from selectolax.lexbor import LexborHTMLParser  # imported here: .txt needs none of this

    tree = LexborHTMLParser(_decode(data, name))
    title_node = tree.css_first("head title")
    title = title_node.text(deep=True).strip() if title_node is not None else None
    _strip_boilerplate(tree)
    root = _content_root(tree)
    walker = _HtmlWalker()
    if root is not None:
        try:
            walker.block(root)
        except RecursionError:  # the walk recurses once per level of nesting
            raise refuse(name, "has elements nested thousands deep: it is not a page a "
                               "person wrote; save the report as .docx or PDF") from None
    if not walker.out.blocks:
        raise refuse(name, "has no readable text: is it the page itself, not a frame or app?")
    return walker.out.build(name, "html", title or None)
