"""Test-session set-up: quiet TensorFlow, and two logical CPU devices for the strategy tests.

The CPU must be split before TensorFlow initialises its devices, so it happens here, at import.
"""

import json
import os
import runpy
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

# NumPy's multi-threaded BLAS stalls when the cores are shared (the from-scratch tests use it).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import dlbook  # noqa: E402, F401  (imports TensorFlow without its start-up notices)

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()],
)


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


CHAPTER_5_AND_ITS_USERS = ("ch05_practice", "ch06_applications", "ch08_trends")
"""Chapters whose pages start from the models chapter 5 saves: they run after it, in one lane."""


@pytest.fixture(scope="session")
def quick_chapters(tmp_path_factory) -> dict[str, PageRun]:
    """Every chapter script run once with ``--quick``, each in its own process, as ``make
    chapters QUICK=1`` runs them; keyed by ``"ch05_practice/lenet"``.

    Two lanes run side by side on the two cores, each in tutorial order: chapter 5 and the
    chapters that start from its saved models (6 and 8), and the others. The machine is made the
    same for every run: Fashion-MNIST from wherever it is on disk, an empty dataset cache (so
    ``auto`` picks Fashion-MNIST and the synthetic text task) and no network
    (``DLBOOK_OFFLINE=1``): the suite never downloads a dataset.
    """
    from dlbook.data.sources import locate

    fashion = locate("fashion_mnist")
    if fashion is None:
        pytest.fail("Fashion-MNIST is not on disk: `make data` provisions it")
    root = tmp_path_factory.mktemp("quick_chapters")
    env = {key: value for key, value in os.environ.items() if key != "DLBOOK_MNIST_DIR"}
    env.update(DLBOOK_OUTPUT_DIR=str(root / "outputs"), DLBOOK_DATA_DIR=str(root / "cache"),
               DLBOOK_FASHION_MNIST_DIR=str(next(iter(fashion.values())).parent),
               DLBOOK_OFFLINE="1", MPLBACKEND="Agg")
    scripts = runpy.run_path(str(REPO / "book" / "build.py"))["all_pages"]()
    lanes = [[script for script in scripts if (script.parent.name in CHAPTER_5_AND_ITS_USERS)
              == after_chapter_5] for after_chapter_5 in (True, False)]
    runs = {}

    def run_lane(lane: list[Path]) -> None:
        for script in lane:
            page = f"{script.parent.name}/{script.stem}"
            done = subprocess.run([sys.executable, str(script), "--quick"], cwd=REPO, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=900)
            runs[page] = PageRun(page, done.returncode, done.stdout, done.stderr,
                                 root / "outputs" / script.parent.name / f"{script.stem}-quick")

    with ThreadPoolExecutor(len(lanes)) as pool:
        list(pool.map(run_lane, lanes))
    return runs


@pytest.fixture(scope="session")
def quick_cnn(tmp_path_factory) -> Path:
    """Chapter 5's CNN after one epoch on 1,024 Fashion-MNIST images, saved as cnn.py saves it."""
    from dlbook.data import load_arrays
    from dlbook.models import build_cnn

    import keras

    (images, labels), _ = load_arrays("fashion_mnist", limit=1024)
    keras.utils.set_random_seed(0)
    model = build_cnn()
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(images[..., None] / 255.0, labels, epochs=1, batch_size=64, verbose=0)
    path = tmp_path_factory.mktemp("cnn") / "cnn-fashion_mnist.keras"
    model.save(path)
    return path
