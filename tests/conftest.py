"""Test-session set-up: quiet TensorFlow, two logical CPU devices for the strategy tests, and
the quick run of every chapter page (`QuickChapters`) and the build of a quick book, which start
as soon as the tests are collected and run beside them; the tests that read them run last.

The CPU must be split before TensorFlow initialises its devices, so it happens here, at import.
"""

import contextlib
import json
import os
import runpy
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

# NumPy's multi-threaded BLAS stalls when the cores are shared (the from-scratch tests use it).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import dlbook.tf_startup  # noqa: E402, F401  (imports TensorFlow without its start-up notices)

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()],
)


@pytest.fixture(autouse=True)
def package_classes_registered():
    """Keras's registry of saved classes as the package left it, after each test.

    A page that a test runs in this process defines its classes again (`TextClassifier` on
    text_classifier.py, `LeNet` on lenet.py), and registering them makes ``load_model`` build
    the page's class from then on: a later test would load an instance of the page's class, not
    of the one it imported from `dlbook.models`."""
    import keras

    registered = keras.saving.get_custom_objects()
    before = dict(registered)
    yield
    registered.clear()
    registered.update(before)


@pytest.fixture
def two_cpu_strategy() -> tf.distribute.MirroredStrategy:
    """A MirroredStrategy over the two logical CPUs.

    Reduction through one device, not collective ops: each new MirroredStrategy numbers its
    collective ops from the same keys, so a second one in the same process would be mistaken for
    the first by TensorFlow's collective executor ("Shape mismatch in the collective instance").
    """
    return tf.distribute.MirroredStrategy(
        ["/cpu:0", "/cpu:1"], cross_device_ops=tf.distribute.ReductionToOneDevice()
    )


@dataclass
class PageRun:
    """One chapter script's ``--quick`` run: what it printed and where its outputs are."""

    page: str
    returncode: int
    stdout: str
    stderr: str
    output_dir: Path

    def results(self, *plots: str) -> dict:
        """The run's ``results.json``, once it is clear that the script succeeded and drew
        ``plots``."""
        assert self.returncode == 0, f"{self.page} failed:\n{self.stderr[-4000:]}"
        for name in plots:
            self.plot(name)
        results = json.loads((self.output_dir / "results.json").read_text())
        assert results["quick"] is True
        return results

    def plot(self, name: str) -> Path:
        path = self.output_dir / name
        assert path.is_file() and path.stat().st_size > 5000, f"{self.page}: {name} not drawn"
        return path


