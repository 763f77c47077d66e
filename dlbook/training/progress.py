"""How training reports progress: a live bar on a terminal, one line per epoch anywhere else.

Keras's ``Progbar`` redraws its bar with carriage returns and colour codes, which a log file, CI
output or a notebook keeps as hundreds of frames. So the live bar is shown only when standard
output is a terminal; elsewhere each epoch prints one line.
"""

from __future__ import annotations

import sys

from dlbook.notebook import in_notebook


def is_live() -> bool:
    """Whether standard output is a terminal (not a file, a pipe or a notebook)."""
    return not in_notebook() and hasattr(sys.stdout, "isatty") and sys.stdout.isatty()


def keras_verbose() -> int:
    """``verbose=`` for ``model.fit``: 1 (the live bar) on a terminal, else 2 (a line per epoch)."""
    return 1 if is_live() else 2
