"""Issue 10 tried as a skeptical user would: real commands on small files of one's own.

Each test reproduces one way dlbook gave a wrong answer without a word, or failed after the
training, and checks that it now stops before any training with one line, or gives the right
answer: a finished run re-run with other flags, a run killed with ``kill -9`` and run again, a
download killed half-way, a dataset folder named through an environment variable, a table whose
texts hold unquoted commas, labels and pixels out of range, small training sets and the
validation split, a seed no generator takes.

``python tests/test_own_data_defects.py imdb.csv 12000`` writes the synthetic task's reviews as
a CSV in the common IMDB layout (the file the issue's closing note measures).
"""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from dlbook.config import set_seed
from dlbook.data import (
    CorruptFileError,
    DatasetNotFoundError,
    InvalidDataError,
    load_images,
    load_text,
    resolve_dataset,
)
from dlbook.data.download import download, sha256_of
from dlbook.data.sentiment import read_sentiment
from dlbook.data.sources import DATASETS, FILES
from dlbook.training import Trainer
from dlbook.training.run_folder import RunMismatchError

import keras
import numpy as np
import pytest
import tensorflow as tf
from idx_fixtures import write_dataset, write_idx

REPO = Path(__file__).resolve().parents[1]
LENET = REPO / "chapters" / "ch05_practice" / "lenet.py"
TRAIN_LABELS = "train-labels-idx1-ubyte"


def run(command, tmp_path):
    """``python <command>`` in a fresh process, as a user types it (quiet TensorFlow, no network,
    outputs under ``tmp_path``)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "DLBOOK_OUTPUT_DIR": str(tmp_path / "out"),
           "DLBOOK_OFFLINE": "1"}
    return subprocess.run([sys.executable, *map(str, command)], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=600)


def wait_for(path, process, seconds=300):
    """Wait until ``path`` exists (or the process has ended); fail after ``seconds``."""
    for _ in range(seconds * 10):
        if path.exists() or process.poll() is not None:
            return
        time.sleep(0.1)
    pytest.fail(f"{path} did not appear within {seconds} s")


# -- 1. a run knows what it is --------------------------------------------------------------------

def test_a_finished_run_rerun_with_another_seed_and_batch_size_stops_before_training(tmp_path):
    """Defect 1: it printed "Resuming ... 3 epochs done", trained nothing, reported the old
    accuracy, and results.json paired the new command with the old model."""
    write_dataset(tmp_path / "data", num_train=300, num_test=100, like="fashion_mnist")
    lenet = [LENET, "--page-epochs", "0", "--epochs", "2", "--data-dir", tmp_path / "data",
             "--output-dir", tmp_path / "run"]
    first = run(lenet, tmp_path)
    assert first.returncode == 0, first.stderr
    results = (tmp_path / "run" / "results.json").read_text()

    other = run([*lenet, "--seed", "1", "--batch-size", "32"], tmp_path)
    assert other.returncode == 2, other.stderr
    assert other.stderr.startswith("lenet.py: error: ") and other.stderr.count("\n") == 1
    assert ("holds checkpoints of another run (batch_size 128 -> 32; optimizer changed; "
            "seed 0 -> 1); pass --restart to delete them and start afresh, or another "
            "checkpoint folder to keep them") in other.stderr  # dlbook.cli will word it --restart
    assert "Epoch 1/" not in other.stdout and "Resuming" not in other.stdout
    assert (tmp_path / "run" / "results.json").read_text() == results

    restarted = run([*lenet, "--seed", "1", "--batch-size", "32", "--restart"], tmp_path)
    assert restarted.returncode == 0, restarted.stderr
    assert "Epoch 1/2" in restarted.stdout and "Resuming" not in restarted.stdout
    identity = json.loads((tmp_path / "run" / "results.json").read_text())["identity"]
    assert (identity["seed"], identity["batch_size"]) == (1, 32)


TRAIN_UNTIL_KILLED = """
import sys, time
from pathlib import Path
import keras, numpy as np, tensorflow as tf
from dlbook.config import set_seed
from dlbook.training import Trainer
from dlbook.training.run_folder import RunMismatchError

folder, hold_after = Path(sys.argv[1]), int(sys.argv[2])
set_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 8)).astype(np.float32)
y = (x[:, 0] * x[:, 1] > 0).astype(np.int32)
data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(256, seed=0).batch(32)
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(2)])

