"""LeNet as section 5.2 builds it."""

from dlbook.models import LeNet

import keras
import numpy as np
import pytest
import tensorflow as tf


def test_lenet_layers_and_parameter_count():
    model = LeNet()
    logits = model(tf.zeros((3, 28, 28, 1)))
    assert logits.shape == (3, 10)
    conv1 = 6 * (5 * 5 * 1) + 6
    conv2 = 16 * (5 * 5 * 6) + 16
    fc1 = (16 * 4 * 4) * 120 + 120
    fc2 = 120 * 84 + 84
    fc3 = 84 * 10 + 10
    assert model.count_params() == conv1 + conv2 + fc1 + fc2 + fc3


def test_lenet_returns_logits_not_probabilities():
    logits = LeNet()(tf.random.normal((8, 28, 28, 1), seed=1) * 10).numpy()
    assert not np.allclose(logits.sum(axis=1), 1.0)


@pytest.mark.parametrize("shape", [(2, 32, 32, 3), (2, 28, 28), (2, 28, 28, 3)])
def test_wrong_image_shape_names_the_expected_shape(shape):
    with pytest.raises(ValueError, match=r"expects images of shape \(batch, 28, 28, 1\)"):
        LeNet()(tf.zeros(shape))


def test_keras_file_round_trip(tmp_path):
    model = LeNet(num_classes=4)
    images = tf.random.uniform((5, 28, 28, 1), seed=2)
    expected = model(images)
    model.save(tmp_path / "lenet.keras")
    loaded = keras.saving.load_model(tmp_path / "lenet.keras", safe_mode=True)
    np.testing.assert_array_equal(loaded(images), expected)
