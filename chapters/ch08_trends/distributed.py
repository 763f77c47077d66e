# %% [markdown]
# # Section 8 · Distributed training: two workers, one model
#
# Tutorial: section 8 · 研究展望 (seed 003 §8.4); section 5 · 代码解读与分析 (seed 003 §5.3)
#
# Section 8 of the tutorial lists distributed training in its research outlook, and the code
# reading of its LeNet listing (section 5) counts multi-GPU training among what production adds.
# This page trains the chapter 5 CNN with two worker processes that share the work of every
# batch, the way a run goes past one machine, and checks what makes such a run trustworthy: the
# two copies of the model stay identical, the loss is the loss of one process on the same
# batches, and a run that loses a worker resumes from its last checkpoint.
#
# **Data parallelism.** Each of the $K$ workers holds a full copy of the weights and takes its
# own slice of every global batch of $B$ examples. The gradient of the batch mean loss splits
# into one sum per worker,
#
# $$\nabla J = \frac{1}{B} \sum_{i=1}^{B} \nabla \ell_i
#   = \sum_{k=1}^{K} \Big( \frac{1}{B} \sum_{i \in \text{slice}_k} \nabla \ell_i \Big),$$
#
# so each worker computes its own term (its per-example losses divided by the *global* $B$, as
# `tf.nn.compute_average_loss` in `dlbook.training.Trainer` does), an all-reduce adds the $K$
# terms and hands every worker the same sum, and every worker applies the same update.
# `tf.distribute.MultiWorkerMirroredStrategy` slices the batches, runs the all-reduce and keeps
# the copies of every variable in step.
#
# **Keras 3 `fit` cannot run this strategy today.** In Keras 3.15, `model.fit` under it stops at
# the first step with `ValueError: Attempt to convert a value (PerReplica:{...}) ... to a
# Tensor`: it hands the per-worker batches to the model unopened. The GradientTape loop of
# `dlbook.training.Trainer` runs its step through `strategy.run` and works. Every worker takes
# part in each checkpoint, but only the chief (worker 0) writes the run's folder; the others save
# to a temporary folder of their own and delete it (read `dlbook/training/engine.py`).

# %%
import json
import shutil
import sys
import time
from pathlib import Path

from dlbook.cli import start_page
from dlbook.config import PACKAGE_DIR
from dlbook.data import load_images
from dlbook.models import build_cnn
from dlbook.results import update_results
from dlbook.training.multi_worker import WorkerGroup, tf_config
from dlbook.training.resume import epochs_saved

import keras
import numpy as np

# %% [markdown]
# ## Settings
#
# Each constant is a flag of the page (`--epochs 5`; `--help` lists them). The run needs three
# epochs at least: one saved before a worker is lost, one cut short by the loss, one after the
# restart; `--quick` keeps the three, on 2,048 images.

# %%
EPOCHS = 3  # epochs of the run (3 at least)
BATCH_SIZE = 128  # images per global batch, split between the workers
LEARNING_RATE = 1e-3  # Adam's rate at the first step; it falls to 0 along a cosine
DATASET = "auto"  # mnist, fashion_mnist, auto (MNIST if it can be had), or an image folder
IMAGE_SIZE = (28, 28)  # height x width every image is resized to (MNIST's are 28x28 already)
QUICK = {}  # --quick trains the 3 epochs too, on fewer images

page = start_page("ch08_trends/distributed", globals())
if EPOCHS < 3:
    print(f"{EPOCHS} epoch(s) asked for; this page trains 3, the fewest that show a run losing a "
          "worker and resuming (one epoch saved, one cut short, one after the restart)")
    EPOCHS = 3

# %% [markdown]
# ## The data
#
# The page loads the data the workers will load, to check it before any worker starts and to
# measure, at the end, the models they trained.

# %%
data = load_images(DATASET, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE,
                   **page.data_options)
print(data)

