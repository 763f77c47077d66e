"""A Markdown text's messages as Sphinx extracts them, and the text with its messages translated.

The notebooks of the Chinese edition (``make notebooks LANG=zh_CN``) take their markdown cells from
the same catalogs as the book. Sphinx reads a page with MyST's Markdown parser and makes one
message of each heading, paragraph (in a list item too) and table cell: its Markdown source, line
breaks made spaces. Here the same parser (markdown-it with MyST's settings) finds the same blocks
with their lines, so each can be replaced by its translation; display math, code and directives
stay as they are, as in the book.
"""

from __future__ import annotations

from collections.abc import Iterator

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

PARSER = create_md_parser(MdParserConfig(enable_extensions={"dollarmath", "amsmath"}),
                          RendererHTML)
BLOCKS = {"paragraph_open", "heading_open", "th_open", "td_open"}


def message(source: str) -> str:
    """The message Sphinx makes of a block's inline source (``_clean_extracted_message``): a
    backslash that ends a line dropped, line breaks made spaces, the ends stripped."""
    lines = [line[:-1].rstrip() if line.endswith("\\") else line for line in source.split("\n")]
    return " ".join(lines).strip()


def blocks(markdown: str) -> Iterator[tuple[Token, Token]]:
    """(opening token, inline token) of each block that is a message, in document order."""
    tokens = PARSER.parse(markdown)
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type in BLOCKS and inline.type == "inline" and inline.content.strip():
            yield opening, inline


def message_ids(markdown: str) -> list[str]:
    """The text's messages in document order, each once (as a catalog holds them)."""
    return list(dict.fromkeys(message(inline.content) for _, inline in blocks(markdown)))


def unrendered_emphasis(text: str) -> bool:
    """Whether ``**`` or ``__`` of ``text`` stays as it is, not bold: CommonMark takes ``**``
    between a letter and a punctuation mark (程**《, 》**的) for text, which Chinese meets often;
    ``《**深度学习**》`` is bold."""
    tokens = [child for token in PARSER.parseInline(text) for child in token.children or []]
    return any("**" in token.content or "__" in token.content
               for token in tokens if token.type == "text")


def heading_ids(markdown: str) -> set[str]:
    """The messages of the text that are headings."""
    return {message(inline.content) for opening, inline in blocks(markdown)
            if opening.type == "heading_open"}


def translate_markdown(markdown: str, translations: dict[str, str]) -> str:
    """``markdown`` with each block that has a translation replaced by it, on one line after
    the block's own marker (``## ``, ``- ``, a table row's other cells)."""
    lines = markdown.split("\n")
    row_ends: dict[int, int] = {}  # a table row's cells go right to left: where the next one ends
    for opening, inline in reversed(list(blocks(markdown))):  # from the end: line numbers hold
        first, end = inline.map
        translated = translations.get(message(inline.content))
        if opening.type in ("th_open", "td_open"):  # a cell: the rest of its row stays
            row, cell = lines[first], inline.content.strip()
            at = row.rindex(cell, 0, row_ends.get(first, len(row)))
            row_ends[first] = at
            if translated:
                lines[first] = row[:at] + translated + row[at + len(cell):]
        elif translated:
            marker = lines[first][:lines[first].index(inline.content.split("\n")[0])]
            lines[first:end] = [marker + translated]
    return "\n".join(lines)
