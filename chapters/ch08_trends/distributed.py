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
import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from dlbook.cli import chapter_args
from dlbook.config import set_seed
from dlbook.data import load_images
from dlbook.models import build_cnn
from dlbook.results import save_results
from dlbook.training import Trainer, adam_cosine
from dlbook.training.multi_worker import WorkerGroup, tf_config, worker_command
from dlbook.training.resume import epochs_saved

import keras
import numpy as np
import tensorflow as tf

page_flags = argparse.ArgumentParser(add_help=False)
page_flags.add_argument("--worker", metavar="RUN",
                        help="run as one worker of the run RUN, told its place in the cluster by "
                             "$TF_CONFIG (how this page starts its workers)")
args = chapter_args("ch08_trends/distributed", "Distributed training: two workers with "
                    "MultiWorkerMirroredStrategy (section 8)", epochs=3, own_flags=page_flags)
args.epochs = max(args.epochs, 3)  # one epoch saved, one cut by a lost worker, one more after

# %% [markdown]
# ## What every worker runs
#
# The workers are this same file, started again with `--worker two_workers` and one more thing
# in their environment, `TF_CONFIG`: the address of every worker of the cluster and the index of
# this one (printed below when the workers start). `MultiWorkerMirroredStrategy()` reads it and
# connects to the other workers. It must exist before TensorFlow runs any operation, so it
# comes first.

# %%
if args.worker:
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    print(f"worker {strategy.cluster_resolver.task_id} of {strategy.num_replicas_in_sync}")
set_seed(args.seed)

# %% [markdown]
# Every worker builds the same input pipeline with the same seed, so all draw the same order of
# batches, and the strategy gives each worker its half of every global batch of `--batch-size`
# examples. The CNN is chapter 5's without its dropout: dropout draws its masks on each worker,
# which would make the comparison with one process below inexact for a reason that has nothing
# to do with distribution.

# %%
data = load_images(args.dataset, batch_size=args.batch_size, limit=args.limit,
                   validation_fraction=args.validation_fraction, seed=args.seed,
                   data_dir=args.data_dir)
print(data)
steps_per_epoch = int(data.train.cardinality())


def train(strategy: tf.distribute.Strategy,
          checkpoint_dir: Path | None) -> tuple[Trainer, keras.callbacks.History]:
    """The training every worker runs: model and optimizer created in the strategy's scope
    (their variables mirrored on every worker), the Trainer given the strategy."""
    set_seed(args.seed)  # the same first weights in every process
    with strategy.scope():
        model = build_cnn(len(data.class_names), data.image_shape, dropout=0)
        trainer = Trainer(model, adam_cosine(1e-3, args.epochs, steps_per_epoch),
                          strategy=strategy)
    history = trainer.fit(data.train, epochs=args.epochs, checkpoint_dir=checkpoint_dir,
                          identity=data.identity, restart=args.restart, verbose=2)
    return trainer, history


# %% [markdown]
# A worker trains, writes its final weights and its losses to a folder of its own, and stops
# here. The rest of the page is the driver, which starts the workers.

# %%
if args.worker:
    trainer, history = train(strategy, args.output_dir / args.worker / "checkpoints")
    args.output_dir = args.output_dir / args.worker / f"worker-{strategy.cluster_resolver.task_id}"
    args.output_dir.mkdir(parents=True, exist_ok=True)
    trainer.model.save_weights(args.output_dir / "final.weights.h5")
    save_results(args, identity=data.identity, workers=strategy.num_replicas_in_sync,
                 loss=history.history["loss"], epochs_trained=len(trainer.epoch_seconds),
                 epoch_seconds=trainer.epoch_seconds)
    sys.exit(0)

# %% [markdown]
# ## Two workers, and one of them lost
#
# `dlbook.training.multi_worker.WorkerGroup` starts the two processes on free ports of this
# machine, each with its `TF_CONFIG`, keeps what each prints in a log, and kills every worker
# still running when the block ends or its time limit is reached. As soon as the chief has saved
# the checkpoint of epoch 1, worker 1 is killed, as if its machine had gone down. The chief
# cannot take another step without its partner, since every step waits for the all-reduce
# (left alone, TensorFlow's health check aborts it with an `UnavailableError`, "the tasks have
# crashed", 10 to 20 seconds later on this machine). The page does not wait for that: it stops
# the group, as a cluster manager restarts a whole job. On a busy machine the chief's next
# all-reduce can fail in the moment before it is stopped; the log printed below then cuts the
# chief's traceback to one line, and the log file keeps all of it. (The run starts afresh every
# time the page runs: its folder is deleted first.)