# %% [markdown]
# ## What every worker runs
#
# A worker is a program of its own, `distributed_worker/worker.py` beside this page, printed
# below; every worker of the cluster runs that same file. What tells them apart is one thing in
# their environment, `TF_CONFIG`: the address of every worker of the cluster and the index of
# this one (printed below when the workers start). `MultiWorkerMirroredStrategy()` reads it,
# starts the worker's server and connects to the others; it must exist before TensorFlow runs
# any operation, so it comes first. Every worker then builds the same input pipeline with the
# same seed, so all draw the same order of batches, and the strategy gives each worker its half
# of every global batch of `BATCH_SIZE` examples. The CNN is chapter 5's without its dropout:
# dropout draws its masks on each worker, which would make the comparison with one process below
# inexact for a reason that has nothing to do with distribution. A worker trains, and writes its
# final weights and its losses to a folder of its own.

# %%
worker_file = PACKAGE_DIR.parent / "chapters" / "ch08_trends" / "distributed_worker" / "worker.py"
print(worker_file.read_text())

# %% [markdown]
# The workers read the page's settings from `settings.json` in the run's folder, which also
# holds the chief's checkpoints and the workers' logs. (Each run starts afresh every time the
# page runs: its folder is deleted first.)

# %%
settings = {"dataset": DATASET, "image_size": IMAGE_SIZE, "epochs": EPOCHS,
            "batch_size": BATCH_SIZE, "learning_rate": LEARNING_RATE, **page.data_options}
time_limit = 180 if page.quick else 120 + 600 * EPOCHS  # seconds, for each start


def run_folder(name: str) -> Path:
    """A fresh folder ``name`` for one run of the workers, holding the settings they read."""
    folder = page.output_dir / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    update_results(folder / "settings.json", **settings)
    return folder


def workers(run_dir: Path, count: int, start: str) -> WorkerGroup:
    """``count`` processes running the worker file on ``run_dir``, their logs in a folder
    ``start``."""
    return WorkerGroup([sys.executable, str(worker_file), str(run_dir)], workers=count,
                       log_dir=run_dir / start, timeout=time_limit)


# %% [markdown]
# ## Two workers, and one of them lost
#
# `dlbook.training.multi_worker.WorkerGroup` starts the two processes on free ports of this
# machine, each with its `TF_CONFIG` (should another program take a port before its worker
# listens on it, the group starts both again on other free ports, and says so), keeps what each
# prints in a log, and kills every worker still running when the block ends or its time limit is
# reached. As soon as the chief has saved the checkpoint of epoch 1, worker 1 is killed, as if
# its machine had gone down. The chief cannot take another step without its partner, since every
# step waits for the all-reduce (left alone, TensorFlow's health check aborts it with an
# `UnavailableError`, "the tasks have crashed", 10 to 20 seconds later on this machine). The page
# does not wait for that: it stops the group, as a cluster manager restarts a whole job. On a
# busy machine the chief's next all-reduce can fail in the moment before it is stopped; the log
# printed below then cuts the chief's traceback to one line, and the log file keeps all of it.

# %%
run_dir = run_folder("two_workers")
with workers(run_dir, 2, "first-start") as group:
    for index in range(group.workers):
        print(f"worker {index}: TF_CONFIG={tf_config(group.addresses, index)}")
    group.wait_until(lambda: epochs_saved(run_dir / "checkpoints") >= 1)
    group.kill(1)
    killed_after = epochs_saved(run_dir / "checkpoints")
    print(f"worker 1 killed after the checkpoint of epoch {killed_after} of {EPOCHS}")
first_start_exits = [process.returncode for process in group.processes]
print("the chief's log until it was stopped:\n" + group.log(0, full_traceback=False))

# %% [markdown]
# Both workers start again, with the same command: the chief takes its folder back, every worker
# restores the weights, the optimizer's state and the epoch count from the chief's last
# checkpoint, and the run goes on at the next epoch, with the batches that epoch would have had.

# %%
start = time.perf_counter()
with workers(run_dir, 2, "second-start") as group:
    group.wait()
second_start_exits = [process.returncode for process in group.processes]
print(f"exit statuses: {first_start_exits} at the first start (-9: killed), "
      f"{second_start_exits} at the second")
print(f"both workers done in {time.perf_counter() - start:.0f} s; the chief's log:\n"
      + group.log(0))
