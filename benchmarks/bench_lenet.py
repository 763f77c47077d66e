"""LeNet on Fashion-MNIST: how fast each way trains it, how soon `make run` reaches its accuracy.

Speed: 55,000 training images per epoch (the pages' split: 5,000 held out), batch 128, SGD(0.1)
on the mean loss, the same LeNet:

(a) the tutorial's loop, eager as printed (nothing compiled), with the loss reduced to the mean,
    on logits and reshuffled batches of 128 like the others,
(e) the same Python loop with the step compiled by ``tf.function``, as on lenet.py's page,
(b) the dlbook GradientTape `Trainer` as `make run` trains (the step compiled,
    `Trainer.steps_per_call` steps per call, each batch in one part per core computed side by side,
    one thread per op: `dlbook.config.one_thread_per_op`), in a process of its own, since thread
    settings hold for a whole process,
(f) the same `Trainer` with whole batches and TensorFlow's default threads, as (a) and (c) to (e),
(c) Keras ``model.fit`` (one step per call),
(d) ``model.fit`` with ``steps_per_execution`` equal to (b)'s steps per call,
(p) a PyTorch eager loop (``torch.optim.SGD``, the images in memory as one tensor, a new
    permutation each epoch; `torch_lenet.py`, in a process of its own), when PyTorch is
    installed; the table says so when it is not,
(i) for scale, the input pipeline alone (``tf.data``: shuffle, batch, scale to [0, 1]) that (a)
    to (d) read, with no training.

Each way trains one warm-up epoch (tracing, caches); then the ways take turns, one epoch each, for
`ROUNDS` rounds, so that a change in the machine's load falls on every way alike, and the median
epoch counts: from its first step to its last (the fit calls of (b) to (d) time their epochs
themselves, leaving out the set-up of a call, which the turns repeat and a real run makes once).
Then (b) goes on to 10 epochs, for the accuracy of SGD(0.1).

Time to accuracy: `make run` (the page's recipe) and ``make run EPOCHS=10`` on Fashion-MNIST, and
`make run` on MNIST when its files are on disk, each from the command to the printed test
accuracy, into a fresh output folder. Writes ``benchmarks/results/lenet.md``.
"""

import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from dlbook.config import one_thread_per_op, set_seed
from dlbook.data import load_images
from dlbook.data.sources import DATASETS, locate
from dlbook.models import LeNet
from dlbook.training import EpochTimer, Trainer

import keras
import numpy as np
import tensorflow as tf

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "lenet.md"
BATCH_SIZE = 128
LEARNING_RATE = 0.1
SGD_EPOCHS = 10
ROUNDS = 5
TEST_ACCURACY_LINE = re.compile(r"Test accuracy on (\S+) after (\d+) epochs: ([0-9.]+)")


def per_example_loss():
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)


def tape_step(model, optimizer):
    """The tutorial's step with its loss reduced to the mean: forward pass under a tape, loss,
    gradients, update."""
    loss_fn = per_example_loss()

    def step(images, labels):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(loss_fn(labels, model(images, training=True)))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))

    return step


def python_loop(step, batches):
    """An epoch as the tutorial (and lenet.py's page) writes it: a Python loop over batches."""
    def epoch():
        for images, labels in batches:
            step(images, labels)

    return epoch


def read_only(batches):
    """(i): an epoch of the pipeline, the batches read and dropped."""
    def epoch():
        for _ in batches:
            pass

    return epoch


def trainer_epoch(trainer, batches):
    """(b): one more epoch of the Trainer; its own time of the epoch, from the first step to the
    last (not the opening of the run each call makes, which a real run makes once)."""
    def epoch():
        trainer.fit(batches, epochs=trainer.epochs_done + 1, verbose=0)
        return trainer.epoch_seconds[-1]

    return epoch


