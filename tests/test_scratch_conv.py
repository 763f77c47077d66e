"""Conv2D and pooling against the loop version, Keras and central differences."""

import re

from dlbook.scratch import (
    avg_pool2d,
    avg_pool2d_backward,
    conv2d,
    conv2d_backward,
    conv2d_loop,
    max_pool2d,
    max_pool2d_backward,
)

import keras
import numpy as np
import pytest
from scratch_reference import (
    assert_close,
    assert_matches_numerical,
    layer_output_and_gradients,
    randomize_weights,
)

CONV_CASES = [  # (input height, width, kernel size, stride, padding)
    (7, 6, (3, 3), 1, "valid"),
    (7, 6, (3, 3), 1, "same"),
    (7, 6, (3, 2), 2, "valid"),
    (7, 6, (2, 3), 2, "same"),
    (8, 8, (4, 4), 3, "same"),
]


@pytest.mark.parametrize(("height", "width", "kernel_size", "stride", "padding"), CONV_CASES)
def test_vectorized_conv2d_equals_the_loop_version(height, width, kernel_size, stride, padding):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, height, width, 3))
    kernel, bias = rng.normal(size=(*kernel_size, 3, 4)), rng.normal(size=4)
    np.testing.assert_allclose(conv2d(x, kernel, bias, stride, padding),
                               conv2d_loop(x, kernel, bias, stride, padding), rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("height", "width", "kernel_size", "stride", "padding"), CONV_CASES)
def test_conv2d_forward_and_backward_match_keras(height, width, kernel_size, stride, padding,
                                                 dtype):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, height, width, 3)).astype(dtype)
    layer = keras.layers.Conv2D(4, kernel_size, strides=stride, padding=padding, dtype=dtype)
    layer.build(x.shape)
    kernel, bias = randomize_weights(layer, rng)  # the same layout as ours: (kh, kw, C, F)
    y = conv2d(x, kernel, bias, stride, padding)
    dy = rng.normal(size=y.shape).astype(dtype)
    y_tf, dx_tf, (dkernel_tf, dbias_tf) = layer_output_and_gradients(layer, x, dy)

    dx, dkernel, dbias = conv2d_backward(dy, x, kernel, stride, padding)
    assert_close(y, y_tf, dtype)
    assert_close(dx, dx_tf, dtype)
    assert_close(dkernel, dkernel_tf, dtype)
    assert_close(dbias, dbias_tf, dtype)


def test_conv2d_backward_matches_numerical_gradient():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 5, 4, 2))
    kernel, bias = rng.normal(size=(3, 2, 2, 2)), rng.normal(size=2)
    dy = rng.normal(size=conv2d(x, kernel, bias, 2, "same").shape)

    def loss():
        return np.sum(conv2d(x, kernel, bias, 2, "same") * dy)

    dx, dkernel, dbias = conv2d_backward(dy, x, kernel, 2, "same")
    for param, analytic in [(x, dx), (kernel, dkernel), (bias, dbias)]:
        assert_matches_numerical(loss, param, analytic)


def test_conv2d_rejects_mismatched_channels_and_bad_arguments():
    x = np.zeros((1, 5, 5, 3))
    message = "x has shape (1, 5, 5, 3) and the kernel (3, 3, 2, 4)"
    for conv in (conv2d, conv2d_loop):
        with pytest.raises(ValueError, match=re.escape(message)):
            conv(x, np.zeros((3, 3, 2, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same', got 'full'"):
        conv2d(x, np.zeros((3, 3, 3, 4)), np.zeros(4), padding="full")
    with pytest.raises(ValueError, match=re.escape("a (6, 6) window does not fit")):
        conv2d(x, np.zeros((6, 6, 3, 4)), np.zeros(4))


POOLS = {
    "max": (max_pool2d, max_pool2d_backward, keras.layers.MaxPooling2D),
    "average": (avg_pool2d, avg_pool2d_backward, keras.layers.AveragePooling2D),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("pool_size", "stride"), [(2, None), (3, 2), (2, 1)])
@pytest.mark.parametrize("kind", sorted(POOLS))
def test_pooling_forward_and_backward_match_keras(kind, pool_size, stride, dtype):
    pool, pool_backward, keras_pool = POOLS[kind]
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 7, 6, 3)).astype(dtype)
    y = pool(x, pool_size, stride)
    dy = rng.normal(size=y.shape).astype(dtype)
    layer = keras_pool(pool_size, strides=stride, dtype=dtype)
    y_tf, dx_tf, _ = layer_output_and_gradients(layer, x, dy)
    assert_close(y, y_tf, dtype)
    assert_close(pool_backward(dy, x, pool_size, stride), dx_tf, dtype)


@pytest.mark.parametrize("kind", sorted(POOLS))
def test_pooling_backward_matches_numerical_gradient(kind):
    pool, pool_backward, _ = POOLS[kind]
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1, 5, 5, 2))
    dy = rng.normal(size=pool(x, 3, 2).shape)
    assert_matches_numerical(lambda: np.sum(pool(x, 3, 2) * dy), x,
                             pool_backward(dy, x, 3, 2))


def test_max_pooling_routes_the_gradient_to_the_maximum():
    x = np.array([[1.0, 5.0], [3.0, 2.0]]).reshape(1, 2, 2, 1)
    dx = max_pool2d_backward(np.full((1, 1, 1, 1), 7.0), x)
    np.testing.assert_array_equal(dx.reshape(2, 2), [[0.0, 7.0], [0.0, 0.0]])


def test_pooling_rejects_inputs_without_channels():
    with pytest.raises(ValueError, match=re.escape("expected x of shape (N, H, W, C), got (4, 4)")):
        max_pool2d(np.zeros((4, 4)))
