"""The book's two editions, English and 中文, built from one source (a Sphinx extension).

The English edition is ``html/``, the Chinese one ``html/zh_CN/``, each page at the same path in
both. Every page gets a language switch (``_templates/language-switch.html``) that opens the same
page in the other edition, and a footer line (``_templates/revision.html``) that names the
revision of the English text the page shows: in the Chinese edition, the revision its catalog was
translated from, and how many passages of the English now have no translation yet. The revisions
come from book/catalogs.py, by way of a JSON file book/build.py writes before it renders.
"""

from __future__ import annotations

import json
from pathlib import Path

EDITIONS = {"zh_CN": "中文", "en": "English"}
"""The editions in the order the switch lists them, each with its own name for itself."""


def edition_root(language: str) -> str:
    """The edition's folder in the English edition's ``html/``."""
    return "" if language == "en" else f"{language}/"


def switch(pagename: str, language: str, languages: list[str]) -> list[tuple[str, str | None]]:
    """(label, relative link) for each edition built, the page's own without a link."""
    to_html = "../" * pagename.count("/") + "../" * edition_root(language).count("/")
    return [(label, None if other == language
             else f"{to_html}{edition_root(other)}{pagename}.html")
            for other, label in EDITIONS.items() if other in languages]


def add_context(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    config = app.config
    if len(config.dlbook_languages) > 1:
        context["dlbook_switch"] = switch(pagename, config.language, config.dlbook_languages)
    context["dlbook_mode"] = config.dlbook_mode
    context["dlbook_language"] = config.language
    if config.dlbook_revisions:
        revisions = json.loads(Path(config.dlbook_revisions).read_text(encoding="utf-8"))
        context["dlbook_revision"] = revisions.get(pagename)


def setup(app):
    from docutils import nodes
    from sphinx.transforms import SphinxTransform

    class DisplayMathIsNoMessage(SphinxTransform):
        """A ``$$`` formula reads the same in both editions: not a message to translate."""

        default_priority = 5  # before the messages are extracted or translated (Locale: 20)

        def apply(self, **kwargs) -> None:
            for formula in self.document.findall(nodes.math_block):
                formula["translatable"] = False

    app.add_transform(DisplayMathIsNoMessage)
    app.add_config_value("dlbook_languages", ["en"], "html")
    app.add_config_value("dlbook_mode", "full", "html")
    app.add_config_value("dlbook_revisions", "", "html")
    app.connect("html-page-context", add_context)
    return {"parallel_read_safe": True}