def hold(epoch, logs):  # epoch `hold_after` is saved: wait here to be killed
    if epoch == hold_after:
        Path(f"{folder}.held").touch()
        time.sleep(600)

Trainer(model, keras.optimizers.Adam(0.01)).fit(data, 4, checkpoint_dir=folder,
                                                identity={"dataset": "toy"}, on_epoch_end=hold)
np.save(f"{folder}.npy", np.concatenate([w.ravel() for w in model.get_weights()]))
"""


def test_a_run_killed_with_sigkill_resumes_to_the_same_weights(tmp_path):
    """kill -9 leaves a lock of a dead process; the next run takes it over and ends, bit for bit,
    where a run that was never interrupted ends (reshuffled every epoch)."""
    script = tmp_path / "train.py"
    script.write_text(TRAIN_UNTIL_KILLED)
    straight = run([script, tmp_path / "straight", 0], tmp_path)
    assert straight.returncode == 0, straight.stderr

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    killed = subprocess.Popen([sys.executable, str(script), str(tmp_path / "killed"), "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
    try:
        wait_for(tmp_path / "killed.held", killed)
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=60)
    finally:
        killed.kill()
    assert killed.returncode == -signal.SIGKILL
    lock = json.loads((tmp_path / "killed" / "run.lock").read_text())
    assert lock["pid"] == killed.pid  # left behind by the dead process

    resumed = run([script, tmp_path / "killed", 0], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming from" in resumed.stdout and "(2 of 4 epochs done" in resumed.stdout
    assert "Epoch 1/4" not in resumed.stdout and "Epoch 3/4" in resumed.stdout
    np.testing.assert_array_equal(np.load(tmp_path / "killed.npy"),
                                  np.load(tmp_path / "straight.npy"))
    assert not (tmp_path / "killed" / "run.lock").exists()


def train_with_dropout(folder, interrupt_after=None):
    """A small model with dropout trained 4 epochs by the Trainer, interrupted (as by Ctrl-C)
    after ``interrupt_after`` epochs; its weights, flattened."""
    set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 8)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int32)
    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(128, seed=0).batch(32)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(2)])

    def interrupt(epoch, logs):
        if epoch == interrupt_after:
            raise KeyboardInterrupt

    Trainer(model, keras.optimizers.Adam(0.01)).fit(data, 4, checkpoint_dir=folder,
                                                    identity={"dataset": "toy"},
                                                    on_epoch_end=interrupt, verbose=0)
    return np.concatenate([w.ravel() for w in model.get_weights()])


def test_a_resumed_run_with_dropout_ends_with_the_same_weights(tmp_path):
    """A resumed run redraws the dropout masks of its first epochs: cnn.py's CNN, the text model
    and the DCGAN's discriminator, all with dropout, do not resume bit for bit."""
    straight = train_with_dropout(tmp_path / "straight")
    with pytest.raises(KeyboardInterrupt):
        train_with_dropout(tmp_path / "resumed", interrupt_after=2)
    np.testing.assert_array_equal(train_with_dropout(tmp_path / "resumed"), straight)


STALLED_DOWNLOAD = """
import sys, time, urllib.request
from pathlib import Path
from dlbook.data.download import download

class Stalled:  # sends a first chunk, then nothing: a connection that hangs
    sent = False
    def __enter__(self): return self
    def __exit__(self, *exc): pass
    def read(self, size):
        if not self.sent:
            self.sent = True
            return b"half a file"
        Path(sys.argv[1], "started-" + sys.argv[2]).touch()
        time.sleep(600)

urllib.request.urlopen = lambda url, timeout: Stalled()
download("http://example.invalid/data.gz", Path(sys.argv[1]) / "data.gz", "0" * 64)
"""


