"""The package's code that the chapter pages define: the cells marked ``#@save``.

A code cell of a page whose first line is ``#@save dlbook/models/lenet.py`` belongs to that module
as well as to its page (d2l's ``#@save``, without a copy): the module is a few lines that call
`run_saved_cells`, which runs those cells of the page in the module, after the page's imports that
they use. So the code is written once, on the page that teaches it, and other pages, the tests and
users import it from the package (``from dlbook.models import LeNet``). The cells are compiled
with the page's file name and line numbers, and the module's ``__file__`` is the page: a
traceback, ``inspect.getsource`` and a debugger show the page.

A saved cell may use what the page imports and what the page's other saved cells define (in
this module or another); a name the page defines elsewhere (a constant such as ``EPOCHS``) stops
the import with an error naming it, since the module would not have it.
"""

from __future__ import annotations

import ast
import builtins
import re
import symtable
from dataclasses import dataclass
from pathlib import Path

from dlbook.config import PACKAGE_DIR

CHAPTERS = PACKAGE_DIR.parent / "chapters"
"""Where the pages are: the repository's ``chapters/`` (dlbook runs from its repository)."""

SAVE_MARK = re.compile(r"^#@save (?P<module>dlbook/\S+\.py)\s*$")
"""The first line of a saved cell: ``#@save dlbook/models/lenet.py``."""


@dataclass
class Cell:
    """A code cell of a page: its code and the line of the page where the code starts."""

    line: int
    code: str


def code_cells(page: Path) -> list[Cell]:
    """The code cells of a jupytext percent script (``# %%`` starts a cell, ``# %% [markdown]``
    a markdown one), in order."""
    cells, start, lines = [], None, page.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate([*lines, "# %% [markdown]"], start=1):
        if not line.startswith("# %%"):
            continue
        if start is not None:
            cells.append(Cell(start, "\n".join(lines[start - 1:number - 1]).strip("\n")))
        start = None if "[markdown]" in line else number + 1
    return cells


def saved_cells(page: Path) -> dict[str, list[Cell]]:
    """The cells a page saves, by the module they belong to (``dlbook/models/lenet.py``), each
    without its mark."""
    saved: dict[str, list[Cell]] = {}
    for cell in code_cells(page):
        first, _, body = cell.code.partition("\n")
        if match := SAVE_MARK.match(first):
            saved.setdefault(match["module"], []).append(Cell(cell.line + 1, body))
    return saved


def run_saved_cells(page: str | Path, namespace: dict[str, object]) -> None:
    """Run in ``namespace`` (a module's ``globals()``) the cells of ``page`` saved to that
    module: ``page`` is ``"ch05_practice/lenet"``, or the path of a page elsewhere."""
    path = page if isinstance(page, Path) else CHAPTERS / f"{page}.py"
    if not path.is_file():
        raise ImportError(f"{namespace['__name__']} is defined on the page {path}, which is not "
                          "there: dlbook runs from its repository, beside chapters/")
    module = namespace["__name__"].replace(".", "/") + ".py"
    saved = saved_cells(path)
    cells = saved.get(module, [])
    if not cells:
        raise ImportError(f"{path} has no cell marked '#@save {module}'")
    source = "\n\n".join(cell.code for cell in cells)
    for node in imports_for(path, module, saved, referenced_globals(source)):
        exec(compile(ast.Module([node], []), str(path), "exec"), namespace)
    for cell in cells:
        tree = ast.parse(cell.code)
        ast.increment_lineno(tree, cell.line - 1)
        exec(compile(tree, str(path), "exec"), namespace)
    namespace["__file__"] = str(path)  # the module's source: inspect finds a class on the page


def imports_for(path: Path, module: str, saved: dict[str, list[Cell]],
                used: set[str]) -> list[ast.stmt]:
    """The page's import statements cut to the names ``used``, then imports of what the page's
    other saved modules define; an error names what is left undefined."""
    defined = top_level_names("\n\n".join(cell.code for cell in saved[module]))
    needed, bound = [], set()
    for cell in code_cells(path):
        for node in ast.parse(cell.code).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                kept = [alias for alias in node.names if bound_name(alias) in used - bound]
                if kept:
                    needed.append(ast.copy_location(type(node)(**{**vars(node),
                                                                  "names": kept}), node))
                    bound |= {bound_name(alias) for alias in kept}
    for other, cells in saved.items():
        names = (used - bound - defined) & top_level_names("\n\n".join(c.code for c in cells))
        if other != module and names:
            needed.append(ast.ImportFrom(other.removesuffix(".py").replace("/", "."),
                                         [ast.alias(name) for name in sorted(names)], 0))
            bound |= names
    if missing := used - bound - defined - set(dir(builtins)):
        raise ImportError(f"{path}: the cells saved to {module} use {', '.join(sorted(missing))}, "
                          "which the module would not define; import it in the page's import "
                          "cell or save its definition too")
    for node in needed:
        ast.fix_missing_locations(node)
    return needed


def bound_name(alias: ast.alias) -> str:
    """The name an import binds (``import keras.ops`` binds ``keras``)."""
    return alias.asname or alias.name.split(".")[0]


def referenced_globals(code: str) -> set[str]:
    """The global names the code reads, at its top level and in its functions and classes."""
    names: set[str] = set()
    tables = [symtable.symtable(code, "<saved>", "exec")]
    while tables:
        table = tables.pop()
        for symbol in table.get_symbols():
            free = symbol.is_global() and not symbol.is_local()  # a parameter is local
            if symbol.is_referenced() and (free or table.get_type() == "module"):
                names.add(symbol.get_name())
        tables.extend(table.get_children())
    return names


def top_level_names(code: str) -> set[str]:
    """The names the code defines at its top level: functions, classes, assignments."""
    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names
