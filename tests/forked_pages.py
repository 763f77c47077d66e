"""Run chapter pages as ``python chapters/<chapter>/<page>.py --quick`` runs them, each in a
process of its own, forked from this one, which has imported dlbook (and so TensorFlow), Keras
and matplotlib once: a page then starts in a fraction of a second instead of six.

    python tests/forked_pages.py LOG_FOLDER

reads one page a line on standard input (``ch05_practice/lenet``), forks, and answers with two
lines on standard output: the child's process id when it starts, its exit status when it ends
(negative: killed by that signal). The child writes the page's standard output and error to
``LOG_FOLDER/<chapter>.<page>.out`` and ``.err``, reads nothing, and exits as the interpreter
would after the script: 0, 1 with a traceback, or the status the page asked for (2 for an
expected error, `dlbook.errors`).

What a fork does not give is a fresh import: the start-up notices TensorFlow prints when it is
imported are printed once, here (``tests/test_tf_startup.py`` checks those in processes of
their own). TensorFlow has run no operation yet when the process forks, so each page starts its
runtime, thread pools and devices itself.
"""

import os
import runpy
import sys
from pathlib import Path

import dlbook  # noqa: F401  (TensorFlow, imported quietly)
import dlbook.data  # noqa: F401
import dlbook.models  # noqa: F401
import dlbook.plots  # noqa: F401
import dlbook.training  # noqa: F401

import keras  # noqa: F401
import matplotlib.pyplot  # noqa: F401

REPO = Path(__file__).resolve().parents[1]


def run_page(page: str, logs: Path) -> None:
    """In the child: the page as a script, its output to ``logs``; never returns."""
    script = REPO / "chapters" / f"{page}.py"
    name = page.replace("/", ".")
    for fd, path in ((1, logs / f"{name}.out"), (2, logs / f"{name}.err")):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    sys.argv = [str(script.relative_to(REPO)), "--quick"]
    sys.path[0] = str(script.parent)
    runpy.run_path(str(script), run_name="__main__")  # an exception ends the child as a script
    sys.exit(0)


def serve(logs: Path) -> None:
    for line in sys.stdin:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            run_page(line.strip(), logs)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


if __name__ == "__main__":
    os.chdir(REPO)
    serve(Path(sys.argv[1]))
