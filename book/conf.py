"""Sphinx configuration of the dlbook HTML book (`make book`, built by book/build.py).

The chapter pages are the percent-format chapter scripts, read through jupytext and executed by
myst-nb. Everything a page loads comes with the book: MathJax from sphinx-mathjax-offline, the
Mermaid library from the npm registry into the build's vendor folder (book/build.py); no CDN.

One source, two editions: ``-D language=zh_CN`` renders the Chinese one from the catalogs in
``locales/`` (book/catalogs.py), with the English edition's executed outputs (the execution
cache is shared: a page's code is the same in both); book/editions.py adds the language switch and
each page's revision line, book/terms.py the glossary and the Chinese search's words.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the extensions beside this file

project = "dlbook"
author = "the dlbook maintainers"
copyright = "2026, the dlbook maintainers"

extensions = ["myst_nb", "sphinx-mathjax-offline", "sphinxcontrib.mermaid", "run_times", "terms",
              "editions"]
exclude_patterns = ["*.py", "_build", "_templates", "locales"]  # *.py: this folder's, not chapters/
templates_path = ["_templates"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "myst.xref_missing"]

# The translations: locales/<language>/LC_MESSAGES/<page>.po, one catalog per page, named after it.
locale_dirs = ["locales"]
gettext_compact = False
gettext_location = False
gettext_uuid = False

# The chapter scripts, read as notebooks and run in a Jupyter kernel. The messages are extracted
# without running anything (DLBOOK_BOOK_EXECUTION=off), and then no kernel says the cells' language.
nb_custom_formats = {".py": ["jupytext.reads", {"fmt": "py:percent"}]}
nb_execution_mode = os.environ.get("DLBOOK_BOOK_EXECUTION", "cache")
if nb_execution_mode == "off":
    suppress_warnings.append("myst-nb.lexer")
nb_execution_cache_path = os.environ["DLBOOK_BOOK_CACHE"]
nb_execution_timeout = int(os.environ.get("DLBOOK_BOOK_TIMEOUT", "-1"))
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

html_theme = "sphinx_book_theme"
html_title = "dlbook"
html_static_path = [os.environ["DLBOOK_BOOK_VENDOR"], "_static"]
html_css_files = ["dlbook.css"]  # book/dlbook.css: room for 100 columns of code
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
    "footer_content_items": ["author.html", "copyright.html", "last-updated.html",
                             "extra-footer.html", "revision.html"],
}
html_last_updated_fmt = None

# book/editions.py: the editions built side by side, the run mode the banner names, the revisions
dlbook_languages = os.environ.get("DLBOOK_BOOK_LANGUAGES", "en").split()
dlbook_mode = os.environ.get("DLBOOK_BOOK_MODE", "full")
dlbook_revisions = os.environ.get("DLBOOK_BOOK_REVISIONS", "")

mermaid_use_local = "mermaid/mermaid.esm.min.mjs"
mermaid_version = ""
mermaid_height = "auto"  # a diagram as tall as its width needs, not squeezed into 500px
