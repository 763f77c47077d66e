"""The Trainer's part in multi-worker training: a non-chief worker saves but writes nothing in the
run's folder and resumes from the chief's checkpoints; the loss is the global-batch mean however
a batch splits across replicas. (Two real worker processes: the distributed page, in
tests/test_ch08_scripts.py.)"""

import os
import tempfile
from pathlib import Path

from dlbook.config import set_seed
from dlbook.training import Trainer
from dlbook.training.resume import epochs_saved

import keras
import numpy as np
import pytest
import tensorflow as tf


def batches(n=64, batch_size=16):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int32)
    return (tf.data.Dataset.from_tensor_slices((x, y))
            .shuffle(n, seed=0, reshuffle_each_iteration=True).batch(batch_size))


def trainer(chief=True):
    set_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2)])
    trainer = Trainer(model, keras.optimizers.Adam(0.01))
    trainer.is_chief = chief
    return trainer


def stop_after_first_epoch(epoch, logs):
    raise KeyboardInterrupt


def test_one_process_is_its_own_chief(two_cpu_strategy):
    assert Trainer(linear_model(), keras.optimizers.SGD()).is_chief is True
    with two_cpu_strategy.scope():
        assert Trainer(linear_model(), keras.optimizers.SGD(), strategy=two_cpu_strategy).is_chief


def test_a_worker_that_is_not_the_chief_writes_nothing_in_the_run_folder(tmp_path):
    folder = tmp_path / "checkpoints"
    worker = trainer(chief=False)
    worker.fit(batches(), epochs=2, checkpoint_dir=folder, log_dir=tmp_path / "logs", verbose=0)
    assert worker.epochs_done == 2
    assert not folder.exists() or not any(folder.iterdir())  # no lock, run.json, checkpoints
    assert not (tmp_path / "logs").exists()
    assert not (Path(tempfile.gettempdir()) / f"dlbook-worker-{os.getpid()}").exists()


def test_every_worker_resumes_from_the_chiefs_checkpoint(tmp_path):
    straight = trainer()
    straight.fit(batches(), epochs=3, verbose=0)

    folder = tmp_path / "checkpoints"
    with pytest.raises(KeyboardInterrupt):
        trainer().fit(batches(), epochs=3, checkpoint_dir=folder, verbose=0,
                      on_epoch_end=stop_after_first_epoch)
    assert epochs_saved(folder) == 1
    chief_files = sorted(path.name for path in folder.iterdir())
    worker = trainer(chief=False)
    history = worker.fit(batches(), epochs=3, checkpoint_dir=folder, verbose=0).history

    assert len(worker.epoch_seconds) == 2  # epochs 2 and 3; epoch 1 came from the checkpoint
    assert len(history["loss"]) == 3
    assert sorted(path.name for path in folder.iterdir()) == chief_files  # left as it was
    for a, b in zip(straight.model.get_weights(), worker.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_epochs_saved_is_the_latest_checkpoint(tmp_path):
    assert epochs_saved(tmp_path / "none") == 0
    trainer().fit(batches(), epochs=2, checkpoint_dir=tmp_path, verbose=0)
    assert epochs_saved(tmp_path) == 2


def linear_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.set_weights([np.arange(12, dtype=np.float32).reshape(4, 3) / 10,
                       np.zeros(3, np.float32)])
    return model


def test_a_batch_split_unevenly_across_replicas_takes_the_global_mean(two_cpu_strategy):
    """Three examples on two replicas (2 + 1): the step equals one device's step on all three,
    not the mean over 2 * 2 and 1 * 2 examples that compute_average_loss would assume."""
    x = np.array([[1, 0, 2, 1], [0, 1, 1, 0], [2, 1, 0, 1]], np.float32)
    y = np.array([2, 0, 1], np.int32)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(3)
    single = Trainer(linear_model(), keras.optimizers.SGD(0.5))
    single.fit(data, epochs=1, verbose=0)
    with two_cpu_strategy.scope():
        mirrored = Trainer(linear_model(), keras.optimizers.SGD(0.5), strategy=two_cpu_strategy)
    mirrored.fit(data, epochs=1, verbose=0)
    assert float(single.train_metrics[0].result()) == pytest.approx(
        float(mirrored.train_metrics[0].result()))
    for a, b in zip(single.model.get_weights(), mirrored.model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
