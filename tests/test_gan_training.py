"""The GAN trainer: one step trains both networks, one trace, exact resume; the DCGAN page runs
and refuses a judge that cannot measure its images before it trains."""

import json
import re
import runpy
from pathlib import Path

from dlbook.config import set_seed
from dlbook.data import to_tanh_range
from dlbook.models.cnn import build_cnn
from dlbook.models.dcgan import make_discriminator, make_generator
from dlbook.models.loading import SavedModelError
from dlbook.training.gan import GANTrainer

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


def make_trainer(learning_rate=1e-4, trainer_class=GANTrainer):
    set_seed(0)
    return trainer_class(make_generator(), make_discriminator(),
                         keras.optimizers.Adam(learning_rate), keras.optimizers.Adam(learning_rate))


def snapshot(model):
    return [v.numpy().copy() for v in model.trainable_variables]


def test_one_step_updates_both_networks_and_returns_both_losses():
    trainer = make_trainer()
    generator_before = snapshot(trainer.generator)
    discriminator_before = snapshot(trainer.discriminator)
    images, labels = next(iter(bright_squares()))
    total = trainer.train_step(images, labels)

    for before, after in [(generator_before, snapshot(trainer.generator)),
                          (discriminator_before, snapshot(trainer.discriminator))]:
        for old, new in zip(before, after, strict=True):
            assert not np.array_equal(old, new)
    generator_loss, discriminator_loss = (float(m.result()) for m in trainer.train_metrics)
    assert float(total) == pytest.approx(generator_loss + discriminator_loss, rel=1e-5)
    # At the start D is unsure: about log 2 per judgement, two judgements in D's loss.
    assert generator_loss == pytest.approx(np.log(2), abs=0.2)
    assert discriminator_loss == pytest.approx(2 * np.log(2), abs=0.3)


def test_discriminator_learns_to_tell_real_from_fake_when_the_generator_is_frozen():
    trainer = make_trainer()
    trainer.generator_optimizer.learning_rate = 0.0
    trainer.discriminator_optimizer.learning_rate = 1e-3
    history = trainer.fit(bright_squares(n=16, batch_size=16), epochs=8, verbose=0).history
    assert history["discriminator_loss"][-1] < 0.5 * history["discriminator_loss"][0]
    assert history["generator_loss"][-1] > history["generator_loss"][0]


class TraceCountingTrainer(GANTrainer):
    """Counts how often TensorFlow traces the step (Python runs only while tracing)."""

    traces = 0

    def train_step(self, images, labels):
        TraceCountingTrainer.traces += 1
        return super().train_step(images, labels)


def test_partial_last_batch_runs_without_a_second_trace(capfd):
    remapping = tf.config.optimizer.get_experimental_options().get("remapping", True)
    trainer = make_trainer(trainer_class=TraceCountingTrainer)
    history = trainer.fit(bright_squares(n=20, batch_size=8), epochs=2, verbose=0).history
    # batches of 8, 8 and 4
    assert TraceCountingTrainer.traces == 1
    assert set(history) == {"generator_loss", "discriminator_loss"}
    assert all(np.isfinite(history["generator_loss"]))
    # TensorFlow's graph rewrite that fails on this step (printing an E0000 line) is off while
    # the GAN trains, and back as it was afterwards.
    assert "remapper failed" not in capfd.readouterr().err
    assert tf.config.optimizer.get_experimental_options().get("remapping", True) == remapping


def train(epochs, checkpoint_dir, stop_after=None):
    def interrupt(epoch, logs):
        if epoch == stop_after:
            raise KeyboardInterrupt

    trainer = make_trainer()
    history = trainer.fit(bright_squares(), epochs=epochs, checkpoint_dir=checkpoint_dir,
                          verbose=0, on_epoch_end=interrupt)
    return trainer, history.history


def test_interrupted_run_resumes_to_the_same_networks(tmp_path):
    straight, straight_history = train(2, tmp_path / "straight")
    with pytest.raises(KeyboardInterrupt):
        train(2, tmp_path / "interrupted", stop_after=1)
    resumed, resumed_history = train(2, tmp_path / "interrupted")

    assert resumed.epochs_done == 2
    assert resumed_history == straight_history
    for network in ("generator", "discriminator"):
        a, b = getattr(straight, network), getattr(resumed, network)
        for x, y in zip(a.weights, b.weights, strict=True):  # BatchNorm statistics included
            np.testing.assert_array_equal(x.numpy(), y.numpy())
    for name in ("generator_optimizer", "discriminator_optimizer"):
        assert int(getattr(resumed, name).iterations) == int(getattr(straight, name).iterations)
    saved = json.loads((tmp_path / "interrupted" / "history.json").read_text())
    assert saved == resumed_history


def test_evaluation_is_rejected_with_a_clear_message():
    with pytest.raises(NotImplementedError, match="no validation loss"):
        make_trainer().evaluate(bright_squares(n=8, batch_size=8))


def test_mirrored_strategy_over_two_cpus_trains_both_networks(two_cpu_strategy):
    set_seed(0)
    strategy = two_cpu_strategy
    with strategy.scope():
        trainer = GANTrainer(make_generator(), make_discriminator(), keras.optimizers.Adam(1e-4),
                             keras.optimizers.Adam(1e-4), strategy=strategy)
    before = snapshot(trainer.generator) + snapshot(trainer.discriminator)
    history = trainer.fit(bright_squares(n=16, batch_size=8), epochs=1, verbose=0).history
    after = snapshot(trainer.generator) + snapshot(trainer.discriminator)
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
    assert results["model"] == "DCGAN"
    assert results["epochs"] == 1
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
    assert not (tmp_path / "checkpoints").exists()


def test_chapter_script_refuses_a_judge_of_other_classes_before_training(tmp_path, monkeypatch):
    """Before, such a judge was loaded after the whole GAN training and gave figures that looked
    right and meant nothing (a classifier score out of 5 for 10 classes)."""
    judge = tmp_path / "five-classes.keras"
    build_cnn(num_classes=5).save(judge)
    with pytest.raises(SavedModelError, match="predicts 5 classes, not 10"):
        run_page(monkeypatch, tmp_path / "run", "--judge", str(judge))
    assert not (tmp_path / "run" / "checkpoints").exists()
