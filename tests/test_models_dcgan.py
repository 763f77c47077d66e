"""The DCGAN networks (chapter 5's demo of section 2's GAN): shapes, parameter counts, input
checks, saving."""

import re
import runpy
from pathlib import Path

from dlbook.cli import page_constants
from dlbook.models.dcgan import NOISE_DIM, ImageSizeError, make_discriminator, make_generator

import keras
import numpy as np
import pytest


def conv_weights(kernel, channels_in, channels_out, bias=True):
    return kernel * kernel * channels_in * channels_out + (channels_out if bias else 0)


def test_generator_makes_28x28_images_in_tanh_range():
    images = make_generator()(np.random.default_rng(0).normal(size=(3, NOISE_DIM)) * 5)
    assert images.shape == (3, 28, 28, 1)
    assert np.all(np.abs(images) <= 1.0)


def test_generator_parameter_count():
    dense = NOISE_DIM * 7 * 7 * 128  # no biases: batch normalization follows each layer
    transposed = (conv_weights(4, 128, 64, bias=False) + conv_weights(4, 64, 32, bias=False)
                  + conv_weights(4, 32, 1, bias=False))
    normalized = 7 * 7 * 128 + 64 + 32  # features: trainable gamma, beta; moving mean, variance
    generator = make_generator()
    trainable = sum(int(np.prod(v.shape)) for v in generator.trainable_variables)
    assert trainable == dense + transposed + 2 * normalized == 804_288
    assert generator.count_params() == trainable + 2 * normalized


def test_discriminator_returns_one_logit_and_its_parameter_count():
    discriminator = make_discriminator()
    assert discriminator(np.zeros((2, 28, 28, 1))).shape == (2, 1)
    flat = 7 * 7 * 64  # two stride-2 convolutions: 28 -> 14 -> 7
    expected = conv_weights(4, 1, 32) + conv_weights(4, 32, 64) + flat + 1
    assert discriminator.count_params() == expected == 36_513


@pytest.mark.parametrize(
    ("make", "bad_shape", "message"),
    [
        (make_generator, (2, 50), r"\(batch, 100\), got \(2, 50\)"),
        (make_discriminator, (2, 32, 32, 1), r"\(batch, 28, 28, 1\), got \(2, 32, 32, 1\)"),
        (make_discriminator, (2, 28, 28, 3), r"\(batch, 28, 28, 1\), got \(2, 28, 28, 3\)"),
    ],
)
def test_wrong_input_shape_is_named_in_the_error(make, bad_shape, message):
    with pytest.raises(ValueError, match=message):
        make()(np.zeros(bad_shape))


@pytest.mark.parametrize(
    ("make", "input_shape", "bad_shape"),
    [(make_generator, (2, NOISE_DIM), (1, 3)),
     (make_discriminator, (2, 28, 28, 1), (1, 32, 32, 1))],
)
def test_keras_file_round_trip_is_exact_and_keeps_the_shape_check(make, input_shape, bad_shape,
                                                                   tmp_path):
    model = make()
    inputs = np.random.default_rng(0).normal(size=input_shape).astype(np.float32)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    np.testing.assert_array_equal(loaded(inputs), model(inputs))
    with pytest.raises(ValueError, match="expected a batch of shape"):
        loaded(np.zeros(bad_shape))


def test_colour_images_of_28x28_get_networks_of_their_channels():
    generator = make_generator(image_shape=(28, 28, 3))
    images = generator(np.zeros((2, NOISE_DIM), np.float32))
    assert images.shape == (2, 28, 28, 3)
    assert make_discriminator((28, 28, 3))(images).shape == (2, 1)


@pytest.mark.parametrize("shape", [(32, 32, 1), (28, 28), (64, 64, 3)])
def test_images_of_another_size_are_refused_before_training(shape):
    message = r"draws 28x28 images, the dataset's have shape .*; resize the images to 28x28"
    with pytest.raises(ImageSizeError, match=message):
        make_generator(image_shape=shape)
    with pytest.raises(ImageSizeError, match=message):
        make_discriminator(shape)


def test_the_speed_bench_times_the_page_s_recipe_against_the_example_s_networks():
    """`benchmarks/bench_dcgan.py` reads the page's own constants, and its copy of TensorFlow's
    example has the example's 2,543,809 parameters (what the page trained before)."""
    repo = Path(__file__).parents[1]
    bench = runpy.run_path(str(repo / "benchmarks" / "bench_dcgan.py"))
    source = (repo / "chapters" / "ch05_practice" / "dcgan.py").read_text(encoding="utf-8")
    written = dict(re.findall(r"^(EPOCHS|BATCH_SIZE|LEARNING_RATE) = (\S+)", source, re.M))
    constants, _ = page_constants(bench["PAGE"])
    assert {name: constants[name] for name in written} == {
        name: float(value) if "." in value or "e" in value else int(value)
        for name, value in written.items()}
    example = bench["example_generator"]().count_params() + bench[
        "example_discriminator"]().count_params()
    assert example == 2_543_809
