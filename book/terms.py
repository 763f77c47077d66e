"""The glossary (book/glossary.toml): the tutorial's Chinese terms with the English this book uses.

A Sphinx extension and a check. The ``glossary-terms`` directive renders the glossary page of both
editions: the page writes the table's header row (translated with the page), the rows come from
the data file, term by term, and are the same in both editions. The Chinese search learns the
terms as words (jieba alone cuts 过拟合 into 过 and 拟合, and the search would never find it), and
its script gets the name of its stemmer right.
`first_uses_without_english` holds a Chinese page to the rule that a term's first use gives the
English in parentheses: 反向传播（backpropagation）.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tomllib

GLOSSARY = Path(__file__).with_name("glossary.toml")
CJK = re.compile(r"[\u4e00-\u9fff]")
NOT_PROSE = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|<https?://[^>]*>|"
                       r"《[^》]*》|「[^」]*」", re.S)
"""Inline code, math, link targets, titles of works (《深度学习 原理与代码实例讲解》) and quoted
headings (「池化操作的数学表示」): a term inside them is not a use of it."""


@dataclass(frozen=True)
class Term:
    zh: str
    en: str
    other: tuple[str, ...] = ()

    @property
    def wordings(self) -> tuple[str, ...]:
        """The Chinese wordings a page may use for the term (Latin ones, like "Transfer
        Learning", are English already)."""
        return tuple(word for word in (self.zh, *self.other) if CJK.search(word))


def load_terms(path: Path = GLOSSARY) -> list[Term]:
    """The glossary's terms in the order of the data file."""
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["term"]
    return [Term(entry["zh"], entry["en"], tuple(entry.get("other", ()))) for entry in entries]


def first_uses_without_english(messages: Iterable[str], terms: list[Term]) -> list[str]:
    """The terms whose first use in ``messages`` (a Chinese page's text, in document order) is
    not followed by the term's English in parentheses, ``反向传播（backpropagation）`` or
    ``反向传播 (backpropagation)``; each as ``"反向传播: ...context..."``.

    A longer term wins over a term inside it: 卷积神经网络 is not a use of 神经网络.
    """
    by_wording = {word: term for term in terms for word in term.wordings}
    pattern = re.compile("|".join(sorted(map(re.escape, by_wording), key=len, reverse=True)))
    seen, problems = set(), []
    for message in messages:
        text = NOT_PROSE.sub(" ", message)
        for match in pattern.finditer(text):
            term = by_wording[match.group()]
            if term in seen:
                continue
            seen.add(term)
            english = re.match(r"\s*[（(]([^）)]*)[）)]", text[match.end():])
            if english is None or term.en.lower() not in english.group(1).lower():
                context = text[max(0, match.start() - 10):match.end() + 20]
                problems.append(f"{match.group()} needs （{term.en}）: ...{context}...")
    return problems


def search_dictionary(terms: list[Term]) -> str:
    """The terms as a jieba user dictionary, one word a line."""
    return "".join(f"{word}\n" for term in terms for word in term.wordings)


def setup(app):  # -> ExtensionMetadata; Sphinx is imported here, the check above needs none of it
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective

    def cell(text: str) -> nodes.entry:
        return nodes.entry("", nodes.paragraph(text, text))  # no source: never a message

    class GlossaryTerms(SphinxDirective):
        """The page's table (its header row, written in the directive's content) with a row for
        each term of the glossary: the Chinese, the English, the articles' other wordings."""

        has_content = True

        def run(self) -> list[nodes.Node]:
            self.env.note_dependency(str(GLOSSARY))
            parsed = self.parse_content_to_nodes()
            tables = [node for node in parsed if isinstance(node, nodes.table)]
            if len(tables) != 1 or not list(tables[0].findall(nodes.thead)):
                raise self.error("glossary-terms: write the table's header row as its content")
            group = next(tables[0].findall(nodes.tgroup))
            body = nodes.tbody()
            for term in load_terms():
                body += nodes.row("", cell(term.zh), cell(term.en), cell("、".join(term.other)))
            for old in list(group.findall(nodes.tbody)):
                group.remove(old)
            group += body
            return parsed

    def teach_search(app, config) -> None:
        """Give the Chinese search the glossary's words (html_search_options' ``dict``)."""
        if not config.language.startswith("zh"):
            return
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)  # not its "Building prefix dict" lines in the build
        words = Path(app.doctreedir) / "search-terms.txt"
        words.parent.mkdir(parents=True, exist_ok=True)
        words.write_text(search_dictionary(load_terms()), encoding="utf-8")
        config.html_search_options = {**config.html_search_options, "dict": str(words)}

    def name_the_stemmer_right(app, exception) -> None:
        """Sphinx 9.0 ends the Chinese search's language_data.js with ``window.Stemmer =
        ChineseStemmer``, a name it never defines (the Chinese search stems Latin words with
        the English stemmer), and the search page stops at "Searching" (sphinx-doc/sphinx#14229;
        fixed in Sphinx 9.1, which needs Python 3.12). A no-op once Sphinx writes it right."""
        script = Path(app.outdir) / "_static" / "language_data.js"
        if exception is None and script.is_file():
            text = script.read_text(encoding="utf-8")
            script.write_text(text.replace("window.Stemmer = ChineseStemmer;",
                                           "window.Stemmer = EnglishStemmer;"), encoding="utf-8")

    app.add_directive("glossary-terms", GlossaryTerms)
    app.connect("config-inited", teach_search)
    app.connect("build-finished", name_the_stemmer_right)
    return {"parallel_read_safe": True}
