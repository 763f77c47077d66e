"""Magnitude pruning in Keras 3 (written on chapter 8's pruning page): the masks, the polynomial
schedule, the kernels pruned, the callback."""

from dlbook.compression import (
    PolynomialSparsity,
    Pruning,
    magnitude_masks,
    masks_keeping_the_ends,
    prunable_kernels,
    sparsity,
)
from dlbook.config import set_seed
from dlbook.models import build_cnn

import keras
import numpy as np
import pytest
import tensorflow as tf


def per_kernel_masks(kernels, fraction):
    """The reference mask: in each kernel, drop the ``fraction`` of weights smallest in |w|."""
    masks = []
    for kernel in kernels:
        order = np.argsort(np.abs(kernel), axis=None)
        mask = np.ones(kernel.size, bool)
        mask[order[:round(fraction * kernel.size)]] = False
        masks.append(mask.reshape(kernel.shape))
    return masks


def test_the_magnitude_masks_keep_the_largest_weights_of_all_kernels_together():
    kernels = [np.array([[0.1, -3.0], [0.5, 2.0]]), np.array([-0.2, 1.0, -4.0, 0.3])]
    masks = magnitude_masks(kernels, 0.5)  # |w| >= 0.75, the median of all eight
    assert [mask.tolist() for mask in masks] == [[[False, True], [False, True]],
                                                 [False, True, True, False]]
    masks = masks_keeping_the_ends([np.full(2, 0.01), np.arange(1.0, 9.0), np.full(2, 0.02)], 0.5)
    assert masks[0].all() and masks[2].all()
    assert masks[1].tolist() == [False] * 6 + [True] * 2  # 6 zeros: half of the 12 weights


def test_the_schedule_rises_as_a_cubic_from_initial_to_final():
    schedule = PolynomialSparsity(final=0.8, begin_step=10, end_step=110, initial=0.2)
    assert schedule(0) == schedule(10) == pytest.approx(0.2)
    assert schedule(60) == pytest.approx(0.8 + (0.2 - 0.8) * 0.5**3)
    assert schedule(110) == schedule(1000) == pytest.approx(0.8)
    values = [schedule(step) for step in range(0, 120)]
    assert values == sorted(values)


@pytest.mark.parametrize("settings", [dict(final=1.0, begin_step=0, end_step=10),
                                      dict(final=0.5, begin_step=0, end_step=10, initial=0.6),
                                      dict(final=0.5, begin_step=10, end_step=10)])
def test_a_schedule_out_of_range_is_refused(settings):
    with pytest.raises(ValueError, match="expected"):
        PolynomialSparsity(**settings)


def test_the_kernels_of_the_cnn_are_pruned_not_its_biases():
    shapes = [tuple(kernel.shape) for kernel in prunable_kernels(build_cnn())]
    assert shapes == [(3, 3, 1, 32), (3, 3, 32, 64), (1600, 64), (64, 10)]


def classification_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 20)).astype(np.float32)
    y = (x[:, :5].sum(axis=1) > 0).astype(np.int32)
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(32)


def small_model(steps_per_execution=1):
    set_seed(0)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(2)])
    model.compile(keras.optimizers.Adam(1e-2), steps_per_execution=steps_per_execution,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_training_with_pruning_reaches_the_sparsity_and_keeps_learning():
    model = small_model()
    schedule = PolynomialSparsity(final=0.75, begin_step=0, end_step=48)  # 16 steps an epoch
    history = model.fit(classification_data(), epochs=6, verbose=0, shuffle=False,
                        callbacks=[Pruning(schedule, per_kernel_masks, update_every=8)])
    for kernel in prunable_kernels(model):
        assert np.mean(np.asarray(kernel) == 0) == pytest.approx(0.75, abs=0.01)
    assert sparsity(model) == pytest.approx(0.75, abs=0.01)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_pruned_weights_stay_zero_while_the_others_train():
    model = small_model()
    pruning = Pruning(PolynomialSparsity(final=0.5, begin_step=0, end_step=16), per_kernel_masks)
    model.fit(classification_data(), epochs=2, verbose=0, shuffle=False, callbacks=[pruning])
    kernels_then = [np.asarray(kernel).copy() for kernel in prunable_kernels(model)]
    model.fit(classification_data(), epochs=1, verbose=0, shuffle=False, callbacks=[pruning])
    for before, kernel, mask in zip(kernels_then, prunable_kernels(model), pruning.masks,
                                    strict=True):
        after, mask = np.asarray(kernel), np.asarray(mask)
        assert np.all(after[~mask] == 0)
        assert np.all(after[mask] != before[mask])


def test_a_model_compiled_to_run_several_steps_at_once_is_refused():
    pruning = Pruning(PolynomialSparsity(final=0.5, begin_step=0, end_step=16), per_kernel_masks)
    with pytest.raises(ValueError, match="steps_per_execution=1"):
        small_model(steps_per_execution=4).fit(classification_data(), epochs=1, verbose=0,
                                               shuffle=False, callbacks=[pruning])


def test_masks_of_the_wrong_shape_are_refused():
    def flat_masks(kernels, fraction):
        return [np.ones(kernel.size, bool) for kernel in kernels]

    pruning = Pruning(PolynomialSparsity(final=0.5, begin_step=0, end_step=16), flat_masks)
    with pytest.raises(ValueError, match="masks of shapes"):
        small_model().fit(classification_data(), epochs=1, verbose=0, shuffle=False,
                          callbacks=[pruning])


def test_a_model_with_too_few_kernels_is_refused_in_one_line():
    """Red team N060: a two-layer model of the right shape reached the pruning page's mask that
    keeps the first and last layers whole, and ended in ZeroDivisionError."""
    from dlbook.compression import UnprunableModelError

    two_layers = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                   keras.layers.Dense(64, name="features"),
                                   keras.layers.Dense(10, activation="softmax")])
    assert len(prunable_kernels(two_layers)) == 2
    with pytest.raises(UnprunableModelError, match="has 2 Dense or Conv2D kernel.*at least 3") as e:
        prunable_kernels(two_layers, minimum=3)
    assert "\n" not in str(e.value)
    assert len(prunable_kernels(build_cnn(), minimum=3)) == 4