page.record(killed_worker_after_epoch=killed_after,
            worker_exit_statuses={"first start": first_start_exits,
                                  "second start": second_start_exits})

# %% [markdown]
# ## Both workers hold the same model
#
# Each worker saved its final weights. They are not merely close: at every step both workers
# applied the same summed gradient to the same weights, so they are equal to the last bit.

# %%
def worker_result(run_dir: Path, index: int) -> tuple[keras.Model, dict]:
    """The model worker ``index`` of the run trained, and its losses and epoch times."""
    folder = run_dir / f"worker-{index}"
    model = build_cnn(len(data.class_names), data.image_shape, dropout=0)
    model.load_weights(folder / "final.weights.h5")
    return model, json.loads((folder / "results.json").read_text())


(chief, chief_run), (other, _) = worker_result(run_dir, 0), worker_result(run_dir, 1)
weight_difference = max(float(np.abs(a - b).max())
                        for a, b in zip(chief.get_weights(), other.get_weights(), strict=True))
resumed_at = EPOCHS - len(chief_run["epoch_seconds"]) + 1
print(f"largest difference between the two workers' weights: {weight_difference}")
print(f"after the restart the workers trained epochs {resumed_at} to {EPOCHS}")
page.record(max_weight_difference_between_workers=weight_difference,
            resumed_at_epoch=resumed_at)

# %% [markdown]
# ## The same training in one process
#
# The reference: the same worker file, started alone, as a cluster of one worker. The model,
# optimizer, seed and batches of `BATCH_SIZE` are the same; the strategy has no other worker to
# add gradients with, so this process computes every batch whole. The two runs agree to the
# rounding of float32 sums, not to the bit: the all-reduce adds two half-batch gradients where one
# process adds all the examples in one sum, and over many Adam steps the last digits drift apart.

# %%
alone_dir = run_folder("one_worker")
with workers(alone_dir, 1, "start") as group:
    group.wait()
reference, reference_run = worker_result(alone_dir, 0)
two_worker_loss, one_process_loss = chief_run["loss"], reference_run["loss"]
for epoch, (two, one) in enumerate(zip(two_worker_loss, one_process_loss, strict=True), 1):
    print(f"epoch {epoch}: loss {two:.5f} with two workers, {one:.5f} in one process "
          f"(relative difference {abs(two - one) / one:.1e})")
accuracy = {}
for name, model in (("two workers", chief), ("one process", reference)):
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    accuracy[name] = model.evaluate(data.test, verbose=0)[1]
seconds = {name: float(np.mean(run["epoch_seconds"]))
           for name, run in (("two workers", chief_run), ("one process", reference_run))}
print(f"test accuracy: {accuracy['two workers']:.4f} with two workers, "
      f"{accuracy['one process']:.4f} in one process")
print(f"seconds per epoch: {seconds['two workers']:.1f} with two workers (after the restart), "
      f"{seconds['one process']:.1f} in one process")
page.record(two_worker_loss=two_worker_loss, one_process_loss=one_process_loss,
            max_loss_relative_difference=max(abs(two - one) / one for two, one in
                                             zip(two_worker_loss, one_process_loss, strict=True)),
            two_worker_test_accuracy=accuracy["two workers"],
            one_process_test_accuracy=accuracy["one process"],
            two_worker_seconds_per_epoch=seconds["two workers"],
            one_process_seconds_per_epoch=seconds["one process"], identity=data.identity)

# %% [markdown]
# ## What to look at, and what changes on real machines
#
# Two workers on one machine are no faster than one process: they share its two cores and talk
# through the network stack at every step, and a worker's first epoch includes compiling the
# step. The point here is the mechanics, which are those of a cluster. On real machines:
#
# - each address in `TF_CONFIG` is `host:port` of one machine; every machine gets the same
#   `cluster` list and its own `index`, and each starts the same program;
# - the checkpoint folder must be one that every worker can read (a network file system, a
#   bucket): the chief writes it, and every worker restores from it after a restart;
# - a lost machine stops the whole job, since every step waits for every worker, so the job is
#   restarted as a whole, as here, and resumes from the last checkpoint.
