"""Section 5's MLPs (the binary listing, the MLP project's), its Sequential CNN, the synthetic
two-class data, and saving a model in one step."""

import math
import re
from pathlib import Path

from dlbook.data.synthetic import TwoGaussians, normal_cdf
from dlbook.losses import CheckedBinaryCrossentropy
from dlbook.models import build_binary_mlp, build_cnn, build_image_mlp
from dlbook.models.saving import save_model
from dlbook.training import Trainer
from dlbook.training.cnn_recipe import compile_cnn

import keras
import numpy as np
import pytest
import tensorflow as tf


def dense(inputs, units):
    return inputs * units + units


BUILDERS = {
    "binary_mlp": (build_binary_mlp, (10,), 1),
    "image_mlp": (build_image_mlp, (28, 28, 1), 10),
    "cnn": (build_cnn, (28, 28, 1), 10),
}


def test_binary_mlp_is_the_listing_with_one_logit():
    model = build_binary_mlp()
    logits = model(tf.random.normal((4, 10), stddev=30.0, seed=0))
    assert logits.shape == (4, 1)
    assert model.count_params() == dense(10, 64) + dense(64, 64) + dense(64, 1)
    assert np.abs(logits).max() > 1.0  # a logit, not a sigmoid probability


def test_image_mlp_shapes_and_parameter_count():
    model = build_image_mlp()
    assert model(tf.zeros((3, 28, 28, 1))).shape == (3, 10)
    assert model.count_params() == dense(28 * 28, 256) + dense(256, 128) + dense(128, 10)


def test_cnn_shapes_parameter_count_and_features_layer():
    model = build_cnn(num_classes=7)
    assert model(tf.zeros((3, 28, 28, 1))).shape == (3, 7)
    conv1 = 32 * (3 * 3 * 1) + 32
    conv2 = 64 * (3 * 3 * 32) + 64
    side = ((28 - 2) // 2 - 2) // 2  # two (3x3 valid conv, 2x2 pool) stages: 28 -> 13 -> 5
    assert model.count_params() == conv1 + conv2 + dense(side * side * 64, 64) + dense(64, 7)
    assert model.get_layer("features").output.shape == (None, 64)
    assert isinstance(model, keras.Sequential)


def test_cnn_dropout_is_the_only_addition_to_the_listing():
    with_dropout, listing = build_cnn(), build_cnn(dropout=0.0)
    kinds = [type(layer).__name__ for layer in listing.layers]
    assert kinds == ["ExpectShape", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten",
                     "Dense", "Dense"]
    assert [type(layer).__name__ for layer in with_dropout.layers] == [
        *kinds[:6], "Dropout", *kinds[6:]
    ]
    assert with_dropout.count_params() == listing.count_params()


def test_chapter_5s_cnn_recipe_decays_from_2e_3_and_the_listings_stays_at_1e_3():
    dlbooks, listing = build_cnn(), build_cnn(dropout=0.0)
    compile_cnn(dlbooks, epochs=3, steps_per_epoch=7)
    compile_cnn(listing, epochs=3, steps_per_epoch=7, listing=True)
    schedule = dlbooks.optimizer.get_config()["learning_rate"]
    assert schedule["class_name"] == "CosineDecay"
    assert schedule["config"]["initial_learning_rate"] == pytest.approx(2e-3)
    assert schedule["config"]["decay_steps"] == 21  # down to 0 at the end of the run
    assert listing.optimizer.get_config()["learning_rate"] == pytest.approx(1e-3)
    assert listing.loss.get_config()["from_logits"] is True


def fixed_batch(input_shape, num_outputs, size=32):
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(size, *input_shape)).astype(np.float32)
    y = rng.integers(0, max(num_outputs, 2), size=size).astype(np.int32)
    return x, y


def loss_for(num_outputs):
    if num_outputs == 1:
        return CheckedBinaryCrossentropy(from_logits=True)
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


@pytest.mark.parametrize("name", BUILDERS)
def test_loss_falls_on_a_fixed_batch(name):
    build, input_shape, num_outputs = BUILDERS[name]
    keras.utils.set_random_seed(0)
    model = build()
    x, y = fixed_batch(input_shape, num_outputs)
    model.compile(keras.optimizers.Adam(3e-3), loss=loss_for(num_outputs))
    before = model.evaluate(x, y, verbose=0)
    for _ in range(30):
        model.train_on_batch(x, y)
    assert model.evaluate(x, y, verbose=0) < 0.7 * before


@pytest.mark.parametrize("name", BUILDERS)
def test_keras_file_round_trip_is_exact(name, tmp_path):
    build, input_shape, num_outputs = BUILDERS[name]
    model = build()
    model.compile("adam", loss=loss_for(num_outputs))
    x, y = fixed_batch(input_shape, num_outputs, size=5)
    model.train_on_batch(x, y)  # saved weights differ from a fresh model's, the optimizer is built
    model.save(tmp_path / f"{name}.keras")
    loaded = keras.saving.load_model(tmp_path / f"{name}.keras", safe_mode=True)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert type(loaded.loss) is type(model.loss)