def test_the_temporary_file_of_a_killed_download_is_removed_by_the_next_one(tmp_path,
                                                                            monkeypatch):
    """A download killed with kill -9 cannot clean up after itself: its temporary file stayed in
    the cache for good. The next download removes it, and leaves a live download's alone."""
    monkeypatch.delenv("DLBOOK_OFFLINE", raising=False)  # a file:// "server" serves the rest
    script, cache = tmp_path / "stalled.py", tmp_path / "cache"
    script.write_text(STALLED_DOWNLOAD)
    cache.mkdir()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "DLBOOK_OFFLINE": ""}
    downloads = [subprocess.Popen([sys.executable, str(script), str(cache), name], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for name in ("killed", "live")]
    try:
        for name, process in zip(("killed", "live"), downloads, strict=True):
            wait_for(cache / f"started-{name}", process)
            assert process.poll() is None, process.communicate()[1].decode()
        before = set(cache.glob(".data.gz.*"))
        assert len(before) == 2
        os.kill(downloads[0].pid, signal.SIGKILL)
        downloads[0].wait(timeout=60)

        served = tmp_path / "server" / "data.gz"
        served.parent.mkdir()
        served.write_bytes(b"the whole file")
        download(served.as_uri(), cache / "data.gz", sha256_of(served))
        assert (cache / "data.gz").read_bytes() == b"the whole file"
        left = set(cache.glob(".data.gz.*"))
        assert len(left) == 1 and left < before  # the live download's file, not the dead one's
        assert downloads[1].poll() is None
    finally:
        for process in downloads:
            process.kill()
            process.wait(timeout=60)


def two_layers(activation, dropout=0.0):
    """A model whose weight shapes do not depend on ``activation`` and ``dropout``."""
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation=activation),
                             keras.layers.Dropout(dropout), keras.layers.Dense(2)])


def test_a_model_of_other_settings_but_the_same_shapes_is_another_run(tmp_path):
    """The identity held the model's class and weight shapes only: a model edited to another
    activation or dropout rate resumed the old one's checkpoints as its own."""
    x = np.random.default_rng(0).normal(size=(32, 4)).astype(np.float32)
    data = tf.data.Dataset.from_tensor_slices((x, (x[:, 0] > 0).astype(np.int32))).batch(8)

    def fit(model):
        Trainer(model, keras.optimizers.SGD(0.1)).fit(data, 2, checkpoint_dir=tmp_path,
                                                      identity={"dataset": "toy"}, verbose=0)

    fit(two_layers("relu"))
    fit(two_layers("relu"))  # the same model again (its layers numbered anew): resumed
    for other in (two_layers("tanh"), two_layers("relu", dropout=0.5)):
        with pytest.raises(RunMismatchError, match=r"holds checkpoints of another run \(model "
                                                   r"changed\)"):
            fit(other)


# -- 2. a folder you name is the folder used ------------------------------------------------------

@pytest.fixture
def debian_and_offline(tmp_path, monkeypatch):
    """An empty cache, Debian's Fashion-MNIST (a small stand-in), no network, no named folders."""
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    for name, spec in DATASETS.items():
        monkeypatch.delenv(spec.env_var, raising=False)
        if spec.system_dir:
            monkeypatch.setitem(DATASETS, name, replace(spec, system_dir=tmp_path / "debian"))
    write_dataset(tmp_path / "debian", 20, 10, like="fashion_mnist")
    return tmp_path


@pytest.mark.parametrize("folder", ["misspelled", "three_of_four"])
def test_auto_never_falls_back_when_the_environment_names_a_folder(debian_and_offline,
                                                                   monkeypatch, capsys, folder):
    """Defect 2 through the environment: a misspelled or incomplete $DLBOOK_MNIST_DIR was passed
    over, and `--dataset auto` trained on Debian's Fashion-MNIST with no word about the folder."""
    named = debian_and_offline / folder
    if folder == "three_of_four":
        write_dataset(named, 20, 10)
        (named / "t10k-labels-idx1-ubyte.gz").unlink()
    monkeypatch.setenv("DLBOOK_MNIST_DIR", str(named))
    missing = ("t10k-labels-idx1-ubyte.gz" if folder == "three_of_four"
               else ", ".join(f"{stem}.gz" for stem in FILES))
    with pytest.raises(DatasetNotFoundError, match=f"mnist: DLBOOK_MNIST_DIR={named} lacks "
                                                   f"{missing} "):
        load_images("auto")
    assert "fashion_mnist" not in capsys.readouterr().out