# %%
run_dir = args.output_dir / "two_workers"
shutil.rmtree(run_dir, ignore_errors=True)
time_limit = 180 if args.quick else 120 + 600 * args.epochs  # seconds, for each start
with WorkerGroup(worker_command(args, "--worker", "two_workers"), workers=2,
                 log_dir=run_dir / "first-start", timeout=time_limit) as group:
    for index in range(group.workers):
        print(f"worker {index}: TF_CONFIG={tf_config(group.addresses, index)}")
    group.wait_until(lambda: epochs_saved(run_dir / "checkpoints") >= 1)
    group.kill(1)
    killed_after = epochs_saved(run_dir / "checkpoints")
    print(f"worker 1 killed after the checkpoint of epoch {killed_after} of {args.epochs}")
first_start_exits = [process.returncode for process in group.processes]
print("the chief's log until it was stopped:\n" + group.log(0, full_traceback=False))

# %% [markdown]
# Both workers start again, with the same command: the chief takes its folder back, every worker
# restores the weights, the optimizer's state and the epoch count from the chief's last
# checkpoint, and the run goes on at the next epoch, with the batches that epoch would have had.

# %%
start = time.perf_counter()
with WorkerGroup(worker_command(args, "--worker", "two_workers"), workers=2,
                 log_dir=run_dir / "second-start", timeout=time_limit) as group:
    group.wait()
second_start_exits = [process.returncode for process in group.processes]
print(f"exit statuses: {first_start_exits} at the first start (-9: killed), "
      f"{second_start_exits} at the second")
print(f"both workers done in {time.perf_counter() - start:.0f} s; the chief's log:\n"
      + group.log(0))

# %% [markdown]
# ## Both workers hold the same model
#
# Each worker wrote its final weights. They are not merely close: at every step both workers
# applied the same summed gradient to the same weights, so they are equal to the last bit.

# %%
def worker_result(index: int) -> tuple[keras.Model, dict]:
    """Worker ``index``'s final model and its results.json."""
    folder = run_dir / f"worker-{index}"
    model = build_cnn(len(data.class_names), data.image_shape, dropout=0)
    model.load_weights(folder / "final.weights.h5")
    return model, json.loads((folder / "results.json").read_text())


(chief, chief_run), (other, _) = worker_result(0), worker_result(1)
weight_difference = max(float(np.abs(a - b).max())
                        for a, b in zip(chief.get_weights(), other.get_weights(), strict=True))
resumed_at = args.epochs - chief_run["epochs_trained"] + 1
print(f"largest difference between the two workers' weights: {weight_difference}")
print(f"after the restart the workers trained epochs {resumed_at} to {args.epochs}")

# %% [markdown]
# ## The same training in one process
#
# The reference: the same model, optimizer, seed and batches of `--batch-size`, trained by this
# process alone with no strategy and no checkpoints. The two runs agree to the rounding of
# float32 sums, not to the bit: the all-reduce adds two half-batch gradients where one process
# adds all the examples in one sum, and over many Adam steps the last digits drift apart.

# %%
reference, reference_history = train(tf.distribute.get_strategy(), checkpoint_dir=None)
one_process_loss = reference_history.history["loss"]
two_worker_loss = chief_run["loss"]
for epoch, (two, one) in enumerate(zip(two_worker_loss, one_process_loss, strict=True), 1):
    print(f"epoch {epoch}: loss {two:.5f} with two workers, {one:.5f} in one process "
          f"(relative difference {abs(two - one) / one:.1e})")
chief.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
two_worker_accuracy = chief.evaluate(data.test, verbose=0)[1]
one_process_accuracy = reference.evaluate(data.test)["accuracy"]
one_process_seconds = sum(reference.epoch_seconds) / len(reference.epoch_seconds)
print(f"test accuracy: {two_worker_accuracy:.4f} with two workers, {one_process_accuracy:.4f} "
      "in one process")
print(f"seconds per epoch: {chief_run['seconds_per_epoch']:.1f} with two workers (after the "
      f"restart), {one_process_seconds:.1f} in one process")

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

# %%
save_results(args, identity=data.identity, workers=2, model="CNN without dropout (Trainer)",
             dataset=data.name, epochs=args.epochs, global_batch_size=args.batch_size,
             killed_worker_after_epoch=killed_after, resumed_at_epoch=resumed_at,
             worker_exit_statuses={"first start": first_start_exits,
                                   "second start": second_start_exits},
             max_weight_difference_between_workers=weight_difference,
             two_worker_loss=two_worker_loss, one_process_loss=one_process_loss,
             max_loss_relative_difference=max(abs(two - one) / one for two, one in
                                              zip(two_worker_loss, one_process_loss, strict=True)),
             two_worker_test_accuracy=two_worker_accuracy,
             one_process_test_accuracy=one_process_accuracy,
             two_worker_seconds_per_epoch=chief_run["seconds_per_epoch"],
             epoch_seconds=reference.epoch_seconds)