def test_save_model_replaces_the_file_in_one_step(tmp_path, monkeypatch):
    path = tmp_path / "cnn.keras"
    first = build_cnn()
    assert save_model(first, path) == path
    x = fixed_batch((28, 28, 1), 10, size=3)[0]
    expected = first.predict(x, verbose=0)

    def killed_while_writing(self, filepath, *args, **kwargs):
        Path(filepath).write_bytes(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(keras.Model, "save", killed_while_writing)
    with pytest.raises(KeyboardInterrupt):
        save_model(build_cnn(), path)
    monkeypatch.undo()
    loaded = keras.saving.load_model(path, safe_mode=True)  # the first model, whole
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.keras"]


@pytest.mark.parametrize("build", [build_image_mlp, build_cnn])
@pytest.mark.parametrize("shape", [(2, 32, 32, 1), (2, 28, 28, 3), (2, 14, 56, 1)])
def test_wrong_image_shape_names_the_expected_shape(build, shape):
    expected = re.escape(f"expected a batch of shape (batch, 28, 28, 1), got {shape}")
    with pytest.raises(ValueError, match=expected):
        build()(tf.zeros(shape))


def test_wrong_number_of_features_names_the_expected_shape():
    with pytest.raises(ValueError, match=re.escape("expected a batch of shape (batch, 10), got")):
        build_binary_mlp()(tf.zeros((2, 12)))


def test_binary_loss_rejects_labels_other_than_0_and_1():
    loss = CheckedBinaryCrossentropy(from_logits=True)
    assert float(loss(np.array([0.0, 1.0]), np.array([[-2.0], [3.0]]))) == pytest.approx(
        (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(-3.0))) / 2, rel=1e-5
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected binary labels 0 or 1"):
        loss(np.array([0.0, 2.0]), np.array([[-2.0], [3.0]]))


def test_binary_mlp_fit_stops_on_a_bad_label():
    model = build_binary_mlp()
    model.compile("adam", loss=CheckedBinaryCrossentropy(from_logits=True))
    x, y = fixed_batch((10,), 1, size=8)
    y[3] = 2
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected binary labels 0 or 1"):
        model.fit(x, y, verbose=0)


def test_trainer_stops_on_a_label_outside_the_classes():
    x, y = fixed_batch((28, 28, 1), 10, size=8)
    y[0] = 10
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    trainer = Trainer(build_image_mlp(), keras.optimizers.Adam())
    # TensorFlow's kernel says it one of two ways, depending on whether op determinism is on.
    out_of_range = r"outside the valid range of \[0, 10\)|10 is not in \[0, 10\)"
    with pytest.raises(tf.errors.InvalidArgumentError, match=out_of_range):
        trainer.fit(data, epochs=1, verbose=0)


# -- the synthetic two-Gaussian problem -----------------------------------------------------------


def test_normal_cdf_reference_values():
    assert normal_cdf(0.0) == 0.5
    assert normal_cdf(1.959964) == pytest.approx(0.975, abs=1e-6)
    assert normal_cdf(-1.0) == pytest.approx(0.158655254, abs=1e-8)


def test_bayes_accuracy_matches_a_monte_carlo_estimate_of_the_optimal_rule():
    problem = TwoGaussians.random(num_features=10, distance=2.5, seed=3)
    assert problem.mahalanobis_distance == pytest.approx(2.5)
    assert problem.bayes_accuracy == pytest.approx(normal_cdf(1.25))
    n = 200_000
    x, y = problem.sample(n, seed=4)
    estimate = np.mean(problem.bayes_predict(x) == y)
    standard_error = math.sqrt(problem.bayes_accuracy * (1 - problem.bayes_accuracy) / n)
    assert abs(estimate - problem.bayes_accuracy) < 4 * standard_error
    # Any other linear rule does worse, e.g. the one that ignores the feature correlations.
    w = problem.mean_1 - problem.mean_0
    naive = (x @ w > w @ (problem.mean_0 + problem.mean_1) / 2).astype(np.int32)
    assert np.mean(naive == y) < estimate - 10 * standard_error


def test_samples_have_the_stated_distribution_and_repeat_with_the_seed():
    problem = TwoGaussians.random(num_features=4, seed=0)
    x, y = problem.sample(50_000, seed=1)
    assert x.shape == (50_000, 4) and x.dtype == np.float32 and y.dtype == np.int32
    assert set(np.unique(y)) == {0, 1}
    np.testing.assert_allclose(x[y == 1].mean(axis=0), problem.mean_1, atol=0.05)
    np.testing.assert_allclose(x[y == 0].mean(axis=0), problem.mean_0, atol=0.05)
    np.testing.assert_allclose(np.cov(x[y == 0], rowvar=False), problem.covariance, atol=0.05)
    np.testing.assert_array_equal(problem.sample(10, seed=1)[0], problem.sample(10, seed=1)[0])


def test_synthetic_bad_arguments_raise_clear_errors():
    problem = TwoGaussians.random(num_features=10)
    with pytest.raises(ValueError, match=re.escape("expected x of shape (N, 10), got (5, 3)")):
        problem.bayes_predict(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="expected num_examples >= 1, got 0"):
        problem.sample(0)
    with pytest.raises(ValueError, match="distance > 0"):
        TwoGaussians.random(distance=0.0)
