"""Execute the book's chapter pages into myst-nb's execution cache, one per core at a time.

Sphinx reads the pages one after another, and myst-nb executes each as it reads it. One page's
kernel seldom keeps two cores busy: half the pages spend most of their seconds importing
TensorFlow, and the small networks of the others train in steps too small to split well over
two cores. So ``build.py html`` runs the pages here first, one kernel per core (two side by side
on two cores), and caches each executed page where myst-nb looks for it (the cache is keyed by
the hash of a page's code cells); Sphinx then only renders them. A page the cache already holds
is not run again, so an interrupted build resumes.

Each page is held to a core of its own (its process's CPU affinity, which its kernel inherits),
and TensorFlow and NumPy size their thread pools to it. Left to share both cores, two kernels'
threads wait for each other: measured, chapter 4's NumPy MLP took 277 s beside the DCGAN, 32 s
held to one core beside another page, 27 s alone with both; most pages lose little or nothing
on one core. Two rules keep the pages' results what they would be one at a time:

- a page that starts from another page's output starts only after that page has run (`NEEDS`:
  chapter 5's CNN, its text classifier);
- a page whose lesson is a measured speed runs alone (`ALONE`), with every core to itself.

The longest pages start first (by the run times the cache holds from the last build, else
`TYPICAL_SECONDS`), a page that others wait for with their times added, and pages of equal
length in the book's order: the DCGAN starts as soon as chapter 5's CNN has run, instead of
running by itself at the end.

    python book/execute_pages.py run PAGE NOTEBOOK TIMEOUT CORES
                                           (one page, in a process of its own, on CORES: 0,1)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

import jupytext
import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn, JupyterCacheAbstract
from jupyter_cache.executors.utils import single_nb_execution

NEEDS = {
    "ch05_practice/dcgan": ("ch05_practice/cnn",),
    "ch06_applications/classify_images": ("ch05_practice/cnn",),
    "ch06_applications/sentiment": ("ch05_practice/text_classifier",),
    "ch08_trends/pruning": ("ch05_practice/cnn",),
    "ch08_trends/quantization": ("ch05_practice/cnn",),
}
"""The pages that load a model another page saved, and the pages that save it (without it they
would train their own, with other figures)."""

ALONE = {
    "ch05_practice/environment",  # the machine's GFLOP/s
    "ch05_practice/lenet",  # four training loops compared by their speed
    "ch08_trends/distributed",  # two worker processes against one
    "ch08_trends/quantization",  # the inference time of each model
}
"""The pages whose lesson is a measured speed: they run with no other page beside them. (A page
that times its runs only to compare them with each other, such as chapter 9's four activations,
compares them fairly on its one core.)"""

TYPICAL_SECONDS = {
    "ch05_practice/dcgan": 1289,
    "ch08_trends/pruning": 378,
    "ch08_trends/transfer": 261,
    "ch09_faq/data_size": 237,
    "ch05_practice/cnn": 195,
    "ch05_practice/text_classifier": 177,
    "ch08_trends/distributed": 120,
    "ch06_applications/own_photos": 103,
    "ch09_faq/activations": 97,
    "ch03_algorithm/learning_rate": 85,
    "ch03_algorithm/overfitting": 71,
    "ch05_practice/lenet_fit": 57,
    "ch05_practice/lenet": 43,
    "ch03_algorithm/initialization": 41,
    "ch04_math/mlp_from_scratch": 37,
    "ch03_algorithm/gradients": 32,
    "ch05_practice/mlp_images": 30,
}
"""The pages' full run times in a build from an empty folder (2026-12-07, one core each, the
speed pages on both), for the order of a build whose cache holds no times yet; any other page
counts as `OTHER_SECONDS`."""

OTHER_SECONDS = 10.0


def key(page: Path) -> str:
    """A page's name in `NEEDS` and `ALONE`: ``<chapter folder>/<script stem>``."""
    return f"{page.parent.name}/{page.stem}"


def read_page(page: Path) -> nbformat.NotebookNode:
    """The page as myst-nb reads it (``nb_custom_formats`` in conf.py)."""
    return jupytext.reads(page.read_text(encoding="utf-8"), fmt="py:percent")


def run_one(page: Path, notebook_out: Path, timeout: int, cores: set[int] | None) -> int:
    """Execute ``page`` as myst-nb does (in its folder, stopping at the first error, ``timeout``
    seconds a cell, -1 for none) on ``cores`` and write the executed notebook, its run time in
    its metadata; 1 after printing the traceback."""
    if cores is not None:
        os.sched_setaffinity(0, cores)  # the kernel this process starts inherits it
    notebook = read_page(page)
    result = single_nb_execution(notebook, cwd=str(page.parent), timeout=timeout,
                                 allow_errors=False, meta_override=True)
    if result.err is not None:
        print(result.exc_string, file=sys.stderr)
        return 1
    notebook.metadata["dlbook_execution_seconds"] = result.time
    nbformat.write(notebook, notebook_out)
    return 0