def keras_fit(batches, steps_per_execution):
    """(c), (d): one epoch of ``model.fit``, timed as the Trainer's (`EpochTimer`)."""
    model = LeNet()
    model.compile(keras.optimizers.SGD(LEARNING_RATE),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=steps_per_execution)
    timer = EpochTimer()

    def epoch():
        model.fit(batches, epochs=1, verbose=0, callbacks=[timer])
        return timer.epoch_seconds[-1]

    return epoch


class ChildWay(NamedTuple):
    """A way trained in a process of its own: ``epoch()`` has it train one epoch and returns the
    seconds it measured; ``description`` is the first line it printed; ``process`` ends when
    its stdin is closed (``process.communicate()``), printing what it has left to say."""

    epoch: Callable[[], float]
    description: str
    process: subprocess.Popen


def child_way(command: list[str]) -> ChildWay:
    """Start ``command``, which prints one line about itself once ready, then trains one epoch
    for each line it reads and answers with the epoch's seconds."""
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    description = child.stdout.readline().strip()
    if not description:
        raise RuntimeError(f"{command[1]} stopped (exit status {child.wait()})")

    def epoch():
        child.stdin.write("epoch\n")
        child.stdin.flush()
        return float(child.stdout.readline())

    return ChildWay(epoch, description, child)


def torch_loop(images: np.ndarray, labels: np.ndarray) -> ChildWay | None:
    """(p): `torch_lenet.py`, trained on the same images; None when PyTorch is not installed."""
    if importlib.util.find_spec("torch") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        data_file = Path(folder) / "train.npz"
        np.savez(data_file, images=images, labels=labels)
        return child_way([sys.executable, str(HERE / "torch_lenet.py"), str(data_file),
                          str(BATCH_SIZE), str(LEARNING_RATE)])  # the child has read the images


def fashion_mnist():
    """The images every way trains on (lenet.py's split: 5,000 held out), seeded as each way."""
    set_seed(0)
    return load_images("fashion_mnist", batch_size=BATCH_SIZE, validation_fraction=0.1, seed=0)


def serve_trainer_in_parts() -> None:
    """(b), run as ``bench_lenet.py --trainer-in-parts`` by `child_way`: the thread settings come
    before TensorFlow's first op. Once stdin is closed, (b)'s test accuracy after the epochs of
    the turns and after `SGD_EPOCHS`, as one JSON line."""
    cores = one_thread_per_op()
    data = fashion_mnist()
    trainer = Trainer(LeNet(), keras.optimizers.SGD(LEARNING_RATE), batch_parts=cores)
    print(f"{cores} parts per batch, one thread per op", flush=True)
    train_one_epoch = trainer_epoch(trainer, data.train)
    for _ in sys.stdin:
        print(train_one_epoch(), flush=True)
    accuracy = [[trainer.epochs_done, trainer.evaluate(data.test)["accuracy"]]]
    trainer.fit(data.train, epochs=SGD_EPOCHS, verbose=0)
    accuracy.append([trainer.epochs_done, trainer.evaluate(data.test)["accuracy"]])
    print(json.dumps(accuracy), flush=True)


def in_turns(ways: dict, rounds: int = ROUNDS) -> dict[str, float]:
    """Median seconds per epoch of each way: one warm-up epoch each, then ``rounds`` rounds in
    which every way trains one epoch in turn. A way that returns its epoch's time is taken at
    its word (the fit calls, which also set up each call); the others are timed here."""
    for train_one_epoch in ways.values():
        train_one_epoch()
    seconds = {name: [] for name in ways}
    for round_number in range(rounds):
        for name, train_one_epoch in ways.items():
            start = time.perf_counter()
            own_time = train_one_epoch()
            seconds[name].append(own_time or time.perf_counter() - start)
        print(f"round {round_number + 1}/{rounds}: "
              + ", ".join(f"{name.split(')')[0]}) {s[-1]:.2f} s" for name, s in seconds.items()),
              flush=True)
    return {name: statistics.median(values) for name, values in seconds.items()}