def test_auto_takes_the_folder_the_environment_names_first(debian_and_offline, monkeypatch,
                                                           capsys):
    write_dataset(debian_and_offline / "digits", 20, 10, seed=3)  # a user's own IDX files
    monkeypatch.setenv("DLBOOK_MNIST_DIR", str(debian_and_offline / "digits"))
    data = load_images("auto", validation_fraction=0)
    assert (data.name, data.class_names) == ("mnist", list("0123456789"))
    assert data.source == str(debian_and_offline / "digits")
    assert capsys.readouterr().out.startswith(
        f"dataset auto -> mnist (DLBOOK_MNIST_DIR names {debian_and_offline / 'digits'})")

    write_dataset(debian_and_offline / "cache" / "mnist", 20, 10)  # MNIST on disk as well
    monkeypatch.delenv("DLBOOK_MNIST_DIR")
    monkeypatch.setenv("DLBOOK_FASHION_MNIST_DIR", str(debian_and_offline / "digits"))
    assert resolve_dataset("auto") == "fashion_mnist"


# -- 3. text tables -------------------------------------------------------------------------------

def test_unquoted_commas_in_a_text_are_refused_not_cut_off(tmp_path):
    """A `label,text` table whose texts hold unquoted commas: each text was cut at its first
    comma without a word ("I liked it, a lot" became "I liked it"), here every text the same."""
    path = tmp_path / "reviews.csv"
    path.write_text("label,text\n" + "".join(f"{'pos' if n % 2 else 'neg'},I liked it, a lot, "
                                             f"number {n}\n" for n in range(40)))
    with pytest.raises(CorruptFileError, match=r"reviews.csv, line 2: 4 fields, but the header "
                       r"names 2 columns \(39 more such rows\); a text that holds the delimiter "
                       r"must be in double quotes"):
        load_text(str(path))
    # Without the header: most rows are label,text and a few texts are cut at their comma.
    rows = [f"{'pos' if n % 2 else 'neg'},I liked number {n}\n" for n in range(40)]
    rows[7] = "pos,I liked it, a lot, number 7\n"
    path.write_text("".join(rows))
    with pytest.raises(CorruptFileError, match=r"line 8: 4 fields, but most rows have 2 \(0 "
                                               r"more such rows\)"):
        load_text(str(path))
    with path.open("w", newline="") as file:  # quoted as CSV quotes them, it is read whole
        csv.writer(file).writerows([["label", "text"], *([("pos" if n % 2 else "neg"),
                                                          f"I liked it, a lot, number {n}"]
                                                         for n in range(40))])
    texts = [t.decode() for t, _ in load_text(str(path), validation_fraction=0)
             .test.unbatch().as_numpy_iterator()]
    assert len(texts) == 8 and all(t.startswith("I liked it, a lot, number ") for t in texts)


def write_synthetic_imdb_csv(path, count=None, empty_columns=3):
    """The synthetic task's reviews (`dlbook.data.sentiment`, training and test texts) as the
    common IMDB CSV has them: a ``review,sentiment`` header and empty columns after it, the
    label ``positive``/``negative``, each review's two clauses on two lines (a quoted field that
    spans lines) and a comma after the first. Returns the (review, label) pairs written."""
    (train_texts, train_labels), (test_texts, test_labels), names = read_sentiment()
    texts = [*train_texts, *test_texts][:count]
    labels = [*train_labels, *test_labels][:count]
    rows = []
    for review, label in zip(texts, labels, strict=True):
        for joiner in (" and ", " while "):
            if joiner in review:
                first, second = review.split(joiner, 1)
                review = f"{first.capitalize()},\n{joiner.strip()} {second}."
                break
        rows.append((review, names[label]))
    with Path(path).open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["review", "sentiment", *[""] * empty_columns])
        writer.writerows([*row, *[""] * empty_columns] for row in rows)
    return rows


def test_the_synthetic_reviews_in_the_common_imdb_layout_are_read_whole(tmp_path, capsys):
    path = tmp_path / "IMDB Dataset.csv"
    rows = write_synthetic_imdb_csv(path, count=200)
    data = load_text(str(path), validation_fraction=0)
    assert "labels from column 2 ('sentiment'), by its header" in capsys.readouterr().out
    assert data.class_names == ["negative", "positive"]
    assert (data.num_train, data.num_test) == (160, 40)
    found = {(t.decode(), data.class_names[y]) for split in (data.train, data.test)
             for t, y in split.unbatch().as_numpy_iterator()}
    assert found == set(rows) and all("\n" in review for review, _ in found)


# -- 4. images checked at load time ---------------------------------------------------------------