def critical_times(pages: list[Path], last_seconds: dict[str, float]) -> dict[str, float]:
    """Each page's last run time plus the longest chain of pages that wait for it."""
    waiting = {key(page): [] for page in pages}
    for page in pages:
        for needed in NEEDS.get(key(page), ()):
            if needed in waiting:
                waiting[needed].append(key(page))
    chain: dict[str, float] = {}

    def length(name: str) -> float:
        if name not in chain:
            chain[name] = last_seconds.get(name, OTHER_SECONDS) + max(
                (length(after) for after in waiting[name]), default=0.0)
        return chain[name]

    return {key(page): length(key(page)) for page in pages}


def next_page(ready: list[Path], running: set[str], priority: dict[str, float]) -> Path | None:
    """The page to start now, if any: the longest ready one, none beside an ``ALONE`` page,
    and an ``ALONE`` page only when nothing runs."""
    if any(name in ALONE for name in running):
        return None
    startable = [page for page in ready if not running or key(page) not in ALONE]
    return max(startable, key=lambda page: priority[key(page)], default=None)


def execute_pages(pages: list[Path], cache_path: Path, env: dict[str, str],
                  timeout: int) -> None:
    """Run every page of ``pages`` (in the book's order) that the cache does not hold, one per
    core at a time, and cache each; stop at the first failure (its traceback printed) once the
    running pages end."""
    cache = get_cache(str(cache_path))
    to_run = [page for page in pages if not cached(cache, page)]
    if not to_run:
        return
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    print(f"book: executing {len(to_run)} page{'s' * (len(to_run) != 1)}, one per core on "
          f"{max(len(cores), 1)} core{'s' * (len(cores) > 1)} ({len(pages) - len(to_run)} from "
          "the cache)", flush=True)
    failed = run_pages(to_run, critical_times(to_run, last_run_times(cache)), cores or [None],
                       cache, env, timeout)
    if failed:
        raise SystemExit(f"book: {', '.join(str(page) for page in failed)} failed (the "
                         "traceback is above); the pages that ran are cached")


def last_run_times(cache: JupyterCacheAbstract) -> dict[str, float]:
    """Each page's run time in the cache's records, else `TYPICAL_SECONDS`'."""
    return {**TYPICAL_SECONDS, **{
        key(Path(record.uri)): record.data.get("execution_seconds", OTHER_SECONDS)
        for record in cache.list_cache_records()}}


def run_pages(to_run: list[Path], priority: dict[str, float], cores: list[int | None],
              cache: JupyterCacheAbstract, env: dict[str, str], timeout: int) -> list[Path]:
    """Run ``to_run``, each on a core of ``cores`` of its own (an ``ALONE`` page on all),
    caching each as it ends; the pages that failed."""
    names = {key(page) for page in to_run}
    started, done, failed = time.monotonic(), set(), []
    running: dict[Future, tuple[Path, list[int | None]]] = {}
    free = list(cores)
    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(len(cores)) as pool:
        while to_run or running:
            ready = [page for page in to_run if all(
                needed in done or needed not in names for needed in NEEDS.get(key(page), ()))]
            page = None if failed or not free else next_page(
                ready, {key(page) for page, _ in running.values()}, priority)
            if page is not None:
                to_run.remove(page)
                held = free if key(page) in ALONE else free[:1]
                free = [core for core in free if core not in held]
                out = Path(scratch) / f"{key(page).replace('/', '__')}.ipynb"
                future = pool.submit(execute_in_process, page.resolve(), out, env, timeout, held)
                running[future] = page, held
                continue
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                page, held = running.pop(future)
                free += held
                if (result := future.result()) is None:
                    failed.append(page)
                    continue
                store(cache, page, *result)
                done.add(key(page))
                print(f"book: {key(page)} ran in {result[1]:.0f} s ({len(done)} done, "
                      f"{(time.monotonic() - started) / 60:.1f} min)", flush=True)
    return failed


def store(cache: JupyterCacheAbstract, page: Path, notebook: nbformat.NotebookNode,
          seconds: float) -> None:
    """Cache the executed ``notebook`` of ``page`` as myst-nb does, with its run time."""
    cache.cache_notebook_bundle(
        CacheBundleIn(notebook, str(page.resolve()), data={"execution_seconds": seconds}),
        check_validity=False, overwrite=True)


def cached(cache: JupyterCacheAbstract, page: Path) -> bool:
    """Whether the cache holds ``page``'s code as it is now."""
    try:
        cache.match_cache_notebook(read_page(page))
    except KeyError:
        return False
    return True


def execute_in_process(page: Path, out: Path, env: dict[str, str], timeout: int,
                       cores: list[int | None]) -> tuple[nbformat.NotebookNode, float] | None:
    """`run_one` in a Python process of its own, with the book's environment, on ``cores``
    (``[None]``: wherever the system puts it): the executed notebook (without this module's
    metadata) and its run time, or None if it failed."""
    on = ",".join(str(core) for core in cores if core is not None) or "any"
    command = [sys.executable, __file__, "run", str(page), str(out), str(timeout), on]
    if subprocess.run(command, env=env).returncode != 0:
        return None
    notebook = nbformat.read(out, as_version=4)
    seconds = notebook.metadata.pop("dlbook_execution_seconds")
    return notebook, seconds


if __name__ == "__main__":
    _, _, page_arg, out_arg, timeout_arg, cores_arg = sys.argv
    sys.exit(run_one(Path(page_arg), Path(out_arg), int(timeout_arg),
                     None if cores_arg == "any" else {int(core) for core in cores_arg.split(",")}))
