"""The GradientTape engine: the step, resume, NaN stop, strategies, the fit() variant."""

import json
import os
import subprocess
import sys

from dlbook.config import one_thread_per_op, set_seed
from dlbook.models import LeNet
from dlbook.training import EpochTimer, TapeStepModel, Trainer, adam_cosine, resumable_run
from dlbook.training.run_folder import RunMismatchError

import keras
import numpy as np
import pytest
import tensorflow as tf


def image_batches(n=96, batch_size=32, seed=0):
    """Noisy images whose class is the row of a bright bar: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n).astype(np.int32)
    x = 0.2 * rng.random((n, 28, 28, 1), dtype=np.float32)
    for image, label in zip(x, y, strict=True):
        image[2 + 2 * label : 4 + 2 * label, 4:24] = 1.0
    return (
        tf.data.Dataset.from_tensor_slices((x, y))
        .cache()
        .shuffle(n, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
    )


def linear_model(units=3, features=4):
    model = keras.Sequential([keras.Input((features,)), keras.layers.Dense(units)])
    return model


def test_loss_decreases_on_a_fixed_batch():
    set_seed(0)
    batch = image_batches(n=32, batch_size=32).cache()
    trainer = Trainer(LeNet(), keras.optimizers.Adam(3e-3))
    history = trainer.fit(batch, epochs=10, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert set(history) == {"loss", "accuracy"}


def test_gradient_step_matches_hand_computation():
    """One SGD step on a linear softmax model: dL/dW = x^T (softmax(z) - onehot(y)) / batch."""
    model = linear_model()
    w0 = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    model.set_weights([w0, np.zeros(3, np.float32)])
    x = np.array([[1, 0, 2, 1], [0, 1, 1, 0]], np.float32)
    y = np.array([2, 0], np.int32)
    lr = 0.5
    Trainer(model, keras.optimizers.SGD(lr)).train_step(tf.constant(x), tf.constant(y))

    z = x @ w0
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    grad_w = x.T @ (p - np.eye(3)[y]) / len(x)
    np.testing.assert_allclose(model.get_weights()[0], w0 - lr * grad_w, rtol=1e-5, atol=1e-6)


def test_clip_norm_limits_the_update():
    model = linear_model()
    w0 = np.full((4, 3), 5.0, np.float32)
    model.set_weights([w0, np.zeros(3, np.float32)])
    x = tf.constant(np.full((2, 4), 100.0, np.float32))
    y = tf.constant([0, 1])
    Trainer(model, keras.optimizers.SGD(1.0), clip_norm=0.1).train_step(x, y)
    update = np.concatenate([(model.get_weights()[0] - w0).ravel(), model.get_weights()[1]])
    np.testing.assert_allclose(np.linalg.norm(update), 0.1, rtol=1e-5)


def test_scalar_loss_is_rejected_with_a_clear_message():
    trainer = Trainer(linear_model(), keras.optimizers.SGD(0.1),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(ValueError, match="reduction=None"):
        trainer.train_step(tf.ones((2, 4)), tf.constant([0, 1]))


def test_nan_loss_stops_the_run():
    model = linear_model()
    model.set_weights([np.full((4, 3), np.nan, np.float32), np.zeros(3, np.float32)])
    data = tf.data.Dataset.from_tensor_slices((np.ones((8, 4), np.float32), np.zeros(8, np.int32)))
    with pytest.raises(FloatingPointError, match="epoch 1, step 1"):
        Trainer(model, keras.optimizers.SGD(0.1)).fit(data.batch(4), epochs=1, verbose=0)


def test_nan_in_the_middle_of_a_chunk_names_its_step():
    x = np.ones((12, 4), np.float32)
    x[9] = np.inf  # in the third batch of four
    data = tf.data.Dataset.from_tensor_slices((x, np.zeros(12, np.int32))).batch(4)
    with pytest.raises(FloatingPointError, match="epoch 1, step 3:"):
        Trainer(linear_model(), keras.optimizers.SGD(0.1)).fit(data, epochs=1, verbose=0)


@pytest.mark.parametrize("steps_per_call", [1, 2, 16])
def test_step_is_traced_once_despite_a_partial_last_batch(steps_per_call):
    data = image_batches(n=80, batch_size=32)  # batches of 32, 32, 16
    trainer = Trainer(LeNet(), keras.optimizers.SGD(0.01), steps_per_call=steps_per_call)
    trainer.fit(data, epochs=2, validation_data=data, verbose=0)
    (train_fn,) = [f for key, f in trainer._compiled.items() if key.startswith("train_step")]
    assert train_fn.experimental_get_tracing_count() == 1
    assert trainer.train_metrics[0].count == 80  # every example of the last epoch, once
    assert len(trainer.epoch_seconds) == 2 and min(trainer.epoch_seconds) > 0


@pytest.mark.parametrize(("batch_size", "parts"), [(5, 2), (7, 3), (1, 2)])
def test_a_batch_in_parts_takes_the_whole_batchs_step(batch_size, parts):
    """Parts of 3 + 2, 3 + 2 + 2, and 1 + 0 examples: the same update and metrics as one part."""
    x, y = next(iter(image_batches(n=batch_size, batch_size=batch_size)))
    set_seed(0)
    start = LeNet()
    start(x)
    updated = {}
    for batch_parts in (1, parts):
        model = LeNet()
        model(x)
        model.set_weights(start.get_weights())
        trainer = Trainer(model, keras.optimizers.SGD(0.5), batch_parts=batch_parts)
        loss = trainer.train_step(x, y)
        updated[batch_parts] = (float(loss), model.get_weights(),
                                [float(m.result()) for m in trainer.train_metrics])
    (whole_loss, whole_weights, whole_metrics), (loss, weights, metrics) = updated.values()
    assert loss == pytest.approx(whole_loss, rel=1e-6)
    for a, b in zip(whole_weights, weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert metrics == pytest.approx(whole_metrics, rel=1e-6)
    assert not np.allclose(start.get_weights()[0], weights[0])  # the step did move the weights


def test_a_model_evaluated_in_parts_scores_as_in_one():
    data = image_batches(n=65, batch_size=32)  # batches of 32, 32 and 1
    set_seed(0)
    model = LeNet()
    scores = [Trainer(model, keras.optimizers.SGD(0.1), batch_parts=parts).evaluate(data)
              for parts in (1, 3)]
    assert scores[1] == pytest.approx(scores[0], rel=1e-6)


def test_a_batch_in_parts_refuses_a_model_that_adds_losses():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(
        3, kernel_regularizer=keras.regularizers.L2(0.1))])
    trainer = Trainer(model, keras.optimizers.SGD(0.1), batch_parts=2)
    with pytest.raises(ValueError, match="batch_parts=1"):
        trainer.train_step(tf.ones((4, 4)), tf.zeros(4, tf.int32))


@pytest.mark.parametrize("setting", ["steps_per_call", "batch_parts"])
def test_fewer_than_one_step_per_call_or_part_per_batch_is_refused(setting):
    with pytest.raises(ValueError, match=f"{setting} must be at least 1, got 0"):
        Trainer(linear_model(), keras.optimizers.SGD(0.1), **{setting: 0})


def test_one_thread_per_op_sets_the_threads_before_tensorflow_starts_and_not_after():
    probe = ("from dlbook.config import one_thread_per_op\n"
             "import tensorflow as tf\n"
             "cores = one_thread_per_op()\n"
             "tf.constant(1.0) + 1\n"  # TensorFlow has started: a second call changes nothing
             "threads = tf.config.threading\n"
             "print(cores, one_thread_per_op(), threads.get_intra_op_parallelism_threads(),"
             " threads.get_inter_op_parallelism_threads())")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    cores = len(os.sched_getaffinity(0))
    assert done.stdout.split() == [str(cores), str(cores), "1", str(cores)]
    tf.constant(1.0) + 1  # this process's TensorFlow has started, with its default threads
    intra = tf.config.threading.get_intra_op_parallelism_threads()
    assert intra != 1 and one_thread_per_op() == 1
    assert tf.config.threading.get_intra_op_parallelism_threads() == intra


def train_lenet(epochs, checkpoint_dir, log_dir=None, stop_after=None, batch_parts=1):
    """LeNet trained on small random batches; ``stop_after`` epochs, the run is interrupted."""
    def interrupt(epoch, logs):
        if epoch == stop_after:
            raise KeyboardInterrupt

    set_seed(0)
    trainer = Trainer(LeNet(), keras.optimizers.Adam(1e-3), batch_parts=batch_parts)
    history = trainer.fit(image_batches(), epochs=epochs, validation_data=image_batches(seed=1),
                          checkpoint_dir=checkpoint_dir, log_dir=log_dir, verbose=0,
                          on_epoch_end=interrupt)
    return trainer.model, history.history


@pytest.mark.parametrize("batch_parts", [1, 2])
def test_interrupted_run_resumes_to_the_same_weights(tmp_path, batch_parts):
    straight, straight_history = train_lenet(3, tmp_path / "straight", batch_parts=batch_parts)

    with pytest.raises(KeyboardInterrupt):
        train_lenet(3, tmp_path / "interrupted", stop_after=1, batch_parts=batch_parts)
    assert not (tmp_path / "interrupted" / "run.lock").exists()
    resumed, resumed_history = train_lenet(3, tmp_path / "interrupted", batch_parts=batch_parts)

    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert resumed_history == straight_history
    assert len(resumed_history["val_loss"]) == 3
    saved = json.loads((tmp_path / "interrupted" / "history.json").read_text())
    assert saved == resumed_history


def test_checkpoint_of_another_optimizer_is_refused_clearly(tmp_path):
    data = image_batches(n=32, batch_size=32)
    Trainer(LeNet(), keras.optimizers.SGD(0.1)).fit(data, 2, checkpoint_dir=tmp_path, verbose=0)
    with pytest.raises(RunMismatchError, match="optimizer changed.*restart=True"):
        Trainer(LeNet(), keras.optimizers.Adam()).fit(data, 2, checkpoint_dir=tmp_path, verbose=0)


def test_tensorboard_scalars_are_written(tmp_path):
    train_lenet(1, None, log_dir=tmp_path / "logs")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path / "logs")).Reload()
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(events.Tags()["tensors"])


def test_mirrored_strategy_over_two_cpus_learns(two_cpu_strategy):
    set_seed(0)
    strategy = two_cpu_strategy
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        trainer = Trainer(LeNet(), keras.optimizers.Adam(3e-3), strategy=strategy)
    data = image_batches(n=64, batch_size=32).cache()
    history = trainer.fit(data, epochs=15, verbose=0).history
    assert history["loss"][-1] < 0.7 * history["loss"][0]
    assert 0.0 <= history["accuracy"][-1] <= 1.0


def test_mirrored_loss_equals_single_device_loss(two_cpu_strategy):
    """The loss is the global-batch mean, whatever the number of replicas."""
    data = image_batches(n=64, batch_size=32)
    set_seed(0)
    single = Trainer(LeNet(), keras.optimizers.SGD(0.0))
    single.fit(data, epochs=1, verbose=0)
    strategy = two_cpu_strategy
    with strategy.scope():
        model = LeNet()
        model(tf.zeros((1, 28, 28, 1)))
        model.set_weights(single.model.get_weights())
        mirrored = Trainer(model, keras.optimizers.SGD(0.0), strategy=strategy)
    np.testing.assert_allclose(mirrored.evaluate(data)["loss"], single.evaluate(data)["loss"],
                               rtol=1e-5)


def test_fit_with_overridden_train_step_learns():
    set_seed(0)
    model = TapeStepModel(LeNet(), clip_norm=5.0)
    model.compile(keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    batches = image_batches(n=32, batch_size=32).cache()
    history = model.fit(batches, epochs=10, shuffle=False, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert "accuracy" in history


class Interrupted(Exception):
    """Stands for Ctrl-C or a killed process after some epochs."""


class InterruptAfterFirstEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        raise Interrupted


def fit_with_dropout(run_dir, interrupt=False):
    """A Dense network with Dropout trained by ``model.fit`` with `resumable_run`'s callbacks."""
    set_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(10)])
    model.compile(keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    data = image_batches(n=80, batch_size=16)
    callbacks = resumable_run(run_dir, model, 3, {"dataset": "bars"}, train_data=data, verbose=0)
    history = model.fit(data, epochs=3, validation_data=image_batches(seed=1), shuffle=False,
                        verbose=0, callbacks=callbacks + [InterruptAfterFirstEpoch()] * interrupt)
    return model, history.history


def test_an_interrupted_fit_resumes_to_the_same_weights(tmp_path):
    """The model.fit route resumes bit for bit like the Trainer: weights, optimizer state,
    Dropout's random state and the shuffle order of the remaining epochs."""
    straight, straight_history = fit_with_dropout(tmp_path / "straight")
    with pytest.raises(Interrupted):
        fit_with_dropout(tmp_path / "interrupted", interrupt=True)
    resumed, resumed_history = fit_with_dropout(tmp_path / "interrupted")

    assert resumed_history == straight_history and len(resumed_history["val_loss"]) == 3
    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(resumed.optimizer.iterations) == int(straight.optimizer.iterations) == 15


def test_seconds_per_epoch_is_the_mean_of_the_epochs_run_and_none_without_any():
    """What a page records: a run whose epochs were all restored measured none."""
    for timer in (EpochTimer(), Trainer(LeNet(), keras.optimizers.Adam())):
        assert timer.seconds_per_epoch is None
        timer.epoch_seconds += [1.0, 2.0, 6.0]
        assert timer.seconds_per_epoch == pytest.approx(3.0)


def test_one_cycle_rate_rises_to_its_peak_then_falls_to_zero():
    """adam_cosine with a warm-up: from peak/10 up to the peak in a straight line over the first
    20% of the steps, then a half cosine down to 0 (half the peak halfway down)."""
    optimizer = adam_cosine(0.01, epochs=5, steps_per_epoch=100, warmup=0.2)
    rate = keras.optimizers.schedules.deserialize(optimizer.get_config()["learning_rate"])
    np.testing.assert_allclose([float(rate(step)) for step in (0, 50, 100, 300, 500)],
                               [0.001, 0.0055, 0.01, 0.005, 0.0], atol=1e-7)


@pytest.mark.parametrize("warmup", [1.0, -0.1])
def test_a_warm_up_of_every_step_is_refused_in_one_line(warmup):
    from dlbook.training.optimizers import RateScheduleError

    with pytest.raises(RateScheduleError, match=rf"warmup={warmup}: .* below 1"):
        adam_cosine(0.01, epochs=1, steps_per_epoch=10, warmup=warmup)


def test_a_second_fit_on_the_same_pipeline_goes_on_with_the_next_shuffle():
    """fit(1) then fit(2) ends as fit(2) does, on the pipeline already read (it goes on with its
    next shuffle) as on a fresh copy of it (the first epoch's shuffle is replayed)."""
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")

    def pipeline():
        return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64, seed=1).batch(8)

    def weights_after(*fits):
        keras.utils.set_random_seed(0)
        trainer = Trainer(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]),
                          keras.optimizers.SGD(0.1))
        for data, epochs in fits:
            trainer.fit(data, epochs=epochs, verbose=0)
        return trainer.model.get_weights()

    in_one = weights_after((pipeline(), 2))
    same = pipeline()
    for in_two in (weights_after((same, 1), (same, 2)),
                   weights_after((pipeline(), 1), (pipeline(), 2))):
        assert all(np.array_equal(a, b) for a, b in zip(in_one, in_two, strict=True))