def test_a_training_label_out_of_range_names_the_training_file(tmp_path):
    arrays = write_dataset(tmp_path, 64, 16, seed=2)
    labels = arrays[TRAIN_LABELS].copy()
    labels[40] = 10
    write_idx(tmp_path / f"{TRAIN_LABELS}.gz", labels)
    with pytest.raises(InvalidDataError, match=rf"{TRAIN_LABELS}.gz: 1 labels outside the "
                                               r"classes 0 to 9 \(the first is 10, example 40\)"):
        load_images("mnist", data_dir=tmp_path)


def test_pixels_neither_uint8_nor_float_are_refused(tmp_path):
    arrays = write_dataset(tmp_path, 64, 16)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz",
              arrays["train-images-idx3-ubyte"].astype(np.int16) * 4)
    with pytest.raises(InvalidDataError, match=r"pixels of type int16; expected uint8 \(0-255\) "
                                               r"or floats in \[0, 1\]"):
        load_images("mnist", data_dir=tmp_path)


def test_a_test_split_of_colour_images_beside_grayscale_training_images_is_one_mode(tmp_path,
                                                                                  capsys):
    """A user's image folder, train/ grayscale and test/ colour: first the shapes differed after
    the training; then it was refused; now every image gets one colour mode, RGB unless one is
    asked for, and the line printed says how many were converted."""
    from PIL import Image

    for split, mode in (("train", "L"), ("test", "RGB")):
        for name in ("cats", "dogs"):
            (tmp_path / split / name).mkdir(parents=True)
            for i in range(3):
                Image.new(mode, (8, 8), color=(i * 40,) * len(mode)).save(
                    tmp_path / split / name / f"{i}.png")
    data = load_images(str(tmp_path), validation_fraction=0)
    assert data.image_shape == (8, 8, 3)
    assert "8x8 rgb; 6 converted to rgb" in capsys.readouterr().out
    gray = load_images(str(tmp_path), validation_fraction=0, color_mode="grayscale")
    assert gray.image_shape == (8, 8, 1)
    assert "8x8 grayscale; 6 converted to grayscale" in capsys.readouterr().out


# -- 5. validation sized to the data --------------------------------------------------------------

@pytest.mark.parametrize(("num_train", "fraction", "sizes"), [
    (6000, 0.1, (5400, 600)),    # kept 1,000 for training (39% test accuracy)
    (5000, 0.1, (4500, 500)),    # could not be used at all
    (8000, 0.1, (7200, 800)),    # at least 7,000 train
    (5000, 0.0, (5000, 0)),      # the flag: no validation set
])
def test_small_training_sets_keep_most_of_their_images_for_training(tmp_path, num_train,
                                                                     fraction, sizes):
    write_dataset(tmp_path, num_train, 10, like="fashion_mnist")
    data = load_images("auto", batch_size=500, validation_fraction=fraction, data_dir=tmp_path)
    assert (data.num_train, data.num_validation) == sizes
    assert sum(len(labels) for _, labels in data.train) == sizes[0]
    assert (data.validation is None) == (sizes[1] == 0)


# -- 7. flags -------------------------------------------------------------------------------------

def test_a_seed_no_generator_takes_is_a_bad_flag(tmp_path):
    """--seed 4294967296 passes the flag check and fails in NumPy's seeding with a traceback."""
    done = run([LENET, "--seed", str(2**32), "--quick", "--page-epochs", "0", "--dataset",
                "fashion_mnist"], tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("lenet.py: error: argument --seed")


if __name__ == "__main__":
    print(f"{len(write_synthetic_imdb_csv(Path(sys.argv[1]), int(sys.argv[2])))} reviews in "
          f"{sys.argv[1]}")


def test_a_data_dir_the_dataset_would_not_read_is_refused(tmp_path):
    """--data-dir beside a dataset that is itself a path (or generated) was silently ignored."""
    write_dataset(tmp_path / "idx", 20, 10)
    table = tmp_path / "reviews.csv"
    table.write_text("label,text\n" + "".join(f"{'pos' if n % 2 else 'neg'},text {n}\n"
                                             for n in range(40)))
    for source in (str(table), "synthetic"):
        with pytest.raises(InvalidDataError, match=r"data_dir=.* is for the files of imdb"):
            load_text(source, data_dir=tmp_path / "idx")
    folder = tmp_path / "pictures" / "train" / "a"
    folder.mkdir(parents=True)
    with pytest.raises(InvalidDataError, match=r"is a folder of images already"):
        load_images(str(tmp_path / "pictures"), data_dir=tmp_path / "idx")
