"""One worker of chapter 8's distributed training; `chapters/ch08_trends/distributed.py` starts it.

    TF_CONFIG='{"cluster": {"worker": ["localhost:41231", "localhost:41232"]},
                "task": {"type": "worker", "index": 1}}' python worker.py RUN_DIR

Every worker of a cluster runs this same file. ``TF_CONFIG`` tells each one the addresses of all
the workers and its own index; worker 0 is the chief. ``RUN_DIR`` is the run's folder: it holds
``settings.json`` (the dataset and its image size, epochs, batch size, rate and seed, written by
the page), the chief's checkpoints, and a folder ``worker-<index>`` per worker for its final
weights and losses. Started again after a worker was lost, every worker resumes from the chief's
last checkpoint; started alone, as a cluster of one worker, the file trains in one process.
"""

import json
import os
import sys
from pathlib import Path

from dlbook.config import set_seed
from dlbook.data import load_images
from dlbook.models import build_cnn
from dlbook.results import update_results
from dlbook.training import Trainer, adam_cosine

import tensorflow as tf

# First, before TensorFlow runs any operation: the strategy reads TF_CONFIG, starts this
# worker's server on its port and waits until every worker of the cluster has connected.
strategy = tf.distribute.MultiWorkerMirroredStrategy()
worker = strategy.cluster_resolver.task_id
print(f"worker {worker} of {strategy.num_replicas_in_sync}")

run_dir = Path(sys.argv[1])
settings = json.loads((run_dir / "settings.json").read_text())

# The same seed on every worker, set before anything random: the same data, shuffled in the
# same order (all draw the same global batches, and the strategy hands each worker its share of
# every one), and the same first weights.
set_seed(settings["seed"])
data = load_images(settings["dataset"], batch_size=settings["batch_size"],
                   image_size=tuple(settings["image_size"]), limit=settings["limit"],
                   seed=settings["seed"],
                   validation_fraction=settings["validation_fraction"],
                   data_dir=settings["data_dir"])
steps_per_epoch = int(data.train.cardinality())

# The model and the optimizer are made in the strategy's scope, so that every variable is
# mirrored on every worker. Chapter 5's CNN without its dropout, whose masks would be drawn on
# each worker apart.
with strategy.scope():
    model = build_cnn(len(data.class_names), data.image_shape, dropout=0)
    trainer = Trainer(model, adam_cosine(settings["learning_rate"], settings["epochs"],
                                         steps_per_epoch), strategy=strategy)

# Every step runs on every worker through strategy.run, and an all-reduce adds their gradients.
# Each epoch ends in a checkpoint that the chief writes into RUN_DIR/checkpoints; a worker
# started again restores the last one and goes on at the next epoch.
history = trainer.fit(data.train, epochs=settings["epochs"], checkpoint_dir=run_dir / "checkpoints",
                      identity=data.identity, verbose=2)

# The final weights, written under another name and renamed: the page never reads half a file.
folder = run_dir / f"worker-{worker}"
folder.mkdir(exist_ok=True)
trainer.model.save_weights(folder / f"final-{os.getpid()}.weights.h5")
os.replace(folder / f"final-{os.getpid()}.weights.h5", folder / "final.weights.h5")
update_results(folder / "results.json", loss=history.history["loss"],
               epoch_seconds=trainer.epoch_seconds)
