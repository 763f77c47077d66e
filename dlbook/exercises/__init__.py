"""Exercises a learner can check offline, at the end of chapters 2, 3, 4, 5, 8 and 9.

Each chapter's ``exercises.py`` page states its exercises and gives a stub to fill in for each;
one call checks it::

    from dlbook.exercises import check, hint, solution

    check("4.1", softmax)   # PASS, or FAIL with the first failing input and a hint
    hint("4.1")             # the hint, on request
    solution("4.1")         # the reference solution, once you have tried

The checkers, reference solutions, edge-case inputs and known mistakes are in this package, one
module per chapter (``ch04``...) on a small core (`dlbook.exercises.core`).
``python -m dlbook.exercises start | check [4.1] | progress`` (``make exercises``, ``make
check``, ``make progress``) copies the pages into ``workspace/``, checks the learner's work from
the command line and prints the progress table.
"""

from dlbook.exercises.api import check, hint, outcomes, solution

__all__ = ["check", "hint", "outcomes", "solution"]
