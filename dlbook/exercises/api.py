"""What an exercise page calls: ``check("4.2", softmax)``, ``hint("4.2")``, ``solution("4.2")``.

A check prints PASS, FAIL with the first failing input and a hint, or "not attempted yet", and
counts an attempt in the progress file. The solution is printed once there has been an attempt
(a check of the learner's own function, now or in an earlier session) or when the page runs in
the book build (``$DLBOOK_BOOK=1``), where it sits behind a fold.

Run by ``python -m dlbook.exercises check``, a page's checks are the command's: `Session`
keeps their outcomes, runs only the exercises asked for, and ``hint`` and ``solution`` print
nothing.
"""

from __future__ import annotations

import inspect
import os
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from dlbook.errors import DlbookError
from dlbook.exercises import progress
from dlbook.exercises.catalog import find
from dlbook.exercises.core import NOT_ATTEMPTED, WIDTH, Outcome, run_check
from dlbook.exercises.i18n import _, fill


@dataclass
class Session:
    """The checks run in this process; ``selected`` (set by the command line) limits them."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    selected: set[str] | None = None

    @property
    def from_command_line(self) -> bool:
        return self.selected is not None


SESSION = Session()


def check(number: str, function: Callable) -> None:
    """Check the learner's ``function`` for exercise ``number`` and print the verdict."""
    exercise = find(number)
    if SESSION.from_command_line and exercise.number not in SESSION.selected:
        return
    outcome = run_check(exercise, function)
    SESSION.outcomes[exercise.number] = outcome
    print(outcome.message)
    if outcome.status != NOT_ATTEMPTED:
        try:
            progress.record(exercise.number, outcome.status)
        except (OSError, DlbookError) as error:
            print(_("(progress not saved: {error})").format(error=error), file=sys.stderr)


def hint(number: str) -> None:
    """Print the hint of exercise ``number``."""
    exercise = find(number)
    if not SESSION.from_command_line:
        print(fill(_("Hint for exercise {number}: {hint}").format(
            number=exercise.number, hint=_(exercise.hint)), WIDTH, subsequent_indent="  "))


def attempted(number: str) -> bool:
    """Whether the learner's own function for ``number`` has been checked, now or before."""
    outcome = SESSION.outcomes.get(number)
    if outcome is not None and outcome.status != NOT_ATTEMPTED:
        return True
    try:
        return number in progress.load()
    except DlbookError:
        return False


def solution(number: str) -> None:
    """Print the reference solution of ``number`` after an attempt, or in the book."""
    exercise = find(number)
    if SESSION.from_command_line:
        return
    if os.environ.get("DLBOOK_BOOK") == "1" or attempted(exercise.number):
        print(_("A solution to exercise {number}:").format(number=exercise.number))
        print(textwrap.dedent(inspect.getsource(exercise.reference)).rstrip())
    else:
        print(fill(_(
            "The solution to exercise {number} is shown after you have tried: write {name}, run "
            "its check, then run this cell again (hint(\"{number}\") gives a hint).").format(
            number=exercise.number, name=exercise.function), WIDTH))


def outcomes(chapter: str) -> dict[str, str]:
    """How each check of ``chapter`` ended in this process, for a page's ``results.json``."""
    return {number: outcome.status for number, outcome in SESSION.outcomes.items()
            if number.split(".")[0] == chapter}