def machine() -> str:
    """``Intel(R) Xeon(R) ..., 2 cores (AVX-512)``: what the figures were measured on."""
    cpu, flags = platform.processor() or platform.machine(), ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        text = cpuinfo.read_text()
        cpu = next(iter(re.findall(r"^model name\s*:\s*(.+)$", text, re.M)), cpu)
        flags = (" (AVX-512)" if "avx512f" in text
                 else " (AVX2, no AVX-512)" if "avx2" in text else "")
    return f"{cpu}, {os.cpu_count()} cores{flags}"


def make_run(dataset: str, epochs: int | None = None) -> list[str]:
    """The `make run` command line on ``dataset`` (``EPOCHS=epochs`` when given)."""
    return ["make", "--no-print-directory", "run", f"DATASET={dataset}",
            *([f"EPOCHS={epochs}"] if epochs else [])]


def time_to_accuracy(dataset: str, epochs: int | None = None) -> dict:
    """`make_run` into a fresh output folder: seconds from the command to the printed test
    accuracy, and to its end; the accuracy."""
    command = make_run(dataset, epochs)
    with tempfile.TemporaryDirectory() as output_root:
        environment = {**os.environ, "DLBOOK_OUTPUT_DIR": output_root}
        start = time.perf_counter()
        run = subprocess.Popen(command, cwd=HERE.parent, env=environment, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        found, to_accuracy = None, None
        for line in run.stdout:
            if found is None and (found := TEST_ACCURACY_LINE.search(line)):
                to_accuracy = time.perf_counter() - start
        if run.wait() != 0 or found is None:
            raise RuntimeError(f"{' '.join(command)} failed (exit status {run.returncode})")
    return {"command": " ".join(command), "epochs": int(found[2]), "accuracy": float(found[3]),
            "to_accuracy": to_accuracy, "whole": time.perf_counter() - start}


def time_to_accuracy_rows() -> str:
    """The table's rows: `make run` and ``EPOCHS=10`` on Fashion-MNIST, and `make run` on MNIST
    when its files are on disk (the bench never downloads; the row says where to put them)."""
    mnist_on_disk = locate("mnist") is not None
    runs = [time_to_accuracy("fashion_mnist"), time_to_accuracy("fashion_mnist", 10),
            *([time_to_accuracy("mnist")] if mnist_on_disk else [])]
    rows = [f"| `{run['command']}` | {run['epochs']} | {run['to_accuracy']:.1f} "
            f"| {run['whole']:.1f} | {run['accuracy']:.2%} |" for run in runs]
    if not mnist_on_disk:
        rows.append(f"| `{' '.join(make_run('mnist'))}` | | | | not run: MNIST is not on disk "
                    "(its four files in `data/mnist/`, or their folder named by "
                    f"`{DATASETS['mnist'].env_var}`, add this row) |")
    return "\n".join(rows)


def main():
    data = fashion_mnist()
    samples = data.num_train
    whole_batches = Trainer(LeNet(), keras.optimizers.SGD(LEARNING_RATE))
    per_call = whole_batches.steps_per_call
    in_parts = child_way([sys.executable, __file__, "--trainer-in-parts"])
    ways = {
        "(a) tutorial's eager loop, loss reduced": python_loop(
            tape_step(LeNet(), keras.optimizers.SGD(LEARNING_RATE)), data.train),
        "(e) the same loop, step in `tf.function` (lenet.py's page)": python_loop(
            tf.function(tape_step(LeNet(), keras.optimizers.SGD(LEARNING_RATE))), data.train),
        f"(b) dlbook `Trainer`, {per_call} steps per call, {in_parts.description} "
        "(`make run`'s way)": in_parts.epoch,
        "(f) the same `Trainer`, whole batches, TensorFlow's default threads": trainer_epoch(
            whole_batches, data.train),
        "(c) Keras `model.fit`": keras_fit(data.train, 1),
        f"(d) `model.fit`, `steps_per_execution={per_call}`": keras_fit(data.train, per_call),
    }
    images, labels = (np.concatenate(arrays) for arrays in zip(*data.train.as_numpy_iterator(),
                                                                 strict=True))
    torch_way = torch_loop(images, labels)
    torch_name = "(p) PyTorch eager loop, data in memory as tensors"
    if torch_way is not None:
        ways[torch_name] = torch_way.epoch
    ways["(i) the input pipeline alone, no training"] = read_only(data.train)
    seconds = in_turns(ways)
    if torch_way is not None:
        torch_way.process.communicate()  # its stdin closed, the PyTorch process ends
    (trained_epochs, engine_accuracy), (_, sgd_accuracy) = json.loads(
        in_parts.process.communicate()[0])
    timings = time_to_accuracy_rows()

    trainer_seconds = seconds[next(name for name in ways if name.startswith("(b)"))]
    fit_seconds = seconds["(c) Keras `model.fit`"]
    rows = [f"| {way} | {s:.2f} | {samples / s:,.0f} | {s / trainer_seconds:.2f}x "
            f"| {fit_seconds / s:.2f}x |" for way, s in seconds.items()]
    if torch_way is None:
        rows.append(f"| {torch_name} | | | | not run: PyTorch is not installed "
                    "(`pip install torch` adds this row) |")

    def ratio(prefix):
        name = next((name for name in seconds if name.startswith(prefix)), None)
        return f"{seconds[name] / trainer_seconds:.2f}x as fast" if name else "not measured"

    table = f"""# LeNet: training speed and time to accuracy (`make bench`, `bench_lenet.py`)

Measured on {machine()}, no GPU; TensorFlow {tf.__version__}, Keras {keras.__version__}\
{f", {torch_way.description}" if torch_way else ""}.

## Speed

Fashion-MNIST, {samples:,} training images per epoch, batch {BATCH_SIZE}, SGD({LEARNING_RATE}) on
the mean loss. Seconds per epoch: the median of {ROUNDS} epochs, the ways taking turns after a
warm-up epoch each; an epoch from its first step to its last (for (b) to (d) and (f), not the
set-up of the fit call that the interleaving makes every epoch and a real run makes once).

| way | seconds / epoch | samples / s | time vs (b) | speed vs (c) |
| --- | ---: | ---: | ---: | ---: |
{chr(10).join(rows)}

The `Trainer` (b) against PyTorch (p): {ratio("(p)")} (target 1.2x); against
`model.fit` with `steps_per_execution` (d): {ratio("(d)")} (target 1.2x).

Where the time goes, and what (b) changes: nearly all of an epoch is the convolutions and their
gradients (oneDNN kernels; the gradient of the second convolution's input the largest), and
LeNet's ops are small: a convolution over 128 images takes tenths of a millisecond, too little to
gain from being shared out over two threads. (f) runs each op on both cores, one op after the
other; (b) gives each op one thread and each core half of the batch, and sums the two halves'
gradients (the same gradient up to rounding). The input pipeline alone, (i), is under a tenth
of an epoch, on its own threads. Not in these epoch times: tf.data's autotuner made ending an
epoch's iterator wait up to 2.5 s, after the epoch's last step; the pipelines now run without
it (`dlbook.data.pipeline`), which the time to accuracy below shows.

Test accuracy of (b), SGD({LEARNING_RATE}): {engine_accuracy:.2%} after {trained_epochs} epochs,
{sgd_accuracy:.2%} after {SGD_EPOCHS} (lenet.py trains with Adam on a one-cycle rate instead: see
below). The listing as printed: `lenet_listing.md`.

## Time to accuracy

`make run` trains lenet.py's recipe with the `Trainer` from a fresh output folder; seconds from
the command (the virtual environment exists, the data is on disk) to the printed test accuracy,
and to the end of the command (plots and saving included).

| command | epochs | seconds to the accuracy | seconds in all | test accuracy |
| --- | ---: | ---: | ---: | ---: |
{timings}
"""
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(table)
    print(table)


if __name__ == "__main__":
    serve_trainer_in_parts() if sys.argv[1:] == ["--trainer-in-parts"] else main()
