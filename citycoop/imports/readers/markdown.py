"""Markdown reports, read with markdown-it-py's token stream (CommonMark plus tables).

Blocks: ATX/setext headings keep their level (a leading "1." is split off into ``marker``,
as in the plain-text reader); each list item is one BULLET whose level is its list nesting
depth from 0 and whose marker is "-", "*", "+" or the item's number ("1.", "2)"); the
paragraphs of one item join its bullet; table cells are CELLs with table, row and column
from 0; other paragraphs, quotes and code blocks are PARAGRAPHs. Text is what a reader sees:
emphasis marks and link targets are dropped, link and image texts kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from citycoop.imports.readers.base import BlockKind, Document
from citycoop.imports.readers.sniff import decode_text, refuse
from citycoop.imports.readers.text import DocumentBuilder, split_number

if TYPE_CHECKING:
    from markdown_it.token import Token


def _visible_text(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(_visible_text(child))  # the alt text lives in the image's children
    return "".join(parts)


class _MarkdownWalker:
    def __init__(self) -> None:
        self.out = DocumentBuilder()
        self.lists: list[str] = []  # the marker style of each open list ("-", ".", ")")
        self.item: tuple[str, list[str]] | None = None  # the bullet being collected
        self.heading_level = 0
        self.table = -1
        self.row = -1
        self.column = -1

    def walk(self, tokens: list[Token]) -> None:
        for token in tokens:
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.flush_item()
                self.lists.append(token.markup)
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.flush_item()
                self.lists.pop()
            elif kind == "list_item_open":
                self.flush_item()
                self.item = (token.info + token.markup, [])  # info is the number, if any
            elif kind == "list_item_close":
                self.flush_item()
            elif kind == "heading_open":
                self.heading_level = int(token.tag[1:])
            elif kind == "table_open":
                self.table += 1
                self.row = -1
            elif kind == "table_close":
                self.column = -1
            elif kind == "tr_open":
                self.row += 1
                self.column = -1
            elif kind in ("th_open", "td_open"):
                self.column += 1
            elif kind == "inline":
                self.inline(token)
            elif kind in ("fence", "code_block"):
                self.out.add(BlockKind.PARAGRAPH, token.content)

    def inline(self, token: Token) -> None:
        text = _visible_text(token)
        if self.heading_level:
            marker, text = split_number(text.strip())
            self.out.add(BlockKind.HEADING, text, level=self.heading_level, marker=marker)
            self.heading_level = 0
        elif self.column >= 0:
            self.out.add(BlockKind.CELL, text, row=self.row, column=self.column,
                         table=self.table)
        elif self.item is not None:
            self.item[1].append(text)
        else:
            self.out.add(BlockKind.PARAGRAPH, text)

    def flush_item(self) -> None:
        if self.item is not None:
            marker, parts = self.item
            self.out.add(BlockKind.BULLET, "\n".join(parts), level=len(self.lists) - 1,
                         marker=marker)
            self.item = None


def read_markdown(data: bytes, name: str | None) -> Document:
    from markdown_it import MarkdownIt  # imported here: reading a .txt needs none of this

    source = decode_text(data, name)
    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    walker = _MarkdownWalker()
    walker.walk(tokens)
    walker.flush_item()
    if not walker.out.blocks:
        raise refuse(name, "has no readable text")
    return walker.out.build(name, "md")
