"""The learner's workspace: copies of the exercise pages to fill in, and their checks run from the
command line.

`start` copies each chapter's ``exercises.py`` into ``workspace/<chapter folder>/`` unless a file
is already there: the learner's work is never overwritten (nor touched by ``git pull``, since git
ignores the folder). `check_workspace` runs the learner's pages cell by cell, as a notebook
would, with the checks of the exercises asked for; a cell that fails is reported in one line and
the next runs. A page kept as a notebook (``exercises.ipynb``, made by jupytext) is read instead
of the script when it is the newer of the two.
"""

from __future__ import annotations

import linecache
import os
import re
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from dlbook.errors import DlbookError
from dlbook.exercises.api import SESSION
from dlbook.exercises.catalog import CHAPTERS, PAGE, select, source_page, workspace_dir
from dlbook.exercises.core import PASSED
from dlbook.exercises.i18n import _

CELL_MARK = re.compile(r"^# %%")
MAGIC = re.compile(r"^\s*[%!]")


class PagesMissing(DlbookError):
    """The exercise pages are not where the package expects them (not a clone of the repo)."""


def start(workspace: Path | None = None) -> list[tuple[Path, bool]]:
    """Copy every exercise page into ``workspace``; each target with True if it was created now,
    False if a file was there already (kept as it is)."""
    workspace = workspace or workspace_dir()
    made = []
    for chapter, (folder, _title) in CHAPTERS.items():
        source = source_page(chapter)
        if not source.is_file():
            raise PagesMissing(_("{source} is missing: the exercise pages come with a clone of "
                                 "the dlbook repository").format(source=source))
        target = workspace / folder / PAGE
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{PAGE}.{os.getpid()}.tmp")
        temporary.write_bytes(source.read_bytes())
        try:
            made.append((target, _create(temporary, target)))
        finally:
            temporary.unlink(missing_ok=True)
    return made


def _create(temporary: Path, target: Path) -> bool:
    """Give the complete ``temporary`` file the name ``target`` unless that exists; whether it
    did. A hard link fails if the target exists, so a learner's file is never replaced."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links
        if target.exists():
            return False
        os.replace(temporary, target)
    return True


def workspace_page(chapter: str, workspace: Path | None = None) -> Path | None:
    """The learner's page of ``chapter``: the notebook if it is newer than the script."""
    folder = (workspace or workspace_dir()) / CHAPTERS[chapter][0]
    script, notebook = folder / PAGE, folder / PAGE.replace(".py", ".ipynb")
    candidates = [path for path in (notebook, script) if path.is_file()]
    return max(candidates, key=lambda path: path.stat().st_mtime) if candidates else None


def code_cells(page: Path) -> Iterator[tuple[str, str]]:
    """``(filename, source)`` of each code cell; a script's cells keep their line numbers."""
    if page.suffix == ".py":
        lines = page.read_text().splitlines(keepends=True)
        starts = [i for i, line in enumerate(lines) if CELL_MARK.match(line)] or [0]
        for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
            yield str(page), "\n" * begin + "".join(lines[begin:end])
        return
    import jupytext

    for number, cell in enumerate(jupytext.read(page).cells, start=1):
        if cell.cell_type == "code":
            source = "".join("\n" if MAGIC.match(line) else line
                             for line in cell.source.splitlines(keepends=True))
            filename = f"{page} [cell {number}]"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            yield filename, source


def run_page(page: Path) -> int:
    """Run the page's code cells in one namespace; the number of cells that failed."""
    namespace = {"__name__": "__main__", "__file__": str(page)}
    failed = 0
    saved_argv, sys.argv = sys.argv, [str(page)]
    try:
        for filename, source in code_cells(page):
            try:
                exec(compile(source, filename, "exec"), namespace)
            except (Exception, SystemExit) as error:  # the learner's code: report, go on
                failed += 1
                print(_("{place}: {kind}: {message}").format(
                    place=_where(error, filename), kind=type(error).__name__, message=error))
    finally:
        sys.argv = saved_argv
    return failed


def _where(error: BaseException, filename: str) -> str:
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if frame.filename == filename]
    if isinstance(error, SyntaxError) and error.lineno:
        lines.append(error.lineno)
    return _("{file}, line {line}").format(file=filename, line=lines[-1]) if lines else filename


def check_workspace(selection: str | None = None, workspace: Path | None = None) -> bool:
    """Run the checks of ``selection`` (every exercise, a chapter ``"4"`` or one ``"4.2"``) on the
    learner's pages; True if every one passed."""
    exercises = select(selection)
    SESSION.selected = {exercise.number for exercise in exercises}
    SESSION.outcomes.clear()
    for chapter in dict.fromkeys(exercise.chapter for exercise in exercises):
        page = workspace_page(chapter, workspace)
        if page is None:
            print(_("{page} is missing: start() copies the exercise pages there").format(
                page=(workspace or workspace_dir()) / CHAPTERS[chapter][0] / PAGE))
            continue
        print(_("--- {page}").format(page=page))
        run_page(page)
    for exercise in exercises:
        if exercise.number not in SESSION.outcomes:
            print(_("Exercise {number} · {name}: not checked: no check(\"{number}\", {name}) ran "
                    "on the page").format(number=exercise.number, name=exercise.function))
    passed = sum(SESSION.outcomes.get(e.number) is not None and SESSION.outcomes[e.number].status
                 == PASSED for e in exercises)
    print(_("{passed} of {total} passed").format(passed=passed, total=len(exercises)))
    return passed == len(exercises)
