"""Sphinx configuration of the dlbook HTML book (`make book`, built by book/build.py).

The chapter pages are the percent-format chapter scripts, read through jupytext and executed by
myst-nb. Everything a page loads comes with the book: MathJax from sphinx-mathjax-offline, the
Mermaid library from the npm registry into the build's vendor folder (book/build.py); no CDN.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run_times, beside this file

project = "dlbook"
author = "the dlbook maintainers"
copyright = "2026, the dlbook maintainers"

extensions = ["myst_nb", "sphinx-mathjax-offline", "sphinxcontrib.mermaid", "run_times"]
exclude_patterns = ["conf.py", "run_times.py", "_build"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "myst.xref_missing"]

# The chapter scripts, read as notebooks and run in a Jupyter kernel.
nb_custom_formats = {".py": ["jupytext.reads", {"fmt": "py:percent"}]}
nb_execution_mode = "cache"
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
    "announcement": os.environ["DLBOOK_BOOK_MODE_NOTE"],
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_last_updated_fmt = None

mermaid_use_local = "mermaid/mermaid.esm.min.mjs"
mermaid_version = ""
mermaid_height = "auto"  # a diagram as tall as its width needs, not squeezed into 500px