class QuickChapters:
    """Every chapter script run once with ``--quick``, each in its own process, as ``make
    chapters QUICK=1`` runs them: in tutorial order (chapters 6 and 8 start from models that
    chapter 5 saves), on one core, while the rest of the suite runs on the other.

    Each page is forked from a process that has imported TensorFlow once
    (``tests/forked_pages.py``). The machine is made the same for every run: Fashion-MNIST from
    wherever it is on disk, an empty dataset cache (so ``auto`` picks Fashion-MNIST and the
    synthetic text task) and no network (``DLBOOK_OFFLINE=1``): the suite never downloads a
    dataset.
    """

    PAGE_SECONDS = 900
    """A page still running after this long is killed."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dlbook-quick-chapters-"))
        self.pages = [f"{script.parent.name}/{script.stem}" for script in
                      runpy.run_path(str(REPO / "book" / "build.py"))["all_pages"]()]
        self.runs: dict[str, PageRun] = {}
        self.server: subprocess.Popen | None = None
        self.pool = ThreadPoolExecutor(1)
        self.done = None

    def start(self, fashion_mnist_dir: Path) -> None:
        env = {key: value for key, value in os.environ.items() if key != "DLBOOK_MNIST_DIR"}
        env.update(DLBOOK_OUTPUT_DIR=str(self.root / "outputs"),
                   DLBOOK_DATA_DIR=str(self.root / "cache"),
                   DLBOOK_FASHION_MNIST_DIR=str(fashion_mnist_dir), DLBOOK_OFFLINE="1",
                   MPLBACKEND="Agg")
        (self.root / "logs").mkdir()
        with open(self.root / "server.err", "w") as errors:
            self.server = subprocess.Popen(
                [sys.executable, str(REPO / "tests" / "forked_pages.py"), str(self.root / "logs")],
                cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                text=True, start_new_session=True)
        self.done = self.pool.submit(lambda: [self.run(page) for page in self.pages])

    def run(self, page: str) -> None:
        self.server.stdin.write(page + "\n")
        self.server.stdin.flush()
        started = self.server.stdout.readline()
        if not started:
            raise RuntimeError(f"the page server stopped before {page}: "
                               f"{(self.root / 'server.err').read_text()}")
        timer = threading.Timer(self.PAGE_SECONDS, os.kill, (int(started), signal.SIGKILL))
        timer.start()
        returncode = int(self.server.stdout.readline())
        timer.cancel()
        chapter, name = page.split("/")
        log = self.root / "logs" / f"{chapter}.{name}"
        self.runs[page] = PageRun(page, returncode, Path(f"{log}.out").read_text(),
                                  Path(f"{log}.err").read_text(),
                                  self.root / "outputs" / chapter / f"{name}-quick")

    def wait(self) -> dict[str, PageRun]:
        self.done.result()
        return self.runs

    def stop(self) -> None:
        """End the server and whatever page it still runs, and remove the outputs."""
        if self.server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()
        self.pool.shutdown(wait=True)
        shutil.rmtree(self.root, ignore_errors=True)


QUICK_RUN = pytest.StashKey[QuickChapters]()
QUICK_BOOK = pytest.StashKey[tuple[subprocess.Popen, Path]]()
BOOK_PAGES = ["ch04_math/pooling", "ch05_practice/lenet"]
"""The pages of the quick book the suite builds, in English and Chinese: a part of the book that
shows all of it (pooling.py is translated, lenet.py not yet)."""
NOTEBOOK_PAGE = "ch05_practice/lenet"
"""The page the suite runs as a notebook, in a Jupyter kernel."""
PAGE_NOTEBOOK = pytest.StashKey[tuple[Future, Path]]()
IN_THE_BACKGROUND = ("quick_chapters", "quick_book", "page_notebook")
"""The fixtures made in the background, started as soon as the tests are collected."""


def uses(item: pytest.Item, fixture: str) -> bool:
    return fixture in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that read what runs in the background go last, so that the others run
    meanwhile."""
    items.sort(key=lambda item: any(uses(item, fixture) for fixture in IN_THE_BACKGROUND))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the quick run of the chapters, the build of the quick book and the notebook run of a
    page as soon as the tests are known, each if a test reads it."""
    from dlbook.data.sources import locate

    config = session.config
    if config.option.collectonly:
        return
    fashion = locate("fashion_mnist")
    if fashion is not None and any(uses(item, "quick_chapters") for item in session.items):
        config.stash[QUICK_RUN] = QuickChapters()
        config.stash[QUICK_RUN].start(next(iter(fashion.values())).parent)
    if any(uses(item, "quick_book") for item in session.items):
        out = Path(tempfile.mkdtemp(prefix="dlbook-quick-book-"))
        with open(out / "build.log", "w") as log:
            build = subprocess.Popen([sys.executable, str(REPO / "book" / "build.py"), "html",
                                      "--quick", "--only", *BOOK_PAGES, "--out", str(out),
                                      "--language", "zh_CN"],
                                     cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        config.stash[QUICK_BOOK] = build, out
    if any(uses(item, "page_notebook") for item in session.items):
        out = Path(tempfile.mkdtemp(prefix="dlbook-notebook-"))
        config.stash[PAGE_NOTEBOOK] = NOTEBOOKS.submit(execute_page_notebook, out), out


NOTEBOOKS = ThreadPoolExecutor(1)


def execute_page_notebook(out: Path):
    """`NOTEBOOK_PAGE` read by jupytext and run top to bottom in a Jupyter kernel (nbclient),
    its flags from ``$DLBOOK_ARGS`` as a notebook takes them; the notebook with its outputs."""
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(REPO / "chapters" / f"{NOTEBOOK_PAGE}.py")
    flags = f"--quick --dataset fashion_mnist --output-dir {out}"
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO)}}).execute(
        env={**os.environ, "DLBOOK_ARGS": flags})
    return notebook


def pytest_sessionfinish(session: pytest.Session) -> None:
    if QUICK_RUN in session.config.stash:
        session.config.stash[QUICK_RUN].stop()
    if QUICK_BOOK in session.config.stash:
        build, out = session.config.stash[QUICK_BOOK]
        build.kill()
        build.wait()
        shutil.rmtree(out, ignore_errors=True)
    if PAGE_NOTEBOOK in session.config.stash:
        NOTEBOOKS.shutdown(wait=True)
        shutil.rmtree(session.config.stash[PAGE_NOTEBOOK][1], ignore_errors=True)


@pytest.fixture(scope="session")
def quick_chapters(request: pytest.FixtureRequest) -> dict[str, PageRun]:
    """The quick run of every chapter script (`QuickChapters`), keyed by
    ``"ch05_practice/lenet"``, once it has finished."""
    if QUICK_RUN not in request.config.stash:
        pytest.fail("Fashion-MNIST is not on disk: `make data` provisions it")
    return request.config.stash[QUICK_RUN].wait()


@pytest.fixture(scope="session")
def quick_book(request: pytest.FixtureRequest) -> Path:
    """The HTML folder of ``make book QUICK=1 LANG=zh_CN`` built with `BOOK_PAGES` alone (the
    Chinese edition in its ``zh_CN/``)."""
    build, out = request.config.stash[QUICK_BOOK]
    build.wait(timeout=1200)
    printed = (out / "build.log").read_text()
    assert build.returncode == 0, f"the book did not build:\n{printed[-4000:]}"
    return out / "quick" / "html"


@pytest.fixture(scope="session")
def page_notebook(request: pytest.FixtureRequest):
    """`NOTEBOOK_PAGE` executed as a notebook with ``--quick`` (`execute_page_notebook`), and
    the folder it wrote its outputs to."""
    done, out = request.config.stash[PAGE_NOTEBOOK]
    return done.result(), out


@pytest.fixture(scope="session")
def quick_cnn(tmp_path_factory) -> Path:
    """Chapter 5's CNN after one epoch of its recipe on 1,024 Fashion-MNIST images, saved as
    cnn.py saves it."""
    from dlbook.data import load_arrays
    from dlbook.models import build_cnn
    from dlbook.training.cnn_recipe import compile_cnn

    import keras

    (images, labels), _ = load_arrays("fashion_mnist", limit=1024)
    keras.utils.set_random_seed(0)
    model = build_cnn()
    compile_cnn(model, epochs=1, steps_per_epoch=len(images) // 64)
    model.fit(images[..., None] / 255.0, labels, epochs=1, batch_size=64, verbose=0)
    path = tmp_path_factory.mktemp("cnn") / "cnn-fashion_mnist.keras"
    model.save(path)
    return path
