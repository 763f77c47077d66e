"""The runs page's table (book/runs.md): how long each chapter page took to execute.

A Sphinx extension with one directive, ``run-times``. It reads the execution records myst-nb
keeps for every executed page (the run time and the time of the run, from its cache) and, once
every page is read, writes one row per page in the book's order, with the page's title, and a
last row with the total: the time a build spends executing the pages.
"""

from __future__ import annotations

import posixpath
from datetime import datetime

from docutils import nodes
from myst_nb.ext.execution_tables import METADATA_KEY
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective


class RunTimesNode(nodes.General, nodes.Element):
    """Where the table goes, filled in once every page has been executed."""


class RunTimes(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        # myst-nb's mark: a page holding it is rewritten whenever another page is re-executed
        NbMetadataCollector.set_doc_data(self.env, self.env.docname, METADATA_KEY, True)
        return [RunTimesNode()]


def book_order(env: BuildEnvironment, docname: str) -> list[str]:
    """The documents under ``docname`` in the order of the book's tables of contents."""
    order = []
    for child in env.toctree_includes.get(docname, []):
        order += [child, *book_order(env, child)]
    return order


def duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def cell(*children: nodes.Node) -> nodes.entry:
    return nodes.entry("", nodes.paragraph("", "", *children))


def table(rows: list[list[nodes.entry]]) -> nodes.table:
    header = ["page", "ran at", "run time"]
    group = nodes.tgroup(cols=len(header))
    group += [nodes.colspec(colwidth=width) for width in (70, 18, 12)]
    group += nodes.thead("", nodes.row("", *(cell(nodes.Text(name)) for name in header)))
    group += nodes.tbody("", *(nodes.row("", *row) for row in rows))
    return nodes.table("", group, classes=["colwidths-given"])


class FillRunTimes(SphinxPostTransform):
    default_priority = 8  # before the references are resolved (10)

    def run(self, **kwargs) -> None:
        records = NbMetadataCollector.get_doc_data(self.env)
        here = self.env.docname
        rows, total = [], 0.0
        for docname in book_order(self.env, self.env.config.root_doc):
            run = records.get(docname, {}).get("exec_data")
            if not run or run.get("runtime") is None:
                continue
            link = pending_xref("", nodes.inline(text=self.env.titles[docname].astext()),
                                refdoc=here, reftype="doc", refdomain="std", refexplicit=True,
                                reftarget=posixpath.relpath(docname, posixpath.dirname(here)))
            ran_at = datetime.fromtimestamp(run["mtime"]).strftime("%Y-%m-%d %H:%M")
            rows.append([cell(link), cell(nodes.Text(ran_at)),
                         cell(nodes.Text(duration(run["runtime"])))])
            total += run["runtime"]
        pages = f"{len(rows)} page" + ("s" if len(rows) != 1 else "")
        rows.append([cell(nodes.strong(text=f"total, {pages}")), cell(),
                     cell(nodes.strong(text=duration(total)))])
        for node in self.document.findall(RunTimesNode):
            node.replace_self(table(rows))


def setup(app: Sphinx) -> dict:
    app.add_node(RunTimesNode)
    app.add_directive("run-times", RunTimes)
    app.add_post_transform(FillRunTimes)
    return {"parallel_read_safe": True}
