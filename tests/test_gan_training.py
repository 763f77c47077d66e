"""The GAN model: one step trains both networks, fit runs it without retracing each epoch, and an
interrupted fit resumes to the same networks bit for bit; the DCGAN page runs and refuses a judge
that cannot measure its images before it trains."""

import json
import re
import runpy
from pathlib import Path

from dlbook.config import set_seed
from dlbook.data import to_tanh_range
from dlbook.models.cnn import build_cnn
from dlbook.models.dcgan import make_discriminator, make_generator
from dlbook.models.loading import SavedModelError
from dlbook.training import GAN, resumable_run

import keras
import numpy as np
import pytest
import tensorflow as tf


def bright_squares(n=20, batch_size=8, seed=0):
    """Images in [0, 1] of one bright square on a dark background, mapped to [-1, 1]."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28, 1), np.float32)
    for image, (row, col) in zip(images, rng.integers(0, 20, (n, 2)), strict=True):
        image[row : row + 8, col : col + 8] = 1.0
    return (
        tf.data.Dataset.from_tensor_slices((images, np.zeros(n, np.int32)))
        .shuffle(n, seed=seed)
        .batch(batch_size)
        .map(to_tanh_range)
    )


def make_gan(learning_rate=1e-4, gan_class=GAN):
    set_seed(0)
    gan = gan_class(make_generator(), make_discriminator())
    gan.compile(generator_optimizer=keras.optimizers.Adam(learning_rate),
                discriminator_optimizer=keras.optimizers.Adam(learning_rate))
    return gan


def snapshot(model):
    return [v.numpy().copy() for v in model.trainable_variables]


def test_one_step_updates_both_networks_and_returns_both_losses():
    gan = make_gan()
    generator_before = snapshot(gan.generator)
    discriminator_before = snapshot(gan.discriminator)
    logs = gan.train_step(next(iter(bright_squares())))

    for before, after in [(generator_before, snapshot(gan.generator)),
                          (discriminator_before, snapshot(gan.discriminator))]:
        for old, new in zip(before, after, strict=True):
            assert not np.array_equal(old, new)
    generator_loss, discriminator_loss = (float(logs[name]) for name in
                                          ("generator_loss", "discriminator_loss"))
    # At the start D is unsure: about log 2 per judgement, two judgements in D's loss.
    assert generator_loss == pytest.approx(np.log(2), abs=0.2)
    assert discriminator_loss == pytest.approx(2 * np.log(2), abs=0.3)


def test_discriminator_learns_to_tell_real_from_fake_when_the_generator_is_frozen():
    gan = make_gan()
    gan.generator_optimizer.learning_rate = 0.0
    gan.discriminator_optimizer.learning_rate = 1e-3
    history = gan.fit(bright_squares(n=16, batch_size=16), epochs=8, shuffle=False,
                      verbose=0).history
    assert history["discriminator_loss"][-1] < 0.5 * history["discriminator_loss"][0]
    assert history["generator_loss"][-1] > history["generator_loss"][0]


class TraceCountingGAN(GAN):
    """Counts how often TensorFlow traces the step (Python runs only while tracing)."""

    traces = 0

    def train_step(self, data):
        TraceCountingGAN.traces += 1
        return super().train_step(data)


def test_fit_traces_the_step_at_most_twice_whatever_the_epochs(capfd):
    remapping = tf.config.optimizer.get_experimental_options().get("remapping", True)
    gan = make_gan(gan_class=TraceCountingGAN)
    history = gan.fit(bright_squares(n=20, batch_size=8), epochs=3, shuffle=False,
                      verbose=0).history
    # batches of 8, 8 and 4: Keras traces the full batch, then once more for any batch size
    assert TraceCountingGAN.traces <= 2
    assert set(history) == {"generator_loss", "discriminator_loss"}
    assert all(np.isfinite(history["generator_loss"]))
    # TensorFlow's graph rewrite that fails on this step (printing an E0000 line) is off while
    # the GAN trains, and back as it was afterwards.
    assert "remapper failed" not in capfd.readouterr().err
    assert tf.config.optimizer.get_experimental_options().get("remapping", True) == remapping


class Interrupted(Exception):
    """Stands for Ctrl-C or a killed process after some epochs."""


class InterruptAfter(keras.callbacks.Callback):
    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise Interrupted


def train(epochs, run_dir, stop_after=None):
    gan = make_gan()
    images = bright_squares()
    callbacks = resumable_run(run_dir, gan, epochs, {"dataset": "squares"}, train_data=images,
                              optimizer=gan.optimizers, verbose=0)
    if stop_after is not None:
        callbacks.append(InterruptAfter(stop_after))
    history = gan.fit(images, epochs=epochs, shuffle=False, verbose=0, callbacks=callbacks)
    return gan, history.history


def test_interrupted_fit_resumes_to_the_same_networks(tmp_path):
    straight, straight_history = train(3, tmp_path / "straight")
    with pytest.raises(Interrupted):
        train(3, tmp_path / "interrupted", stop_after=1)
    resumed, resumed_history = train(3, tmp_path / "interrupted")

    assert resumed_history == straight_history and len(resumed_history["generator_loss"]) == 3
    for network in ("generator", "discriminator"):
        a, b = getattr(straight, network), getattr(resumed, network)
        for x, y in zip(a.weights, b.weights, strict=True):  # BatchNorm statistics included
            np.testing.assert_array_equal(x.numpy(), y.numpy())
    for name in ("generator_optimizer", "discriminator_optimizer"):
        assert int(getattr(resumed, name).iterations) == int(getattr(straight, name).iterations)
    saved = json.loads((tmp_path / "interrupted" / "checkpoints" / "history.json").read_text())
    assert saved == resumed_history


def test_mirrored_strategy_over_two_cpus_trains_both_networks(two_cpu_strategy):
    set_seed(0)
    with two_cpu_strategy.scope():
        gan = GAN(make_generator(), make_discriminator())
        gan.compile(generator_optimizer=keras.optimizers.Adam(1e-4),
                    discriminator_optimizer=keras.optimizers.Adam(1e-4))
    before = snapshot(gan.generator) + snapshot(gan.discriminator)
    history = gan.fit(bright_squares(n=16, batch_size=8), epochs=1, shuffle=False,
                      verbose=0).history
    after = snapshot(gan.generator) + snapshot(gan.discriminator)
    assert all(not np.array_equal(old, new) for old, new in zip(before, after, strict=True))
    assert history["discriminator_loss"][0] == pytest.approx(2 * np.log(2), abs=0.3)


SCRIPT = Path(__file__).parents[1] / "chapters" / "ch05_practice" / "dcgan.py"


def run_page(monkeypatch, output_dir, *flags):
    monkeypatch.setattr("sys.argv", [str(SCRIPT), "--quick", "--dataset", "fashion_mnist",
                                     "--output-dir", str(output_dir), *flags])
    runpy.run_path(str(SCRIPT), run_name="__main__")
    return json.loads((output_dir / "results.json").read_text())


def test_chapter_script_quick_run(quick_chapters):
    run = quick_chapters["ch05_practice/dcgan"]  # the suite's `make chapters QUICK=1` run
    results = run.results("losses.png")
    assert results["settings"]["EPOCHS"] == 1 and results["identity"]["epochs"] == 1
    assert results["identity"]["num_train"] == 2048  # no validation split: all images train
    assert 0 <= results["frechet_real"] < results["frechet_noise"]
    assert 1 <= results["classifier_score"] <= 10
    assert 1 <= results["classifier_score_real"] <= 10
    assert (run.output_dir / "samples" / "fashion_mnist" / "epoch_001.png").is_file()
    assert (run.output_dir / "progress.gif").is_file()
    generator = keras.models.load_model(run.output_dir / "generator.keras")
    assert generator.output_shape == (None, 28, 28, 1)
    out = run.stdout  # judged by chapter 5's quick CNN, which ran before
    assert re.search(r"Judge: the classifier of \S+/cnn-quick/cnn-fashion_mnist.keras", out)
    # Before training, the untrained discriminator says about 1/2 to everything.
    losses = re.search(r"J_D = ([\d.]+), J_G = ([\d.]+)", out)
    assert float(losses[1]) == pytest.approx(2 * np.log(2), abs=0.3)
    assert float(losses[2]) == pytest.approx(np.log(2), abs=0.2)


def test_chapter_script_refuses_a_missing_judge_before_training(tmp_path, monkeypatch):
    with pytest.raises(SavedModelError, match=r"no trained model at .*no\.keras"):
        run_page(monkeypatch, tmp_path, "--judge", str(tmp_path / "no.keras"))
    assert not (tmp_path / "fashion_mnist" / "checkpoints").exists()


def test_chapter_script_refuses_a_judge_of_other_classes_before_training(tmp_path, monkeypatch):
    """Before, such a judge was loaded after the whole GAN training and gave figures that looked
    right and meant nothing (a classifier score out of 5 for 10 classes)."""
    judge = tmp_path / "five-classes.keras"
    build_cnn(num_classes=5).save(judge)
    with pytest.raises(SavedModelError, match="predicts 5 classes, not 10"):
        run_page(monkeypatch, tmp_path / "run", "--judge", str(judge))
    assert not (tmp_path / "run" / "fashion_mnist" / "checkpoints").exists()
