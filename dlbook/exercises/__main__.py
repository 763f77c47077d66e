"""``python -m dlbook.exercises start | check [NUMBER] | progress``: the learner's workspace.

``start`` copies the exercise pages into ``workspace/`` (never over a file that is there),
``check`` runs the checks of every exercise, of a chapter (``4``) or of one (``4.2``) on the
learner's pages and exits with status 0 only if all passed, ``progress`` prints passed / tried /
not started per chapter.
"""

from __future__ import annotations

import argparse
import sys

from dlbook.errors import EXIT_STATUS, DlbookError
from dlbook.exercises import progress
from dlbook.exercises.catalog import workspace_dir
from dlbook.exercises.core import WIDTH
from dlbook.exercises.i18n import _, fill
from dlbook.exercises.workspace import check_workspace, start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlbook.exercises",
                                     description=_("The exercises of dlbook, checked offline."))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", help=_("copy the exercise pages into workspace/"))
    checking = commands.add_parser("check", help=_("check your work in workspace/"))
    checking.add_argument("number", nargs="?", default=None,
                          help=_("an exercise (4.2) or a chapter (4); default: all"))
    commands.add_parser("progress", help=_("passed / tried / not started per chapter"))
    args = parser.parse_args(argv)
    try:
        return run(args)
    except DlbookError as error:
        print(_("exercises: error: {message}").format(message=error), file=sys.stderr)
        return EXIT_STATUS


def run(args: argparse.Namespace) -> int:
    workspace = workspace_dir()
    if args.command == "start":
        for page, created in start(workspace):
            print((_("{page}: created") if created else _(
                "{page}: kept as it is (your work is never overwritten)")).format(page=page))
        print(fill(_(
            "Fill in the functions and run a page's cells (or a notebook of it: jupytext --to "
            "notebook PAGE); check from here with make check (all), make check EX=4 (a "
            "chapter), make check EX=4.2 (one); make progress counts what you have done."), WIDTH))
        return 0
    if args.command == "check" and not workspace.is_dir():
        print(_("exercises: error: no workspace at {workspace} yet; make exercises (python -m "
                "dlbook.exercises start) creates it").format(workspace=workspace),
              file=sys.stderr)
        return EXIT_STATUS
    if args.command == "check":
        return 0 if check_workspace(args.number, workspace) else 1
    print(progress.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
